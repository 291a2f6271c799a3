"""Exporters: one module per output format, one pure entry point each.

``EXPORTERS`` is a plain registry mapping a format name to a callable
``(schema: Schema) -> str``; the CLI and notebooks look formats up here, and a
new exporter joins by adding one line. ``write_atomic`` is how every exporter's
output reaches the disk, so a crash never leaves half a file behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from workbench.export.ddl import render_ddl
from workbench.export.markdown import render_markdown_offline
from workbench.model import Schema

#: format name → renderer. Others register here: ``EXPORTERS["markdown"] = render_markdown``.
EXPORTERS: dict[str, Callable[[Schema], str]] = {
    "sql": render_ddl,
    "md": render_markdown_offline,  # schema.md without database extras; see doc_collect.write_all
}


def write_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically: a temp file in the same directory, then ``os.replace``.

    Readers see either the old file or the complete new one, never a partial
    write (same directory, so the rename stays on one filesystem). Parent
    directories are created. Returns the path written.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


__all__ = ["EXPORTERS", "render_ddl", "write_atomic"]

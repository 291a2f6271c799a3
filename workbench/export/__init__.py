"""Exporters: one module per output format, one pure entry point each.

``EXPORTERS`` is a plain registry mapping a format name to a callable
``(schema: Schema) -> str``; the CLI and notebooks look formats up here, and a
new exporter joins by adding one line. ``write_atomic`` is how every exporter's
output reaches the disk, so a crash never leaves half a file behind.
"""

from __future__ import annotations

from collections.abc import Callable

from workbench.export.ddl import render_ddl
from workbench.export.markdown import render_markdown_offline
from workbench.files import write_atomic
from workbench.model import Schema

#: format name → renderer. Others register here: ``EXPORTERS["markdown"] = render_markdown``.
EXPORTERS: dict[str, Callable[[Schema], str]] = {
    "sql": render_ddl,
    "md": render_markdown_offline,  # schema.md without database extras; see doc_collect.write_all
}


__all__ = ["EXPORTERS", "render_ddl", "write_atomic"]

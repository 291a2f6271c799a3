"""Writing files so that a crash never leaves half of one behind.

Every output the workbench writes (exports, diagrams, reports, saved results)
goes through here: data lands in a temp file in the target's own directory
(same filesystem, so the rename is atomic) and replaces the target in one
``os.replace``. Readers see the old file or the complete new one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def cache_dir() -> Path:
    """The workbench's cache: initdb'd clusters, Faker vocabularies (``WORKBENCH_CACHE_DIR``)."""
    from platformdirs import user_cache_dir

    path = Path(os.environ.get("WORKBENCH_CACHE_DIR") or user_cache_dir("schema-workbench"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temp path beside ``path``; on success it replaces ``path``, on error it is removed.

    For writers that want a file name rather than a handle (``DataFrame.to_parquet``,
    a renderer that writes its own output).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, encoding: str = "utf-8"
) -> Path:
    """Write text or bytes to ``path`` atomically (parents created); return the path."""
    with atomic_path(path) as tmp:
        mode = "wb" if isinstance(data, bytes) else "w"
        kwargs = {} if isinstance(data, bytes) else {"encoding": encoding, "newline": ""}
        with open(tmp, mode, **kwargs) as handle:  # type: ignore[call-overload]
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    return Path(path)

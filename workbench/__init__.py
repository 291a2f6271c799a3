"""Schema Workbench: design, diagram, seed, profile, lint and export a PostgreSQL schema.

Entry point: ``with workbench.open("sql/") as wb: ...``. Heavy modules load
lazily, so importing the package (and starting a server) stays fast.
"""

from __future__ import annotations

from typing import Any

from workbench.errors import LoadError, WorkbenchError
from workbench.session import Database, Workbench, open

__all__ = [
    "Database",
    "LoadError",
    "Workbench",
    "WorkbenchError",
    "diff",
    "load_ipython_extension",
    "open",
]
__version__ = "0.1.0"


def diff(old: Any, new: Any, **kwargs: Any) -> Any:
    """Structured changes between two schemas (see :func:`workbench.diff.diff`)."""
    from workbench.diff import diff as _diff

    return _diff(old, new, **kwargs)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext workbench``: registers the ``%%sql`` and ``%%explain`` magics."""
    from workbench.notebook.magics import load_ipython_extension as _load

    _load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext workbench``: removes the magics and displays again."""
    from workbench.notebook.magics import unload_ipython_extension as _unload

    _unload(ipython)

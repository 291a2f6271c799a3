"""Errors of the diagram package (all subclasses of :class:`~workbench.errors.WorkbenchError`)."""

from __future__ import annotations

from workbench.errors import WorkbenchError


class DiagramError(WorkbenchError):
    """A diagram could not be built or written (bad selection, unknown format, ...)."""


class UnknownTables(DiagramError):
    """A table, pattern or PostgreSQL schema named in a selection matched nothing."""


class GraphvizNotFound(DiagramError):
    """Neither the system ``dot`` nor the ``graphviz-pure`` binary could be found."""


class GraphvizFailed(DiagramError):
    """The Graphviz binary ran but rejected the DOT source or failed to render it."""

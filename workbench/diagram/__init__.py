"""ER diagrams of the schema model: whole schema, neighbourhoods, selections and diffs.

Pipeline (pure stages, then one I/O step)::

    Schema --build_graph--> DiagramGraph --to_dot--> DOT --graphviz--> SVG / PNG
                                         --to_mermaid--> erDiagram text (split when large)

Entry points: :func:`diagram` and :func:`diff_diagram`, both returning a
:class:`Diagram` (``.svg()``, ``.png()``, ``.dot``, ``.mermaid()``, ``.save(path)``,
``.omitted``) that shows itself inline in notebooks.
"""

from __future__ import annotations

from workbench.diagram.api import (
    Diagram,
    diagram,
    diff_diagram,
    export_files,
    render_png,
    render_svg,
)
from workbench.diagram.diff import diff_graph
from workbench.diagram.dot import to_dot
from workbench.diagram.errors import DiagramError, GraphvizFailed, GraphvizNotFound, UnknownTables
from workbench.diagram.graph import DiagramGraph, DiagramOptions, build_graph
from workbench.diagram.graphviz_bin import available_binaries, find_dot
from workbench.diagram.mermaid import to_mermaid

__all__ = [
    "Diagram",
    "DiagramError",
    "DiagramGraph",
    "DiagramOptions",
    "GraphvizFailed",
    "GraphvizNotFound",
    "UnknownTables",
    "available_binaries",
    "build_graph",
    "diagram",
    "diff_diagram",
    "diff_graph",
    "export_files",
    "find_dot",
    "render_png",
    "render_svg",
    "to_dot",
    "to_mermaid",
]

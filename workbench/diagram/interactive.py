"""The interactive ER diagram: one self-contained HTML file, and a notebook widget.

Why this shape:

* **Layout once, in Python, kept in the file.** Graphviz lays out the whole
  schema (the same DOT as the static diagram: HTML-like labels with a port on
  every column row, network-simplex ranking, few crossings) and the positions
  and edge routes go into the page as JSON. Opening a 1,000-table file only
  draws; the browser never lays out the whole schema, which is where canvas
  tools slow to a halt.
* **Small views laid out again in the browser.** Focusing a table shows only its
  N-hop neighbourhood, laid out afresh with dagre (vendored from the npm
  registry by ``scripts/vendor_js.py``, MIT, inlined with its licence), so a
  neighbourhood spread across a poster becomes one compact picture.
* **Nothing leaves the page.** Scripts, styles and data are inlined and the
  page's Content-Security-Policy forbids any request, so the file works offline,
  from e-mail or a CI artifact.

Entry points: :func:`interactive` (a :class:`InteractiveDiagram` with ``.html()``,
``.save(path)`` and ``.widget()``), and ``Diagram.interactive()``.
"""

from __future__ import annotations

import html as _html
import json
import os
from dataclasses import replace
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

from workbench.diagram import graphviz_bin
from workbench.diagram.diff import diff_graph
from workbench.diagram.dot import to_dot
from workbench.diagram.graph import (
    DiagramGraph,
    DiagramNode,
    DiagramOptions,
    build_graph,
    connected_components,
)
from workbench.files import write_atomic
from workbench.model import ForeignKey, Schema

#: Points per inch: Graphviz reports node sizes in inches and positions in points.
_PT = 72.0


def asset(name: str) -> str:
    """A file of ``workbench/diagram/web/`` (the page, its script and style, vendored code)."""
    return resources.files("workbench.diagram").joinpath("web", name).read_text("utf-8")


def vendor_scripts() -> str:
    """Each vendored script preceded by its licence as a comment (the licence travels with the copy).

    Source-map comments are dropped: the page has no map to fetch, and must fetch nothing.
    """
    licence = asset("vendor/dagre.LICENSE").replace("*/", "* /")
    code = "\n".join(
        line
        for line in asset("vendor/dagre.min.js").splitlines()
        if not line.startswith("//# sourceMappingURL=")
    )
    return f"/* @dagrejs/dagre (MIT)\n{licence}*/\n{code}"


def layout_graph(
    graph: DiagramGraph, *, binary: graphviz_bin.GraphvizBinary | None = None
) -> dict[str, Any]:
    """Positions of every box and the route of every line, from Graphviz's JSON output.

    Returns ``{"width", "height", "nodes": {id: (x, y, w, h)}, "edges": {id: svg_path}}``
    in SVG coordinates (y down); ``x, y`` is a box's centre.
    """
    out = json.loads(graphviz_bin.run_dot(to_dot(graph), "json", binary=binary))
    x0, y0, x1, y1 = (float(v) for v in out["bb"].split(","))
    height = y1 - y0

    def flip(x: float, y: float) -> tuple[float, float]:
        return round(x - x0, 1), round(height - (y - y0), 1)

    nodes: dict[str, tuple[float, float, float, float]] = {}
    by_gvid: dict[int, str] = {}
    for obj in out.get("objects", []):
        if "pos" not in obj or "nodes" in obj:
            continue
        x, y = (float(v) for v in obj["pos"].split(","))
        fx, fy = flip(x, y)
        nodes[obj["name"]] = (
            fx,
            fy,
            round(float(obj["width"]) * _PT, 1),
            round(float(obj["height"]) * _PT, 1),
        )
        by_gvid[obj["_gvid"]] = obj["name"]
    edges: dict[str, str] = {}
    for edge in out.get("edges", []):
        edge_id = edge.get("id")
        curve = next((op for op in edge.get("_draw_", []) if op.get("op") == "b"), None)
        if not edge_id or curve is None:
            continue
        pts = [flip(px, py) for px, py in curve["points"]]
        path = f"M{pts[0][0]},{pts[0][1]}"
        for i in range(1, len(pts) - 2, 3):
            path += " C" + " ".join(f"{p[0]},{p[1]}" for p in pts[i : i + 3])
        edges[edge_id] = path
    return {"width": round(x1 - x0, 1), "height": round(height, 1), "nodes": nodes, "edges": edges}


def _text_width(node: DiagramNode) -> float:
    """A box wide enough for its longest row in a browser's sans-serif (Graphviz measures
    with its own font metrics, which can be narrower)."""
    widest = max((len(c.name) + len(c.type) + 2 for c in node.columns), default=0)
    return max(120.0, len(node.name) * 7.4 + 40, widest * 6.3 + 50)


def _bbox(members: list[int], boxes: list[tuple[float, float, float, float]]) -> list[float]:
    pad = 14.0
    xs0 = [boxes[i][0] - boxes[i][2] / 2 for i in members]
    ys0 = [boxes[i][1] - boxes[i][3] / 2 for i in members]
    xs1 = [boxes[i][0] + boxes[i][2] / 2 for i in members]
    ys1 = [boxes[i][1] + boxes[i][3] / 2 for i in members]
    x, y = min(xs0) - pad, min(ys0) - pad - 22
    return [round(x, 1), round(y, 1), round(max(xs1) + pad - x, 1), round(max(ys1) + pad - y, 1)]


def diagram_data(
    graph: DiagramGraph,
    schema: Schema | None = None,
    *,
    binary: graphviz_bin.GraphvizBinary | None = None,
) -> dict[str, Any]:
    """The JSON the page draws: tables, columns, relations, groups and the precomputed layout.

    ``schema`` (when given) adds each foreign key's ON DELETE / ON UPDATE to its line.
    """
    laid = layout_graph(graph, binary=binary)
    nodes = [n for n in graph.table_nodes if n.id in laid["nodes"]]
    index = {n.id: i for i, n in enumerate(nodes)}
    fks: dict[str, ForeignKey] = {}
    if schema is not None:
        for t in schema.tables:
            for key in t.foreign_keys:
                fks[f"fk:{t.qualified_name}.{key.name}"] = key
    boxes = [laid["nodes"][n.id] for n in nodes]
    tables = []
    for n, (x, y, w, _h) in zip(nodes, boxes, strict=True):
        tables.append(
            {
                "id": n.id,
                "schema": n.schema,
                "name": n.name,
                "x": x,
                "y": y,
                "w": max(w, _text_width(n)),
                "status": n.status,
                "partitions": n.partitions,
                "comment": n.comment,
                "columns": [
                    [
                        c.name,
                        c.type,
                        " ".join(c.markers),
                        int(c.not_null),
                        c.status,
                        c.detail,
                        c.comment,
                    ]
                    for c in n.columns
                ],
            }
        )
    edges = []
    for e in graph.edges:
        if e.kind == "enum" or e.parent not in index or e.child not in index:
            continue
        fk = fks.get(e.id)
        edges.append(
            {
                "id": e.id,
                "from": index[e.parent],
                "to": index[e.child],
                "fc": list(e.parent_columns),
                "tc": list(e.child_columns),
                "pe": e.parent_end if e.parent_end != "none" else "one",
                "ce": e.child_end if e.child_end != "none" else "many",
                "kind": e.kind,
                "status": e.status,
                "label": fk.name if fk else e.label,
                "on_delete": fk.on_delete if fk else None,
                "on_update": fk.on_update if fk else None,
                "description": e.description,
                "path": laid["edges"].get(e.id),
            }
        )
    groups: dict[str, list[dict[str, Any]]] = {}
    by_schema: dict[str, list[int]] = {}
    for i, n in enumerate(nodes):
        by_schema.setdefault(n.schema, []).append(i)
    if len(by_schema) > 1:
        groups["schema"] = [
            {"id": f"schema:{s}", "label": f"schema {s}", "members": m, "bbox": _bbox(m, boxes)}
            for s, m in by_schema.items()
        ]
    components = [[index[i] for i in c if i in index] for c in connected_components(graph)]
    if len(components) > 1:
        groups["component"] = [
            {
                "id": f"component:{k}",
                "label": f"component {k}: {nodes[c[0]].name}…",
                "members": c,
                "bbox": _bbox(c, boxes),
            }
            for k, c in enumerate(components, 1)
            if len(c) > 1
        ]
    return {
        "title": graph.title or "Entity-relationship diagram",
        "width": laid["width"],
        "height": laid["height"],
        "tables": tables,
        "edges": edges,
        "groups": groups,
        "grouping": "schema" if "schema" in groups else "none",
        "qualify": len(by_schema) > 1,
        "diff": graph.diff,
        "columns_default": "all" if len(nodes) <= 60 else "keys",
        "notes": list(graph.notes),
    }


def _script_json(data: dict[str, Any]) -> str:
    """JSON safe inside a <script> element (no "</" can end it early)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")


class InteractiveDiagram:
    """An interactive ER diagram: ``.html()`` (one self-contained page), ``.save(path)``, ``.widget()``."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(t["id"] for t in self.data["tables"])

    def html(self) -> str:
        page = Template(asset("page.html"))
        return page.substitute(
            title=_html.escape(self.data["title"]),
            css=asset("er.css"),
            data=_script_json(self.data),
            vendor=vendor_scripts(),
            script=asset("er.js"),
        )

    def save(self, path: str | os.PathLike[str]) -> Path:
        return write_atomic(Path(path), self.html().encode("utf-8"))

    def widget(self, *, height: int = 640) -> Any:
        """A Jupyter widget (anywidget) showing the same page inside the notebook."""
        from workbench.diagram.widget import ERWidget

        return ERWidget(data=_script_json(self.data), height=height)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        widget = self.widget()
        bundle = widget._repr_mimebundle_(include=include, exclude=exclude)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = repr(self)
        return data

    def __repr__(self) -> str:
        return (
            f"<InteractiveDiagram: {len(self.data['tables'])} tables, "
            f"{len(self.data['edges'])} relations>"
        )


def interactive(
    schema: Schema,
    *,
    old: Schema | None = None,
    options: DiagramOptions | None = None,
    binary: graphviz_bin.GraphvizBinary | None = None,
    **overrides: object,
) -> InteractiveDiagram:
    """The interactive diagram of ``schema`` (all columns; the page shows or hides them).

    ``old`` gives the diff mode: tables and columns added, removed and changed
    since ``old`` are coloured as in :func:`workbench.diagram.diff_diagram`.
    Other keywords are :class:`DiagramOptions` fields (``focus``, ``tables``, ...).
    """
    opts = replace(options or DiagramOptions(), columns="all", legend=False)
    if overrides:
        opts = replace(opts, **overrides)  # type: ignore[arg-type]
    graph = (
        diff_graph(old, schema, options=opts)
        if old is not None
        else build_graph(schema, options=opts)
    )
    return InteractiveDiagram(diagram_data(graph, schema, binary=binary))

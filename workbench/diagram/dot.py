"""Render a :class:`DiagramGraph` as Graphviz DOT with crow's-foot notation.

Why our own DOT rather than eralchemy's: eralchemy's ``Table.to_dot`` draws
columns without FK / UNIQUE markers and without ports on both sides of a row,
its crow's-foot switch lives in a process-global ``config`` dict (two notebook
cells would leak settings into each other), and it does not escape names for
HTML labels. Its arrow vocabulary is the standard one and is kept here:
``teetee`` exactly one, ``teeodot`` zero or one, ``crowodot`` zero or many
(first shape nearest the box).

Lines run from the referenced (parent) table to the referencing (child) table,
so with ``rankdir=LR`` a schema reads left to right from its root entities. A
line leaves the parent from the right edge of its key row and enters the
child at the left edge of its FK row.
"""

from __future__ import annotations

import html
import math
import textwrap

from workbench.diagram.graph import DiagramColumn, DiagramEdge, DiagramGraph, DiagramNode

#: Arrow shape at one end of a line, for each cardinality (Graphviz arrow grammar).
ARROWS = {
    "one": "teetee",
    "zero_or_one": "teeodot",
    "many": "crowodot",
    "none": "none",
}

FONT = "Helvetica"
HEADER = {"same": "#2f4a6d", "added": "#2f855a", "removed": "#c53030", "changed": "#b7791f"}
ROW_FILL = {"added": "#e6f4ea", "removed": "#fde8e8", "changed": "#fdf3d8"}
FOCUS_HEADER = "#9c4221"
ENUM_HEADER = "#6b46c1"
MARKER_COLOURS = {"PK": "#975a16", "FK": "#2b6cb0", "UQ": "#6b46c1"}
TYPE_COLOUR = "#4a5568"
NOTE_COLOUR = "#718096"
EDGE_STYLE = {
    "declared": 'color="#4a5568"',
    "inferred": 'color="#c05621", style=dashed, fontcolor="#c05621"',
    "many_to_many": 'color="#2b6cb0", penwidth=1.6, fontcolor="#2b6cb0"',
    "enum": 'color="#9f7aea", style=dotted',
    "inherits": 'color="#2f855a", style=bold, fontcolor="#2f855a"',
}
EDGE_STATUS_COLOUR = {"added": "#2f855a", "removed": "#c53030", "changed": "#b7791f"}
#: Above this many boxes, trade a little layout quality for speed (Graphviz tuning knobs).
LARGE_GRAPH = 300


def quote(identifier: str) -> str:
    """A DOT double-quoted ID."""
    return '"' + identifier.replace("\\", "\\\\").replace('"', '\\"') + '"'


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def _wrap(text: str, width: int = 48) -> str:
    lines = textwrap.wrap(" ".join(text.split()), width) or [""]
    return '<br align="left"/>'.join(esc(line) for line in lines) + '<br align="left"/>'


def _marker_cell(col: DiagramColumn, port: str) -> str:
    marks = " ".join(f'<font color="{MARKER_COLOURS[m]}">{m}</font>' for m in col.markers)
    content = f'<font point-size="10">{marks}</font>' if marks else ""
    return f'<td port="{port}" align="left">{content}</td>'


def _column_row(index: int, col: DiagramColumn, ncells: int) -> str:
    fill = f' bgcolor="{ROW_FILL[col.status]}"' if col.status in ROW_FILL else ""
    name = esc(col.name)
    if col.not_null:
        name = f"<b>{name}</b>"
    if col.status == "removed":
        name = f"<s>{name}</s>"
    type_text = esc(col.detail if col.detail else col.type)
    if col.enum_values:
        values = _wrap("{" + ", ".join(col.enum_values) + "}", 36)
        type_text += f'<br align="left"/><font point-size="9">{values}</font>'
    cells = [
        _marker_cell(col, f"c{index}w").replace("<td ", f"<td{fill} ", 1),
        f'<td{fill} align="left">{name}</td>',
        f'<td{fill} align="left"><font color="{TYPE_COLOUR}">{type_text or " "}</font></td>',
    ]
    if ncells == 4:
        comment = (
            f'<font point-size="9" color="{NOTE_COLOUR}"><i>{_wrap(col.comment, 40)}</i></font>'
            if col.comment
            else ""
        )
        cells.append(f'<td{fill} align="left" balign="left">{comment}</td>')
    # The east port sits on the last cell, so a line enters at the box's right edge.
    cells[-1] = cells[-1].replace("<td", f'<td port="c{index}e"', 1)
    return "<tr>" + "".join(cells) + "</tr>"


def _table_label(graph: DiagramGraph, node: DiagramNode) -> str:
    ncells = 4 if any(c.comment for c in node.columns) else 3
    if node.kind == "enum":
        colour = ENUM_HEADER
        title = f"enum {esc(graph_name(graph, node))}"
    else:
        colour = FOCUS_HEADER if node.focus else HEADER.get(node.status, HEADER["same"])
        title = esc(graph_name(graph, node))
    if node.status == "removed":
        title = f"<s>{title}</s>"
    status = "" if node.status == "same" else f' <font point-size="10">({node.status})</font>'
    rows = [
        f'<tr><td colspan="{ncells}" bgcolor="{colour}" cellpadding="5">'
        f'<font color="white"><b>{title}</b>{status}</font></td></tr>'
    ]
    if node.comment:
        rows.append(
            f'<tr><td colspan="{ncells}" align="left" balign="left">'
            f'<font point-size="10" color="{TYPE_COLOUR}"><i>{_wrap(node.comment)}</i></font></td></tr>'
        )
    if node.kind == "enum":
        rows.extend(
            f'<tr><td colspan="{ncells}" align="left">{esc(c.name)}</td></tr>' for c in node.columns
        )
    else:
        rows.extend(_column_row(i, c, ncells) for i, c in enumerate(node.columns))
    extra = []
    if node.partitions:
        extra.append(f"{node.partitions} partition{'s' if node.partitions > 1 else ''}")
    if node.hidden_columns:
        extra.append(f"+ {node.hidden_columns} more column{'s' if node.hidden_columns > 1 else ''}")
    if node.hidden_links:
        extra.append(
            f"{node.hidden_links} link{'s' if node.hidden_links > 1 else ''} to tables not shown"
        )
    if extra:
        rows.append(
            f'<tr><td colspan="{ncells}" align="left"><font point-size="9" color="{NOTE_COLOUR}">'
            f"<i>{esc(', '.join(extra))}</i></font></td></tr>"
        )
    border = HEADER.get(node.status, HEADER["same"]) if node.kind == "table" else ENUM_HEADER
    return (
        f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="3" color="{border}" '
        f'bgcolor="white">{"".join(rows)}</table>>'
    )


def graph_name(graph: DiagramGraph, node: DiagramNode) -> str:
    return node.name if node.kind == "enum" else graph.display_name(node.id)


def _port(node: DiagramNode, columns: tuple[str, ...], side: str) -> str:
    if not columns:
        return ""
    names = [c.name for c in node.columns]
    if columns[0] not in names:
        return ""
    return f":c{names.index(columns[0])}{side[0]}:{side[0]}"


def _edge(graph: DiagramGraph, nodes: dict[str, DiagramNode], edge: DiagramEdge) -> str:
    parent, child = nodes[edge.parent], nodes[edge.child]
    child_side = "east" if edge.parent == edge.child else "west"
    tail = quote(edge.parent) + _port(parent, edge.parent_columns, "east")
    head = quote(edge.child) + _port(child, edge.child_columns, child_side)
    attrs = [
        f"id={quote(edge.id)}",
        "dir=both",
        f"arrowtail={ARROWS[edge.parent_end]}",
        f"arrowhead={ARROWS[edge.child_end]}",
        EDGE_STYLE[edge.kind],
    ]
    if edge.status in EDGE_STATUS_COLOUR:
        attrs.append(f'color="{EDGE_STATUS_COLOUR[edge.status]}", penwidth=2')
        if edge.status == "removed":
            attrs.append("style=dashed")
    if edge.label:
        attrs.append(f"label={quote(edge.label)}, fontsize=9")
    if edge.description:
        attrs.append(f"tooltip={quote(edge.description)}")
    return f"  {tail} -> {head} [{', '.join(attrs)}];"


def _legend_rows(graph: DiagramGraph) -> list[str]:
    small = '<font point-size="10">{}</font>'
    rows = [
        '<tr><td align="left">'
        + small.format(
            f'<font color="{MARKER_COLOURS["PK"]}">PK</font> primary key, '
            f'<font color="{MARKER_COLOURS["FK"]}">FK</font> foreign key, '
            f'<font color="{MARKER_COLOURS["UQ"]}">UQ</font> unique, '
            "<b>bold</b> = NOT NULL"
        )
        + "</td></tr>",
        '<tr><td align="left">'
        + small.format(
            "line ends: || exactly one, o| zero or one (nullable FK), &gt;o zero or many"
        )
        + "</td></tr>",
    ]
    kinds = {e.kind for e in graph.edges}
    if "inferred" in kinds:
        rows.append(
            '<tr><td align="left">'
            + small.format('<font color="#c05621">dashed orange: inferred from names, no FK</font>')
            + "</td></tr>"
        )
    if "inherits" in kinds:
        rows.append(
            '<tr><td align="left">'
            + small.format('<font color="#2f855a">bold green: INHERITS (parent to child)</font>')
            + "</td></tr>"
        )
    if "many_to_many" in kinds:
        rows.append(
            '<tr><td align="left">'
            + small.format(
                '<font color="#2b6cb0">blue: many-to-many through the named table</font>'
            )
            + "</td></tr>"
        )
    if graph.diff:
        swatches = "".join(
            f'<td bgcolor="{ROW_FILL[s]}">{small.format(s)}</td>'
            for s in ("added", "removed", "changed")
        )
        rows.append(
            f'<tr><td align="left"><table border="0" cellspacing="2"><tr>{swatches}</tr></table></td></tr>'
        )
    return rows


def _graph_label(graph: DiagramGraph) -> str | None:
    rows = []
    if graph.title:
        rows.append(
            f'<tr><td align="left"><font point-size="16"><b>{esc(graph.title)}</b></font></td></tr>'
        )
    rows.extend(
        f'<tr><td align="left" balign="left"><font point-size="11" color="{NOTE_COLOUR}">{_wrap(n, 110)}</font></td></tr>'
        for n in graph.notes
    )
    if graph.legend:
        rows.extend(_legend_rows(graph))
    if not rows:
        return None
    return f'<<table border="0" cellspacing="0" cellpadding="2">{"".join(rows)}</table>>'


def _grid_for_isolated(graph: DiagramGraph) -> list[str]:
    """Invisible chains that lay tables without relations out in a grid, not one tall column.

    With ``rankdir=LR`` every unconnected box lands in the first rank, stacked
    into one column as tall as the whole schema; chains of about sqrt(n) boxes
    give rows of that length instead. Only boxes of the same cluster are chained.
    """
    linked = {e.parent for e in graph.edges} | {e.child for e in graph.edges}
    owner = {m: c.id for c in graph.clusters for m in c.members}
    groups: dict[str | None, list[str]] = {}
    for n in graph.nodes:
        if n.id not in linked:
            groups.setdefault(owner.get(n.id), []).append(n.id)
    lines = []
    for members in groups.values():
        if len(members) < 4:
            continue
        width = max(2, math.ceil(math.sqrt(len(members))))
        for start in range(0, len(members), width):
            row = members[start : start + width]
            if len(row) > 1:
                lines.append("  " + " -> ".join(quote(m) for m in row) + " [style=invis];")
    return lines


def to_dot(graph: DiagramGraph) -> str:
    """DOT source for ``graph`` (deterministic: same graph, same text)."""
    nodes = {n.id: n for n in graph.nodes}
    big = len(graph.nodes) > LARGE_GRAPH
    out = [
        "digraph schema {",
        f'  graph [rankdir=LR, fontname="{FONT}", fontsize=12, nodesep=0.35, ranksep=1.1, '
        'pad=0.3, newrank=true, outputorder=edgesfirst, bgcolor="white", labelloc=t, labeljust=l'
        + (", nslimit=2, mclimit=0.5, searchsize=20" if big else "")
        + "];",
        f'  node [shape=plain, fontname="{FONT}", fontsize=12];',
        f'  edge [fontname="{FONT}", arrowsize=0.9];',
    ]
    label = _graph_label(graph)
    if label:
        out.append(f"  label={label};")
    clustered: set[str] = set()
    for cluster in graph.clusters:
        out.append(f"  subgraph {quote('cluster_' + cluster.id)} {{")
        out.append(
            f'    label={quote(cluster.label)}; style="rounded,filled"; fillcolor="#f7fafc"; '
            'color="#cbd5e0"; fontcolor="#4a5568"; fontsize=13;'
        )
        for member in cluster.members:
            out.append(f"    {quote(member)} [label={_table_label(graph, nodes[member])}];")
            clustered.add(member)
        out.append("  }")
    for node in graph.nodes:
        if node.id not in clustered:
            tooltip = f", tooltip={quote(node.comment)}" if node.comment else ""
            out.append(f"  {quote(node.id)} [label={_table_label(graph, node)}{tooltip}];")
    out.extend(_edge(graph, nodes, e) for e in graph.edges)
    out.extend(_grid_for_isolated(graph))
    out.append("}")
    return "\n".join(out) + "\n"

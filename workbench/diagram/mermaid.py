"""Render a :class:`DiagramGraph` as Mermaid ``erDiagram`` text, split when too large.

Why split: Mermaid refuses diagrams over ``maxTextSize`` (50,000 characters by
default) and ``maxEdges`` (500), and its layout is a tangle long before that.
A large schema becomes several diagrams (per PostgreSQL schema, then per
connected component, then per neighbourhood), each small enough to render and
to read; relations that cross parts still appear, to a bare box of the table
in the other part.

Nothing here links to an outside renderer (eralchemy's Markdown output embeds a
public image URL; this module never does): the text is rendered locally by
JupyterLab, GitHub or the Mermaid CLI. Names go through eralchemy's
``sanitize_mermaid``, the one piece of its Mermaid code that fits as is.
"""

from __future__ import annotations

import re
from collections import deque

from eralchemy.models import sanitize_mermaid

from workbench.diagram.graph import DiagramEdge, DiagramGraph, DiagramNode, connected_components

#: Budgets per diagram, under Mermaid's own limits and small enough to read.
MAX_TABLES = 60
MAX_EDGES = 400
MAX_CHARS = 40_000

# Mermaid's crow's-foot tokens: left side describes the first entity, right the second.
_LEFT = {"one": "||", "zero_or_one": "|o", "many": "}o", "none": "||"}
_RIGHT = {"one": "||", "zero_or_one": "o|", "many": "o{", "none": "o{"}
_TYPE_BAD = re.compile(r"[^0-9A-Za-z_()\[\]-]+")


def _entity_names(graph: DiagramGraph) -> dict[str, str]:
    bare_count: dict[str, int] = {}
    for n in graph.nodes:
        bare_count[n.name] = bare_count.get(n.name, 0) + 1
    names: dict[str, str] = {}
    used: set[str] = set()
    for n in graph.nodes:
        raw = n.name if bare_count[n.name] == 1 else f"{n.schema}__{n.name}"
        name = sanitize_mermaid(raw, is_er=True)
        while name in used:
            name += "_"
        used.add(name)
        names[n.id] = name
    return names


def _type(text: str) -> str:
    cleaned = _TYPE_BAD.sub("_", text.replace(",", "_")).strip("_") or "unknown"
    return cleaned if cleaned[0].isalpha() else "t_" + cleaned


def yaml_string(text: str) -> str:
    """A double-quoted YAML scalar (a title holds colons, which a plain scalar cannot)."""
    return '"' + _comment(text).replace("\\", "\\\\") + '"'


def _comment(text: str) -> str:
    return " ".join(text.replace('"', "'").split())


def _entity(node: DiagramNode, name: str) -> list[str]:
    lines = [f"  {name} {{"]
    if node.kind == "enum":
        lines.extend(f"    enum {sanitize_mermaid(c.name, is_er=True)}" for c in node.columns)
    for col in node.columns if node.kind == "table" else ():
        keys = ", ".join("UK" if m == "UQ" else m for m in col.markers)
        notes = []
        if col.not_null:
            notes.append("NOT NULL")
        if col.enum_values:
            notes.append("one of " + ", ".join(col.enum_values))
        if col.status != "same":
            notes.append(col.status + (f": {col.detail}" if col.detail else ""))
        if col.comment:
            notes.append(col.comment)
        line = f"    {_type(col.type)} {sanitize_mermaid(col.name, is_er=True)}"
        if keys:
            line += f" {keys}"
        if notes:
            line += f' "{_comment("; ".join(notes))}"'
        lines.append(line)
    if node.hidden_columns:
        lines.append(f'    more columns "{node.hidden_columns} columns not shown"')
    lines.append("  }")
    return lines


def _relationship(edge: DiagramEdge, names: dict[str, str]) -> str:
    line = ".." if edge.kind in ("inferred", "enum") or edge.status == "removed" else "--"
    label = edge.label or ", ".join(edge.child_columns) or "values"
    if edge.kind == "inferred":
        label = f"{', '.join(edge.child_columns)} (inferred)"
    if edge.status != "same":
        label += f" ({edge.status})"
    cardinality = f"{_LEFT[edge.parent_end]}{line}{_RIGHT[edge.child_end]}"
    return f'  {names[edge.parent]} {cardinality} {names[edge.child]} : "{_comment(label)}"'


def render_part(graph: DiagramGraph, members: list[str], title: str | None) -> str:
    """One erDiagram holding ``members`` (node ids) and every relation touching them."""
    names = _entity_names(graph)
    member_set = set(members)
    nodes = {n.id: n for n in graph.nodes}
    lines = []
    if title:
        lines += ["---", f"title: {yaml_string(title)}", "---"]
    lines.append("erDiagram")
    for node_id in members:
        lines.extend(_entity(nodes[node_id], names[node_id]))
    for edge in graph.edges:
        if edge.parent in member_set or edge.child in member_set:
            lines.append(_relationship(edge, names))
    return "\n".join(lines) + "\n"


def _fits(graph: DiagramGraph, members: list[str]) -> bool:
    if len(members) > MAX_TABLES:
        return False
    member_set = set(members)
    edges = [e for e in graph.edges if e.parent in member_set or e.child in member_set]
    return len(edges) <= MAX_EDGES and len(render_part(graph, members, None)) <= MAX_CHARS


def _neighbourhood_chunks(graph: DiagramGraph, members: list[str]) -> list[list[str]]:
    """Split one connected group into pieces of at most MAX_TABLES, grown breadth-first."""
    member_set = set(members)
    adjacent: dict[str, list[str]] = {m: [] for m in members}
    for e in graph.edges:
        if e.parent in member_set and e.child in member_set and e.parent != e.child:
            adjacent[e.parent].append(e.child)
            adjacent[e.child].append(e.parent)
    left = set(members)
    chunks = []
    while left:
        seed = max(sorted(left), key=lambda m: len(adjacent[m]))
        chunk: list[str] = []
        queue = deque([seed])
        seen = {seed}
        while queue and len(chunk) < MAX_TABLES:
            cur = queue.popleft()
            chunk.append(cur)
            for nxt in adjacent[cur]:
                if nxt in left and nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        left -= set(chunk)
        chunks.append([m for m in members if m in set(chunk)])
    return chunks


def split_members(graph: DiagramGraph) -> list[tuple[str, list[str]]]:
    """Parts (label, node ids) such that each renders as one readable Mermaid diagram."""
    order = [n.id for n in graph.nodes]
    if _fits(graph, order):
        return [("", order)]
    groups = [(f"schema {s}", [n.id for n in graph.nodes if n.schema == s]) for s in graph.schemas]
    parts: list[tuple[str, list[str]]] = []
    for label, members in groups:
        if _fits(graph, members):
            parts.append((label, members))
            continue
        sub = DiagramGraph(
            nodes=tuple(n for n in graph.nodes if n.id in set(members)),
            edges=graph.edges,
            schemas=graph.schemas,
        )
        bin_members: list[str] = []
        for comp in connected_components(sub):
            pieces = [comp] if len(comp) <= MAX_TABLES else _neighbourhood_chunks(graph, comp)
            for piece in pieces:
                if bin_members and not _fits(graph, bin_members + piece):
                    parts.append((label, bin_members))
                    bin_members = []
                bin_members = bin_members + piece
        if bin_members:
            parts.append((label, bin_members))
    # Enum boxes go with the first part that uses them.
    placed = {m for _, members in parts for m in members}
    for n in graph.nodes:
        if n.id not in placed:
            parts[0][1].append(n.id)
    return parts


def to_mermaid(graph: DiagramGraph) -> str | list[str]:
    """Mermaid ``erDiagram`` text: one string, or a list of parts when one would not render."""
    parts = split_members(graph)
    note = " ".join(graph.notes)
    if len(parts) == 1:
        title = " ".join(x for x in (graph.title or "", note) if x) or None
        return render_part(graph, parts[0][1], title)
    out = []
    for i, (label, members) in enumerate(parts, 1):
        head = graph.title or "Schema"
        title = f"{head}: part {i} of {len(parts)}, {label}, {len(members)} tables"
        out.append(render_part(graph, members, title))
    return out

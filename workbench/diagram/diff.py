"""A diagram of what changed between two schema versions.

Both versions go through :func:`build_graph`, and the two graphs are merged:
every table of either version is drawn, coloured by status (added, removed,
changed, same), with added, removed and changed columns and relations marked
the same way. ``context`` narrows a large diff to the changed tables and their
neighbours.
"""

from __future__ import annotations

from dataclasses import replace

from workbench.diagram.graph import (
    DiagramColumn,
    DiagramEdge,
    DiagramGraph,
    DiagramNode,
    DiagramOptions,
    build_graph,
    clusters_for,
)
from workbench.diagram.select import NOTE_NAME_LIMIT, neighbourhood
from workbench.model import Schema


def _column_change(old: DiagramColumn, new: DiagramColumn) -> str | None:
    changes = []
    if old.type != new.type:
        changes.append(f"{old.type} -> {new.type}")
    if old.not_null != new.not_null:
        changes.append("NULL -> NOT NULL" if new.not_null else "NOT NULL -> NULL")
    if old.markers != new.markers:
        before = " ".join(old.markers) or "no key"
        after = " ".join(new.markers) or "no key"
        changes.append(f"{before} -> {after}")
    return ", ".join(changes) or None


def merge_columns(
    old: tuple[DiagramColumn, ...], new: tuple[DiagramColumn, ...]
) -> tuple[DiagramColumn, ...]:
    """New columns in order, removed ones placed after the column that preceded them."""
    old_by_name = {c.name: c for c in old}
    new_names = {c.name for c in new}
    merged: list[DiagramColumn] = []
    for col in new:
        before = old_by_name.get(col.name)
        if before is None:
            merged.append(replace(col, status="added"))
            continue
        change = _column_change(before, col)
        if change:
            merged.append(replace(col, status="changed", detail=change))
        else:
            merged.append(col)
    for i, col in enumerate(old):
        if col.name in new_names:
            continue
        anchor = next(
            (o.name for o in reversed(old[:i]) if o.name in {m.name for m in merged}), None
        )
        pos = 0 if anchor is None else [m.name for m in merged].index(anchor) + 1
        merged.insert(pos, replace(col, status="removed"))
    return tuple(merged)


def diff_graph(
    old: Schema,
    new: Schema,
    *,
    context: int | None = None,
    options: DiagramOptions | None = None,
) -> DiagramGraph:
    """Merge the graphs of ``old`` and ``new``; ``context`` hops around changes (None: all)."""
    opts = replace(options or DiagramOptions(), columns="all", cluster="none", legend=False)
    g_old, g_new = build_graph(old, options=opts), build_graph(new, options=opts)
    old_nodes = {n.id: n for n in g_old.nodes}
    new_nodes = {n.id: n for n in g_new.nodes}

    nodes: list[DiagramNode] = []
    for node in g_new.nodes:
        before = old_nodes.get(node.id)
        if before is None:
            nodes.append(
                replace(
                    node,
                    status="added",
                    columns=tuple(replace(c, status="added") for c in node.columns),
                )
            )
            continue
        columns = merge_columns(before.columns, node.columns)
        any_changed = any(c.status != "same" for c in columns)
        nodes.append(replace(node, columns=columns, status="changed" if any_changed else "same"))
    for node in g_old.nodes:
        if node.id not in new_nodes:
            nodes.append(
                replace(
                    node,
                    status="removed",
                    columns=tuple(replace(c, status="removed") for c in node.columns),
                )
            )

    old_edges = {e.id: e for e in g_old.edges}
    new_edges = {e.id: e for e in g_new.edges}
    edges: list[DiagramEdge] = []
    for edge in g_new.edges:
        old_edge = old_edges.get(edge.id)
        if old_edge is None:
            edges.append(replace(edge, status="added"))
        elif (
            old_edge.parent_end,
            old_edge.child_end,
            old_edge.parent,
            old_edge.parent_columns,
        ) != (
            edge.parent_end,
            edge.child_end,
            edge.parent,
            edge.parent_columns,
        ):
            edges.append(replace(edge, status="changed"))
        else:
            edges.append(edge)
    edges.extend(replace(e, status="removed") for e in g_old.edges if e.id not in new_edges)
    # A relation whose table changed status (e.g. FK added with its table) is worth marking.
    node_status = {n.id: n.status for n in nodes}
    for i, e in enumerate(edges):
        if e.status == "same" and "removed" in (node_status[e.parent], node_status[e.child]):
            edges[i] = replace(e, status="removed")

    for i, n in enumerate(nodes):
        if n.status == "same" and any(
            e.status != "same" and n.id in (e.parent, e.child) for e in edges
        ):
            nodes[i] = replace(n, status="changed")

    changed = [n.id for n in nodes if n.status != "same"]
    counts = {
        s: sum(n.status == s for n in nodes if n.kind == "table")
        for s in ("added", "removed", "changed")
    }
    notes = [
        "Changes: "
        + ", ".join(f"{v} table{'s' if v != 1 else ''} {k}" for k, v in counts.items())
        + "."
    ]
    omitted: tuple[str, ...] = ()
    if context is not None:
        keep: set[str] = set()
        for node_id in changed:
            keep.update(neighbourhood(node_id, edges, context))
        omitted = tuple(n.id for n in nodes if n.id not in keep and n.kind == "table")
        nodes = [n for n in nodes if n.id in keep]
        edges = [e for e in edges if e.parent in keep and e.child in keep]
        if omitted:
            one_schema = len({n.schema for n in g_old.nodes + g_new.nodes}) <= 1
            shown = [o.split(".", 1)[1] if one_schema else o for o in omitted]
            names = ", ".join(shown[:NOTE_NAME_LIMIT])
            more = len(omitted) - NOTE_NAME_LIMIT
            notes.append(
                f"Unchanged tables more than {context} hop(s) from a change left out "
                f"({len(omitted)}): {names}{f' and {more} more' if more > 0 else ''}."
            )
    schemas = tuple(dict.fromkeys(n.schema for n in nodes if n.kind == "table"))
    graph = DiagramGraph(
        nodes=tuple(nodes),
        edges=tuple(edges),
        omitted=omitted,
        total_tables=len({n.id for n in g_old.nodes} | {n.id for n in g_new.nodes}),
        title=(options.title if options else None) or "Schema changes",
        notes=tuple(notes),
        legend=True,
        diff=True,
        schemas=schemas,
    )
    cluster_mode = options.cluster if options else "auto"
    return replace(graph, clusters=clusters_for(graph, cluster_mode))

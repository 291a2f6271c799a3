"""The diagram as plain data: which boxes, which rows, which lines, which groups.

``build_graph`` is the one pure stage between the schema model and every
renderer (DOT, Mermaid). Everything a renderer draws is decided here (the
selection, the cardinality of each line, what was left out), so the DOT and the
Mermaid output of one call always show the same thing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from workbench.diagram import _relations
from workbench.diagram.select import Selection, select_tables
from workbench.model import Schema, Table

#: Above this many tables, ``columns='auto'`` shows only key columns.
AUTO_ALL_COLUMNS_LIMIT = 60
#: Above this many tables, ``cluster='auto'`` groups a one-schema diagram by connected component.
AUTO_COMPONENT_CLUSTER_LIMIT = 40


@dataclass(frozen=True, slots=True)
class DiagramOptions:
    """What to draw. Every field has a default; see :func:`workbench.diagram.diagram`."""

    focus: str | None = None
    depth: int = 1
    tables: tuple[str, ...] = ()
    pattern: str | None = None
    pg_schema: str | None = None
    collapse_junctions: bool = False
    show_enums: bool = False
    show_comments: bool = False
    inferred: bool = False
    partitions: bool = False  # draw each partition as its own box (default: fold into the parent)
    columns: str = "auto"  # 'auto' | 'all' | 'keys' | 'none'
    cluster: str = "auto"  # 'auto' | 'schema' | 'component' | 'none'
    legend: bool = True
    short_types: bool = True
    title: str | None = None


@dataclass(frozen=True, slots=True)
class DiagramColumn:
    """One row of a table box."""

    name: str
    type: str
    primary_key: bool = False
    foreign_key: bool = False
    unique: bool = False
    not_null: bool = False
    comment: str | None = None
    enum_values: tuple[str, ...] = ()
    status: str = "same"  # diff only: 'same' | 'added' | 'removed' | 'changed'
    detail: str | None = None  # diff only: what changed, e.g. 'integer → bigint'

    @property
    def markers(self) -> tuple[str, ...]:
        return tuple(
            m
            for m, on in (("PK", self.primary_key), ("FK", self.foreign_key), ("UQ", self.unique))
            if on
        )


@dataclass(frozen=True, slots=True)
class DiagramNode:
    """A table box (``kind='table'``) or an enum box (``kind='enum'``, rows are its values)."""

    id: str  # qualified name, unique in the graph
    schema: str
    name: str
    columns: tuple[DiagramColumn, ...] = ()
    kind: str = "table"
    comment: str | None = None
    hidden_columns: int = 0  # columns not drawn (columns='keys' / 'none')
    hidden_links: int = 0  # relations to tables left out of this view
    partitions: int = 0  # partitions folded into this box
    focus: bool = False
    status: str = "same"  # diff only

    def column(self, name: str) -> DiagramColumn | None:
        return next((c for c in self.columns if c.name == name), None)


@dataclass(frozen=True, slots=True)
class DiagramEdge:
    """A line between two boxes, from the referenced (parent) to the referencing (child) side."""

    id: str
    parent: str
    parent_columns: tuple[str, ...]
    child: str
    child_columns: tuple[str, ...]
    parent_end: str  # 'one' | 'zero_or_one' | 'many' (M:N) | 'none' (enum)
    child_end: str  # 'many' | 'zero_or_one' | 'none'
    kind: str = "declared"  # 'declared' | 'inferred' | 'many_to_many' | 'enum' | 'inherits'
    label: str | None = None
    description: str = ""
    status: str = "same"  # diff only


@dataclass(frozen=True, slots=True)
class DiagramCluster:
    id: str
    label: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class DiagramGraph:
    """Everything a renderer needs, and what the view left out."""

    nodes: tuple[DiagramNode, ...]
    edges: tuple[DiagramEdge, ...]
    clusters: tuple[DiagramCluster, ...] = ()
    omitted: tuple[str, ...] = ()  # qualified names of tables not shown
    total_tables: int = 0
    title: str | None = None
    notes: tuple[str, ...] = ()  # shown under the diagram (selection, what was left out)
    legend: bool = True
    diff: bool = False
    schemas: tuple[str, ...] = field(default=())  # PostgreSQL schemas of the shown tables

    def node(self, node_id: str) -> DiagramNode:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    @property
    def table_nodes(self) -> tuple[DiagramNode, ...]:
        return tuple(n for n in self.nodes if n.kind == "table")

    def display_name(self, node_id: str) -> str:
        """Bare name when one PostgreSQL schema is shown or a schema box names it, else qualified."""
        node = self.node(node_id)
        by_schema = any(c.id.startswith("schema_") for c in self.clusters)
        return node.name if len(self.schemas) <= 1 or by_schema else node.id


_SHORT_TYPES = (
    (re.compile(r"\bcharacter varying\b"), "varchar"),
    (re.compile(r"\btimestamp\((\d)\) with time zone\b"), r"timestamptz(\1)"),
    (re.compile(r"\btimestamp with time zone\b"), "timestamptz"),
    (re.compile(r"\btimestamp without time zone\b"), "timestamp"),
    (re.compile(r"\btime with time zone\b"), "timetz"),
    (re.compile(r"\btime without time zone\b"), "time"),
    (re.compile(r"\bcharacter\b"), "char"),
    (re.compile(r"\bbit varying\b"), "varbit"),
)


def short_type(pg_type: str) -> str:
    """PostgreSQL's long type names in the short spelling designers write (display only)."""
    for pattern, repl in _SHORT_TYPES:
        pg_type = pattern.sub(repl, pg_type)
    return pg_type


def table_columns(
    table: Table,
    *,
    short_types: bool = True,
    show_comments: bool = False,
    enum_values: dict[str, tuple[str, ...]] | None = None,
    extra_fk_columns: Iterable[str] = (),
) -> tuple[DiagramColumn, ...]:
    """A table's rows in definition (attnum) order with their markers.

    ``enum_values``: CHECK-enum values per column name, shown under the type.
    ``extra_fk_columns``: columns that are foreign keys in the table's partitions.
    """
    pk = set(table.primary_key.columns) if table.primary_key else set()
    fk_cols = {c for fk in table.foreign_keys for c in fk.columns} | set(extra_fk_columns)
    unique = {
        next(iter(s)) for s in _relations.unique_column_sets(table) if len(s) == 1 and not s <= pk
    }
    checks = enum_values or {}
    return tuple(
        DiagramColumn(
            name=col.name,
            type=short_type(col.type) if short_types else col.type,
            primary_key=col.name in pk,
            foreign_key=col.name in fk_cols,
            unique=col.name in unique,
            not_null=not col.nullable,
            comment=col.comment if show_comments else None,
            enum_values=checks.get(col.name, ()),
        )
        for col in table.columns
    )


def _visible_columns(
    columns: tuple[DiagramColumn, ...], mode: str
) -> tuple[tuple[DiagramColumn, ...], int]:
    if mode == "all":
        return columns, 0
    if mode == "keys":
        keep = tuple(c for c in columns if c.primary_key or c.foreign_key or c.status != "same")
        return keep, len(columns) - len(keep)
    return (), len(columns)


def build_graph(
    schema: Schema, *, options: DiagramOptions | None = None, **overrides: object
) -> DiagramGraph:
    """Turn ``schema`` into a :class:`DiagramGraph` following ``options`` (or keyword overrides)."""
    opts = replace(options or DiagramOptions(), **overrides)  # type: ignore[arg-type]
    tables = {t.qualified_name: t for t in schema.tables}
    junctions = _relations.junction_tables(schema) if opts.collapse_junctions else {}
    roots = {} if opts.partitions else partition_roots(schema)
    edges = list(_all_edges(schema, opts, junctions, roots))
    selection = select_tables(schema, edges, opts, hidden=set(junctions) | set(roots))
    folded: dict[str, int] = {}
    partition_fks: dict[str, set[str]] = {}
    for part, root in roots.items():
        folded[root] = folded.get(root, 0) + 1
        part_fk_cols = {c for fk in tables[part].foreign_keys for c in fk.columns}
        partition_fks.setdefault(root, set()).update(part_fk_cols)
    checks: dict[str, dict[str, tuple[str, ...]]] = {}
    if opts.show_enums:
        for (table_name, column), values in _relations.check_enum_values(schema).items():
            checks.setdefault(table_name, {})[column] = values
    shown = selection.shown
    column_mode = opts.columns
    if column_mode == "auto":
        column_mode = "all" if len(shown) <= AUTO_ALL_COLUMNS_LIMIT else "keys"

    kept_edges = [e for e in edges if e.parent in shown and e.child in shown]
    hidden_links = _count_hidden_links(edges, shown, junctions)
    nodes: list[DiagramNode] = []
    for qn in shown:
        table = tables[qn]
        cols = table_columns(
            table,
            short_types=opts.short_types,
            show_comments=opts.show_comments,
            enum_values=checks.get(qn),
            extra_fk_columns=partition_fks.get(qn, ()),
        )
        visible, hidden = _visible_columns(cols, column_mode)
        nodes.append(
            DiagramNode(
                id=qn,
                schema=table.schema,
                name=table.name,
                columns=visible,
                comment=table.comment if opts.show_comments else None,
                hidden_columns=hidden,
                hidden_links=hidden_links.get(qn, 0),
                partitions=folded.get(qn, 0),
                focus=qn in selection.focus,
            )
        )
    if opts.show_enums:
        enum_nodes, enum_edges = _enum_nodes(schema, nodes)
        nodes.extend(enum_nodes)
        kept_edges.extend(enum_edges)

    schemas = tuple(dict.fromkeys(n.schema for n in nodes if n.kind == "table"))
    graph = DiagramGraph(
        nodes=tuple(nodes),
        edges=tuple(kept_edges),
        omitted=selection.omitted,
        total_tables=len(tables) - len(junctions) - len(roots),
        title=opts.title,
        notes=selection.notes,
        legend=opts.legend,
        schemas=schemas,
    )
    return replace(graph, clusters=clusters_for(graph, opts.cluster))


def partition_roots(schema: Schema) -> dict[str, str]:
    """Partition → its top-level partitioned table (partitions are drawn folded into it)."""
    parent_of = {t.qualified_name: t.partition_of for t in schema.tables if t.partition_of}
    roots = {}
    for part in parent_of:
        root = part
        while root in parent_of and parent_of[root] != part:
            root = parent_of[root]  # type: ignore[assignment]
        roots[part] = root
    return roots


def _all_edges(
    schema: Schema,
    opts: DiagramOptions,
    junctions: dict[str, tuple],
    roots: dict[str, str],
) -> Iterable[DiagramEdge]:
    tables = {t.qualified_name: t for t in schema.tables}
    seen: set[tuple] = set()
    for table in schema.tables:
        if table.qualified_name in junctions:
            continue
        # A partition's foreign keys belong to its partitioned table in the picture.
        child = roots.get(table.qualified_name, table.qualified_name)
        for fk in table.foreign_keys:
            ref = roots.get(fk.ref_table, fk.ref_table)
            key = (child, fk.columns, ref, fk.ref_columns)
            if ref not in tables or key in seen:
                continue
            seen.add(key)
            card = _relations.cardinality(table, fk)
            yield DiagramEdge(
                id=f"fk:{child}.{fk.name}"
                if child == table.qualified_name
                else f"fk:{child}.{fk.columns}->{ref}",
                parent=ref,
                parent_columns=fk.ref_columns,
                child=child,
                child_columns=fk.columns,
                parent_end=card.parent_end,
                child_end=card.child_end,
                description=f"{fk.name}: {table.name}({', '.join(fk.columns)}) → "
                f"{tables[ref].name}({', '.join(fk.ref_columns)}), {card.describe()}",
            )
    for table in schema.tables:  # INHERITS: from the parent to each child, no columns
        for parent in table.inherits:
            if parent in tables:
                yield DiagramEdge(
                    id=f"inherits:{table.qualified_name}->{parent}",
                    parent=parent,
                    parent_columns=(),
                    child=table.qualified_name,
                    child_columns=(),
                    parent_end="one",
                    child_end="zero_or_one",
                    kind="inherits",
                    label="inherits",
                    description=f"{table.name} INHERITS {tables[parent].name}",
                )
    for qn, (first, second) in junctions.items():
        if first.ref_table not in tables or second.ref_table not in tables:
            continue
        name = tables[qn].name
        yield DiagramEdge(
            id=f"m2m:{qn}",
            parent=first.ref_table,
            parent_columns=first.ref_columns,
            child=second.ref_table,
            child_columns=second.ref_columns,
            parent_end="many",
            child_end="many",
            kind="many_to_many",
            label=name,
            description=f"many-to-many through {name}",
        )
    if opts.inferred:
        skip = set(junctions) | set(roots)
        yield from (
            e for e in inferred_edges(schema) if e.child not in skip and e.parent not in skip
        )


def _count_hidden_links(
    edges: list[DiagramEdge], shown: tuple[str, ...], junctions: dict[str, tuple]
) -> dict[str, int]:
    shown_set = set(shown)
    counts: dict[str, int] = {}
    for e in edges:
        if (e.parent in shown_set) != (e.child in shown_set):
            inside = e.parent if e.parent in shown_set else e.child
            counts[inside] = counts.get(inside, 0) + 1
    return counts


_ID_SUFFIX = re.compile(r"^(?P<base>.+?)_?(?:id|Id|ID)$")


def _plural_forms(base: str) -> tuple[str, ...]:
    forms = [base, base + "s", base + "es"]
    if base.endswith("y"):
        forms.append(base[:-1] + "ies")
    return tuple(forms)


def inferred_edges(schema: Schema) -> Iterable[DiagramEdge]:
    """Relations evident from naming only: ``customer_id`` next to a ``customer(s)`` table.

    Only columns outside any foreign key, and only targets with a one-column
    primary key of the same type, so a coincidental name does not draw a line.
    """
    by_name: dict[str, list[Table]] = {}
    for t in schema.tables:
        by_name.setdefault(t.name.lower(), []).append(t)
    for table in schema.tables:
        fk_cols = {c for fk in table.foreign_keys for c in fk.columns}
        unique = _relations.unique_column_sets(table)
        for col in table.columns:
            match = _ID_SUFFIX.match(col.name)
            if col.name in fk_cols or not match:
                continue
            base = match.group("base").lower()
            candidates = [t for form in _plural_forms(base) for t in by_name.get(form, [])]
            candidates.sort(key=lambda t: t.schema != table.schema)
            for target in candidates:
                pk = target.primary_key
                if target is table or pk is None or len(pk.columns) != 1:
                    continue
                if target.column(pk.columns[0]).type != col.type:
                    continue
                one_to_one = frozenset([col.name]) in unique
                yield DiagramEdge(
                    id=f"inferred:{table.qualified_name}.{col.name}",
                    parent=target.qualified_name,
                    parent_columns=pk.columns,
                    child=table.qualified_name,
                    child_columns=(col.name,),
                    parent_end="zero_or_one" if col.nullable else "one",
                    child_end="zero_or_one" if one_to_one else "many",
                    kind="inferred",
                    label="inferred",
                    description=f"inferred from the name {table.name}.{col.name} "
                    f"(no foreign key declared) → {target.name}.{pk.columns[0]}",
                )
                break


def _enum_nodes(
    schema: Schema, nodes: list[DiagramNode]
) -> tuple[list[DiagramNode], list[DiagramEdge]]:
    tables = {t.qualified_name: t for t in schema.tables}
    enum_nodes: list[DiagramNode] = []
    edges: list[DiagramEdge] = []
    for enum in schema.enums:
        users = [
            (n.id, col.name)
            for n in nodes
            for col in tables[n.id].columns
            if col.type_ref == enum.qualified_name
            or (
                col.type_kind == "enum"
                and col.type.removesuffix("[]") in (enum.name, enum.qualified_name)
            )
        ]
        if not users:
            continue
        enum_id = f"enum:{enum.qualified_name}"
        enum_nodes.append(
            DiagramNode(
                id=enum_id,
                schema=enum.schema,
                name=enum.name,
                kind="enum",
                columns=tuple(DiagramColumn(name=v, type="") for v in enum.values),
                comment=enum.comment,
            )
        )
        for table_id, col in users:
            edges.append(
                DiagramEdge(
                    id=f"enum:{table_id}.{col}",
                    parent=enum_id,
                    parent_columns=(),
                    child=table_id,
                    child_columns=(col,),
                    parent_end="none",
                    child_end="none",
                    kind="enum",
                    description=f"{col} takes its values from enum {enum.name}",
                )
            )
    return enum_nodes, edges


def connected_components(graph: DiagramGraph) -> list[list[str]]:
    """Table ids grouped by the relations drawn between them, largest group first."""
    parent: dict[str, str] = {n.id: n.id for n in graph.table_nodes}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in graph.edges:
        if e.kind != "enum" and e.parent in parent and e.child in parent:
            parent[find(e.parent)] = find(e.child)
    groups: dict[str, list[str]] = {}
    for n in graph.table_nodes:
        groups.setdefault(find(n.id), []).append(n.id)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def clusters_for(graph: DiagramGraph, mode: str) -> tuple[DiagramCluster, ...]:
    """Groups to draw boxes around: per PostgreSQL schema, or per connected component."""
    if mode == "auto":
        if len(graph.schemas) > 1:
            mode = "schema"
        elif len(graph.table_nodes) > AUTO_COMPONENT_CLUSTER_LIMIT:
            mode = "component"
        else:
            mode = "none"
    if mode == "none":
        return ()
    if mode == "schema":
        return tuple(
            DiagramCluster(
                id=f"schema_{i}",
                label=f"schema {s}",
                members=tuple(n.id for n in graph.nodes if n.schema == s),
            )
            for i, s in enumerate(graph.schemas)
        )
    if mode != "component":
        raise ValueError(f"cluster must be 'auto', 'schema', 'component' or 'none', not {mode!r}")
    components = connected_components(graph)
    if len(components) <= 1:
        return ()
    degree: dict[str, int] = {}
    for e in graph.edges:
        degree[e.parent] = degree.get(e.parent, 0) + 1
        degree[e.child] = degree.get(e.child, 0) + 1
    clusters: list[DiagramCluster] = []
    loners: list[str] = []
    for group in components:
        if len(group) == 1:
            loners.extend(group)
            continue
        hub = max(group, key=lambda t: degree.get(t, 0))  # first of the best connected
        label = f"around {graph.display_name(hub)} ({len(group)} tables)"
        clusters.append(DiagramCluster(f"component_{len(clusters)}", label, tuple(group)))
    if loners:
        label = f"tables without relations ({len(loners)})"
        clusters.append(DiagramCluster("component_unrelated", label, tuple(loners)))
    return tuple(clusters)


__all__ = [
    "DiagramCluster",
    "DiagramColumn",
    "DiagramEdge",
    "DiagramGraph",
    "DiagramNode",
    "DiagramOptions",
    "Selection",
    "build_graph",
    "clusters_for",
    "connected_components",
    "inferred_edges",
    "short_type",
    "table_columns",
]

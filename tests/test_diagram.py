"""ER diagrams: graph building, DOT/Mermaid rendering, real Graphviz binaries, real schemas.

Renderer tests run on hand-built schemas (no server) and compare DOT and
Mermaid with golden files (``WORKBENCH_REGEN_GOLDEN=1`` rewrites them; review
the diff). SVG tests render with every Graphviz binary on the machine (the
system ``dot`` and the ``graphviz-pure`` wheel) and read the SVG back: every
table, every relation, the markers and the line ends.
"""

from __future__ import annotations

import base64
import os
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ALL_SCHEMAS, EXAMPLE_SQL
from workbench.diagram import (
    DiagramError,
    GraphvizNotFound,
    UnknownTables,
    build_graph,
    diagram,
    diff_diagram,
    graphviz_bin,
    mermaid,
    to_dot,
    to_mermaid,
)
from workbench.diagram.api import export_files
from workbench.model import Column, Constraint, Enum, ForeignKey, Schema, Table

GOLDEN = Path(__file__).parent / "golden" / "diagram"
SVG_NS = {"svg": "http://www.w3.org/2000/svg"}

SYSTEM = graphviz_bin.system_dot()
PURE = graphviz_bin.pure_dot()
BINARIES = [
    pytest.param(
        SYSTEM,
        id="system-dot",
        marks=pytest.mark.skipif(
            SYSTEM is None, reason="system Graphviz 'dot' not installed (apt-get install graphviz)"
        ),
    ),
    pytest.param(
        PURE,
        id="graphviz-pure",
        marks=pytest.mark.skipif(
            PURE is None, reason="graphviz-pure binary not installed (pip install graphviz-pure)"
        ),
    ),
]


# --- hand-built schemas ---------------------------------------------------------------------


def pk(table: str, *cols: str) -> Constraint:
    return Constraint(f"{table}_pkey", "primary_key", cols, f"PRIMARY KEY ({', '.join(cols)})")


def uq(table: str, *cols: str) -> Constraint:
    return Constraint(f"{table}_{'_'.join(cols)}_key", "unique", cols, "UNIQUE")


def fk(
    table: str, cols: tuple[str, ...], ref: str, ref_cols: tuple[str, ...] = ("id",)
) -> ForeignKey:
    return ForeignKey(
        f"{table}_{'_'.join(cols)}_fkey", f"public.{table}", cols, f"public.{ref}", ref_cols
    )


def shop() -> Schema:
    """A small shop: columns deliberately not in alphabetical order; every cardinality kind."""
    customers = Table(
        "public",
        "customers",
        columns=(
            Column("id", "integer", nullable=False),
            Column("name", "text", nullable=False),
            Column("email", "character varying(255)", nullable=False),
            Column("created_at", "timestamp with time zone", nullable=False),
        ),
        constraints=(pk("customers", "id"), uq("customers", "email")),
        comment="People who buy things.",
    )
    profiles = Table(
        "public",
        "profiles",
        columns=(
            Column("id", "integer", nullable=False),
            Column("customer_id", "integer", nullable=False),
            Column("bio", "text"),
        ),
        constraints=(pk("profiles", "id"), uq("profiles", "customer_id")),
        foreign_keys=(fk("profiles", ("customer_id",), "customers"),),
    )
    orders = Table(
        "public",
        "orders",
        columns=(
            Column("id", "integer", nullable=False),
            Column("customer_id", "integer", nullable=False),
            Column("referrer_id", "integer"),
            Column(
                "status",
                "order_status",
                nullable=False,
                type_kind="enum",
                type_ref="public.order_status",
            ),
            Column("channel", "character varying(10)", nullable=False),
            Column("warehouse_id", "integer"),
        ),
        constraints=(
            pk("orders", "id"),
            Constraint(
                "orders_channel_check",
                "check",
                ("channel",),
                "CHECK (((channel)::text = ANY ((ARRAY['web'::character varying, 'shop'::character varying])::text[])))",
                expression="((channel)::text = ANY ((ARRAY['web'::character varying, 'shop'::character varying])::text[]))",
            ),
        ),
        foreign_keys=(
            fk("orders", ("customer_id",), "customers"),
            fk("orders", ("referrer_id",), "customers"),
        ),
    )
    products = Table(
        "public",
        "products",
        columns=(Column("id", "integer", nullable=False), Column("title", "text", nullable=False)),
        constraints=(pk("products", "id"),),
    )
    order_items = Table(
        "public",
        "order_items",
        columns=(
            Column("order_id", "integer", nullable=False),
            Column("product_id", "integer", nullable=False),
            Column("created_at", "timestamp with time zone", nullable=False),
        ),
        constraints=(pk("order_items", "order_id", "product_id"),),
        foreign_keys=(
            fk("order_items", ("order_id",), "orders"),
            fk("order_items", ("product_id",), "products"),
        ),
    )
    warehouses = Table(
        "public",
        "warehouses",
        columns=(Column("id", "integer", nullable=False), Column("city", "text", nullable=False)),
        constraints=(pk("warehouses", "id"),),
    )
    categories = Table(
        "public",
        "categories",
        columns=(
            Column("id", "integer", nullable=False),
            Column("parent_id", "integer"),
            Column("label", "text", nullable=False),
        ),
        constraints=(pk("categories", "id"),),
        foreign_keys=(fk("categories", ("parent_id",), "categories"),),
    )
    return Schema(
        enums=(Enum("public", "order_status", ("new", "paid", "shipped")),),
        tables=(customers, profiles, orders, products, order_items, warehouses, categories),
    )


def edge(graph, child: str, cols: tuple[str, ...]):
    return next(e for e in graph.edges if e.child == f"public.{child}" and e.child_columns == cols)


# --- graph ----------------------------------------------------------------------------------


def test_columns_keep_definition_order_and_markers():
    graph = build_graph(shop())
    customers = graph.node("public.customers")
    assert [c.name for c in customers.columns] == ["id", "name", "email", "created_at"]
    assert customers.column("id").markers == ("PK",)
    assert customers.column("email").markers == ("UQ",)
    assert customers.column("email").type == "varchar(255)"
    assert customers.column("created_at").type == "timestamptz"
    assert customers.column("name").not_null
    profiles = graph.node("public.profiles")
    assert profiles.column("customer_id").markers == ("FK", "UQ")
    assert not profiles.column("bio").not_null
    items = graph.node("public.order_items")
    assert items.column("order_id").markers == ("PK", "FK")


def test_cardinality_from_nullability_and_uniqueness():
    graph = build_graph(shop())
    mandatory = edge(graph, "orders", ("customer_id",))
    assert (mandatory.parent_end, mandatory.child_end) == ("one", "many")
    optional = edge(graph, "orders", ("referrer_id",))
    assert (optional.parent_end, optional.child_end) == ("zero_or_one", "many")
    one_to_one = edge(graph, "profiles", ("customer_id",))
    assert (one_to_one.parent_end, one_to_one.child_end) == ("one", "zero_or_one")
    self_ref = edge(graph, "categories", ("parent_id",))
    assert self_ref.parent == self_ref.child == "public.categories"
    dot = to_dot(graph)
    line = next(x for x in dot.splitlines() if "orders_referrer_id_fkey" in x)
    assert "arrowtail=teeodot" in line and "arrowhead=crowodot" in line
    line = next(x for x in dot.splitlines() if "profiles_customer_id_fkey" in x)
    assert "arrowtail=teetee" in line and "arrowhead=teeodot" in line


def test_focus_depth_and_omitted_tables_are_named():
    d = diagram(shop(), focus="profiles", depth=1)
    assert set(d.tables) == {"public.profiles", "public.customers"}
    assert "public.warehouses" in d.omitted and "public.orders" in d.omitted
    assert d.graph.node("public.customers").hidden_links == 2  # two FKs from orders
    assert "Left out (5)" in d.dot and "2 links to tables not shown" in d.dot
    d2 = diagram(shop(), focus="profiles", depth=2)
    assert "public.orders" in d2.tables and "public.order_items" not in d2.tables
    assert diagram(shop(), focus="profiles", depth=0).tables == ("public.profiles",)


def test_table_list_pattern_and_pg_schema_selection():
    assert diagram(shop(), tables=["orders", "public.products"]).tables == (
        "public.orders",
        "public.products",
    )
    assert set(diagram(shop(), pattern="order*").tables) == {"public.orders", "public.order_items"}
    assert diagram(shop(), pg_schema="public").omitted == ()
    with pytest.raises(UnknownTables, match=r"did you mean.*orders"):
        diagram(shop(), focus="ordrs")
    with pytest.raises(UnknownTables, match="matches no table"):
        diagram(shop(), pattern="zz*")
    with pytest.raises(UnknownTables, match="schemas with tables: public"):
        diagram(shop(), pg_schema="crm")
    with pytest.raises(DiagramError, match="columns must be"):
        diagram(shop(), columns="most")


def test_collapsed_junction_becomes_one_many_to_many_edge():
    graph = build_graph(shop(), collapse_junctions=True)
    assert "public.order_items" not in [n.id for n in graph.nodes]
    m2m = [e for e in graph.edges if e.kind == "many_to_many"]
    assert len(m2m) == 1
    assert {m2m[0].parent, m2m[0].child} == {"public.orders", "public.products"}
    assert (m2m[0].parent_end, m2m[0].child_end) == ("many", "many")
    # Focus treats the junction as one hop.
    assert "public.products" in diagram(shop(), focus="orders", collapse_junctions=True).tables
    with pytest.raises(UnknownTables, match="junction table"):
        diagram(shop(), focus="order_items", collapse_junctions=True)


def test_inferred_edges_only_on_request_and_drawn_dashed():
    assert not [e for e in build_graph(shop()).edges if e.kind == "inferred"]
    inferred = [e for e in build_graph(shop(), inferred=True).edges if e.kind == "inferred"]
    assert [(e.child, e.child_columns, e.parent) for e in inferred] == [
        ("public.orders", ("warehouse_id",), "public.warehouses")
    ]
    assert inferred[0].parent_end == "zero_or_one"
    dot = to_dot(build_graph(shop(), inferred=True))
    line = next(x for x in dot.splitlines() if "inferred:public.orders.warehouse_id" in x)
    assert "style=dashed" in line
    assert "inferred from names" in dot  # legend explains it


def test_enums_and_comments_on_request():
    plain = build_graph(shop())
    assert all(n.kind == "table" for n in plain.nodes)
    assert plain.node("public.customers").comment is None
    graph = build_graph(shop(), show_enums=True, show_comments=True)
    enum = graph.node("enum:public.order_status")
    assert [c.name for c in enum.columns] == ["new", "paid", "shipped"]
    assert any(e.kind == "enum" and e.child_columns == ("status",) for e in graph.edges)
    assert graph.node("public.orders").column("channel").enum_values == ("web", "shop")
    assert graph.node("public.customers").comment == "People who buy things."
    assert "{web, shop}" in to_dot(graph)


def test_partitions_fold_into_their_parent():
    parent = Table(
        "public",
        "events",
        columns=(Column("id", "bigint", nullable=False), Column("customer_id", "integer")),
        kind="partitioned",
    )
    parts = tuple(
        Table(
            "public",
            f"events_{i}",
            columns=parent.columns,
            partition_of="public.events",
            foreign_keys=(fk(f"events_{i}", ("customer_id",), "customers"),),
        )
        for i in range(3)
    )
    base = shop()
    schema = Schema(tables=(*base.tables, parent, *parts))
    graph = build_graph(schema)
    assert "public.events_0" not in [n.id for n in graph.nodes]
    events = graph.node("public.events")
    assert events.partitions == 3 and events.column("customer_id").foreign_key
    assert len([e for e in graph.edges if e.child == "public.events"]) == 1
    assert "3 partitions" in to_dot(graph)
    assert len(build_graph(schema, partitions=True).nodes) == len(schema.tables)


# --- golden files ----------------------------------------------------------------------------


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("WORKBENCH_REGEN_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} missing: run with WORKBENCH_REGEN_GOLDEN=1 and review it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


def test_dot_and_mermaid_match_golden_files():
    graph = build_graph(shop(), show_enums=True, inferred=True, title="Shop")
    check_golden("shop.dot", to_dot(graph))
    check_golden("shop.mmd", to_mermaid(graph))


# --- Mermaid ---------------------------------------------------------------------------------


def test_mermaid_crows_feet_and_no_outside_links():
    text = diagram(shop(), inferred=True).mermaid()
    assert isinstance(text, str) and text.startswith("erDiagram")
    assert 'customers ||--o{ orders : "customer_id"' in text
    assert 'customers |o--o{ orders : "referrer_id"' in text
    assert 'customers ||--o| profiles : "customer_id"' in text
    assert 'warehouses |o..o{ orders : "warehouse_id (inferred)"' in text
    assert 'varchar(255) email UK "NOT NULL"' in text
    # Columns in definition order, not alphabetical.
    block = text.split("  customers {")[1].split("}")[0]
    assert [line.split()[1] for line in block.strip().splitlines()] == [
        "id",
        "name",
        "email",
        "created_at",
    ]
    assert "http" not in text


def wide_schema(n: int, schemas: int = 1) -> Schema:
    """``n`` tables in ``schemas`` PostgreSQL schemas, chained by foreign keys in groups of 10."""
    tables = []
    for i in range(n):
        ns = f"s{i % schemas}" if schemas > 1 else "public"
        prev = i - schemas
        fks = ()
        if prev >= 0 and i % 10 >= schemas:
            ref_ns = f"s{prev % schemas}" if schemas > 1 else "public"
            fks = (
                ForeignKey(f"t{i}_fk", f"{ns}.t{i}", ("parent_id",), f"{ref_ns}.t{prev}", ("id",)),
            )
        tables.append(
            Table(
                ns,
                f"t{i}",
                columns=(
                    Column("id", "integer", nullable=False),
                    Column("parent_id", "integer"),
                    *(Column(f"attribute_{k}", "text") for k in range(6)),
                ),
                constraints=(Constraint(f"t{i}_pkey", "primary_key", ("id",), "PRIMARY KEY (id)"),),
                foreign_keys=fks,
            )
        )
    return Schema(tables=tuple(tables))


def test_large_mermaid_is_split_into_parts_that_render(tmp_path):
    d = diagram(wide_schema(300, schemas=3))
    parts = d.mermaid()
    assert isinstance(parts, list) and len(parts) > 1
    entity = re.compile(r"^  (\w+) \{$", re.M)
    seen: set[str] = set()
    for part in parts:
        assert len(part) <= mermaid.MAX_CHARS
        assert part.count("--") + part.count("..") <= mermaid.MAX_EDGES
        boxes = entity.findall(part)
        assert len(boxes) <= mermaid.MAX_TABLES
        seen.update(boxes)
    assert len(seen) == 300  # every table drawn in some part
    written = d.save(tmp_path / "er.mmd")
    assert written[0] == tmp_path / "er.mmd" and len(written) == len(parts) + 1
    overview = (tmp_path / "er.mmd").read_text()
    assert overview.startswith("---\ntitle:") and "part_1 {" in overview
    assert (tmp_path / "er.part-2.mmd").read_text() == parts[1]


# --- files -----------------------------------------------------------------------------------


def test_save_chooses_format_by_suffix_and_writes_atomically(tmp_path):
    d = diagram(shop())
    d.save(tmp_path / "er.dot")
    assert (tmp_path / "er.dot").read_text() == d.dot
    d.save(tmp_path / "er.mmd")
    assert (tmp_path / "er.mmd").read_text().startswith("erDiagram")
    d.save(tmp_path / "er.md")
    assert "```mermaid\nerDiagram" in (tmp_path / "er.md").read_text()
    with pytest.raises(DiagramError, match="suffix"):
        d.save(tmp_path / "er.jpeg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["er.dot", "er.md", "er.mmd"]


@pytest.mark.skipif(not graphviz_bin.available_binaries(), reason="no Graphviz binary at all")
def test_png_and_export_files(tmp_path):
    d = diagram(shop())
    d.save(tmp_path / "er.png")
    assert (tmp_path / "er.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    written = export_files(shop(), tmp_path / "export")
    assert [p.name for p in written] == ["er.svg", "er.mmd", "er.html"]
    assert "<svg" in (tmp_path / "export" / "er.svg").read_text()
    # the notebook display: SVG and a PNG fallback, and no HTML an untrusted notebook would
    # sanitise into a wall of text
    bundle = d._repr_mimebundle_()
    assert "text/html" not in bundle and not hasattr(d, "_repr_html_")
    assert "<svg" in bundle["image/svg+xml"] and "7 tables" in bundle["text/plain"]
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"


# --- Graphviz binaries and the SVG they draw -------------------------------------------------


def parse_svg(svg: str) -> tuple[dict[str, ET.Element], dict[str, ET.Element]]:
    """Nodes by title, edges by id (the DOT edge id)."""
    root = ET.fromstring(svg)
    nodes, edges = {}, {}
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        title = g.find("svg:title", SVG_NS)
        if g.get("class") == "node" and title is not None:
            nodes[title.text] = g
        elif g.get("class") == "edge":
            edges[g.get("id")] = g
    return nodes, edges


def texts(g: ET.Element) -> list[str]:
    return ["".join(t.itertext()).strip() for t in g.iter("{http://www.w3.org/2000/svg}text")]


def bold_texts(g: ET.Element) -> set[str]:
    return {
        "".join(t.itertext()).strip()
        for t in g.iter("{http://www.w3.org/2000/svg}text")
        if t.get("font-weight") == "bold"
    }


def first_path(g: ET.Element) -> ET.Element:
    return next(g.iter("{http://www.w3.org/2000/svg}path"))


def ellipses(g: ET.Element) -> int:
    """Circles drawn on a line: one per 'odot' (an optional end)."""
    return len(list(g.iter("{http://www.w3.org/2000/svg}ellipse")))


def check_svg_matches_graph(svg: str, graph) -> None:
    nodes, edges = parse_svg(svg)
    assert set(nodes) == {n.id for n in graph.nodes}
    assert set(edges) == {e.id for e in graph.edges}
    for node in graph.table_nodes:
        words = texts(nodes[node.id])
        assert graph.display_name(node.id) in words
        rest = iter(words[1:])  # [0] is the header; every row follows, in order
        assert all(any(w == c.name for w in rest) for c in node.columns), node.id
        bold = bold_texts(nodes[node.id])
        for col in node.columns:
            assert (col.name in bold) == col.not_null, f"{node.id}.{col.name} NOT NULL marker"
        for marker in ("PK", "FK", "UQ"):
            expected = sum(marker in c.markers for c in node.columns)
            assert words.count(marker) == expected, f"{node.id}: {marker} markers"
    for e in graph.edges:
        if e.kind == "enum":
            continue
        circles = sum(end in ("zero_or_one", "many") for end in (e.parent_end, e.child_end))
        assert ellipses(edges[e.id]) == circles, f"{e.id}: line ends"


@pytest.mark.parametrize("binary", BINARIES)
def test_svg_has_every_table_edge_and_marker(binary):
    d = diagram(shop(), inferred=True, show_enums=True, binary=binary)
    svg = d.svg()
    check_svg_matches_graph(svg, d.graph)
    _, edges = parse_svg(svg)
    path = first_path(edges["inferred:public.orders.warehouse_id"])
    assert path.get("stroke-dasharray")  # dashed
    assert "Generated by graphviz" in svg


@pytest.mark.parametrize("binary", BINARIES)
def test_diff_diagram_colours_changes(binary):
    old = shop()
    tables = {t.name: t for t in old.tables}
    orders = tables["orders"]
    new_orders = Table(
        "public",
        "orders",
        columns=(
            orders.columns[0],
            orders.columns[1],
            Column("status", "text", nullable=False),  # type changed
            orders.columns[4],
            Column("note", "text"),  # added; referrer_id and warehouse_id removed
        ),
        constraints=orders.constraints,
        foreign_keys=orders.foreign_keys[:1],
    )
    coupons = Table(
        "public",
        "coupons",
        columns=(Column("id", "integer", nullable=False), Column("order_id", "integer")),
        constraints=(pk("coupons", "id"),),
        foreign_keys=(fk("coupons", ("order_id",), "orders"),),
    )
    new = Schema(
        tables=(
            *tuple(t for t in old.tables if t.name not in ("orders", "warehouses")),
            new_orders,
            coupons,
        )
    )
    d = diff_diagram(old, new, binary=binary)
    g = d.graph
    status = {n.name: n.status for n in g.nodes}
    assert status["coupons"] == "added" and status["warehouses"] == "removed"
    assert status["orders"] == "changed" and status["products"] == "same"
    cols = {c.name: (c.status, c.detail) for c in g.node("public.orders").columns}
    assert cols["status"] == ("changed", "order_status -> text")
    assert cols["note"][0] == "added" and cols["referrer_id"][0] == "removed"
    assert [c.name for c in g.node("public.orders").columns] == [
        "id",
        "customer_id",
        "referrer_id",
        "status",
        "channel",
        "warehouse_id",
        "note",
    ]
    edge_status = {e.id: e.status for e in g.edges}
    assert edge_status["fk:public.orders.orders_referrer_id_fkey"] == "removed"
    assert edge_status["fk:public.coupons.coupons_order_id_fkey"] == "added"
    nodes, edges = parse_svg(d.svg())
    assert set(nodes) == {n.id for n in g.nodes}
    fills = {
        p.get("fill") for p in nodes["public.coupons"].iter("{http://www.w3.org/2000/svg}polygon")
    }
    assert "#2f855a" in fills  # green header
    fills = {
        p.get("fill")
        for p in nodes["public.warehouses"].iter("{http://www.w3.org/2000/svg}polygon")
    }
    assert "#c53030" in fills  # red header
    stroke = first_path(edges["fk:public.coupons.coupons_order_id_fkey"]).get("stroke")
    assert stroke == "#2f855a"
    narrow = diff_diagram(old, new, context=0)
    assert "public.products" in narrow.omitted and "public.orders" in narrow.tables


def test_graphviz_binary_discovery_errors(monkeypatch, tmp_path):
    monkeypatch.setenv("WORKBENCH_DOT", str(tmp_path / "nope"))
    with pytest.raises(GraphvizNotFound, match="WORKBENCH_DOT"):
        graphviz_bin.find_dot()
    monkeypatch.delenv("WORKBENCH_DOT")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    with pytest.raises(GraphvizNotFound) as info:
        graphviz_bin.find_dot()
    assert "'dot' on PATH" in str(info.value) and "graphviz-pure" in str(info.value)


@pytest.mark.skipif(PURE is None, reason="graphviz-pure binary not installed")
def test_env_override_picks_the_binary(monkeypatch):
    monkeypatch.setenv("WORKBENCH_DOT", str(PURE.path))
    assert graphviz_bin.find_dot().path == PURE.path
    assert "graphviz-pure" in diagram(shop()).svg()


@pytest.mark.skipif(not graphviz_bin.available_binaries(), reason="no Graphviz binary at all")
def test_graphviz_errors_are_reported():
    with pytest.raises(DiagramError, match="failed to render"):
        graphviz_bin.run_dot("digraph { a -> }", "svg")


# --- real schemas: the example and the corpus ------------------------------------------------


@pytest.fixture(scope="module")
def real_schemas(server, template_for):
    from workbench.introspect import introspect

    found = {}
    for name, path in ALL_SCHEMAS.items():
        with psycopg.connect(server.conninfo(template_for(path))) as conn:
            found[name] = introspect(conn)
    return found


@pytest.mark.parametrize("binary", BINARIES)
@pytest.mark.parametrize("name", list(ALL_SCHEMAS))
def test_real_schema_renders_every_table_and_relation(real_schemas, name, binary):
    schema = real_schemas[name]
    d = diagram(schema, binary=binary)
    check_svg_matches_graph(d.svg(), d.graph)
    shown = set(d.tables)
    for table in schema.tables:
        assert table.qualified_name in shown or table.partition_of, table.qualified_name
    fk_edges = {(e.child, e.parent) for e in d.graph.edges}
    for fk_ in schema.foreign_keys:
        child = fk_.table
        owner = next(t for t in schema.tables if t.qualified_name == child)
        if owner.partition_of:
            continue
        assert (child, fk_.ref_table) in fk_edges
    text = d.mermaid()
    assert isinstance(text, str) and text.startswith("erDiagram")


def test_example_schema_views(real_schemas):
    schema = real_schemas["example"]
    focus = diagram(schema, focus="tasks", depth=1, collapse_junctions=True)
    assert {"public.tasks", "public.projects", "public.users", "public.tags"} <= set(focus.tables)
    assert "public.organisations" in focus.omitted
    tasks_edges = [e for e in focus.graph.edges if e.child == "public.tasks"]
    assignee = next(e for e in tasks_edges if e.child_columns == ("assignee_id",))
    assert assignee.parent_end == "zero_or_one"  # nullable FK: optional
    profile = next(e for e in build_graph(schema).edges if e.child == "public.user_profiles")
    assert profile.child_end == "zero_or_one"  # UNIQUE user_id: one-to-one
    enums = build_graph(schema, show_enums=True)
    assert enums.node("public.memberships").column("role").enum_values == (
        "owner",
        "admin",
        "member",
        "viewer",
    )
    assert enums.node("enum:public.task_status").kind == "enum"


def test_diagram_command_writes_the_file(tmp_path, capsys):
    from workbench.cli import main

    out = str(tmp_path / "t.mmd")
    assert main(["diagram", "--sql", str(EXAMPLE_SQL), "-o", out, "--focus", "tasks"]) == 0
    assert "erDiagram" in (tmp_path / "t.mmd").read_text()
    assert "left out" in capsys.readouterr().out
    # bad input is the CLI's one convention: exit 2 and "workbench: error: ..."
    assert main(["diagram", "--sql", str(EXAMPLE_SQL), "-o", out, "--focus", "nope"]) == 2
    assert "workbench: error: no table 'nope'" in capsys.readouterr().err


def test_large_diagram_clusters_shows_key_columns_and_grids_loners():
    base = wide_schema(80)
    lonely = tuple(
        Table("public", f"lonely_{i}", columns=(Column("id", "integer"),)) for i in range(9)
    )
    graph = build_graph(Schema(tables=base.tables + lonely))
    labels = [c.label for c in graph.clusters]
    assert labels[-1] == "tables without relations (9)" and len(labels) == 9
    t5 = graph.node("public.t5")
    assert [c.name for c in t5.columns] == ["id", "parent_id"] and t5.hidden_columns == 6
    dot = to_dot(graph)
    assert "+ 6 more columns" in dot
    assert dot.count("[style=invis]") == 3  # 9 loners: three rows of three
    multi = build_graph(wide_schema(30, schemas=3))
    assert [c.label for c in multi.clusters] == ["schema s0", "schema s1", "schema s2"]
    assert multi.display_name("s1.t4") == "t4"  # the schema box names the schema
    assert build_graph(wide_schema(30, schemas=3), cluster="none").display_name("s1.t4") == "s1.t4"

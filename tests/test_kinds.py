"""Issue 22's object kinds: the model holds them, the diff lists and migrates each one.

The all-kinds fixture (tests/schemas/all_kinds) is loaded once; ``CHANGES`` adds,
alters and removes one object of every kind on a clone. The diff between the two
must name each kind, and its migration SQL, run on a clone of either side, must
turn it into the other (compared as models), in both directions.
"""

from __future__ import annotations

import pytest

from workbench.cli import main
from workbench.diff import diff
from workbench.introspect import introspect
from workbench.introspect.census import unexportable
from workbench.loader import load_text
from workbench.model import Schema

from .conftest import ALL_KINDS_SQL

#: Applied to a clone of the fixture: every kind gains an object and changes one.
CHANGES = """
CREATE COLLATION app.posix_c FROM "POSIX";
COMMENT ON COLLATION app.my_c IS 'C byte order';
CREATE TEXT SEARCH DICTIONARY app.simple_english (TEMPLATE = pg_catalog.simple, stopwords = english);
ALTER TEXT SEARCH CONFIGURATION my_simple ALTER MAPPING FOR asciiword WITH simple;
ALTER TEXT SEARCH CONFIGURATION my_simple DROP MAPPING FOR url;
CREATE TEXT SEARCH CONFIGURATION app.plain (PARSER = pg_catalog."default");
CREATE TYPE app.pair AS (a integer, b integer);
ALTER TYPE address ADD ATTRIBUTE country text;
CREATE TYPE app.intrange AS RANGE (SUBTYPE = integer);
COMMENT ON TYPE floatrange IS 'prices';
CREATE OPERATOR app.~~~ (FUNCTION = approx_eq, LEFTARG = numeric, RIGHTARG = numeric);
COMMENT ON OPERATOR === (numeric, numeric) IS 'equal to a cent';
CREATE CAST (app.pair AS text) WITH INOUT;
COMMENT ON CAST (address AS text) IS 'street, city';
CREATE RULE vehicle_keep AS ON DELETE TO vehicle DO INSTEAD NOTHING;
CREATE OR REPLACE RULE note_log_insert AS ON INSERT TO note
    DO ALSO INSERT INTO note_log (note_id) VALUES (NEW.id);
CREATE TABLE truck (payload integer) INHERITS (vehicle);
ALTER TABLE car NO INHERIT vehicle;
ALTER TABLE vehicle SET (fillfactor = 90);
ALTER TABLE vehicle RESET (autovacuum_enabled, toast.autovacuum_enabled);
ALTER VIEW vehicle_invoker SET (security_invoker = false);
ALTER VIEW cars_only SET (check_option = local);
DROP TRIGGER wheel_counts_insert ON wheel_counts;
GRANT INSERT ON vehicle TO all_kinds_reader;
GRANT SELECT ON truck TO all_kinds_reader;
REVOKE USAGE ON SCHEMA app FROM all_kinds_reader;
GRANT EXECUTE ON FUNCTION approx_eq(numeric, numeric) TO PUBLIC;
"""

#: (kind, change) pairs diff(fixture, changed) must hold; the reverse diff swaps added/removed.
EXPECTED = {
    ("collation", "added"),
    ("collation", "altered"),
    ("text_search_dictionary", "added"),
    ("text_search_configuration", "added"),
    ("text_search_configuration", "altered"),
    ("composite_type", "added"),
    ("composite_type", "altered"),
    ("range_type", "added"),
    ("range_type", "altered"),
    ("operator", "added"),
    ("operator", "altered"),
    ("cast", "added"),
    ("cast", "altered"),
    ("rule", "added"),
    ("rule", "altered"),
    ("table", "added"),  # truck INHERITS vehicle
    ("table", "altered"),  # car no longer inherits; vehicle's storage parameters
    ("view", "altered"),  # options and a trigger on a view
    ("privilege", "added"),
    ("privilege", "altered"),
    ("privilege", "removed"),
}
_SWAP = {"added": "removed", "removed": "added", "altered": "altered"}


@pytest.fixture(scope="module")
def sides(server, template_for):
    """(template of the fixture, its model, template of the changed copy, its model)."""
    base = template_for(ALL_KINDS_SQL)
    changed = server.create_database(template=base)
    with server.connect(changed) as conn:
        load_text(conn, CHANGES, path="changes.sql", backend=server.backend)
    with server.connect(base) as conn:
        old = introspect(conn)
    with server.connect(changed) as conn:
        new = introspect(conn)
    yield base, old, changed, new
    server.drop_database(changed)


def test_the_fixture_holds_every_kind(sides):
    _, old, _, _ = sides
    assert old.table("public.car").inherits == ("public.vehicle",)
    assert "fillfactor=80" in old.table("public.vehicle").options
    assert "toast.autovacuum_enabled=false" in old.table("public.vehicle").options
    views = {v.name: v for v in old.views}
    assert views["cars_only"].options == ("security_barrier=true", "check_option=cascaded")
    assert views["vehicle_invoker"].options == ("security_invoker=true", "check_option=local")
    assert [t.name for t in views["wheel_counts"].triggers] == ["wheel_counts_insert"]
    assert [r.name for r in old.rules] == ["note_log_insert", "wheel_counts_delete"]
    assert [c.name for c in old.composites] == ["address"]
    assert [a.collation for a in old.composites[0].attributes] == [None, "app.my_c", None]
    assert [(r.name, r.subtype, r.subtype_diff) for r in old.ranges] == [
        ("floatrange", "double precision", "float8mi")
    ]
    assert [o.signature for o in old.operators] == ["public.===(numeric, numeric)"]
    assert old.operators[0].commutator == "public.==="
    assert [(c.name, c.lc_collate) for c in old.collations] == [("my_c", "C")]
    assert [d.qualified_name for d in old.ts_dictionaries] == ["app.english_stem"]
    (config,) = old.ts_configs
    assert config.mappings[0].token == "asciiword"
    assert config.mappings[0].dictionaries == ("app.english_stem", "simple")
    assert [(c.key, c.context) for c in old.casts] == [("(address AS text)", "assignment")]
    grants = {(g.object_type, g.object, g.column, g.grantee, g.revoked) for g in old.grants}
    assert {
        ("SCHEMA", "app", None, "all_kinds_reader", False),
        ("TABLE", "public.vehicle", None, "all_kinds_reader", False),
        ("TABLE", "public.note", "body", "all_kinds_reader", False),
        ("SEQUENCE", "public.note_log_id_seq", None, "all_kinds_reader", False),
        ("FUNCTION", "public.approx_eq(a numeric, b numeric)", None, "PUBLIC", True),
        ("TYPE", "public.mood", None, "all_kinds_reader", False),
    } <= grants


def _apply(server, template: str, d, target: Schema) -> None:
    clone = server.create_database(template=template)
    try:
        with server.connect(clone) as conn:
            load_text(
                conn,
                d.migration_sql(),
                path="migration.sql",
                backend=server.backend,
                disposable=True,
            )
            after = introspect(conn)
        assert after == target, f"{d.migration_sql()}\nstill differs:\n{diff(target, after)}"
    finally:
        server.drop_database(clone)


def test_diff_names_every_kind_and_migrates_forward(server, sides):
    base, old, _, new = sides
    d = diff(old, new)
    found = {(c.kind, c.change) for c in d.changes}
    assert found >= EXPECTED, f"missing {sorted(EXPECTED - found)} in\n{d}"
    _apply(server, base, d, new)


def test_diff_names_every_kind_and_migrates_back(server, sides):
    _, old, changed, new = sides
    d = diff(new, old)
    found = {(c.kind, c.change) for c in d.changes}
    expected = {(kind, _SWAP[change]) for kind, change in EXPECTED}
    assert found >= expected, f"missing {sorted(expected - found)} in\n{d}"
    _apply(server, changed, d, old)


def test_an_equal_fixture_has_no_differences(sides):
    _, old, _, _ = sides
    assert str(diff(old, old)) == "No differences."


def test_unexportable_names_objects_the_model_lacks(db_holding):
    import psycopg

    conninfo = db_holding(
        "CREATE TABLE t (a int, b int);\n"
        "CREATE STATISTICS t_ab (dependencies) ON a, b FROM t;\n"
        "ALTER TABLE t ALTER COLUMN a SET STATISTICS 500;\n"
    )
    with psycopg.connect(conninfo) as conn:
        found = unexportable(conn)
    assert found == [
        "statistics object public.t_ab",
        "storage, compression, statistics target or options of column a of table public.t",
    ]


def test_the_all_kinds_fixture_has_nothing_unexportable(server, sides):
    base, *_ = sides
    with server.connect(base) as conn:
        assert unexportable(conn) == []


# --- through the CLI ----------------------------------------------------------------------

#: Issue 22's reproduction: each kind here used to vanish from schema.sql and from the diff.
REPRO = """
CREATE TYPE pair AS (a integer, b integer);
CREATE FUNCTION pair_eq(pair, pair) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1.a = $2.a AND $1.b = $2.b $$;
CREATE OPERATOR === (FUNCTION = pair_eq, LEFTARG = pair, RIGHTARG = pair);
CREATE TEXT SEARCH CONFIGURATION my_simple (COPY = pg_catalog.simple);
CREATE COLLATION my_c FROM "C";
CREATE TABLE parent (id integer PRIMARY KEY, name text COLLATE my_c);
CREATE TABLE child (extra text) INHERITS (parent);
CREATE TABLE audit (id integer);
CREATE RULE parent_audit AS ON INSERT TO parent DO ALSO INSERT INTO audit VALUES (NEW.id);
"""


def test_cli_diff_shows_each_kind_of_the_issue(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "schema.sql").write_text("CREATE TABLE audit (id integer);\n")
    (b / "schema.sql").write_text(REPRO)
    assert main(["diff", str(a), str(b)]) == 0
    printed = capsys.readouterr().out.splitlines()
    for line in (
        "+ composite_type public.pair",
        "+ operator public.===(pair, pair)",
        "+ text_search_configuration public.my_simple",
        "+ collation public.my_c",
        "+ table public.parent",
        "+ table public.child",
        "+ rule public.parent.parent_audit",
    ):
        assert line in printed, f"{line!r} not in {printed}"


def test_cli_export_warns_naming_what_it_cannot_export(tmp_path, capsys):
    sql = tmp_path / "sql"
    sql.mkdir()
    (sql / "schema.sql").write_text(
        "CREATE TABLE t (id integer PRIMARY KEY, a integer, b integer);\n"
        "CREATE STATISTICS t_ab (dependencies) ON a, b FROM t;\n"
    )
    out = tmp_path / "out"
    assert main(["export", "--sql", str(sql), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert (
        "workbench: warning: not exported (the schema model has no place for it): "
        "statistics object public.t_ab"
    ) in captured.err.splitlines()
    assert f"wrote {out / 'schema.sql'}" in captured.out.splitlines()
    assert "CREATE TABLE public.t" in (out / "schema.sql").read_text()


def test_alembic_creates_inherits_children_after_their_parents(server, tmp_path):
    """A child named before its parent ('alpha' INHERITS 'zeta') still comes after it."""
    from alembic import command
    from alembic.config import Config

    import workbench
    from workbench.export.alembic import REVISION_FILE, render_alembic

    sql = tmp_path / "inherits.sql"
    sql.write_text(
        "CREATE TABLE zeta (id integer PRIMARY KEY, created date DEFAULT CURRENT_DATE);\n"
        "CREATE TABLE alpha (note text) INHERITS (zeta);\n"
        "CREATE TABLE beta (id integer PRIMARY KEY, zeta_id integer REFERENCES zeta);\n"
    )
    with workbench.open(sql, server=server) as wb:
        with wb.new_database(empty=True) as empty:
            project = render_alembic(wb.url, empty.url, wb.schema)
        revision = project.files[REVISION_FILE]
        assert revision.index("CREATE TABLE public.zeta") < revision.index(
            "CREATE TABLE public.alpha"
        )
        assert "INHERITS (public.zeta)" in revision
        directory = project.write(tmp_path / "migrations")
        with wb.new_database(empty=True) as db:
            cfg = Config(str(directory / "alembic.ini"))
            cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
            command.upgrade(cfg, "head")
            with db.connect() as conn:
                built = introspect(conn)
            tables = tuple(t for t in built.tables if t.name != "alembic_version")
            assert tables == wb.schema.tables, str(diff(wb.schema, built))
            command.downgrade(cfg, "base")


def test_the_diagram_draws_inheritance(sides):
    from workbench.diagram import build_graph, to_dot, to_mermaid

    _, old, _, _ = sides
    graph = build_graph(old)
    (edge,) = [e for e in graph.edges if e.kind == "inherits"]
    assert (edge.parent, edge.child) == ("public.vehicle", "public.car")
    assert 'id="inherits:public.car->public.vehicle"' in to_dot(graph)
    assert 'vehicle ||--o| car : "inherits"' in to_mermaid(graph)


def test_the_new_kinds_serialise_and_old_json_still_loads(sides):
    from workbench.serialize import from_dict, from_json, to_dict, to_json

    _, old, _, _ = sides
    assert from_json(to_json(old)) == old
    # A model written before these fields existed: none of the new keys, still loads.
    data = to_dict(old)
    for key in ("composites", "ranges", "collations", "operators", "ts_dictionaries",
                "ts_configs", "casts", "rules", "grants"):  # fmt: skip
        del data[key]
    for table in data["tables"]:
        del table["inherits"], table["options"]
    for view in data["views"]:
        del view["options"], view["triggers"]
    older = from_dict(data)
    assert older.rules == () and older.table("public.car").inherits == ()


def test_column_privileges_follow_a_column_rename(server, template_for, tmp_path):
    """The renamed column keeps its ACL: no REVOKE naming the old column (it is gone)."""
    old_sql, new_sql = tmp_path / "old.sql", tmp_path / "new.sql"
    old_sql.write_text(
        "CREATE TABLE t (id integer, name text);\nGRANT SELECT (name) ON t TO PUBLIC;\n"
    )
    new_sql.write_text(
        "CREATE TABLE t (id integer, full_name text);\nGRANT SELECT (full_name) ON t TO PUBLIC;\n"
    )
    old_db, new_db = template_for(old_sql), template_for(new_sql)
    with server.connect(old_db) as conn:
        old = introspect(conn)
    with server.connect(new_db) as conn:
        new = introspect(conn)
    d = diff(old, new)
    assert "RENAME COLUMN name TO full_name" in d.migration_sql()
    assert "REVOKE" not in d.migration_sql()
    _apply(server, old_db, d, new)


@pytest.mark.parametrize(
    "child",
    [
        "CREATE TABLE c () INHERITS (p);\n",
        "CREATE TABLE c PARTITION OF p FOR VALUES FROM (0) TO (10);\n",
    ],
    ids=["inherits", "partition"],
)
def test_a_parent_column_added_and_dropped_reaches_its_child_once(
    server, template_for, tmp_path, child
):
    """PostgreSQL passes ADD/DROP COLUMN on to children: the child gets no ALTER of its own."""
    partitioned = " PARTITION BY RANGE (id)" if "PARTITION OF" in child else ""
    old_sql, new_sql = tmp_path / "old.sql", tmp_path / "new.sql"
    old_sql.write_text(f"CREATE TABLE p (id integer, gone text){partitioned};\n{child}")
    new_sql.write_text(f"CREATE TABLE p (id integer, added integer){partitioned};\n{child}")
    old_db, new_db = template_for(old_sql), template_for(new_sql)
    with server.connect(old_db) as conn:
        old = introspect(conn)
    with server.connect(new_db) as conn:
        new = introspect(conn)
    d = diff(old, new)
    assert {(c.name, c.change) for c in d.changes if c.kind == "column"} >= {
        ("public.c.added", "added"),
        ("public.c.gone", "removed"),
        ("public.p.added", "added"),
        ("public.p.gone", "removed"),
    }, str(d)
    assert "ALTER TABLE public.c" not in d.migration_sql()
    _apply(server, old_db, d, new)


def test_a_recreated_function_keeps_its_privileges(server, template_for, tmp_path):
    """A changed return type means DROP + CREATE; the privileges are written again."""
    body = (
        "CREATE FUNCTION f() RETURNS {} LANGUAGE sql AS 'SELECT 1';\n"
        "REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;\n"
    )
    old_sql, new_sql = tmp_path / "old.sql", tmp_path / "new.sql"
    old_sql.write_text(body.format("integer") + "CREATE TABLE t (id integer);\n")
    new_sql.write_text(body.format("bigint") + "CREATE TABLE t (id integer);\n")
    old_db, new_db = template_for(old_sql), template_for(new_sql)
    with server.connect(old_db) as conn:
        old = introspect(conn)
    with server.connect(new_db) as conn:
        new = introspect(conn)
    d = diff(old, new)
    assert "REVOKE EXECUTE ON FUNCTION public.f() FROM PUBLIC;" in d.migration_sql()
    _apply(server, old_db, d, new)

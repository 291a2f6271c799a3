"""Issue 22's object kinds: the model holds them, the diff lists and migrates each one.

The all-kinds fixture (tests/schemas/all_kinds) is loaded once; ``CHANGES`` adds,
alters and removes one object of every kind on a clone. The diff between the two
must name each kind, and its migration SQL, run on a clone of either side, must
turn it into the other (compared as models), in both directions.
"""

from __future__ import annotations

import pytest

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
    assert [r.name for r in old.rules] == ["note_log_insert"]
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
            load_text(conn, d.migration_sql(), path="migration.sql", backend=server.backend)
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

"""The main invariant: load → introspect → render_ddl → load into an empty database → introspect → equal.

Run on the example schema (sql/), every corpus schema and the all-kinds fixture
(tests/schemas/all_kinds), plus a cross-check with pg_dump (our DDL and
pg_dump's must give equal models) and a load of the export on the PostgreSQL 15
system backend. Model equality cannot see an object kind the model lacks, so
the round trip also compares catalog counts of every kind pg_dump -s restores
(:func:`workbench.introspect.census.catalog_census`) between the two databases.
"""

from __future__ import annotations

import difflib
import re
import subprocess

import psycopg
import pytest

from workbench.errors import ServerError
from workbench.export.ddl import render_ddl
from workbench.introspect import introspect
from workbench.introspect.census import catalog_census, census_difference
from workbench.loader import load_text
from workbench.model import Schema
from workbench.serialize import to_json
from workbench.server import start_server
from workbench.server.binaries import system_binaries

from .conftest import ALL_KINDS_SQL, ALL_SCHEMAS, EXAMPLE_SQL

ROUND_TRIP = {**ALL_SCHEMAS, "all_kinds": ALL_KINDS_SQL}


def _model(server, dbname: str) -> Schema:
    with server.connect(dbname) as conn:
        return introspect(conn)


def _load(server, ddl: str, path: str) -> str:
    name = server.create_database()
    with server.connect(name) as conn:
        load_text(conn, ddl, path=path, backend=server.backend)
    return name


def _explain(a: Schema, b: Schema) -> str:
    """A readable JSON diff of two models, so a failing round trip says what moved."""
    diff = difflib.unified_diff(
        to_json(a).splitlines(keepends=True), to_json(b).splitlines(keepends=True), n=4
    )
    return "".join(list(diff)[:150])


@pytest.fixture(scope="module")
def original(server, template_for):
    """name → (template database, model) for every schema, loaded once per module."""
    cache: dict[str, tuple[str, Schema]] = {}

    def get(name: str) -> tuple[str, Schema]:
        if name not in cache:
            db = template_for(ROUND_TRIP[name])
            cache[name] = (db, _model(server, db))
        return cache[name]

    return get


def _census(server, dbname: str) -> dict[str, int]:
    with server.connect(dbname) as conn:
        return catalog_census(conn)


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_ddl_round_trip_gives_an_equal_model(server, original, name):
    source, before = original(name)
    assert before.tables, "the schema loaded no tables: the test would prove nothing"
    ddl = render_ddl(before)
    db = _load(server, ddl, f"{name}.ddl.sql")
    try:
        after = _model(server, db)
        assert after == before, _explain(before, after)
        # Deterministic: the reloaded model renders byte-identical DDL.
        assert render_ddl(after) == ddl
        # Independent of the model: every object kind came back as often as it was there.
        lost = census_difference(_census(server, source), _census(server, db))
        assert not lost, "the reload holds other catalog objects: " + "; ".join(lost)
    finally:
        server.drop_database(db)


def test_the_census_sees_a_kind_the_model_lacks(server, db_holding):
    """A statistics object is not in the model: the round trip of its schema must fail the census."""
    conninfo = db_holding(
        "CREATE TABLE t (a int, b int);\nCREATE STATISTICS t_ab (dependencies) ON a, b FROM t;\n"
    )
    with psycopg.connect(conninfo) as conn:
        before_census, model = catalog_census(conn), introspect(conn)
    db = _load(server, render_ddl(model), "stats.ddl.sql")
    try:
        assert _model(server, db) == model  # the model alone cannot tell
        assert census_difference(before_census, _census(server, db)) == [
            "statistics object: 1 -> 0"
        ]
    finally:
        server.drop_database(db)


# pg_dump prints `varchar_col IN (...)` as `(ARRAY['a'::character varying, ...])::text[]`,
# which PostgreSQL re-reads as `ARRAY[('a'::character varying)::text, ...]`: a known
# pg_dump quirk (our exporter writes such checks back as IN lists). Compare modulo that.
_RELABELLED = re.compile(r"\(ARRAY\[((?:'(?:[^']|'')*'::character varying(?:, )?)+)\]\)::text\[\]")
_PER_ELEMENT = re.compile(r"\('((?:[^']|'')*)'::character varying\)::text")


def _canonical(schema: Schema) -> str:
    text = to_json(schema)
    text = _PER_ELEMENT.sub(r"'\1'::character varying", text)
    return _RELABELLED.sub(r"ARRAY[\1]", text)


@pytest.mark.parametrize("name", sorted(ROUND_TRIP))
def test_pg_dump_and_our_ddl_load_into_equal_models(server, original, name):
    db, before = original(name)
    if server.bindir is None:
        pytest.skip("external server: no pg_dump binary of the same version")
    dump = subprocess.run(
        [str(server.bindir / "pg_dump"), "--schema-only", "--no-owner",
         "--dbname", server.conninfo(db)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    from_dump = _load(server, dump, f"{name}.pg_dump.sql")
    from_ours = _load(server, render_ddl(before), f"{name}.ddl.sql")
    try:
        a, b = _model(server, from_dump), _model(server, from_ours)
        assert _canonical(a) == _canonical(b), _explain(a, b)
    finally:
        server.drop_database(from_dump)
        server.drop_database(from_ours)


def _system_pg15() -> str | None:
    try:
        system_binaries(major=15)
    except ServerError as exc:
        return str(exc)
    return None


@pytest.mark.system_pg
@pytest.mark.skipif(
    _system_pg15() is not None,
    reason="Debian's postgresql-15 server is not installed (CI installs it): "
    + str(_system_pg15()),
)
def test_example_export_loads_on_postgresql_15(original):
    """The export made on the embedded 18 server loads on 15 and reads back as the same model."""
    _, before = original("example")
    ddl = render_ddl(before)
    with start_server("system", major=15) as srv:
        db = srv.create_database()
        with srv.connect(db) as conn:
            load_text(conn, ddl, path="example.ddl.sql", backend=srv.backend)
            after = introspect(conn)
    assert after.server_version.startswith("15")
    assert after == before, _explain(before, after)


def test_example_schema_is_covered():
    assert ALL_SCHEMAS["example"] == EXAMPLE_SQL
    assert {"pagila", "chinook"} <= set(ALL_SCHEMAS)


@pytest.mark.system_pg
@pytest.mark.skipif(
    _system_pg15() is not None,
    reason="Debian's postgresql-15 server is not installed (CI installs it): "
    + str(_system_pg15()),
)
def test_all_kinds_round_trip_on_postgresql_15():
    """The catalog queries that differ between versions (collations, statistics targets) hold on 15."""
    from workbench.loader import load_paths

    with start_server("system", major=15) as srv:
        source, copy = srv.create_database(), srv.create_database()
        with srv.connect(source) as conn:
            load_paths(conn, ALL_KINDS_SQL, backend=srv.backend)
            before, census = introspect(conn), catalog_census(conn)
        with srv.connect(copy) as conn:
            load_text(conn, render_ddl(before), path="all_kinds.ddl.sql", backend=srv.backend)
            after = introspect(conn)
            assert census_difference(census, catalog_census(conn)) == []
    assert after == before, _explain(before, after)

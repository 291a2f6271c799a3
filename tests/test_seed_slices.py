"""Big tables are made a slice at a time: the same rows, accepted by PostgreSQL, memory flat.

Why these tests: the seeder keeps a big table's free columns (text, timestamps, numbers no
other row depends on) out of memory until its COPY asks for them, one slice of rows at a
time. What must hold is that nothing a constraint ties across rows is sliced, that every
slice is proven against the CHECKs and accepted by PostgreSQL, that slices differ from
each other (no repeated block of rows), and that the same seed gives the same rows however
often they are made.
"""

from __future__ import annotations

import hashlib

import psycopg
import pyarrow as pa

from tests.conftest import ALL_SCHEMAS, EXAMPLE_SQL
from workbench.introspect import introspect
from workbench.seed import generate, generate_tables, plan, seed

SHAPE = {"default": 300, "tables": {"comments": 5_000, "audit_log": 4_000}}


def _schema(conninfo: str):
    with psycopg.connect(conninfo) as conn:
        return introspect(conn)


def _digest(conninfo: str, query: str) -> str:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(query).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_only_row_local_columns_are_sliced_and_slices_are_deterministic(example_conninfo):
    schema = _schema(example_conninfo)
    seed_plan = plan(schema, SHAPE)
    tables = {t.name: t for t in generate_tables(schema, seed_plan, slice_rows=1_000)}
    comments = tables["public.comments"]
    assert comments.lazy is not None
    # keys, foreign keys and what children point at are whole; free text is not
    assert {"id", "task_id", "author_id", "parent_comment_id"} <= set(comments.columns)
    assert "body" not in comments.columns and "body" in comments.names
    assert "created_at" in comments.names
    first = list(comments.batches())
    assert [len(b["body"]) for b in first] == [1_000] * 5
    assert list(first[0]) == list(comments.names)
    again = list(comments.batches())  # made again (a CSV fallback does): the same rows
    assert all(a["body"].equals(b["body"]) for a, b in zip(first, again, strict=True))
    assert not first[0]["body"].equals(first[1]["body"])
    # a small table is made whole, as before
    assert tables["public.organisations"].lazy is None
    whole = comments.materialized()
    assert whole.lazy is None and len(whole.columns["body"]) == comments.rows
    assert whole.columns["body"].equals(pa.concat_arrays([b["body"] for b in first]))


def test_generate_returns_whole_columns(example_conninfo):
    schema = _schema(example_conninfo)
    tables = generate(schema, plan(schema, SHAPE))
    assert all(t.lazy is None for t in tables)
    comments = next(t for t in tables if t.name == "public.comments")
    assert len(comments.columns["body"]) == comments.rows == 5_000


def test_sliced_seed_is_accepted_deterministic_and_slices_differ(template_for, new_db):
    template = template_for(EXAMPLE_SQL)
    a, b = new_db(template=template), new_db(template=template)
    schema = _schema(a)
    for conninfo in (a, b):
        summary = seed(conninfo, schema, SHAPE, progress=False, slice_rows=700, seed=3)
        assert summary.rows["public.comments"] == 5_000
    # the same rows in both databases (each slice has its own, fixed, random stream)
    for query in (
        "SELECT id, body, created_at, updated_at FROM comments ORDER BY id",
        "SELECT id, action, payload::text, ip_address::text, created_at FROM audit_log ORDER BY id",
    ):
        assert _digest(a, query) == _digest(b, query)
    with psycopg.connect(a) as conn:
        distinct = conn.execute(
            "SELECT count(DISTINCT created_at), count(*) FILTER (WHERE updated_at < created_at)"
            " FROM comments"
        ).fetchone()
        assert distinct[0] > 4_000  # not one slice's values repeated
        assert distinct[1] == 0  # the CHECK-free ordering holds in every slice


def test_corpus_schemas_seed_through_slices(template_for, new_db):
    for name in sorted(ALL_SCHEMAS):
        conninfo = new_db(template=template_for(ALL_SCHEMAS[name]))
        summary = seed(conninfo, _schema(conninfo), 2_000, progress=False, slice_rows=300)
        with psycopg.connect(conninfo) as conn:
            for table, rows in summary.rows.items():
                assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == rows
            assert not conn.execute(
                "SELECT conname FROM pg_constraint WHERE contype IN ('f', 'c') AND NOT convalidated"
            ).fetchall()


CYCLE = """
CREATE TABLE teams (id serial PRIMARY KEY, name text NOT NULL, captain_id integer);
CREATE TABLE players (
    id serial PRIMARY KEY,
    team_id integer NOT NULL REFERENCES teams,
    bio text NOT NULL,
    joined_at timestamptz NOT NULL
);
ALTER TABLE teams ADD FOREIGN KEY (captain_id) REFERENCES players;
"""


def test_a_cycles_late_foreign_key_is_sent_with_the_sliced_columns(db_holding):
    """The cycle is broken at teams.captain_id, filled once players exist: it must be COPYed."""
    conninfo = db_holding(CYCLE)
    schema = _schema(conninfo)
    seed_plan = plan(schema, 2_000)
    assert seed_plan.deferred  # the cycle was broken
    teams = next(
        t for t in generate_tables(schema, seed_plan, slice_rows=300) if t.name == "public.teams"
    )
    assert teams.lazy is not None and "captain_id" in teams.names
    seed(conninfo, schema, 2_000, progress=False, slice_rows=300, null_fraction=0.0)
    with psycopg.connect(conninfo) as conn:
        captains, names = conn.execute(
            "SELECT count(captain_id), count(DISTINCT name) FROM teams"
        ).fetchone()
    assert captains == 2_000  # NULL only where the shape asks (null_fraction 0)
    assert names > 300

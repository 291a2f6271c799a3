"""Property: any schema the strategy draws seeds, or a SeedError names what it cannot meet.

Hypothesis draws small schemas with random combinations of CHECKs (regex, ranges, IN
lists, cross-column orderings, ``num_nonnulls``), single, composite and partial
UNIQUEs, enums, domains, arrays, foreign keys (chains, self-references, a cycle,
composite), identity and generated columns. Each is loaded into a real database and
seeded; PostgreSQL is the judge (COPY with per-row CHECKs, rebuilt unique indexes,
re-validated foreign keys). Examples are few, to keep the suite within its budget.
"""

from __future__ import annotations

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.introspect import introspect
from workbench.loader import load_text
from workbench.seed import SeedError, seed

REGEXES = [
    r"^[a-z]{3,12}$",
    r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$",
    r"^[A-Z]{2}-[0-9]+$",
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
]
NAMES = ["code", "email", "ref", "slug"]


@st.composite
def schemas(draw: st.DrawFn) -> str:
    """DDL of 2-4 tables (t0 first), each column kind drawn independently."""
    tables = draw(st.integers(2, 4))
    ddl = [
        "CREATE TYPE mood AS ENUM ('low', 'mid', 'high');",
        "CREATE DOMAIN short_text AS varchar(12) CHECK (VALUE <> '');",
    ]
    late = []
    ids: list[str] = []  # key type of each table drawn so far
    for t in range(tables):
        cols: list[str] = []
        extra: list[str] = []
        key = draw(st.sampled_from(["serial", "identity", "uuid"]))
        cols.append(
            {
                "serial": "id serial PRIMARY KEY",
                "identity": "id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
                "uuid": "id uuid PRIMARY KEY DEFAULT gen_random_uuid()",
            }[key]
        )
        id_type = {"serial": "integer", "identity": "bigint", "uuid": "uuid"}[key]
        if t > 0:
            parent = draw(st.integers(0, t - 1))
            null = draw(st.sampled_from(["NOT NULL", ""]))
            cols.append(f"p_id {ids[parent]} {null} REFERENCES t{parent}")
        if draw(st.booleans()):
            which = draw(st.integers(0, len(REGEXES) - 1))
            name = NAMES[which]
            cols.append(f"{name} varchar(40) NOT NULL CHECK ({name} ~ '{REGEXES[which]}')")
            unique = draw(st.sampled_from(["none", "single", "composite", "partial"]))
            if unique == "single":
                extra.append(f"UNIQUE ({name})")
            elif unique == "composite" and t > 0:
                extra.append(f"UNIQUE (p_id, {name})")
            elif unique == "partial":
                cols.append("archived boolean NOT NULL DEFAULT false")
                late.append(
                    f"CREATE UNIQUE INDEX ON t{t} ({name}) WHERE NOT archived;"
                    if t == 0
                    else f"CREATE UNIQUE INDEX ON t{t} (p_id, {name}) WHERE NOT archived;"
                )
        if draw(st.booleans()):
            lo = draw(st.integers(-5, 50))
            cols.append(
                f"n integer NOT NULL CHECK (n BETWEEN {lo} AND {lo + draw(st.integers(0, 99))})"
            )
            if t > 0 and draw(st.booleans()):
                extra.append("UNIQUE (p_id, n)")
        if draw(st.booleans()):
            cols.append("kind text CHECK (kind IN ('a', 'b', 'c'))")
        if draw(st.booleans()):
            cols.append("m mood NOT NULL")
        if draw(st.booleans()):
            cols.append("label short_text")
        if draw(st.booleans()):
            cols.append(draw(st.sampled_from(["tags text[]", "scores integer[] NOT NULL"])))
        if draw(st.booleans()):
            cols.append("starts_at timestamptz NOT NULL")
            cols.append("ends_at timestamptz")
            extra.append("CHECK (ends_at > starts_at)")
        if draw(st.booleans()):
            cols.append("base integer NOT NULL CHECK (base >= 0)")
            cols.append("doubled integer GENERATED ALWAYS AS (base * 2) STORED")
        if draw(st.booleans()):
            cols.append("a_ref integer")
            cols.append("b_ref integer")
            extra.append("CHECK (num_nonnulls(a_ref, b_ref) = 1)")
        if draw(st.booleans()):
            cols.append(f"up_id {id_type} REFERENCES t{t}")  # a self-reference (a tree)
        ddl.append(f"CREATE TABLE t{t} (\n    " + ",\n    ".join(cols + extra) + "\n);")
        ids.append(id_type)
    if draw(st.booleans()):  # a cycle through a nullable foreign key
        ddl.append(f"ALTER TABLE t0 ADD COLUMN back_id {ids[-1]} REFERENCES t{tables - 1};")
    if draw(st.booleans()):  # a composite foreign key onto a composite unique
        ddl.append("ALTER TABLE t0 ADD COLUMN pair_a integer NOT NULL DEFAULT 0;")
        ddl.append("ALTER TABLE t0 ADD UNIQUE (id, pair_a);")
        ddl.append(
            f"ALTER TABLE t1 ADD COLUMN c_id {ids[0]}, ADD COLUMN c_a integer,"
            " ADD FOREIGN KEY (c_id, c_a) REFERENCES t0 (id, pair_a);"
        )
    return "\n".join(ddl + late)


def _check(server, ddl: str, rows: int) -> None:
    name = server.create_database()
    try:
        conninfo = server.conninfo(name)
        with psycopg.connect(conninfo) as conn:
            load_text(conn, ddl, path="property.sql")
            schema = introspect(conn)
        try:
            # small slices, so big tables' free columns are made slice by slice
            summary = seed(
                conninfo, schema, rows, progress=False, vacuum=False, slice_rows=max(rows // 7, 1)
            )
        except SeedError as exc:
            # beyond the generator is allowed, but it must say which constraint
            assert exc.constraint or exc.column, str(exc)
            return
        with psycopg.connect(conninfo) as conn:
            for table, count in summary.rows.items():
                assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == count
            fks = conn.execute(
                "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated"
            ).fetchone()[0]
            assert fks == 0
    finally:
        server.drop_database(name)


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(ddl=schemas(), rows=st.sampled_from([1, 1000]))
def test_random_schemas_seed_or_name_the_constraint(server, ddl, rows):
    _check(server, ddl, rows)


@pytest.mark.slow
@settings(
    max_examples=2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)
@given(ddl=schemas())
def test_random_schemas_at_100k_rows(server, ddl):
    _check(server, ddl, 100_000)

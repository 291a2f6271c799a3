"""Seed data: every schema seeds on the first try, deterministically, with realistic shape."""

from __future__ import annotations

import hashlib
import importlib
import uuid

import psycopg
import pyarrow as pa
import pytest

from tests.conftest import ALL_SCHEMAS, EXAMPLE_SQL
from workbench.introspect import introspect
from workbench.seed import SeedError, Sql, generate, plan, seed, seed_script
from workbench.seed.checks import Hints, add_hints, compile_check
from workbench.seed.load import load


def _schema(conninfo: str):
    with psycopg.connect(conninfo) as conn:
        return introspect(conn)


def _counts(conninfo: str, tables) -> dict[str, int]:
    with psycopg.connect(conninfo) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def _checksum(conninfo: str, table: str) -> str:
    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(f"SELECT t::text FROM {table} t ORDER BY 1").fetchall()
    return hashlib.sha256("\n".join(r[0] for r in rows).encode()).hexdigest()


def _fk_count(conninfo: str) -> int:
    with psycopg.connect(conninfo) as conn:
        return conn.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'f'").fetchone()[0]


@pytest.mark.parametrize("name", sorted(ALL_SCHEMAS))
def test_every_schema_seeds_on_the_first_try(name, template_for, new_db):
    conninfo = new_db(template=template_for(ALL_SCHEMAS[name]))
    schema = _schema(conninfo)
    fks_before = _fk_count(conninfo)
    summary = seed(conninfo, schema, 300, progress=False)
    assert _counts(conninfo, summary.rows) == summary.rows
    assert all(rows > 0 for rows in summary.rows.values())
    # foreign keys were re-added, which validated every row
    assert _fk_count(conninfo) == fks_before
    assert "<table" in summary._repr_html_()
    assert list(summary.to_frame()["rows"]) == list(summary.rows.values())


@pytest.mark.parametrize("name", sorted(ALL_SCHEMAS))
def test_load_leaves_the_catalog_as_it_found_it(name, template_for, new_db):
    """Keys, indexes and FKs are dropped for the COPY and rebuilt: the schema must not change."""
    conninfo = new_db(template=template_for(ALL_SCHEMAS[name]))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        # comments on what gets dropped and rebuilt must come back too
        for contype in ("p", "f"):
            table, con = conn.execute(
                "SELECT conrelid::regclass::text, quote_ident(conname) FROM pg_constraint"
                " WHERE contype = %s ORDER BY 1, 2 LIMIT 1",
                [contype],
            ).fetchone()
            conn.execute(f"COMMENT ON CONSTRAINT {con} ON {table} IS 'kept {contype}'")
        index = conn.execute(
            "SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
            " WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND NOT EXISTS"
            " (SELECT FROM pg_constraint WHERE conindid = i.indexrelid) ORDER BY 1 LIMIT 1"
        ).fetchone()[0]
        conn.execute(f"COMMENT ON INDEX {index} IS 'kept index'")
    before = _schema(conninfo)
    seed_plan = plan(before, 200)
    tables = generate(before, seed_plan)
    load(conninfo, seed_plan, tables, rebuild_indexes_from=0)
    assert _schema(conninfo) == before
    assert _counts(conninfo, [t.name for t in tables]) == {t.name: t.rows for t in tables}


def test_example_data_is_realistic(example_conninfo):
    schema = _schema(example_conninfo)
    shape = {
        "default": 200,
        "tables": {
            "users": 1000,
            "tasks": 5000,
            "projects": {"per": "organisations", "min": 1, "max": 4},
        },
    }
    seed(example_conninfo, schema, shape, progress=False, window=("2024-01-01", "2025-01-01"))
    with psycopg.connect(example_conninfo) as conn:
        q = lambda s: conn.execute(s).fetchone()  # noqa: E731
        assert q("SELECT count(*) FROM tasks WHERE updated_at < created_at")[0] == 0
        lo, hi = q("SELECT min(created_at), max(created_at) FROM users")
        assert lo.year == 2024 and hi.year == 2024
        # fan-out: every organisation has 1..4 projects
        assert q(
            "SELECT min(c), max(c) FROM (SELECT count(*) c FROM projects GROUP BY organisation_id) s"
        ) >= (1, 1)
        assert (
            q("SELECT max(c) FROM (SELECT count(*) c FROM projects GROUP BY organisation_id) s")[0]
            <= 4
        )
        # skew: the top 10% of assignees own more than 30% of assigned tasks
        top = q(
            "SELECT sum(c)::float / (SELECT count(assignee_id) FROM tasks) FROM ("
            " SELECT count(*) c FROM tasks WHERE assignee_id IS NOT NULL GROUP BY assignee_id ORDER BY 1 DESC LIMIT 100) s"
        )[0]
        assert top > 0.3
        # emails look like emails and are lower case
        assert q("SELECT count(*) FROM users WHERE email !~ '^[a-z0-9.]+@[a-z0-9.-]+$'")[0] == 0
        # index-only scans need the visibility map: VACUUM ran
        assert q("SELECT relallvisible > 0 FROM pg_class WHERE relname = 'tasks'")[0]
        # sequences/identity moved past the loaded ids
        conn.execute("INSERT INTO audit_log (action, entity_type) VALUES ('x.y', 'task')")


def test_junction_tables_get_the_rows_asked_for_and_say_when_pairs_run_out(template_for, new_db):
    """Skewed picks repeat popular pairs; repeated pairs are drawn again, not dropped."""
    template = template_for(EXAMPLE_SQL)
    conninfo = new_db(template=template)
    schema = _schema(conninfo)
    # 3,000 tasks x 60 tags: 180,000 possible pairs, 20,000 asked (skewed on both sides)
    shape = {"default": 60, "tables": {"tasks": 3000, "task_tags": 20_000, "memberships": 3000}}
    summary = seed(conninfo, schema, shape, progress=False)
    assert summary.rows["public.task_tags"] == 20_000
    assert summary.rows["public.memberships"] == 3000  # 60 organisations x 60 users
    assert "public.task_tags" not in summary.asked
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM task_tags").fetchone()[0] == 20_000
        # still skewed: the busiest tenth of the tags carry well over a tenth of the rows
        share = conn.execute(
            "SELECT sum(c)::float / 20000 FROM (SELECT count(*) c FROM task_tags"
            " GROUP BY tag_id ORDER BY 1 DESC LIMIT 6) s"
        ).fetchone()[0]
        assert share > 0.2
    # 10 tasks x 10 tags hold 100 pairs at most: all of them, and the summary says so
    conninfo = new_db(template=template)
    summary = seed(conninfo, schema, {"default": 10, "tables": {"task_tags": 500}}, progress=False)
    assert summary.rows["public.task_tags"] == 100
    assert summary.asked == {"public.task_tags": 500}
    assert "100  (asked 500)" in str(summary)


def test_same_seed_same_data_other_seed_other_data(template_for, new_db):
    template = template_for(EXAMPLE_SQL)
    a, b, c = new_db(template=template), new_db(template=template), new_db(template=template)
    schema = _schema(a)
    for conninfo, number in ((a, 7), (b, 7), (c, 8)):
        seed(conninfo, schema, 150, seed=number, progress=False)
    for table in ("users", "tasks", "task_tags"):
        assert _checksum(a, table) == _checksum(b, table)
        assert _checksum(a, table) != _checksum(c, table)


UNSATISFIABLE = """
CREATE TABLE codes (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL CONSTRAINT codes_md5_check CHECK (md5(code) LIKE '00%')
);
"""


def _md5_codes(rng, n):
    found, i = [], 0
    while len(found) < n:
        if hashlib.md5(str(i).encode()).hexdigest().startswith("00"):
            found.append(str(i))
        i += 1
    return found


def test_unsatisfiable_check_is_named_and_an_override_fixes_it(db_holding):
    conninfo = db_holding(UNSATISFIABLE)
    schema = _schema(conninfo)
    with pytest.raises(SeedError) as err:
        seed(conninfo, schema, 50, progress=False)
    text = str(err.value)
    assert "public.codes" in text and "codes_md5_check" in text and "columns=" in text
    summary = seed(conninfo, schema, 50, progress=False, columns={"codes.code": _md5_codes})
    assert summary.rows == {"public.codes": 50}


def test_sql_expression_override(example_conninfo):
    schema = _schema(example_conninfo)
    seed(example_conninfo, schema, 50, progress=False, columns={"tags.color": Sql("'#000000'")})
    with psycopg.connect(example_conninfo) as conn:
        assert conn.execute("SELECT array_agg(DISTINCT color) FROM tags").fetchone()[0] == [
            "#000000"
        ]
        # the column default is restored afterwards
        assert (
            "6b7280"
            in conn.execute(
                "SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 'tags'::regclass AND adnum = 4"
            ).fetchone()[0]
        )


CYCLE = """
CREATE TABLE departments (id int PRIMARY KEY, name text NOT NULL, head_id int);
CREATE TABLE employees (
    id int PRIMARY KEY, name text NOT NULL,
    department_id int NOT NULL REFERENCES departments (id),
    manager_id int REFERENCES employees (id),
    starts_at timestamptz NOT NULL, ends_at timestamptz,
    level int NOT NULL CHECK (level BETWEEN 1 AND 3),
    CHECK (ends_at > starts_at)
);
ALTER TABLE departments ADD FOREIGN KEY (head_id) REFERENCES employees (id);
"""


def test_cycles_self_references_and_dump_script_loads(db_holding, new_db):
    template = db_holding(CYCLE)
    template_name = psycopg.conninfo.conninfo_to_dict(template)["dbname"]
    conninfo = new_db(template=template_name)
    schema = _schema(conninfo)
    seed_plan = plan(schema, 100)
    assert seed_plan.deferred == {("public.departments", "departments_head_id_fkey")}
    seed(conninfo, schema, 100, progress=False)
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(head_id) FROM departments").fetchone()[0] > 0
        assert (
            conn.execute("SELECT count(*) FROM employees WHERE ends_at <= starts_at").fetchone()[0]
            == 0
        )
        script = seed_script(conn, schema)
    fresh = new_db(template=template_name)
    with psycopg.connect(fresh) as conn:
        conn.execute(script)
    assert _checksum(fresh, "employees") == _checksum(conninfo, "employees")
    assert _checksum(fresh, "departments") == _checksum(conninfo, "departments")


def test_example_dump_with_limit_loads_into_a_fresh_clone(template_for, new_db):
    template = template_for(EXAMPLE_SQL)
    conninfo = new_db(template=template)
    schema = _schema(conninfo)
    seed(conninfo, schema, 200, progress=False)
    with psycopg.connect(conninfo) as conn:
        script = seed_script(conn, schema, limit_per_table=100)
    assert 'INSERT INTO "public"."tasks"' in script
    fresh = new_db(template=template)
    with psycopg.connect(fresh) as conn:
        conn.execute(script)
        assert 0 < conn.execute("SELECT count(*) FROM tasks").fetchone()[0] <= 100


def test_check_hints_and_three_valued_evaluation():
    hints = Hints()
    add_hints(hints, "((priority >= 1) AND (priority <= 5))")
    add_hints(
        hints,
        "((role)::text = ANY ((ARRAY['owner'::character varying, 'admin'::character varying])::text[]))",
    )
    add_hints(hints, "(ends_on >= starts_on)")
    add_hints(hints, "((email)::text = lower((email)::text))")
    assert hints.low["priority"] == (1, True) and hints.high["priority"] == (5, True)
    assert hints.values["role"] == ("owner", "admin")
    assert hints.order == [("ends_on", "starts_on", False)]
    assert hints.case["email"] == "lower"
    evaluate, cols = compile_check("((accepted_at IS NULL) OR (revoked_at IS NULL))")
    assert cols == {"accepted_at", "revoked_at"}
    result = evaluate({"accepted_at": pa.array([1, None, 2]), "revoked_at": pa.array([1, 2, None])})
    assert result.to_pylist() == [False, True, True]
    evaluate, _ = compile_check("(estimate_hours > (0)::numeric)")
    assert evaluate({"estimate_hours": pa.array([1.5, 0.0, None])}).to_pylist() == [
        True,
        False,
        None,
    ]


def test_binary_copy_loads_the_same_rows_as_csv(new_db):
    """Every type the binary encoder knows, with NULLs, round-trips like the CSV path."""
    import datetime as dt
    import importlib

    binary_mod = importlib.import_module("workbench.seed.binary")
    load_mod = importlib.import_module("workbench.seed.load")
    csvformat = importlib.import_module("workbench.seed.csvformat")
    ddl = """
        CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
        CREATE DOMAIN short_text AS varchar(20) CHECK (VALUE <> '');
        CREATE TABLE t (
            i2 smallint, i4 integer, i8 bigint, b boolean, f4 real, f8 double precision,
            n numeric(8, 3), n0 numeric, u uuid, ub uuid, ts timestamptz, tsn timestamp, d date,
            tm time, txt text, vc short_text, bp char(3), e mood, j json, jb jsonb, ip inet
        )"""
    conninfo = new_db()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(ddl)
        conn.execute("CREATE TABLE t_csv (LIKE t)")
        types = binary_mod.column_types(conn, "t")
    ts = dt.datetime(2024, 2, 29, 13, 14, 15, tzinfo=dt.UTC)
    columns = {
        "i2": pa.array([-32768, 32767, None]),
        "i4": pa.array([-(2**31), 2**31 - 1, None]),
        "i8": pa.array([-(2**62), 7, None]),
        "b": pa.array([True, False, None]),
        "f4": pa.array([1.5, -0.25, None]),
        "f8": pa.array([1e-300, -123.456, None]),
        "n": pa.array([12345.678, -0.001, None]),
        "n0": pa.array([10**14, -5, None]),
        "u": pa.array(
            ["0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0ff", "00000000-0000-4000-8000-000000000001", None]
        ),
        # the generator's own form: 16 raw bytes (CSV writes them as text)
        "ub": pa.array(
            [uuid.UUID("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0ff").bytes, b"\x00" * 15 + b"\x01", None],
            pa.binary(16),
        ),
        "ts": pa.array(
            [ts, dt.datetime(1999, 12, 31, tzinfo=dt.UTC), None], pa.timestamp("us", tz="UTC")
        ),
        "tsn": pa.array(
            [ts, dt.datetime(2031, 1, 1, tzinfo=dt.UTC), None], pa.timestamp("us", tz="UTC")
        ),
        "d": pa.array([dt.date(1970, 1, 1), dt.date(2099, 12, 31), None]),
        "tm": pa.array([0, 86_399_999_999, None], pa.time64("us")),
        "txt": pa.array(['ünïcode, "quoted"', "", None]),
        "vc": pa.array(["short", "x" * 20, None]),
        "bp": pa.array(["ab", "abc", None]),
        "e": pa.array(["happy", "sad", None]),
        "j": pa.array(['{"a": [1, 2]}', "[]", None]),
        "jb": pa.array(['{"b": true, "a": 1}', "null", None]),
        "ip": pa.array(["10.0.0.1", "255.255.255.255", None]),
    }
    for name, fmt in (("public.t", "binary"), ("public.t_csv", "csv")):
        data = load_mod.TableData(name, dict(columns), 3)
        if fmt == "csv":
            with psycopg.connect(conninfo) as conn:
                payload = csvformat.csv_bytes(data)
                with conn.cursor().copy(
                    f"COPY t_csv ({', '.join(columns)}) FROM STDIN (FORMAT csv)"
                ) as copy:
                    copy.write(payload)
        else:
            assert load_mod.copy_table(conninfo, data) == "binary"
    assert _checksum(conninfo, "t") == _checksum(conninfo, "t_csv")
    with psycopg.connect(conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM t WHERE n = 12345.678").fetchone()[0] == 1
        assert conn.execute("SELECT count(*) FROM t WHERE ub = u").fetchone()[0] == 1
        assert conn.execute(
            "SELECT ub FROM t_csv WHERE ub::text LIKE '00000000-0000-0000-0000-%'"
        ).fetchone() == (uuid.UUID(int=1),)
    # a type without an encoder sends the table through CSV
    with pytest.raises(binary_mod.NoBinary):
        binary_mod.encoder("interval", -1)
    assert types["vc"] == ("varchar", 24) and types["e"] == ("enum", -1)


def test_seed_command_prints_summary_and_dump_loads_into_the_schema(
    tmp_path, capsys, template_for, new_db
):
    from workbench.cli import main

    dump = tmp_path / "seed.sql"
    assert (
        main(
            [
                "seed",
                "--sql",
                str(EXAMPLE_SQL),
                "--rows",
                "30",
                "--dump",
                str(dump),
                "--no-progress",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "tasks" in out and f"wrote {dump}" in out
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left
    with psycopg.connect(new_db(template=template_for(EXAMPLE_SQL))) as conn:
        from workbench.loader import load_text

        load_text(conn, dump.read_text(), path=str(dump))
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 30


def test_seed_command_reports_a_bad_shape_file(tmp_path, capsys):
    from workbench.cli import main

    shape = tmp_path / "shape.json"
    shape.write_text("{not json")
    assert main(["seed", "--sql", str(EXAMPLE_SQL), "--shape", str(shape), "--no-progress"]) == 2
    assert "workbench: error: --shape" in capsys.readouterr().err


def test_binary_encoding_does_not_depend_on_the_batch_size():
    """Batches are slices: every encoder must honour a slice's offset (uuids with NULLs did not)."""
    import importlib

    binary_mod = importlib.import_module("workbench.seed.binary")
    columns = {
        "u": pa.array(
            [uuid.UUID(int=i).bytes if i % 3 else None for i in range(10)], pa.binary(16)
        ),
        "t": pa.array([f"row {i}" if i % 4 else None for i in range(10)]),
        "n": pa.array([i if i % 5 else None for i in range(10)]),
    }
    types = {"u": ("uuid", -1), "t": ("text", -1), "n": ("int8", -1)}
    whole = b"".join(bytes(b) for b in binary_mod.encode(columns, types))
    for batch in (1, 3, 7):
        assert b"".join(bytes(b) for b in binary_mod.encode(columns, types, batch=batch)) == whole
    # and the uuid text the CSV path writes is PostgreSQL's form
    text = importlib.import_module("workbench.seed.uuids").uuid_text(columns["u"].slice(1, 3))
    assert text.to_pylist() == [str(uuid.UUID(int=1)), str(uuid.UUID(int=2)), None]


def test_vocabulary_pools_are_cached_on_disk_and_read_back_equal(tmp_path, monkeypatch):
    """A new process reads the Faker pools from the cache instead of drawing them again."""
    vocab = importlib.import_module("workbench.seed.vocab")
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    vocab._build.cache_clear()
    drawn = vocab.Pools.build(123)
    (cached,) = (tmp_path / "vocab").glob("pools-*-123.arrow")
    vocab._build.cache_clear()
    read = vocab.Pools.build(123)
    for name in vocab.Pools.__dataclass_fields__:
        assert getattr(read, name).equals(getattr(drawn, name)), name
    # a damaged cache file is drawn again and replaced, never an error
    cached.write_bytes(b"not arrow")
    vocab._build.cache_clear()
    assert vocab.Pools.build(123).words.equals(drawn.words)
    assert cached.read_bytes()[:6] == b"ARROW1"
    vocab._build.cache_clear()


def test_checks_compare_uuid_literals_with_the_generators_uuid_bytes():
    ids = pa.array([uuid.UUID(int=0).bytes, uuid.UUID(int=5).bytes, None], pa.binary(16))
    not_nil, _ = compile_check("(id <> '00000000-0000-0000-0000-000000000000'::uuid)")
    assert not_nil({"id": ids}).to_pylist() == [False, True, None]
    listed, _ = compile_check("(id = ANY (ARRAY['00000000-0000-0000-0000-000000000005'::uuid]))")
    assert listed({"id": ids}).to_pylist() == [False, True, None]


def test_negative_row_counts_are_a_seed_error_naming_the_shape():
    from workbench.seed.errors import SeedError
    from workbench.seed.shape import parse_shape

    with pytest.raises(SeedError, match="shape default: rows must be 0 or more, got -5"):
        parse_shape(-5)
    with pytest.raises(SeedError, match="'tasks': rows must be 0 or more"):
        parse_shape({"tables": {"tasks": {"rows": -1}}})
    assert parse_shape({"default": 0}).default_rows == 0

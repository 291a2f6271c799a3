"""Loading sql/: order, one transaction, precise errors, real-world files."""

from __future__ import annotations

import hashlib
import shutil

import psycopg
import pytest

import workbench
from workbench.errors import ExtensionUnavailable, LoadError
from workbench.loader import load_paths, load_text
from workbench.sqlsplit import split_sql

from .conftest import EXAMPLE_SQL


def _tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}


def test_error_names_file_line_column_with_caret(tmp_path, new_db):
    (tmp_path / "001_a.sql").write_text("CREATE TABLE a (id int PRIMARY KEY);\n")
    (tmp_path / "002_b.sql").write_text(
        "-- the second file\nCREATE TABLE b (\n    id int,\n    a_id int REFERENCES missing_table(id)\n);\n"
    )
    with psycopg.connect(new_db()) as conn:
        with pytest.raises(LoadError) as err:
            load_paths(conn, tmp_path)
        e = err.value
        assert e.path.endswith("002_b.sql") and (e.line, e.column) == (4, 25)
        assert e.sqlstate == "42P01" and 'relation "missing_table" does not exist' in e.message
        text = str(e)
        assert text.startswith(f"{e.path}:4:25: ERROR:")
        assert "    a_id int REFERENCES missing_table(id)\n" + " " * 4 + " " * 24 + "^" in text
        # one transaction: the first file's table is gone too
        assert _tables(conn) == set()


def test_syntax_error_position_and_hint(tmp_path, new_db):
    (tmp_path / "x.sql").write_text("SELECT 1;\nCREATE TABLE t (id int PRIMRY KEY);\n")
    with psycopg.connect(new_db()) as conn, pytest.raises(LoadError) as err:
        load_paths(conn, tmp_path / "x.sql")
    assert (err.value.line, err.value.column) == (2, 24)
    assert err.value.sqlstate == "42601"


def test_hint_and_detail_are_carried(new_db):
    sql = "CREATE TABLE t (id int);\nSELECT * FROM t WHERE id = now();\n"
    with psycopg.connect(new_db()) as conn, pytest.raises(LoadError) as err:
        load_text(conn, sql, path="sql/900_bad.sql")
    assert err.value.hint and "HINT:" in str(err.value)
    assert str(err.value).startswith("sql/900_bad.sql:2:")


def test_pg_dump_output_with_copy_blocks_loads(new_db):
    dump = (
        "SET statement_timeout = 0;\nSELECT pg_catalog.set_config('search_path', '', false);\n"
        "\\restrict abc123\n"
        "CREATE TABLE public.t (id integer, note text);\n"
        "CREATE FUNCTION public.f() RETURNS text LANGUAGE plpgsql AS $_$\nBEGIN RETURN 'a;b'; END;\n$_$;\n"
        "COPY public.t (id, note) FROM stdin;\n1\tsemi;colon\n2\t\\N\n\\.\n"
        "\\unrestrict abc123\n"
    )
    with psycopg.connect(new_db()) as conn:
        report = load_text(conn, dump, path="dump.sql")
        assert report.skipped_meta and report.statements == 5
        assert conn.execute("SELECT count(*), count(note) FROM public.t").fetchone() == (2, 1)
        assert conn.execute("SELECT public.f()").fetchone() == ("a;b",)


def test_splitter_keeps_function_bodies_and_atomic_blocks_whole():
    src = (
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
        "SELECT $$a;b$$; SELECT E'\\';'; /* c; /* nested; */ */ SELECT \"x;\";\n"
        "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);\n"
    )
    stmts = [s.text for s in split_sql(src)]
    assert stmts == [
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;",
        "SELECT $$a;b$$;",
        "SELECT E'\\';';",
        'SELECT "x;";',
        "CREATE RULE r AS ON INSERT TO t DO ALSO (SELECT 1; SELECT 2);",
    ]


def test_uuid_ossp_as_the_template_uses_it_loads_on_embedded(new_db):
    sql = (
        'CREATE EXTENSION IF NOT EXISTS "uuid-ossp";\n'
        "CREATE TABLE t (id UUID PRIMARY KEY DEFAULT uuid_generate_v4(), n int);\n"
        "INSERT INTO t (n) VALUES (1), (2);\n"
    )
    with psycopg.connect(new_db()) as conn:
        load_text(conn, sql)
        ids = [r[0] for r in conn.execute("SELECT id FROM t")]
        assert len(set(ids)) == 2 and all(i.version == 4 for i in ids)
        v3 = conn.execute(
            "SELECT uuid_generate_v3(uuid_ns_url(), 'http://www.postgresql.org')"
        ).fetchone()[0]
        assert (
            str(v3) == "cf16fe52-3365-3a1f-8572-288d8d2aaa46"
        )  # what contrib uuid-ossp returns on PG 15


def test_missing_extension_names_backend_and_way_out(new_db):
    with psycopg.connect(new_db()) as conn, pytest.raises(ExtensionUnavailable) as err:
        load_text(conn, "CREATE EXTENSION postgis;", path="sql/001_ext.sql", backend="embedded")
    text = str(err.value)
    assert "embedded backend (PostgreSQL 18" in text
    assert "vector" in text and "WORKBENCH_BACKEND=system" in text


def test_failed_reload_keeps_previous_schema_and_never_writes_sql(tmp_path):
    sql = tmp_path / "sql"
    shutil.copytree(EXAMPLE_SQL, sql)

    def digest() -> str:
        return hashlib.sha256(
            b"".join(p.read_bytes() + p.name.encode() for p in sorted(sql.iterdir()))
        ).hexdigest()

    before = digest()
    with workbench.open(sql) as wb:
        template = wb.template
        (sql / "999_broken.sql").write_text(
            "CREATE TABLE broken (id int REFERENCES nowhere(id));\n"
        )
        before = digest()
        with pytest.raises(LoadError):
            wb._load()
        assert wb.template == template
        with wb.connect() as conn:
            assert "tasks" in _tables(conn) and "broken" not in _tables(conn)
    assert digest() == before
    assert sorted(p.name for p in sql.iterdir())[-1] == "999_broken.sql"


def test_cli_load_prints_summary_and_errors_in_editor_form(tmp_path, capsys):
    from workbench.cli import main

    assert main(["load", "--sql", str(EXAMPLE_SQL)]) == 0
    out = capsys.readouterr().out
    assert "PostgreSQL 18" in out and "embedded backend" in out
    assert "tables" in out and "foreign keys" in out
    bad = tmp_path / "001_bad.sql"
    bad.write_text("CREATE TABLE t (\n  id int,\n  x nosuchtype\n);\n")
    assert main(["load", "--sql", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f'{bad}:3:5: ERROR: type "nosuchtype" does not exist' in err


def test_pgcrypto_stand_in_is_exact_where_it_exists(server, new_db):
    import hmac as py_hmac

    if not getattr(server, "uuid_ossp_shim", False):
        pytest.skip("this server has the real contrib modules")
    with psycopg.connect(new_db()) as conn:
        load_text(conn, "CREATE EXTENSION pgcrypto;")
        for algo in ("md5", "sha224", "sha256", "sha384", "sha512"):
            got = conn.execute("SELECT digest('abc', %s)", (algo,)).fetchone()[0]
            assert bytes(got) == hashlib.new(algo, b"abc").digest()
            for key in (b"Jefe", b"k" * 200):  # short key, and one longer than the block
                got = conn.execute(
                    "SELECT hmac('what do ya want for nothing?'::bytea, %s, %s)", (key, algo)
                ).fetchone()[0]
                want = py_hmac.new(key, b"what do ya want for nothing?", algo).digest()
                assert bytes(got) == want
        a, b = conn.execute("SELECT gen_random_bytes(40), gen_random_bytes(40)").fetchone()
        assert len(a) == len(b) == 40 and a != b
        with pytest.raises(psycopg.errors.RaiseException) as err:
            conn.execute("SELECT crypt('pw', gen_salt('bf'))")
        assert "system backend" in (err.value.diag.message_hint or "")


def _system_or_skip():
    from workbench.errors import BinariesNotFound
    from workbench.server.binaries import system_binaries

    try:
        return system_binaries()
    except BinariesNotFound as exc:
        pytest.skip(f"no system PostgreSQL: {exc}")


@pytest.mark.system_pg
def test_missing_extension_names_the_backend_that_has_it(new_db):
    from workbench.loader import system_servers_with_extension

    _system_or_skip()
    if not system_servers_with_extension("hypopg"):
        pytest.skip("the system server has no hypopg either")
    with psycopg.connect(new_db()) as conn, pytest.raises(ExtensionUnavailable) as err:
        load_text(conn, "CREATE EXTENSION hypopg;", backend="embedded")
    assert "The system backend has it (PostgreSQL" in str(err.value)
    assert "backend='auto'" in str(err.value)


@pytest.mark.system_pg
def test_backend_auto_picks_the_system_server_for_its_extension(tmp_path):
    from workbench.loader import system_servers_with_extension
    from workbench.server import choose_backend

    _system_or_skip()
    if not system_servers_with_extension("hypopg"):
        pytest.skip("the system server has no hypopg either")
    (tmp_path / "1.sql").write_text("CREATE EXTENSION hypopg;\nCREATE TABLE t (id int);\n")
    with workbench.open(tmp_path, backend="auto", spare=False) as wb:
        assert wb.backend == "system"
    (tmp_path / "1.sql").write_text("CREATE EXTENSION pgcrypto;\nCREATE TABLE t (id int);\n")
    with workbench.open(tmp_path, backend="auto", spare=False) as wb:
        # the embedded server's SQL stand-in serves, so auto keeps the usual backend
        assert wb.backend == ("embedded" if choose_backend() == "external" else choose_backend())

r"""psql scripts: \i / \ir, \set and interpolation, \if, \echo, \connect, \copy, errors in includes."""

from __future__ import annotations

import psycopg
import pytest

import workbench
from workbench.errors import LoadError
from workbench.loader import load_paths
from workbench.sources import expand, resolve
from workbench.sources.psql import expand_text, interpolate


def _write(root, files: dict[str, str]):
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


def _load(tmp_path, new_db, script="install.sql"):
    with psycopg.connect(new_db()) as conn:
        report = load_paths(conn, tmp_path / script, disposable=True)
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT schemaname || '.' || tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        }
    return report, tables


def test_include_relative_resolves_against_the_including_file(tmp_path, new_db, monkeypatch):
    _write(tmp_path, {
        "install.sql": "\\ir schema/tables.sql\n\\include_relative schema/views.sql\n",
        "schema/tables.sql": "\\ir parts/a.sql\nCREATE TABLE b (a_id int REFERENCES a);\n",
        "schema/parts/a.sql": "CREATE TABLE a (id int PRIMARY KEY);\n",
        "schema/views.sql": "CREATE VIEW v AS SELECT * FROM b;\n",
    })  # fmt: skip
    monkeypatch.chdir(tmp_path.parent)  # \ir does not depend on the working directory
    report, tables = _load(tmp_path, new_db)
    assert tables == {"public.a", "public.b"}
    assert [f.rsplit("/", 1)[-1] for f in report.files] == [
        "install.sql", "tables.sql", "a.sql", "views.sql",
    ]  # fmt: skip


def test_include_resolves_against_the_working_directory(tmp_path, new_db, monkeypatch):
    _write(tmp_path, {
        "install.sql": "\\i sub/one.sql\n",
        "sub/one.sql": "\\i sub/two.sql\n",  # psql: relative to the cwd, not to one.sql
        "sub/two.sql": "CREATE TABLE two (id int);\n",
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    _, tables = _load(tmp_path, new_db)
    assert tables == {"public.two"}


def test_set_and_the_three_interpolations(tmp_path, new_db):
    _write(tmp_path, {"install.sql": (
        "\\set schema app\n"
        "\\set owner_note 'it''s ours'\n"
        "\\set tbl Mixed Case\n"  # words are concatenated: MixedCase
        "CREATE SCHEMA :schema;\n"
        "CREATE TABLE :schema.:\"tbl\" (id int, note text DEFAULT :'owner_note', t text DEFAULT ':schema');\n"
        "SELECT 1::int;\n"
        "\\unset schema\n"
        "SELECT ':schema' AS untouched;\n"
    )})  # fmt: skip
    _, tables = _load(tmp_path, new_db)
    assert tables == {"app.MixedCase"}


def test_interpolation_skips_quotes_comments_and_casts():
    text, segs = interpolate("SELECT :a, ':a', \":a\", 1::a -- :a\n, :'a', $$:a$$", 0, {"a": "x"})
    assert text == "SELECT x, ':a', \":a\", 1::a -- :a\n, 'x', $$:a$$"
    assert segs


def test_if_elif_else_endif_on_variables(tmp_path, new_db):
    _write(tmp_path, {"install.sql": (
        "\\set with_audit true\n\\set flavour b\n"
        "\\if :with_audit\n  CREATE TABLE audit (id int);\n"
        "  \\if :{?missing}\n    CREATE TABLE never1 (id int);\n  \\endif\n"
        "\\else\n  CREATE TABLE never2 (id int);\n\\endif\n"
        "\\if off\n  \\i does/not/exist.sql\n"  # inactive branches run nothing, not even \i
        "\\elif :{?flavour}\n  CREATE TABLE flavoured (id int);\n"
        "\\else\n  CREATE TABLE never3 (id int);\n\\endif\n"
    )})  # fmt: skip
    _, tables = _load(tmp_path, new_db)
    assert tables == {"public.audit", "public.flavoured"}


def test_if_with_a_bad_value_and_unbalanced_if_are_located(tmp_path):
    _write(
        tmp_path, {"a.sql": "SELECT 1;\n\\if maybe\n\\endif\n", "b.sql": "\\if true\nSELECT 1;\n"}
    )
    with pytest.raises(LoadError) as err:
        expand(resolve(tmp_path / "a.sql"))
    assert err.value.line == 2 and "Boolean expected" in err.value.message
    with pytest.raises(LoadError, match="no \\\\endif"):
        expand(resolve(tmp_path / "b.sql"))


def test_echo_pset_on_error_stop_recorded_not_failed(tmp_path, new_db):
    _write(tmp_path, {"install.sql": (
        "\\set ON_ERROR_STOP on\n\\pset pager off\n\\timing on\n\\set v 3\n"
        "\\echo installing version :v\n\\qecho done\n\\unset ON_ERROR_STOP\n"
        "CREATE TABLE t (id int);\n"
    )})  # fmt: skip
    report, tables = _load(tmp_path, new_db)
    assert tables == {"public.t"}
    assert report.echo == ("installing version 3", "done")
    assert any("ON_ERROR_STOP" in s for s in report.skipped_meta)
    assert any("\\pset" in s for s in report.skipped_meta)
    assert any("\\unset ON_ERROR_STOP ignored" in n for n in report.notes)


def test_create_database_and_connect_build_into_the_loads_database(tmp_path, server):
    _write(tmp_path, {"install.sql": (
        "\\c postgres\nDROP DATABASE IF EXISTS shop;\nCREATE DATABASE shop;\n"
        "\\connect shop\nCREATE TABLE orders (id int);\n"
    )})  # fmt: skip
    with workbench.open(tmp_path / "install.sql", server=server) as wb:
        assert [t.name for t in wb.schema.tables] == ["orders"]
        notes = " ".join(wb.load_report.notes)
        assert "shop is the database being built" in notes
    assert "shop" not in server.databases


def test_connect_to_another_database_is_a_clear_error(tmp_path):
    _write(tmp_path, {"install.sql": "CREATE TABLE a (id int);\n\\c other_db\nCREATE TABLE b (id int);\n"})  # fmt: skip
    with pytest.raises(LoadError) as err:
        expand(resolve(tmp_path / "install.sql"))
    assert err.value.line == 3 and "'other_db'" in err.value.message


def test_copy_from_a_file_relative_to_the_script(tmp_path, new_db, monkeypatch):
    _write(tmp_path, {
        "db/install.sql": "CREATE TABLE c (id int, name text);\n\\copy c (id, name) from 'data/c.csv' with (format csv, header)\n",
        "db/data/c.csv": "id,name\n1,one\n2,\"two, too\"\n",
    })  # fmt: skip
    monkeypatch.chdir(tmp_path.parent)
    with psycopg.connect(new_db()) as conn:
        load_paths(conn, tmp_path / "db" / "install.sql")
        assert conn.execute("SELECT name FROM c ORDER BY id").fetchall() == [
            ("one",),
            ("two, too",),
        ]


def test_error_in_an_included_file_names_file_line_column_and_chain(tmp_path, new_db):
    _write(tmp_path, {
        "install.sql": "-- installer\n\\ir schema/all.sql\n",
        "schema/all.sql": "\\set t items\n\\ir tables.sql\n",
        "schema/tables.sql": "CREATE TABLE ok (id int);\n\nCREATE TABLE :t (\n  id int,\n  x nosuchtype\n);\n",
    })  # fmt: skip
    with psycopg.connect(new_db()) as conn, pytest.raises(LoadError) as err:
        load_paths(conn, tmp_path / "install.sql")
    e = err.value
    assert e.path.endswith("schema/tables.sql") and (e.line, e.column) == (5, 5)
    assert [c.rsplit("/", 1)[-1] for c in e.included_from] == ["install.sql:2", "all.sql:2"]
    text = str(e)
    assert "included from" in text.splitlines()[1] and "all.sql:2" in text.splitlines()[1]
    assert "  x nosuchtype" in text


def test_error_position_after_an_interpolated_value_maps_back(new_db):
    src = "\\set tbl a_rather_long_table_name\nCREATE TABLE :tbl (id int, y nosuchtype);\n"
    script = expand_text(src, "x.sql")
    with psycopg.connect(new_db()) as conn, pytest.raises(LoadError) as err:
        from workbench.loader import load_script

        load_script(conn, script)
    assert (err.value.line, err.value.column) == (2, 30)


def test_unsupported_meta_command_says_what_is_supported(tmp_path):
    _write(tmp_path, {"a.sql": "SELECT 1;\n\\gexec\n"})
    with pytest.raises(LoadError) as err:
        expand(resolve(tmp_path / "a.sql"))
    assert err.value.line == 2 and "\\ir" in (err.value.hint or "")


def test_include_cycle_and_missing_file(tmp_path):
    _write(
        tmp_path, {"a.sql": "\\ir b.sql\n", "b.sql": "\\ir a.sql\n", "c.sql": "\n\\ir nope.sql\n"}
    )
    with pytest.raises(LoadError, match="includes itself"):
        expand(resolve(tmp_path / "a.sql"))
    with pytest.raises(LoadError) as err:
        expand(resolve(tmp_path / "c.sql"))
    assert err.value.line == 2 and "No such file" in err.value.message


def test_include_and_quit(tmp_path, monkeypatch):
    _write(tmp_path, {
        "main.sql": "\\include part.sql\nCREATE TABLE after_include (id int);\n\\q\nCREATE TABLE never (id int);\n",
        "part.sql": "CREATE TABLE part (id int);\n",
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    script = expand(resolve(tmp_path / "main.sql"))
    assert [i.text.split()[2] for i in script.items] == ["part", "after_include"]
    assert any("\\q" in n for n in script.notes)

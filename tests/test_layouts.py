"""Input layouts: each migration tool's project (tests/layouts/<tool>) loads in the tool's order.

The fixtures were written from each tool's documented conventions; each is built so
that the wrong order fails (a later file references an earlier one) or leaves a
visible trace (a down section that drops a table, an undo script, a seed file).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import psycopg
import pytest

import workbench
from workbench.errors import LoadError, WorkbenchError
from workbench.loader import load_paths
from workbench.sources import natural_key, project_config, resolve

LAYOUTS = Path(__file__).resolve().parent / "layouts"


def _open(path, server, **kw):
    return workbench.open(path, server=server, **kw)


def _tables(wb) -> set[str]:
    return {t.name if t.schema == "public" else f"{t.schema}.{t.name}" for t in wb.schema.tables}


def test_natural_order_puts_10_after_9():
    names = ["10_tasks.sql", "9_tags.sql", "1_a.sql", "2_b.sql", "V1.10", "V1.9"]
    assert sorted(names, key=natural_key) == [
        "1_a.sql", "2_b.sql", "9_tags.sql", "10_tasks.sql", "V1.9", "V1.10",
    ]  # fmt: skip


def test_plain_folder_natural_order_and_ignored_files_named(server):
    with _open(LAYOUTS / "plain", server) as wb:
        assert wb.load_report.layout == "plain"
        assert [Path(f).name for f in wb.load_report.files] == [
            "1_accounts.sql", "2_projects.sql", "9_tags.sql", "10_tasks.sql",
        ]  # fmt: skip
        assert _tables(wb) == {"accounts", "projects", "tags", "tasks"}
        note = " ".join(wb.load_report.notes)
        assert "ignored 2 file(s)" in note and "constraints.ri" in note
        assert "extra.sql.postgres" in note


def test_odd_suffix_loads_when_named_explicitly(server):
    with _open(
        [LAYOUTS / "plain" / "1_accounts.sql", LAYOUTS / "plain" / "constraints.ri"], server
    ) as wb:
        assert _tables(wb) == {"accounts", "not_loaded_ri"}


def test_flyway_versions_then_repeatables_and_undo_skipped(server):
    plan = resolve(LAYOUTS / "flyway")
    assert plan.layout == "flyway"
    assert [Path(f).name for f in plan.files] == [
        "V1__create_accounts.sql", "V1.1__account_names.sql", "V2__projects.sql",
        "V2_1__project_titles.sql", "V10__tasks.sql", "R__open_tasks_view.sql",
    ]  # fmt: skip
    with _open(LAYOUTS / "flyway", server) as wb:
        assert _tables(wb) == {"accounts", "projects", "tasks"}
        assert [v.name for v in wb.schema.views] == ["open_tasks"]
        accounts = next(t for t in wb.schema.tables if t.name == "accounts")
        assert [c.name for c in accounts.columns] == ["id", "email", "name"]
        assert any("1 undo script(s)" in n for n in wb.load_report.notes)


def test_flyway_duplicate_version_is_refused(tmp_path):
    (tmp_path / "V1__a.sql").write_text("SELECT 1;")
    (tmp_path / "V1.0__b.sql").write_text("SELECT 1;")
    with pytest.raises(WorkbenchError, match="same version"):
        resolve(tmp_path)


def test_golang_migrate_ups_in_version_order_downs_kept(server):
    plan = resolve(LAYOUTS / "migrate")
    assert plan.layout == "migrate"
    assert [Path(f).name for f in plan.files] == [
        "1_accounts.up.sql", "2_projects.up.sql", "10_tasks.up.sql",
    ]  # fmt: skip
    assert sorted(p.name for p in plan.kept) == [
        "10_tasks.down.sql", "1_accounts.down.sql", "2_projects.down.sql",
    ]  # fmt: skip
    with _open(LAYOUTS / "migrate", server) as wb:
        assert _tables(wb) == {"accounts", "projects", "tasks"}


def test_dbmate_up_sections_only_with_true_line_numbers(server, tmp_path):
    with _open(LAYOUTS / "dbmate", server) as wb:
        assert wb.load_report.layout == "dbmate"
        assert _tables(wb) == {"accounts", "projects", "tasks"}  # no down section ran
        # CREATE INDEX CONCURRENTLY (dbmate's transaction:false) loads; the summary says how
        assert "fresh database, dropped on failure" in wb.load_report.atomicity
        assert "tasks_project_id_idx" in {i.name for t in wb.schema.tables for i in t.indexes}
    bad = tmp_path / "db" / "migrations"
    bad.mkdir(parents=True)
    (bad / "20240101_a.sql").write_text(
        "-- migrate:up\nCREATE TABLE a (\n  id int,\n  b nosuchtype\n);\n-- migrate:down\nDROP TABLE a;\n"
    )
    with pytest.raises(LoadError) as err:
        _open(tmp_path, server)
    assert (err.value.line, err.value.column) == (4, 5)


def test_prisma_migration_folders_in_order(server):
    with _open(LAYOUTS / "prisma", server) as wb:
        assert wb.load_report.layout == "prisma"
        assert _tables(wb) == {"Account", "Project", "Task"}
        assert [e.name for e in wb.schema.enums] == ["Status"]
        assert len(wb.schema.foreign_keys) == 2


def test_sqitch_plan_order_reworked_change_and_own_transactions(server):
    plan = resolve(LAYOUTS / "sqitch")
    assert plan.layout == "sqitch"
    assert [Path(f).name for f in plan.files] == [
        "appschema.sql", "accounts.sql", "insert_account@v1.0.sql", "projects.sql",
        "insert_account.sql",
    ]  # fmt: skip
    with _open(LAYOUTS / "sqitch", server) as wb:
        assert _tables(wb) == {"flipr.accounts", "flipr.projects"}
        assert "fresh database" in wb.load_report.atomicity
        with wb.connect() as conn:
            src = conn.execute("SELECT prosrc FROM pg_proc WHERE proname = 'insert_account'")
            assert "lower($1)" in src.fetchone()[0]  # the reworked version ran last


def test_supabase_migrations_and_seed_not_loaded(server):
    with _open(LAYOUTS / "supabase", server) as wb:
        assert wb.load_report.layout == "supabase"
        assert _tables(wb) == {"profiles", "posts"}
        assert any("seed.sql is data" in n for n in wb.load_report.notes)
        with wb.connect() as conn:
            assert conn.execute("SELECT count(*) FROM profiles").fetchone() == (0,)


def test_rails_structure_sql_with_pgcrypto_on_embedded(server):
    with _open(LAYOUTS / "rails", server) as wb:
        assert wb.load_report.layout == "rails"
        assert _tables(wb) == {"ar_internal_metadata", "schema_migrations", "users"}
        with wb.connect() as conn:
            assert conn.execute("SELECT count(*) FROM schema_migrations").fetchone() == (2,)


def test_pg_dump_file_detected(server):
    with _open(LAYOUTS / "pg_dump" / "schema.sql", server) as wb:
        assert wb.load_report.layout == "pg_dump"
        assert _tables(wb) == {"accounts", "tasks"}
        assert [e.name for e in wb.schema.enums] == ["status"]


def test_explicit_layout_beats_detection(server, tmp_path):
    # a dbmate-style file read as a plain folder runs its down section too
    d = tmp_path / "m"
    d.mkdir()
    (d / "1_a.sql").write_text(
        "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n"
    )
    assert resolve(d).layout == "dbmate"
    with _open(d, server, layout="plain") as wb:
        assert wb.load_report.layout == "plain" and _tables(wb) == set()
    with pytest.raises(WorkbenchError, match="unknown layout"):
        resolve(d, "liquibase")


def test_project_file_names_sources_layout_and_server_settings(tmp_path, monkeypatch, capsys):
    from workbench.cli import main

    shutil.copytree(LAYOUTS / "migrate" / "migrations", tmp_path / "schema")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.workbench]\nsources = ["schema"]\nlayout = "migrate"\n\n'
        "[tool.workbench.server]\nwork_mem = '7MB'\n"
    )
    cfg = project_config(tmp_path)
    assert cfg.layout == "migrate" and cfg.server == {"work_mem": "7MB"}
    monkeypatch.chdir(tmp_path)
    assert main(["load", "--set", "maintenance_work_mem=33MB"]) == 0
    out = capsys.readouterr().out
    assert "layout: migrate" in out and "3 up migration(s)" in out
    with workbench.open(
        "schema", settings={**cfg.server, "maintenance_work_mem": "33MB"}, spare=False
    ) as wb, wb.connect() as conn:  # fmt: skip
        assert conn.execute("SHOW work_mem").fetchone() == ("7MB",)
        assert conn.execute("SHOW maintenance_work_mem").fetchone() == ("33MB",)
    assert main(["load", "--set", "oops"]) == 2
    assert "--set expects NAME=VALUE" in capsys.readouterr().err


def test_kept_connection_folds_file_transactions_and_refuses_concurrently(new_db):
    # a connection the caller keeps: one transaction; the files' BEGIN/COMMIT become savepoints
    with psycopg.connect(new_db()) as conn:
        report = load_paths(conn, LAYOUTS / "sqitch")
        assert report.layout == "sqitch" and report.atomicity == "one transaction"
        assert conn.execute("SELECT count(*) FROM flipr.accounts").fetchone() == (0,)
    with psycopg.connect(new_db()) as conn:
        from workbench.loader import load_text

        load_text(
            conn, "BEGIN;\nCREATE TABLE x (id int);\nROLLBACK;\nCREATE TABLE y (id int);\nCOMMIT;\n"
        )
        assert conn.execute("SELECT to_regclass('x'), to_regclass('y')").fetchone() == (None, "y")
    with psycopg.connect(new_db()) as conn, pytest.raises(LoadError) as err:
        load_paths(conn, LAYOUTS / "dbmate")
    assert err.value.path.endswith("20240103000000_tasks.sql") and err.value.line == 3
    assert "disposable=True" in (err.value.hint or "")
    with psycopg.connect(new_db()) as conn:
        report = load_paths(conn, LAYOUTS / "dbmate", disposable=True)
        assert "fresh database" in report.atomicity and not conn.autocommit


def test_failed_load_with_own_transactions_leaves_no_database(server, tmp_path):
    (tmp_path / "1_a.sql").write_text("BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n")
    (tmp_path / "2_b.sql").write_text("CREATE INDEX CONCURRENTLY ON a (nope);\n")
    before = set(server.databases)
    with pytest.raises(LoadError) as err:
        _open(tmp_path, server)
    assert err.value.path.endswith("2_b.sql") and err.value.sqlstate == "42703"
    assert set(server.databases) == before  # the half-built database was dropped


def test_alter_type_add_value_then_use_it(server, tmp_path):
    (tmp_path / "1.sql").write_text(
        "CREATE TYPE s AS ENUM ('a');\nALTER TYPE s ADD VALUE 'b';\n"
        "CREATE TABLE t (x s DEFAULT 'b');\n"
    )
    with _open(tmp_path, server) as wb:
        assert [e.values for e in wb.schema.enums] == [("a", "b")]


def test_lock_estimate_covers_what_a_one_transaction_load_holds(tmp_path, new_db):
    from tests.large_schema import generate
    from workbench.sources import expand
    from workbench.sources.locks import estimate_locks

    script = expand(resolve(generate(tmp_path / "s", tables=12)))
    with psycopg.connect(new_db()) as conn, conn.transaction():
        for item in script.items:
            conn.execute(item.text.encode(), prepare=False)
        held = conn.execute("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid()")
        held = held.fetchone()[0]
    estimate = estimate_locks(i.text for i in script.items)
    assert held <= estimate <= 1.5 * held


@pytest.mark.slow
def test_large_partitioned_schema_loads_with_default_settings(tmp_path):
    from tests.large_schema import generate

    folder = generate(tmp_path / "big", tables=1500, partitions=3, indexes=4)
    with workbench.open(folder, spare=False) as wb:
        summary = wb.summary()
        assert summary["statements"] == 1500 * 8
        with wb.connect() as conn:
            n = conn.execute(
                "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
            ).fetchone()[0]
        assert n >= 1500 * (4 + 20)  # 4 tables and 20 indexes per partitioned table


@pytest.mark.slow
def test_one_transaction_load_gets_a_lock_table_sized_for_it(tmp_path):
    from tests.large_schema import generate
    from workbench.session import lock_settings
    from workbench.sources import expand

    folder = generate(tmp_path / "mid", tables=200)
    assert lock_settings(expand(resolve(folder))) == {"max_locks_per_transaction": "192"}
    with workbench.open(folder, one_transaction=True, spare=False) as wb:
        assert wb.load_report.atomicity == "one transaction"
        with wb.connect() as conn:
            assert conn.execute("SHOW max_locks_per_transaction").fetchone() == ("192",)
    # too small a lock table fails, and the error says how to pass a setting
    with pytest.raises(LoadError) as err:
        workbench.open(
            folder, one_transaction=True, settings={"max_locks_per_transaction": "10"}, spare=False
        )
    assert err.value.sqlstate == "53200" and "--set max_locks_per_transaction" in err.value.hint


def test_cli_names_the_layout_and_takes_layout_option(capsys, tmp_path, monkeypatch):
    from workbench.cli import main

    assert main(["load", "--sql", str(LAYOUTS / "flyway")]) == 0
    out = capsys.readouterr().out
    assert "layout: flyway" in out and "all or nothing: one transaction" in out
    assert "note: 1 undo script(s) (U__) not applied" in out
    assert main(["load", "--sql", str(LAYOUTS / "plain"), "--layout", "flyway"]) == 2
    assert "holds no Flyway migrations" in capsys.readouterr().err
    # no sql/ here: the working directory itself is detected (a Prisma project root)
    shutil.copytree(LAYOUTS / "prisma", tmp_path / "app")
    monkeypatch.chdir(tmp_path / "app")
    assert main(["load"]) == 0
    assert "layout: prisma" in capsys.readouterr().out


def test_add_value_in_one_transaction_runs_and_using_it_says_how(new_db):
    from workbench.loader import load_text

    with psycopg.connect(new_db()) as conn:
        load_text(conn, "CREATE TYPE s AS ENUM ('a');\nALTER TYPE s ADD VALUE 'b';\n")
        with pytest.raises(LoadError) as err:  # the type exists from before: value unusable
            load_text(conn, "ALTER TYPE s ADD VALUE 'c';\nSELECT 'c'::s;\n")
    assert err.value.sqlstate == "55P04" and "disposable=True" in err.value.hint

"""The generated Alembic project builds the schema from nothing and takes it away again.

``alembic upgrade head`` on an empty database must give a database whose model
equals the source model; ``alembic downgrade base`` must leave no user object
behind (Alembic's own ``alembic_version`` bookkeeping table aside). Run on the
example and on every corpus schema (pagila brings domains, standalone sequences,
a partitioned table, functions returning table rows and a pgvector column).
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.config import Config

import workbench
from tests.conftest import ALL_KINDS_SQL, ALL_SCHEMAS, EXAMPLE_SQL
from workbench.export.alembic import REVISION, REVISION_FILE, AlembicExportError, render_alembic
from workbench.introspect import introspect
from workbench.model import Schema


@pytest.fixture(scope="module")
def example_wb(server):
    with workbench.open(EXAMPLE_SQL, server=server) as wb:
        yield wb


@pytest.fixture(scope="module")
def project_dir(example_wb, tmp_path_factory) -> Path:
    with example_wb.new_database(empty=True) as empty:
        project = render_alembic(example_wb.url, empty.url, example_wb.schema)
    return project.write(tmp_path_factory.mktemp("alembic") / "migrations")


def _config(project_dir: Path, url: str) -> Config:
    cfg = Config(str(project_dir / "alembic.ini"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _without_alembic_table(schema: Schema) -> Schema:
    return dataclasses.replace(
        schema, tables=tuple(t for t in schema.tables if t.name != "alembic_version")
    )


def test_project_layout(project_dir: Path) -> None:
    for rel in ("alembic.ini", "env.py", "script.py.mako", REVISION_FILE):
        assert (project_dir / rel).is_file(), rel
    revision = (project_dir / REVISION_FILE).read_text()
    assert "op.create_table('tasks'" in revision  # autogenerate output, not a hand template
    assert "CREATE TYPE public.task_status" in revision
    assert "CREATE POLICY tenant_isolation ON public.projects" in revision
    compile(revision, REVISION_FILE, "exec")


UPGRADED = {**ALL_SCHEMAS, "all_kinds": ALL_KINDS_SQL}
@pytest.mark.parametrize("name", sorted(UPGRADED))
def test_upgrade_gives_the_source_model_and_downgrade_empties(
    server, tmp_path: Path, name: str
) -> None:
    from workbench.diff import diff

    with workbench.open(UPGRADED[name], server=server) as wb:
        with wb.new_database(empty=True) as empty:
            project = render_alembic(wb.url, empty.url, wb.schema)
        project_dir = project.write(tmp_path / "migrations")
        with wb.new_database(empty=True) as db:
            cfg = _config(project_dir, db.url)
            command.upgrade(cfg, "head")
            with db.connect() as conn:
                built = _without_alembic_table(introspect(conn))
            assert built == wb.schema, str(diff(wb.schema, built))

            command.downgrade(cfg, "base")
            with db.connect() as conn:
                left = _without_alembic_table(introspect(conn))
            assert left == Schema(namespaces=left.namespaces), left


def test_pagila_objects_alembic_cannot_express_go_through_op_execute(server) -> None:
    pagila = ALL_SCHEMAS["pagila"]  # conftest fails loudly when the corpus is missing
    with workbench.open(pagila, server=server) as wb, wb.new_database(empty=True) as empty:
        revision = render_alembic(wb.url, empty.url, wb.schema).files[REVISION_FILE]
    assert "CREATE DOMAIN public.year AS integer" in revision
    assert "CREATE SEQUENCE public.actor_actor_id_seq" in revision
    assert "PARTITION BY RANGE (payment_date)" in revision
    assert "PARTITION OF public.payment" in revision
    assert "op.create_table('payment'" not in revision  # not left to autogenerate
    assert "RawType('vector(" in revision and "class RawType" in revision
    assert revision.index("op.create_table('customer'") < revision.index(
        "FUNCTION public.rewards_report"
    )  # RETURNS SETOF customer: after the tables


def test_env_reads_url_from_environment(example_wb, project_dir: Path, monkeypatch) -> None:
    with example_wb.new_database(empty=True) as db:
        monkeypatch.setenv("WORKBENCH_DATABASE_URL", db.url)
        command.upgrade(Config(str(project_dir / "alembic.ini")), "head")
        with psycopg.connect(db.conninfo) as conn:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        assert row == ("0001",)


def test_comparison_database_must_be_empty(example_wb) -> None:
    with (
        example_wb.new_database() as not_empty,
        pytest.raises(AlembicExportError, match="not empty"),
    ):
        render_alembic(example_wb.url, not_empty.url, example_wb.schema)


#: issue 22's reproduction: a non-public schema, a foreign-key cycle, a DESC expression key.
REAL_WORLD_SQL = """
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'application tables';
CREATE TABLE app.a (id int PRIMARY KEY, b_id int, name text);
CREATE TABLE app.b (id int PRIMARY KEY, a_id int REFERENCES app.a DEFERRABLE INITIALLY DEFERRED);
ALTER TABLE app.a ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id) REFERENCES app.b ON DELETE SET NULL;
CREATE INDEX a_lower_name ON app.a (lower(name) DESC, id);
CREATE TABLE public.p (id int PRIMARY KEY, a_id int REFERENCES app.a, note text);
CREATE INDEX p_note ON public.p (upper(note) NULLS FIRST);
"""


def test_schemas_cycles_desc_keys_and_search_path_round_trip(server, tmp_path: Path) -> None:
    import sqlalchemy as sa

    from workbench.diff import diff

    sql = tmp_path / "schema.sql"
    sql.write_text(REAL_WORLD_SQL)
    with workbench.open(sql, server=server) as wb:
        # A database search_path other than public must not confuse reflection.
        with wb.connect(autocommit=True) as conn:
            db_name = sa.make_url(wb.url).database
            conn.execute(f'ALTER DATABASE "{db_name}" SET search_path = app, public')
        with wb.new_database(empty=True) as empty:
            project = render_alembic(wb.url, empty.url, wb.schema)
        revision = project.files[REVISION_FILE]
        # the schema exists before any table is created in it
        assert revision.index("CREATE SCHEMA IF NOT EXISTS app;") < revision.index(
            "op.create_table("
        )
        # the cycle's foreign keys are added after both tables, not inline
        assert "sa.ForeignKeyConstraint(['b_id']" not in revision
        assert "ADD CONSTRAINT a_b_fk FOREIGN KEY (b_id)" in revision
        project_dir = project.write(tmp_path / "migrations")
        with wb.new_database(empty=True) as db:
            with db.connect(autocommit=True) as conn:  # the target's search_path too
                conn.execute(f'ALTER DATABASE "{db.name}" SET search_path = app, public')
            cfg = _config(project_dir, db.url)
            command.upgrade(cfg, "head")
            with db.connect() as conn:
                built = _without_alembic_table(introspect(conn))
            assert built == wb.schema, str(diff(wb.schema, built))
            assert "lower(name) DESC" in built.table("app.a").indexes[0].definition
            command.downgrade(cfg, "base")
            with db.connect() as conn:
                left = _without_alembic_table(introspect(conn))
            assert left == Schema(namespaces=left.namespaces), left
            assert [n.name for n in left.namespaces] == ["public"]


# --- the project as a living migration history: autogenerate and `workbench diff --alembic` ---


def _export(wb, out: Path) -> Path:
    """migrations/ and models.py side by side, as `workbench export` writes them."""
    from workbench.export.sqlmodel import render_sqlmodel

    with wb.new_database(empty=True) as empty:
        project_dir = render_alembic(wb.url, empty.url, wb.schema).write(out / "migrations")
    (out / "models.py").write_text(render_sqlmodel(wb.url, wb.schema))
    return project_dir


def _alembic(project_dir: Path, url: str, *args: str) -> str:
    """The real `alembic` command line in its own process (env.py imports models.py)."""
    env = {**os.environ, "WORKBENCH_DATABASE_URL": url}
    run = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(project_dir / "alembic.ini"), *args],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return run.stdout + run.stderr


def _autogenerated_ops(project_dir: Path, url: str) -> list[str]:
    """Run `alembic revision --autogenerate`; the op.* lines it wrote (then remove the file)."""
    _alembic(project_dir, url, "revision", "--autogenerate", "-m", "probe")
    [probe] = (project_dir / "versions").glob("*_probe.py")
    ops = [line.strip() for line in probe.read_text().splitlines() if "op." in line]
    probe.unlink()
    return ops


def _model_of(db) -> Schema:
    with db.connect() as conn:
        return _without_alembic_table(introspect(conn))


CHANGE_SQL = """
CREATE TABLE labels (
    id      integer PRIMARY KEY,
    tag_id  uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    text    text NOT NULL
);
CREATE INDEX labels_text ON labels (lower(text) DESC);
ALTER TABLE tags ADD COLUMN archived boolean NOT NULL DEFAULT false;
"""


def test_autogenerate_finds_nothing_and_diff_alembic_upgrades_and_downgrades(
    example_wb, server, tmp_path, capsys
) -> None:
    from alembic.script import ScriptDirectory

    from workbench.cli import main
    from workbench.diff import diff
    from workbench.versions import load_model

    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(EXAMPLE_SQL, a)
    shutil.copytree(EXAMPLE_SQL, b)
    (b / "900_labels.sql").write_text(CHANGE_SQL)
    project_dir = _export(example_wb, tmp_path / "out")
    old_models = (tmp_path / "out" / "models.py").read_text()
    assert "target_metadata = load_target_metadata()" in (project_dir / "env.py").read_text()
    with example_wb.new_database(empty=True) as at_head:
        # env.py's target_metadata is models.py: autogenerate at head finds nothing to do
        _alembic(project_dir, at_head.url, "upgrade", "head")
        assert _autogenerated_ops(project_dir, at_head.url) == []

    argv = ["diff", str(a), str(b), "--alembic", str(project_dir), "-m", "add labels"]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    script = ScriptDirectory(str(project_dir))
    [head] = script.get_heads()
    revision = script.get_revision(head)
    assert revision is not None and revision.down_revision == REVISION  # chained to 0001
    assert f"wrote {revision.path}" in printed
    text = Path(revision.path).read_text()
    assert "# added table public.labels" in text and "CREATE TABLE public.labels" in text
    # models.py follows B, so autogenerate compares the database with the newest models
    models = (tmp_path / "out" / "models.py").read_text()
    assert "class Labels(" in models and "class Labels(" not in old_models

    model_b = load_model(server, b)
    with example_wb.new_database(empty=True) as db:
        _alembic(project_dir, db.url, "upgrade", "head")
        assert _model_of(db) == model_b, str(diff(model_b, _model_of(db)))
        assert _autogenerated_ops(project_dir, db.url) == []
        _alembic(project_dir, db.url, "downgrade", "-1")
        assert _model_of(db) == example_wb.schema, str(diff(example_wb.schema, _model_of(db)))
        _alembic(project_dir, db.url, "downgrade", "base")
        left = _model_of(db)
        assert left == Schema(namespaces=left.namespaces), left


def test_diff_alembic_needs_an_alembic_project(tmp_path, capsys) -> None:
    from workbench.cli import main

    (tmp_path / "empty").mkdir()
    b = tmp_path / "b"
    shutil.copytree(EXAMPLE_SQL, b)
    (b / "900_labels.sql").write_text(CHANGE_SQL)
    argv = ["diff", str(EXAMPLE_SQL), str(b), "--alembic", str(tmp_path / "empty")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("workbench diff: error:") and "Alembic project" in err


def test_statements_outside_a_transaction_run_in_an_autocommit_block() -> None:
    from workbench.export.alembic_revision import operations_code

    sql = (
        "-- added index public.t.t_a\n"
        "CREATE INDEX CONCURRENTLY t_a ON public.t (a);\n"
        "-- DESTRUCTIVE: drops column b\n"
        "ALTER TABLE public.t DROP COLUMN b;\n"
    )
    code = "\n".join(operations_code(sql)).replace("\0", "")
    assert code.splitlines()[:3] == [
        "# added index public.t.t_a",
        "with op.get_context().autocommit_block():",
        '    op.execute(sa.text(r"""',
    ]
    assert "# DESTRUCTIVE: drops column b" in code
    assert code.count("op.execute(") == 2
    compile(
        "def upgrade():\n" + "\n".join("    " + line for line in code.splitlines()), "r", "exec"
    )

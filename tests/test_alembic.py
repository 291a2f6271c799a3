"""The generated Alembic project builds the schema from nothing and takes it away again.

``alembic upgrade head`` on an empty database must give a database whose model
equals the source model; ``alembic downgrade base`` must leave no user object
behind (Alembic's own ``alembic_version`` bookkeeping table aside). Run on the
example and on every corpus schema (pagila brings domains, standalone sequences,
a partitioned table, functions returning table rows and a pgvector column).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.config import Config

import workbench
from tests.conftest import ALL_SCHEMAS, EXAMPLE_SQL
from workbench.export.alembic import REVISION_FILE, AlembicExportError, render_alembic
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


@pytest.mark.parametrize("name", sorted(ALL_SCHEMAS))
def test_upgrade_gives_the_source_model_and_downgrade_empties(
    server, tmp_path: Path, name: str
) -> None:
    from workbench.diff import diff

    with workbench.open(ALL_SCHEMAS[name], server=server) as wb:
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

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
from tests.conftest import ALL_KINDS_SQL, ALL_SCHEMAS, EXAMPLE_SQL
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


UPGRADED = {**ALL_SCHEMAS, "all_kinds": ALL_KINDS_SQL}
#: The all-kinds fixture has a schema other than public, which the revision does not
#: create yet (issue 22's Alembic item, worked on separately): strict, so the mark must
#: go when that lands.
_NO_SCHEMAS = pytest.mark.xfail(strict=True, reason="the revision does not create schema app")


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=_NO_SCHEMAS) if n == "all_kinds" else n for n in sorted(UPGRADED)],
)
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

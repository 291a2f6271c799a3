"""The generated models.py imports, creates its tables, and matches the source model.

What SQLModel cannot carry (``NOT_CARRIED``: views, triggers, functions, RLS and
policies, extensions, comments on enum types) is excluded from the comparison explicitly; everything
else (tables, column order, types, nullability, defaults, keys, foreign keys,
indexes, CHECKs, comments) must round-trip.
"""

from __future__ import annotations

import dataclasses
import gc
import importlib.util
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import configure_mappers

import workbench
from tests.conftest import EXAMPLE_SQL, corpus_schemas
from workbench.export.sqlmodel import render_sqlmodel
from workbench.introspect import introspect
from workbench.model import Schema


def _import(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _forget_models() -> None:
    """Empty SQLModel's global metadata *and* class registry: chinook and pagila both
    define ``Customer``, and a class left in the registry makes relationship paths
    ambiguous for the next module (when it is collected depends on the GC); and the
    create/drop hooks named types left on the metadata."""
    from sqlmodel import SQLModel

    SQLModel.metadata.clear()
    # DOMAIN and ENUM types hook themselves onto the metadata's create/drop events
    for name in ("before_create", "after_create", "before_drop", "after_drop"):
        for fn in list(getattr(SQLModel.metadata.dispatch, name)):
            sa.event.remove(SQLModel.metadata, name, fn)
    SQLModel._sa_registry.dispose()
    gc.collect()


def _carried(schema: Schema) -> Schema:
    """Only what a SQLModel module can express (see NOT_CARRIED)."""
    tables = tuple(
        dataclasses.replace(t, triggers=(), policies=(), rls_enabled=False, rls_forced=False)
        for t in schema.tables
    )
    enums = tuple(dataclasses.replace(e, comment=None) for e in schema.enums)
    return Schema(namespaces=schema.namespaces, enums=enums, tables=tables)


@pytest.fixture(scope="module")
def example_wb(server):
    with workbench.open(EXAMPLE_SQL, server=server) as wb:
        yield wb


def test_models_create_the_same_tables(example_wb, tmp_path: Path) -> None:
    code = render_sqlmodel(example_wb.url, example_wb.schema)
    path = tmp_path / "models.py"
    path.write_text(code)
    from sqlmodel import SQLModel

    SQLModel.metadata.clear()
    module = _import(path, "wb_generated_models")
    try:
        configure_mappers()
        # junction table → link model, the SQLModel idiom
        assert "link_model=TaskTags" in code
        assert module.Tasks.tags.property.secondary.name == "task_tags"
        # columns in definition order
        assert list(module.Users.__table__.columns.keys()) == list(
            example_wb.schema.table("users").column_names
        )
        with example_wb.new_database(empty=True) as db:
            with db.connect(autocommit=True) as conn:
                for ext in example_wb.schema.extensions:  # server defaults call them
                    conn.execute(f'CREATE EXTENSION IF NOT EXISTS "{ext.name}"')
            engine = sa.create_engine(db.url)
            SQLModel.metadata.create_all(engine)
            engine.dispose()
            with db.connect() as conn:
                built = introspect(conn)
        assert _carried(built) == _carried(example_wb.schema)
    finally:
        _forget_models()
        sys.modules.pop("wb_generated_models", None)


@pytest.mark.parametrize("name", sorted(corpus_schemas()))
def test_corpus_models_import(server, tmp_path: Path, name: str) -> None:
    from sqlmodel import SQLModel

    with workbench.open(corpus_schemas()[name].parent, server=server) as wb:
        code = render_sqlmodel(wb.url, wb.schema)
    path = tmp_path / "models.py"
    path.write_text(code)
    SQLModel.metadata.clear()
    try:
        _import(path, f"wb_corpus_{name}")
        configure_mappers()
        assert len(SQLModel.metadata.tables) >= len(
            [t for t in wb.schema.tables if t.primary_key is not None and t.partition_of is None]
        )
    finally:
        _forget_models()
        sys.modules.pop(f"wb_corpus_{name}", None)


#: issue 22's reproduction: names pydantic refuses or that shadow builtins, domains over varchar.
AWKWARD_SQL = """
CREATE SCHEMA app;
CREATE DOMAIN short_text AS varchar(40);
CREATE DOMAIN app.positive AS numeric(10,2) NOT NULL DEFAULT 1
    CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TABLE thing (
  id int PRIMARY KEY,
  object text,
  _version int NOT NULL DEFAULT 1,
  label short_text,
  str text,
  model_year int,
  price app.positive,
  x int
);
"""


def test_awkward_names_and_domains_import_and_create(server, tmp_path: Path) -> None:
    from sqlmodel import SQLModel

    from workbench.diff import diff

    sql = tmp_path / "schema.sql"
    sql.write_text(AWKWARD_SQL)
    with workbench.open(sql, server=server) as wb:
        # a database search_path other than public must not move tables between schemas
        with wb.connect(autocommit=True) as conn:
            conn.execute(
                f'ALTER DATABASE "{sa.make_url(wb.url).database}" SET search_path = app, public'
            )
        code = render_sqlmodel(wb.url, wb.schema)
        path = tmp_path / "models.py"
        path.write_text(code)
        SQLModel.metadata.clear()
        try:
            module = _import(path, "wb_awkward_models")
            configure_mappers()
            # attributes renamed, columns keep their names
            fields = module.Thing.model_fields
            assert {"object_", "version", "str_", "model_year_", "label"} <= set(fields)
            assert module.Thing(id=1, version=2).version == 2
            with wb.new_database(empty=True) as db:
                with db.connect(autocommit=True) as conn:
                    conn.execute("CREATE SCHEMA app")
                engine = sa.create_engine(db.url)
                SQLModel.metadata.create_all(engine)
                engine.dispose()
                with db.connect() as conn:
                    built = introspect(conn)
            assert built.domains == wb.schema.domains
            assert _carried(built) == _carried(wb.schema), str(diff(wb.schema, built))
        finally:
            _forget_models()
            sys.modules.pop("wb_awkward_models", None)

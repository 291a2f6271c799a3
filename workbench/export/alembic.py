"""An Alembic project (``migrations/``) whose one revision builds the schema from nothing.

Why Alembic's own API rather than a hand template: ``produce_migrations``
compares the target metadata with an *empty* database and
``render_python_code`` writes the ``op.create_table`` / ``op.create_index``
calls exactly as ``alembic revision --autogenerate`` would, so the revision
looks like every other revision a team keeps after it.

The target metadata is reflected from the database holding the schema (the
workbench template), then adjusted where reflection and reload disagree:

* CHECK constraints take the model's expression through the DDL export's
  ``stable_sql`` (a reflected ``col::text = ANY (ARRAY[...]::text[])`` does not
  reload to itself);
* PostgreSQL enum columns get ``create_type=False``: the types are created by
  ``op.execute`` before the tables and dropped after them, once per type, as
  the brief of the migration asks.

What Alembic cannot express goes through ``op.execute`` blocks, in dependency
order: extensions, roles named by policies, enum types, functions (before the
tables, since defaults and CHECKs may call them); after the tables: views,
triggers, row-level security, policies and the comments autogenerate misses.
``downgrade`` undoes all of it, so ``alembic downgrade base`` leaves the
database as empty as it found it (extensions and cluster-wide roles excepted,
see docs/parts/exports.md).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import textwrap
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.migration import MigrationContext
from mako.template import Template
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine

from workbench.errors import WorkbenchError
from workbench.export._sql import quote_ident, quote_literal, quote_qualified
from workbench.export.ddl import stable_sql
from workbench.model import Schema, Table

#: The revision id and file of the one migration.
REVISION = "0001"
REVISION_FILE = "versions/0001_initial.py"

#: What does not survive ``alembic upgrade head`` (kept in sync with docs/parts/exports.md).
NOT_CARRIED = (
    "view options such as security_invoker (not in the model either)",
    "GRANTs (not in the model)",
    "domains, standalone sequences and partitioned tables are not handled",
)


class AlembicExportError(WorkbenchError):
    """The Alembic project could not be produced."""


@dataclass(frozen=True)
class AlembicProject:
    """The files of a generated Alembic project, by path relative to ``migrations/``."""

    files: dict[str, str] = field(default_factory=dict)

    def write(self, directory: str | os.PathLike[str]) -> Path:
        """Write the project to ``directory`` atomically (a temp dir beside it, then rename)."""
        target = Path(directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            for rel, text in self.files.items():
                path = tmp / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
            old = None
            if target.exists():
                old = target.with_name(f".{target.name}.old.{os.getpid()}")
                os.replace(target, old)
            os.replace(tmp, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target


def _template(name: str) -> str:
    return resources.files("workbench.export").joinpath("templates", name).read_text("utf-8")


# -- op.execute blocks ------------------------------------------------------------------
def _execute(sql: str) -> str:
    """One ``op.execute`` call whose text SQLAlchemy will not mistake for bind parameters.

    Lines inside the string start with :data:`_KEEP` so that indenting the
    function body does not change the SQL (a function body is stored verbatim).
    """
    escaped = re.sub(r"(?<![:\w\\]):(?=\w)", r"\\:", sql.strip())
    if '"""' not in escaped and not escaped.endswith("\\"):
        body = "\n".join(_KEEP + line for line in escaped.split("\n"))
        return f'op.execute(sa.text(r"""\n{body}\n{_KEEP}"""))'
    return f"op.execute(sa.text({escaped!r}))"


_KEEP = "\0"


def _policy_roles(schema: Schema) -> list[str]:
    return sorted({r for p in schema.policies for r in p.roles if r != "public"})


def _before_tables(schema: Schema) -> tuple[list[str], list[str]]:
    up, down = [], []
    for ext in schema.extensions:
        up.append(f"CREATE EXTENSION IF NOT EXISTS {quote_ident(ext.name)};")
        down.append(f"DROP EXTENSION IF EXISTS {quote_ident(ext.name)};")
    for role in _policy_roles(schema):
        up.append(
            "DO $roles$ BEGIN\n"
            f"    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {quote_literal(role)}) THEN\n"
            f"        CREATE ROLE {quote_ident(role)} NOLOGIN;\n"
            "    END IF;\n"
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;\n"
            "END $roles$;"
        )
    for e in schema.enums:
        values = ", ".join(quote_literal(v) for v in e.values)
        sql = f"CREATE TYPE {quote_qualified(e.qualified_name)} AS ENUM ({values});"
        if e.comment is not None:
            sql += f"\nCOMMENT ON TYPE {quote_qualified(e.qualified_name)} IS {quote_literal(e.comment)};"
        up.append(sql)
        down.append(f"DROP TYPE IF EXISTS {quote_qualified(e.qualified_name)};")
    for f in schema.functions:
        sql = f.definition.rstrip().rstrip(";") + ";"
        kind = {"procedure": "PROCEDURE", "aggregate": "AGGREGATE"}.get(f.kind, "FUNCTION")
        target = f"{quote_qualified(f.qualified_name)}({f.arguments})"
        if f.comment is not None:
            sql += f"\nCOMMENT ON {kind} {target} IS {quote_literal(f.comment)};"
        up.append(sql)
        down.append(f"DROP {kind} IF EXISTS {target};")
    return up, list(reversed(down))


def _after_tables(schema: Schema) -> tuple[list[str], list[str]]:
    up, down = [], []
    for v in schema.views:
        name = quote_qualified(v.qualified_name)
        kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        body = stable_sql(v.definition).rstrip().rstrip(";")
        sql = f"CREATE {kind} {name} AS\n{body};"
        if v.comment is not None:
            sql += f"\nCOMMENT ON {kind} {name} IS {quote_literal(v.comment)};"
        for c in v.columns:
            if c.comment is not None:
                sql += f"\nCOMMENT ON COLUMN {name}.{quote_ident(c.name)} IS {quote_literal(c.comment)};"
        for index in v.indexes:
            sql += f"\n{index.definition};"
        up.append(sql)
        down.append(f"DROP {kind} IF EXISTS {name};")
    for table in schema.tables:
        up.extend(_table_extras(table))
    return up, list(reversed(down))


def _table_extras(table: Table) -> list[str]:
    name = quote_qualified(table.qualified_name)
    out = []
    for tr in table.triggers:
        sql = tr.definition.rstrip(";") + ";"
        if not tr.enabled:
            sql += f"\nALTER TABLE {name} DISABLE TRIGGER {quote_ident(tr.name)};"
        if tr.comment is not None:
            sql += f"\nCOMMENT ON TRIGGER {quote_ident(tr.name)} ON {name} IS {quote_literal(tr.comment)};"
        out.append(sql)
    if table.rls_enabled:
        out.append(f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;")
    if table.rls_forced:
        out.append(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;")
    for p in table.policies:
        roles = ", ".join("PUBLIC" if r == "public" else quote_ident(r) for r in p.roles)
        sql = (
            f"CREATE POLICY {quote_ident(p.name)} ON {name}\n"
            f"    AS {'PERMISSIVE' if p.permissive else 'RESTRICTIVE'}\n"
            f"    FOR {p.command}\n    TO {roles}"
        )
        if p.using is not None:
            sql += f"\n    USING ({stable_sql(p.using)})"
        if p.with_check is not None:
            sql += f"\n    WITH CHECK ({stable_sql(p.with_check)})"
        sql += ";"
        if p.comment is not None:
            sql += f"\nCOMMENT ON POLICY {quote_ident(p.name)} ON {name} IS {quote_literal(p.comment)};"
        out.append(sql)
    # Comments autogenerate does not render: on constraints and indexes.
    for c in table.constraints:
        if c.comment is not None:
            out.append(
                f"COMMENT ON CONSTRAINT {quote_ident(c.name)} ON {name} IS {quote_literal(c.comment)};"
            )
    for fk in table.foreign_keys:
        if fk.comment is not None:
            out.append(
                f"COMMENT ON CONSTRAINT {quote_ident(fk.name)} ON {name} IS {quote_literal(fk.comment)};"
            )
    for index in table.indexes:
        if index.comment is not None:
            target = quote_qualified(f"{table.schema}.{index.name}")
            out.append(f"COMMENT ON INDEX {target} IS {quote_literal(index.comment)};")
    return out


# -- target metadata ---------------------------------------------------------------------
def target_metadata(engine: Engine, schema: Schema) -> sa.MetaData:
    """Reflect the source database and adjust it so that it reloads to the same model."""
    metadata = sa.MetaData()
    names = sorted({t.schema for t in schema.tables} | {"public"})
    with engine.connect() as conn:
        for name in names:
            metadata.reflect(conn, schema=None if name == "public" else name, views=False)
    checks = {
        (t.schema, t.name, c.name): c.expression for t in schema.tables for c in t.check_constraints
    }
    for table in metadata.tables.values():
        pg_schema = table.schema or "public"
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint):
                expression = checks.get((pg_schema, table.name, constraint.name))
                if expression is not None:
                    constraint.sqltext = sa.text(stable_sql(expression))
        for column in table.columns:
            if isinstance(column.type, postgresql.ENUM):
                column.type.create_type = False
    return metadata


def _render_item(kind: str, obj: object, autogen_context: object) -> str | bool:
    # Alembic renders SQL text compiled for the driver, which doubles '%' in CHECK
    # expressions and defaults (they would reach the database as '%%'); render the
    # plain text instead.
    if kind == "check" and isinstance(obj, sa.CheckConstraint):
        text = getattr(obj.sqltext, "text", None)
        if isinstance(text, str):
            return f"sa.CheckConstraint({text!r}, name={obj.name!r})"
    if (
        kind == "server_default"
        and isinstance(obj, sa.DefaultClause)
        and isinstance(obj.arg, sa.TextClause)
    ):
        return f"sa.text({obj.arg.text!r})"
    return False


def _ops_code(rendered: str) -> str:
    # render_python_code indents every line but the first by four spaces.
    return textwrap.dedent("    " + rendered.strip())


def _indent(lines: list[str]) -> str:
    out = []
    for line in "\n".join(lines).split("\n"):
        if line.startswith(_KEEP):
            out.append(line[len(_KEEP) :])
        else:
            out.append(("    " + line) if line else "")
    return "\n".join(out)


def render_alembic(
    source: str | Engine,
    empty: str | Engine,
    schema: Schema,
    *,
    message: str = "initial schema",
    create_date: str = "2026-01-01 00:00:00",
) -> AlembicProject:
    """Build the Alembic project for ``schema``.

    ``source`` is a SQLAlchemy URL/engine of a database holding the schema (the
    workbench template), ``empty`` one of an empty database on the same server
    (autogenerate compares against it; nothing is written there). ``create_date``
    goes into the revision header; pass a fixed value for reproducible output.
    """
    src = sa.create_engine(source) if isinstance(source, str) else source
    dst = sa.create_engine(empty) if isinstance(empty, str) else empty
    try:
        metadata = target_metadata(src, schema)
        with dst.connect() as conn:
            if sa.inspect(conn).get_table_names():
                raise AlembicExportError(
                    f"the comparison database {conn.engine.url.database!r} is not empty; "
                    "pass a fresh database (wb.new_database(empty=True))"
                )
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "render_as_batch": False}
            )
            script = produce_migrations(context, metadata)
    except sa.exc.SQLAlchemyError as exc:
        raise AlembicExportError(f"autogenerate failed: {exc}") from exc
    finally:
        for engine, given in ((src, source), (dst, empty)):
            if isinstance(given, str):
                engine.dispose()
    kw = {"migration_context": context, "render_item": _render_item}
    tables_up = _ops_code(render_python_code(script.upgrade_ops, **kw))
    tables_down = _ops_code(render_python_code(script.downgrade_ops, **kw))
    before_up, before_down = _before_tables(schema)
    after_up, after_down = _after_tables(schema)
    upgrades = "\n".join(
        [
            "# Extensions, roles, enum types and functions (what Alembic cannot express).",
            *map(_execute, before_up),
            tables_up.strip(),
            "# Views, triggers, row-level security, policies and remaining comments.",
            *map(_execute, after_up),
        ]
    )
    downgrades = "\n".join(
        [
            *map(_execute, after_down),
            tables_down.strip(),
            *map(_execute, before_down),
        ]
    )
    revision = Template(_template("script.py.mako")).render(
        message=message,
        up_revision=REVISION,
        down_revision=None,
        branch_labels=None,
        depends_on=None,
        create_date=create_date,
        imports="from sqlalchemy.dialects import postgresql"
        if "postgresql." in upgrades + downgrades
        else "",
        upgrades=_indent(upgrades.split("\n")).strip(),
        downgrades=_indent(downgrades.split("\n")).strip(),
    )
    files = {
        "alembic.ini": _template("alembic.ini"),
        "env.py": _template("env.py.txt"),
        "script.py.mako": _template("script.py.mako"),
        "README": _template("alembic_README.txt"),
        REVISION_FILE: revision,
    }
    return AlembicProject(files)


__all__ = [
    "NOT_CARRIED",
    "REVISION",
    "REVISION_FILE",
    "AlembicExportError",
    "AlembicProject",
    "render_alembic",
    "target_metadata",
]

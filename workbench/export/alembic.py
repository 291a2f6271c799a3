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

Real schemas (issue 22) also need: reflection with ``search_path = public``
pinned (``_reflect.reflection_engine``: a role's or database's search_path must
not move tables between schemas); ``CREATE SCHEMA`` for every non-public
schema first; foreign keys that close a cycle added after the tables instead
of inline in ``create_table``; and expression index keys reflection would
lose (``lower(name) DESC``) created from ``pg_get_indexdef``.

What Alembic cannot express goes through ``op.execute`` blocks, in dependency
order (the DDL export's): schemas, extensions, roles named by policies, enum types,
domains, standalone sequences and functions (before the tables, since defaults
and CHECKs may call them; ``check_function_bodies`` is off as in pg_dump);
after the tables: partitioned tables and their partitions (the DDL export's
CREATE TABLE text, with every foreign key touching them), sequence ownership,
functions whose signature names a table (``RETURNS SETOF customer``), views,
triggers, row-level security, policies and the comments autogenerate misses.
Columns of a type SQLAlchemy does not know (pgvector's ``vector``) are written
with a small ``RawType`` defined in the revision; columns defaulting to
``nextval(...)`` are not autoincrement (that would add a second, SERIAL sequence).
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
import warnings
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import sqlalchemy as sa
from alembic.autogenerate import produce_migrations, render_python_code
from alembic.autogenerate.api import AutogenContext
from alembic.migration import MigrationContext
from mako.template import Template
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine

from workbench.errors import WorkbenchError
from workbench.export import ddl as _ddl
from workbench.export._reflect import reflection_engine
from workbench.export._sql import quote_ident, quote_literal, quote_qualified
from workbench.export.ddl import _domain, _Plan, _sequence, _table, stable_sql
from workbench.model import (
    Cast,
    CompositeType,
    Domain,
    Enum,
    ForeignKey,
    Function,
    Index,
    Operator,
    RangeType,
    Schema,
    Sequence,
    Table,
)

#: The revision id and file of the one migration.
REVISION = "0001"
REVISION_FILE = "versions/0001_initial.py"

#: What does not survive ``alembic upgrade head`` (kept in sync with docs/parts/exports.md).
NOT_CARRIED = (
    "view options such as security_invoker (not in the model either)",
    "GRANTs (not in the model)",
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
    """Roles named by policies and grants (created when missing, as the DDL export does)."""
    return sorted(
        {r for p in schema.policies for r in p.roles if r != "public"}
        | {g.grantee for g in schema.grants if g.grantee != "PUBLIC"}
    )


def partitioned_tables(schema: Schema) -> set[str]:
    """Partitioned tables, partitions and INHERITS families: ``op.execute``, not autogenerate.

    Alembic has no operation for ``PARTITION BY`` / ``PARTITION OF`` / ``INHERITS``;
    these tables take the DDL export's own CREATE TABLE text (parents before
    children, in its dependency order), which the round-trip tests prove.
    """
    inheritance = {p for t in schema.tables for p in t.inherits}
    return {
        t.qualified_name
        for t in schema.tables
        if t.partition_key or t.partition_of or t.inherits or t.qualified_name in inheritance
    }


def _before_tables(schema: Schema) -> tuple[list[str], list[str]]:
    # SQL-language function bodies are checked at CREATE time and may read tables
    # created later in this revision; pg_dump turns the check off for the same reason.
    up, down = ["SET check_function_bodies = false;"], []
    for ns in schema.namespaces:  # tables, types and functions may live there
        if ns.name == "public":
            continue
        sql = f"CREATE SCHEMA IF NOT EXISTS {quote_ident(ns.name)};"
        if ns.comment is not None:
            sql += f"\nCOMMENT ON SCHEMA {quote_ident(ns.name)} IS {quote_literal(ns.comment)};"
        up.append(sql)
        down.append(f"DROP SCHEMA IF EXISTS {quote_ident(ns.name)};")
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
    up += [_ddl._collation(c).rstrip("\n") for c in schema.collations]
    up += [_ddl._ts_dictionary(d).rstrip("\n") for d in schema.ts_dictionaries]
    up += [_ddl._ts_config(c).rstrip("\n") for c in schema.ts_configs]
    down += [
        f"DROP COLLATION IF EXISTS {quote_qualified(c.qualified_name)};" for c in schema.collations
    ]
    down += [
        f"DROP TEXT SEARCH DICTIONARY IF EXISTS {quote_qualified(d.qualified_name)};"
        for d in schema.ts_dictionaries
    ]
    down += [
        f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {quote_qualified(c.qualified_name)};"
        for c in schema.ts_configs
    ]
    for item in _type_and_function_order(schema):
        obj = item.obj
        if isinstance(obj, CompositeType | RangeType | Operator | Cast):
            up.append(item.render(_Plan(schema)).rstrip("\n"))
            down.append(_drop_kind(obj))
        elif isinstance(obj, Enum):
            values = ", ".join(quote_literal(v) for v in obj.values)
            sql = f"CREATE TYPE {quote_qualified(obj.qualified_name)} AS ENUM ({values});"
            if obj.comment is not None:
                sql += f"\nCOMMENT ON TYPE {quote_qualified(obj.qualified_name)} IS {quote_literal(obj.comment)};"
            up.append(sql)
            down.append(f"DROP TYPE IF EXISTS {quote_qualified(obj.qualified_name)};")
        elif isinstance(obj, Domain):
            up.append(_domain(obj).rstrip("\n"))
            down.append(f"DROP DOMAIN IF EXISTS {quote_qualified(obj.qualified_name)};")
        elif isinstance(obj, Sequence):
            up.append(_sequence(obj).rstrip("\n"))
            down.append(f"DROP SEQUENCE IF EXISTS {quote_qualified(obj.qualified_name)};")
        elif isinstance(obj, Function) and not _after_relations(item):
            sql, drop = _function_sql(obj)
            up.append(sql)
            down.append(drop)
    return up, list(reversed(down))


def _drop_kind(obj: CompositeType | RangeType | Operator | Cast) -> str:
    if isinstance(obj, Operator):
        return f"DROP OPERATOR IF EXISTS {_ddl.operator_target(obj)};"
    if isinstance(obj, Cast):
        return f"DROP CAST IF EXISTS {obj.key};"
    return f"DROP TYPE IF EXISTS {quote_qualified(obj.qualified_name)};"


def _type_and_function_order(schema: Schema) -> list[Any]:
    """Types, sequences, functions, operators and casts in the DDL export's dependency order."""
    kinds = (Enum, Domain, Sequence, Function, CompositeType, RangeType, Operator, Cast)
    return [i for i in _Plan(schema).ordered() if isinstance(i.obj, kinds)]


def _after_relations(item: Any) -> bool:
    """A function whose signature or SQL body names a table/view (``RETURNS SETOF customer``)."""
    return any(d.startswith("rel:") for d in item.deps)


def _function_sql(f: Function) -> tuple[str, str]:
    sql = f.definition.rstrip().rstrip(";") + ";"
    kind = {"procedure": "PROCEDURE", "aggregate": "AGGREGATE"}.get(f.kind, "FUNCTION")
    target = f"{quote_qualified(f.qualified_name)}({f.arguments})"
    if f.comment is not None:
        sql += f"\nCOMMENT ON {kind} {target} IS {quote_literal(f.comment)};"
    return sql, f"DROP {kind} IF EXISTS {target};"


def _partitioned(schema: Schema) -> tuple[list[str], list[str]]:
    """CREATE TABLE for partitioned tables (parents before partitions), their FKs, OWNED BY."""
    names = partitioned_tables(schema)
    plan = _Plan(schema)
    up: list[str] = []
    down: list[str] = []
    for item in plan.ordered():
        if isinstance(item.obj, Table) and item.obj.qualified_name in names:
            up.append(_table(item.obj, plan).strip("\n"))
            if item.obj.partition_of is None:  # children (INHERITS) dropped before parents
                down.insert(0, f"DROP TABLE IF EXISTS {quote_qualified(item.obj.qualified_name)};")
    for fk in schema.foreign_keys:  # every FK touching them (autogenerate left these out)
        if fk.table in names or fk.ref_table in names:
            sql = (
                f"ALTER TABLE {quote_qualified(fk.table)}\n"
                f"    ADD CONSTRAINT {quote_ident(fk.name)} {fk.definition};"
            )
            if fk.comment is not None:
                sql += (
                    f"\nCOMMENT ON CONSTRAINT {quote_ident(fk.name)} ON "
                    f"{quote_qualified(fk.table)} IS {quote_literal(fk.comment)};"
                )
            up.append(sql)
            if fk.table not in names:
                down.insert(
                    0,
                    f"ALTER TABLE {quote_qualified(fk.table)} DROP CONSTRAINT IF EXISTS "
                    f"{quote_ident(fk.name)};",
                )
    return up, down


def _owned_sequences(schema: Schema) -> list[str]:
    names = partitioned_tables(schema)
    out = []
    for seq in schema.sequences:
        if seq.owned_by and seq.owned_by.rsplit(".", 1)[0] not in names:
            table, column = seq.owned_by.rsplit(".", 1)
            out.append(
                f"ALTER SEQUENCE {quote_qualified(seq.qualified_name)} OWNED BY "
                f"{quote_qualified(table)}.{quote_ident(column)};"
            )
    return out


def _after_tables(schema: Schema) -> tuple[list[str], list[str]]:
    up, down = _partitioned(schema)
    up += _owned_sequences(schema)
    down = list(reversed(down))
    for item in _type_and_function_order(schema):
        if isinstance(item.obj, Function) and _after_relations(item):
            sql, drop = _function_sql(item.obj)
            up.append(sql)
            down.append(drop)
    for v in schema.views:
        name = quote_qualified(v.qualified_name)
        kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
        body = stable_sql(v.definition).rstrip().rstrip(";")
        sql = f"CREATE {kind} {name}{_ddl._with(v.options)} AS\n{body};"
        if v.comment is not None:
            sql += f"\nCOMMENT ON {kind} {name} IS {quote_literal(v.comment)};"
        for c in v.columns:
            if c.comment is not None:
                sql += f"\nCOMMENT ON COLUMN {name}.{quote_ident(c.name)} IS {quote_literal(c.comment)};"
        for index in v.indexes:
            sql += f"\n{index.definition};"
        sql += ("\n" + _ddl._triggers(name, v.triggers)).rstrip("\n")
        up.append(sql.rstrip("\n"))
        down.append(f"DROP {kind} IF EXISTS {name};")
    partitioned = partitioned_tables(schema)
    for table in schema.tables:
        if table.qualified_name not in partitioned:  # _table wrote theirs
            up.extend(_table_extras(table))
            if table.options:  # autogenerate's create_table has no storage parameters
                options = _ddl.option_list(table.options)
                up.append(f"ALTER TABLE {quote_qualified(table.qualified_name)} SET {options};")
    # Rules and privileges go with their objects, except privileges on schemas that stay.
    up += [_ddl._rule(r).rstrip("\n") for r in schema.rules]
    # A rule can reference another table (DO ALSO INSERT INTO log): it goes before any table.
    down += [
        f"DROP RULE IF EXISTS {quote_ident(r.name)} ON {quote_qualified(r.table)};"
        for r in schema.rules
    ]
    up += [_ddl._grant(g).rstrip("\n") for g in schema.grants if g.revoked]
    up += [_ddl._grant(g).rstrip("\n") for g in schema.grants if not g.revoked]
    for g in schema.grants:
        if g.object_type == "SCHEMA":
            undo = replace(g, revoked=not g.revoked, grantable=False)
            down.insert(0, _ddl._grant(undo).rstrip("\n"))
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
    # search_path pinned to public: the default schema's tables reflect with schema=None,
    # which means public here, whatever the role's or database's search_path says.
    pinned = reflection_engine(engine)
    try:
        with pinned.connect() as conn, warnings.catch_warnings():
            # Unknown types (pgvector's vector) are replaced by RawType below.
            warnings.filterwarnings("ignore", "Did not recognize type", sa.exc.SAWarning)
            for name in names:
                metadata.reflect(conn, schema=None if name == "public" else name, views=False)
    finally:
        pinned.dispose()
    checks = {
        (t.schema, t.name, c.name): c.expression for t in schema.tables for c in t.check_constraints
    }
    _drop_partitioned(metadata, partitioned_tables(schema))
    for table in metadata.tables.values():
        pg_schema = table.schema or "public"
        for constraint in table.constraints:
            if isinstance(constraint, sa.CheckConstraint) and isinstance(constraint.name, str):
                expression = checks.get((pg_schema, table.name, constraint.name))
                if expression is not None:
                    constraint.sqltext = sa.text(stable_sql(expression))
        model = schema.table(f"{pg_schema}.{table.name}")
        for column in table.columns:
            if isinstance(column.type, postgresql.ENUM | postgresql.DOMAIN):
                column.type.create_type = False
            elif isinstance(column.type, sa.types.NullType):
                column.type = RawType(model.column(column.name).type)
            if (model.column(column.name).default or "").startswith("nextval("):
                # The sequence is created by op.execute; autoincrement would make the
                # column SERIAL and create a second sequence beside it.
                column.autoincrement = False
    return metadata


def _drop_partitioned(metadata: sa.MetaData, names: set[str]) -> None:
    """Take partitioned tables, partitions and every FK touching them out of ``metadata``."""
    if not names:
        return

    def qualified(table: sa.Table) -> str:
        return f"{table.schema or 'public'}.{table.name}"

    for table in list(metadata.tables.values()):
        if qualified(table) in names:
            metadata.remove(table)
    for table in metadata.tables.values():
        for fk in [c for c in table.constraints if isinstance(c, sa.ForeignKeyConstraint)]:
            if qualified(fk.referred_table) in names:
                table.constraints.discard(fk)
                table.foreign_keys.difference_update(fk.elements)
                for column in table.columns:
                    column.foreign_keys.difference_update(fk.elements)


def _qualified(table: sa.Table) -> str:
    return f"{table.schema or 'public'}.{table.name}"


def _add_fk_sql(fk: ForeignKey) -> tuple[str, str]:
    table = quote_qualified(fk.table)
    return (
        f"ALTER TABLE {table}\n    ADD CONSTRAINT {quote_ident(fk.name)} {fk.definition};",
        f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {quote_ident(fk.name)};",
    )


def detach_cyclic_foreign_keys(
    metadata: sa.MetaData, schema: Schema
) -> tuple[list[str], list[str]]:
    """Take the foreign keys that close a cycle out of ``metadata``; return their SQL.

    ``op.create_table`` writes foreign keys inline, so in a cycle (a → b → a)
    whichever table comes first names one that does not exist yet. SQLAlchemy's
    own ``sort_tables_and_constraints`` says which constraints cannot be created
    inline (the ones it would emit with ALTER); those are added after every
    table exists (``ALTER TABLE ... ADD CONSTRAINT`` with the model's definition,
    so DEFERRABLE and the actions are kept) and dropped before the tables go.
    """
    tables = list(metadata.tables.values())
    order = sa.schema.sort_tables_and_constraints(tables)
    late = order[-1][1] if order and order[-1][0] is None else []
    up, down = [], []
    for fkc in sorted(late, key=lambda c: (_qualified(c.table), str(c.name))):
        model = next(
            (
                fk
                for fk in schema.foreign_keys
                if fk.table == _qualified(fkc.table) and fk.name == fkc.name
            ),
            None,
        )
        if model is None:  # only reflected constraints are sorted; a model FK always exists
            continue
        _remove_fk(fkc)
        add, drop = _add_fk_sql(model)
        up.append(add)
        down.append(drop)
    return up, down


def _remove_fk(fkc: sa.ForeignKeyConstraint) -> None:
    table = fkc.table
    table.constraints.discard(fkc)
    table.foreign_keys.difference_update(fkc.elements)
    for column in table.columns:
        column.foreign_keys.difference_update(fkc.elements)


def detach_lossy_indexes(metadata: sa.MetaData, schema: Schema) -> tuple[list[str], list[str]]:
    """Take out of ``metadata`` the indexes reflection cannot carry exactly; return their SQL.

    SQLAlchemy reflects an expression key without its sort order
    (``lower(name) DESC`` comes back as ``lower(name)``), so autogenerate would
    build a different index. Those indexes are created after the tables from
    the model's ``pg_get_indexdef`` text instead.
    """
    up, down = [], []
    for table in metadata.tables.values():
        try:
            model_table = schema.table(_qualified(table))
        except KeyError:
            continue
        by_name = {i.name: i for i in model_table.indexes}
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            model = by_name.get(str(index.name))
            if model is None or not _loses_keys(index, model):
                continue
            table.indexes.discard(index)
            up.append(model.definition.rstrip(";") + ";")
            down.append(
                f"DROP INDEX IF EXISTS {quote_qualified(f'{model_table.schema}.{model.name}')};"
            )
    return up, down


def _loses_keys(index: sa.Index, model: Index) -> bool:
    """True when an expression key of ``model`` is not what reflection put in ``index``."""
    reflected = [str(e) for e in index.expressions]
    if len(reflected) != len(model.keys):
        return True
    return any(
        column is None and text != key
        for key, column, text in zip(model.keys, model.columns, reflected, strict=True)
    )


class RawType(sa.types.UserDefinedType):
    """A column type SQLAlchemy does not know (``vector(1536)``), written as PostgreSQL spells it."""

    cache_ok = True

    def __init__(self, text: str) -> None:
        self.text = text

    def get_col_spec(self, **kw: object) -> str:
        return self.text


#: Defined in the revision when a column has a type SQLAlchemy does not know.
RAW_TYPE_SOURCE = '''

class RawType(sa.types.UserDefinedType):
    """A column type SQLAlchemy does not know, written as PostgreSQL spells it."""

    cache_ok = True

    def __init__(self, text: str) -> None:
        self.text = text

    def get_col_spec(self, **kw: object) -> str:
        return self.text
'''


def _render_item(kind: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    if kind == "type" and isinstance(obj, RawType):
        return f"RawType({obj.text!r})"
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
        cycles_up, cycles_down = detach_cyclic_foreign_keys(metadata, schema)
        indexes_up, indexes_down = detach_lossy_indexes(metadata, schema)
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
    if script.upgrade_ops is None or script.downgrade_ops is None:
        raise AlembicExportError("autogenerate produced no upgrade/downgrade operations")
    tables_up = _ops_code(
        render_python_code(script.upgrade_ops, migration_context=context, render_item=_render_item)
    )
    tables_down = _ops_code(
        render_python_code(
            script.downgrade_ops, migration_context=context, render_item=_render_item
        )
    )
    before_up, before_down = _before_tables(schema)
    after_up, after_down = _after_tables(schema)
    upgrades = "\n".join(
        [
            "# Extensions, roles, enum types and functions (what Alembic cannot express).",
            *map(_execute, before_up),
            tables_up.strip(),
            *(
                ["# Foreign keys closing a cycle, indexes reflection cannot carry."]
                if cycles_up or indexes_up
                else []
            ),
            *map(_execute, cycles_up + indexes_up),
            "# Views, triggers, row-level security, policies and remaining comments.",
            *map(_execute, after_up),
        ]
    )
    downgrades = "\n".join(
        [
            *map(_execute, after_down),
            *map(_execute, indexes_down + cycles_down),
            tables_down.strip(),
            *map(_execute, before_down),
        ]
    )
    code = upgrades + downgrades
    revision = Template(_template("script.py.mako")).render(
        message=message,
        up_revision=REVISION,
        down_revision=None,
        branch_labels=None,
        depends_on=None,
        create_date=create_date,
        imports=(
            ("from sqlalchemy.dialects import postgresql\n" if "postgresql." in code else "")
            + (RAW_TYPE_SOURCE if "RawType(" in code else "")
        ).rstrip("\n"),
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
    "detach_cyclic_foreign_keys",
    "detach_lossy_indexes",
    "render_alembic",
    "target_metadata",
]

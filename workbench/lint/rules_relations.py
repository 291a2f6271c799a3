"""Rules about relationships: delete actions that contradict nullability, copied enums, islands."""

from __future__ import annotations

import re
from collections.abc import Iterator

from workbench.lint._core import Finding, own_tables, rule, scoped_name, sql_table
from workbench.lint.config import LintConfig
from workbench.model import ForeignKey, Schema, Table
from workbench.relations import check_enums

_SET_NULL_COLUMNS = re.compile(r"ON DELETE SET (?:NULL|DEFAULT) \(([^)]*)\)")


def _nulled_columns(fk: ForeignKey) -> tuple[str, ...]:
    """Columns ON DELETE SET NULL/DEFAULT touches (PostgreSQL 15+ may name a subset)."""
    m = _SET_NULL_COLUMNS.search(fk.definition)
    if m:
        return tuple(c.strip().strip('"') for c in m.group(1).split(","))
    return fk.columns


@rule(
    "fk-set-null-on-not-null",
    severity="error",
    family="relations",
    summary="ON DELETE SET NULL (or SET DEFAULT without a default) on a NOT NULL column.",
    explanation="""
    ``ON DELETE SET NULL`` on a column declared NOT NULL cannot succeed: deleting the
    referenced row makes PostgreSQL set the column to NULL, which the NOT NULL
    constraint rejects, so the parent delete fails at run time with a not-null
    violation instead of doing what the schema seems to promise. The same holds for
    ``SET DEFAULT`` on a NOT NULL column without a default. Fix: decide what the
    relationship means: if the child must outlive its parent, make the column
    nullable; if it cannot exist without it, use ``ON DELETE CASCADE`` (or RESTRICT).
    """,
)
def fk_set_null_on_not_null(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in schema.tables:
        for fk in table.foreign_keys:
            if fk.on_delete not in ("SET NULL", "SET DEFAULT"):
                continue
            for col_name in _nulled_columns(fk):
                col = table.column(col_name)
                if col.nullable or (fk.on_delete == "SET DEFAULT" and col.default is not None):
                    continue
                yield fk_set_null_on_not_null.finding(
                    "foreign_key",
                    scoped_name(table, fk.name),
                    f"foreign key {fk.name} is ON DELETE {fk.on_delete} but {table.qualified_name}.{col_name} "
                    f"is NOT NULL: deleting from {fk.ref_table} will fail",
                    f"ALTER TABLE {sql_table(table)} ALTER COLUMN {col_name} DROP NOT NULL; "
                    "or make the foreign key ON DELETE CASCADE",
                    table=table.qualified_name,
                    column=col_name,
                )
                break


@rule(
    "fk-nullable-no-action",
    severity="info",
    family="relations",
    summary="Nullable foreign key left at the default ON DELETE NO ACTION.",
    explanation="""
    A nullable foreign key says the child may exist without a parent, which is the
    situation ``ON DELETE SET NULL`` is for; left at the default (NO ACTION), deleting
    the parent is refused as long as any child points to it. That may be intended,
    but the default is more often unconsidered than chosen. The rule reports only
    the implicit default: an explicit ``RESTRICT`` (or CASCADE / SET NULL) records
    the decision and passes. Fix: state the intent: ``ON DELETE SET NULL`` to keep
    children and forget the parent, ``ON DELETE RESTRICT`` to forbid the delete
    (same behaviour as now, but deliberate), or CASCADE.
    """,
)
def fk_nullable_no_action(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in own_tables(schema):
        for fk in table.foreign_keys:
            if fk.on_delete != "NO ACTION" or not all(table.column(c).nullable for c in fk.columns):
                continue
            yield fk_nullable_no_action.finding(
                "foreign_key",
                scoped_name(table, fk.name),
                f"foreign key {fk.name} ({', '.join(fk.columns)}) is nullable but ON DELETE NO ACTION: "
                f"deleting a referenced {fk.ref_table} row is refused",
                f"recreate {fk.name} with ON DELETE SET NULL (keep the child) or ON DELETE RESTRICT (deliberate)",
                table=table.qualified_name,
                column=fk.columns[0],
            )


@rule(
    "duplicate-check-enum",
    severity="info",
    family="relations",
    summary="The same CHECK (col IN (...)) value list is repeated across tables.",
    explanation="""
    A list of allowed values written as a CHECK constraint in several tables is one
    concept defined several times: adding a value means finding and changing every
    copy, and copies drift (one table accepts a value another rejects). The rule
    reports columns whose CHECK lists are identical, and same-named columns whose
    lists overlap (one a subset of the other), which is usually the same enum with a
    deliberate restriction. Fix: define the values once, as an ENUM type, a domain
    (``CREATE DOMAIN role AS text CHECK (VALUE IN (...))``) or a lookup table with a
    foreign key, and keep any narrower restriction as an extra CHECK. A one-value
    CHECK on a table's whole key (``lock char(1) PRIMARY KEY CHECK (lock = 'X')``) is
    the single-row-table idiom, not an enum, and is left alone.
    """,
)
def duplicate_check_enum(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    tables = {t.qualified_name: t for t in schema.tables}
    enums = [
        e
        for e in check_enums(schema)
        if not (
            len(e.values) == 1 and e.table in tables and _is_whole_key(tables[e.table], e.column)
        )
    ]
    reported: set[tuple[str, str]] = set()
    for e in enums:
        if tables.get(e.table) is None or tables[e.table].partition_of:
            continue
        mine = set(e.values)
        for other in enums:
            if other is e or other.table == e.table:
                continue
            theirs = set(other.values)
            if mine == theirs:
                how = f"the same values as {other.table}.{other.column}"
            elif e.column == other.column and mine < theirs:
                how = f"a subset of {other.table}.{other.column} ({', '.join(sorted(theirs - mine))} left out)"
            elif e.column == other.column and mine > theirs:
                how = f"a superset of {other.table}.{other.column}"
            else:
                continue
            if (e.table, e.column) in reported:
                break
            reported.add((e.table, e.column))
            table: Table = tables[e.table]
            yield duplicate_check_enum.finding(
                "constraint",
                scoped_name(table, e.constraint),
                f"{e.table}.{e.column} CHECK lists {', '.join(e.values)}: {how}",
                "define the values once (CREATE TYPE ... AS ENUM, a domain or a lookup table) and use it in both",
                table=e.table,
                column=e.column,
            )
            break


def _is_whole_key(table: Table, column: str) -> bool:
    """True when ``column`` alone is the table's primary key or a unique key."""
    keys = [c for c in (table.primary_key, *table.unique_constraints) if c is not None]
    if any(tuple(k.columns) == (column,) for k in keys):
        return True
    return any(
        ix.unique and not ix.predicate and tuple(ix.columns) == (column,) for ix in table.indexes
    )


@rule(
    "unrelated-table",
    severity="info",
    family="relations",
    summary="Table has no foreign key to or from any other table.",
    explanation="""
    A table that neither references nor is referenced by anything is either
    genuinely standalone (settings, a queue, a log), or a relationship is missing:
    its ``*_id`` columns point somewhere by convention only, and nothing prevents
    orphans. Fix: add the missing foreign keys, or exclude the table in the
    configuration when it is standalone by design.
    """,
)
def unrelated_table(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    linked: set[str] = set()
    for fk in schema.foreign_keys:
        linked.add(fk.table)
        linked.add(fk.ref_table)
    parents = {t.qualified_name: t.partition_of for t in schema.tables if t.partition_of}
    linked |= {parents[t] for t in linked if t in parents}
    tables = own_tables(schema)
    if len(tables) < 2:
        return
    for table in tables:
        if table.qualified_name not in linked:
            yield unrelated_table.finding(
                "table",
                table.qualified_name,
                f"table {table.qualified_name} has no foreign key to or from another table",
                "add the foreign keys its *_id columns imply, or exclude the table if it stands alone",
                table=table.qualified_name,
            )

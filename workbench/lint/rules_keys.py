"""Rules about keys and indexes: what a reviewer checks first because it costs most later."""

from __future__ import annotations

from collections.abc import Iterator

from workbench.lint._core import (
    Finding,
    column_name,
    index_name,
    own_tables,
    rule,
    scoped_name,
    sql_table,
)
from workbench.lint.config import LintConfig
from workbench.model import ForeignKey, Index, Schema, Table

#: Index methods that can serve an equality lookup on their leading columns.
_LOOKUP_METHODS = ("btree", "hash")


def covering_index(table: Table, fk: ForeignKey) -> Index | None:
    """The first index whose leading columns are exactly the FK's columns (in any order).

    Why leading columns and any order: deleting or updating a parent row looks
    the children up by equality on all FK columns, which a btree can answer from
    any index that starts with those columns, whatever their order among
    themselves. A partial index does not count (it misses the rows outside its
    WHERE), nor does an expression key.
    """
    want = set(fk.columns)
    n = len(fk.columns)
    for index in table.indexes:
        if index.predicate is not None or index.method not in _LOOKUP_METHODS:
            continue
        if index.method == "hash" and n != 1:
            continue
        lead = index.columns[:n]
        if len(lead) == n and None not in lead and set(lead) == want:
            return index
    return None


@rule(
    "fk-without-index",
    severity="warning",
    family="keys",
    summary="Foreign key columns are not the leading columns of any index.",
    explanation="""
    PostgreSQL indexes the referenced side of a foreign key (it must be a primary
    key or unique), never the referencing side. Without an index whose leading
    columns are the foreign key's columns, every DELETE or key UPDATE on the parent
    scans the whole child table to enforce the constraint (holding locks while it
    does), and the joins from parent to children that nearly every application runs
    fall back to sequential scans. An index that merely contains the column further
    right, a partial index or an expression index does not help. Fix: create a
    btree index on the foreign key columns, or reorder an existing composite index
    or unique constraint so they come first.
    """,
)
def fk_without_index(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in schema.tables:
        for fk in table.foreign_keys:
            if covering_index(table, fk) is not None:
                continue
            cols = ", ".join(fk.columns)
            yield fk_without_index.finding(
                "foreign_key",
                scoped_name(table, fk.name),
                f"foreign key {fk.name} ({cols}) -> {fk.ref_table} has no index starting with "
                f"{'its columns' if len(fk.columns) > 1 else cols}; deletes on {fk.ref_table} scan "
                f"{table.qualified_name}",
                f"CREATE INDEX ON {sql_table(table)} ({cols});",
                table=table.qualified_name,
                column=fk.columns[0],
            )


@rule(
    "table-without-primary-key",
    severity="error",
    family="keys",
    summary="Table has no primary key.",
    explanation="""
    Without a primary key a row cannot be addressed reliably: duplicates creep in,
    ORMs and admin tools refuse to update rows or guess wrongly, logical
    replication cannot replicate UPDATE and DELETE (no replica identity), and other
    tables cannot reference it. Fix: add a primary key, a surrogate
    ``bigint GENERATED ALWAYS AS IDENTITY`` column when no natural key exists, or
    promote an existing NOT NULL unique constraint with
    ``ALTER TABLE ... ADD PRIMARY KEY USING INDEX``.
    """,
)
def table_without_primary_key(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in own_tables(schema):
        if table.primary_key is not None:
            continue
        unique = [
            c
            for c in table.unique_constraints
            if all(not table.column(x).nullable for x in c.columns)
        ]
        hint = (
            f"promote {unique[0].name}: ALTER TABLE {sql_table(table)} ADD PRIMARY KEY USING INDEX {unique[0].name};"
            if unique
            else f"ALTER TABLE {sql_table(table)} ADD COLUMN id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;"
        )
        yield table_without_primary_key.finding(
            "table",
            table.qualified_name,
            f"table {table.qualified_name} has no primary key",
            hint,
            table=table.qualified_name,
        )


def _index_signature(index: Index) -> tuple:
    return (index.method, index.keys, index.include, index.predicate)


@rule(
    "duplicate-index",
    severity="warning",
    family="keys",
    summary="Two indexes on the same table have the same definition.",
    explanation="""
    Identical indexes (same method, key columns and expressions in the same order,
    INCLUDE columns and WHERE clause) give the planner nothing the first one did not,
    while every INSERT, UPDATE and DELETE maintains both and both take memory and
    disk. This usually happens when a unique constraint or primary key is followed by
    a hand-written index on the same columns. Fix: drop the copy that does not back a
    constraint (``DROP INDEX CONCURRENTLY ...``).
    """,
)
def duplicate_index(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in schema.tables:
        seen: dict[tuple, Index] = {}
        # Constraint-backed indexes first, so the hand-written copy is the one reported.
        for index in sorted(
            table.indexes, key=lambda i: (i.constraint is None, not i.unique, i.name)
        ):
            sig = _index_signature(index)
            if sig in seen:
                keep = seen[sig]
                yield duplicate_index.finding(
                    "index",
                    index_name(table, index.name),
                    f"index {index.name} duplicates {keep.name} on {table.qualified_name} ({', '.join(index.keys)})",
                    f"DROP INDEX CONCURRENTLY {index_name(table, index.name)};"
                    if index.constraint is None
                    else f"drop {keep.name}, which duplicates constraint {index.constraint}",
                    table=table.qualified_name,
                )
            else:
                seen[sig] = index


@rule(
    "redundant-index",
    severity="warning",
    family="keys",
    summary="An index's keys are a leading prefix of another index's keys.",
    explanation="""
    A btree index on (a) is redundant next to one on (a, b): any lookup or range
    scan on a can use the wider index, at nearly the same cost. The narrow index
    still costs write amplification, memory and vacuum time. Unique indexes are
    never reported (they enforce something), nor are partial indexes with different
    WHERE clauses or indexes with different methods. Fix: drop the narrower index,
    after checking it is not relied on for a specific plan (``pg_stat_user_indexes``
    shows how often it is used).
    """,
)
def redundant_index(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in schema.tables:
        for index in table.indexes:
            if index.unique or index.method != "btree" or index.constraint is not None:
                continue
            for wider in table.indexes:
                if (
                    wider is index
                    or wider.method != "btree"
                    or wider.predicate != index.predicate
                    or len(wider.keys) <= len(index.keys)
                    or wider.keys[: len(index.keys)] != index.keys
                ):
                    continue
                yield redundant_index.finding(
                    "index",
                    index_name(table, index.name),
                    f"index {index.name} ({', '.join(index.keys)}) is a prefix of {wider.name} "
                    f"({', '.join(wider.keys)}) on {table.qualified_name}",
                    f"DROP INDEX CONCURRENTLY {index_name(table, index.name)};",
                    table=table.qualified_name,
                )
                break


@rule(
    "duplicate-foreign-key",
    severity="warning",
    family="keys",
    summary="Two foreign keys link the same columns to the same table.",
    explanation="""
    A second foreign key over the same columns to the same referenced columns
    checks every write twice and usually means a constraint was added again under a
    new name by a migration that did not see the first one; if the two differ in ON
    DELETE behaviour, which one wins depends on trigger order. Fix: drop one of them
    (keep the one whose actions you mean).
    """,
)
def duplicate_foreign_key(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in schema.tables:
        seen: dict[tuple, ForeignKey] = {}
        for fk in table.foreign_keys:
            pairs = tuple(sorted(zip(fk.columns, fk.ref_columns, strict=False)))
            key = (fk.ref_table, pairs)
            if key in seen:
                yield duplicate_foreign_key.finding(
                    "foreign_key",
                    scoped_name(table, fk.name),
                    f"foreign key {fk.name} repeats {seen[key].name} ({', '.join(fk.columns)} -> {fk.ref_table})",
                    f"ALTER TABLE {sql_table(table)} DROP CONSTRAINT {fk.name};",
                    table=table.qualified_name,
                    column=fk.columns[0],
                )
            else:
                seen[key] = fk


@rule(
    "fk-type-mismatch",
    severity="warning",
    family="keys",
    summary="A foreign key column's type differs from the referenced column's type.",
    explanation="""
    PostgreSQL accepts a foreign key between columns of different but comparable
    types (integer referencing bigint, varchar(50) referencing text), but every
    check then needs a cast, the join cannot always use the parent's index as is,
    and the narrower side overflows or truncates first: an integer child column
    breaks the day the bigint parent key passes 2^31. Fix: change the referencing
    column to exactly the referenced column's type.
    """,
)
def fk_type_mismatch(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    tables = {t.qualified_name: t for t in schema.tables}
    for table in schema.tables:
        for fk in table.foreign_keys:
            parent = tables.get(fk.ref_table)
            if parent is None:
                continue
            for col, ref in zip(fk.columns, fk.ref_columns, strict=False):
                mine, theirs = table.column(col).type, parent.column(ref).type
                if mine != theirs:
                    yield fk_type_mismatch.finding(
                        "column",
                        column_name(table, col),
                        f"{table.qualified_name}.{col} is {mine} but references {fk.ref_table}.{ref} ({theirs})",
                        f"ALTER TABLE {sql_table(table)} ALTER COLUMN {col} TYPE {theirs};",
                        table=table.qualified_name,
                        column=col,
                    )

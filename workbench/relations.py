"""Facts derived from a :class:`~workbench.model.Schema`: relationships, junction tables, CHECK enums.

Pure functions over the model, so diagrams, documentation, lint and seed data
all agree on what "one-to-one", "many-to-many" and "enum-like column" mean.
Nothing here talks to a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pglast
from pglast import ast

from workbench.model import Constraint, ForeignKey, Schema, Table

#: Columns that do not stop a table from being a pure junction table: they
#: record when/who, not what the link means.
AUDIT_COLUMNS = frozenset(
    {
        "created_at",
        "created_on",
        "created",
        "created_by",
        "inserted_at",
        "updated_at",
        "updated_on",
        "updated",
        "updated_by",
        "modified_at",
        "modified_by",
        "last_update",
        "last_updated",
        "last_modified",
    }
)

#: Types whose CHECK (col IN (...)) constraints are recognised as enums.
TEXT_TYPES = ("text", "character varying", "varchar", "character", "bpchar", "citext")


@dataclass(frozen=True, slots=True)
class Relationship:
    """One foreign key seen as a relationship between a child and a parent table.

    ``kind`` is ``'one-to-one'`` when the FK columns are exactly the columns of
    the child's primary key, a unique constraint or a full (non-partial) unique
    index, otherwise ``'one-to-many'``. ``optional`` is true when any FK column
    is nullable: a child row may then exist without a parent.
    """

    fk: str  # constraint name
    child: str  # qualified name of the referencing table
    parent: str  # qualified name of the referenced table
    columns: tuple[str, ...]
    ref_columns: tuple[str, ...]
    kind: str  # 'one-to-many' | 'one-to-one'
    optional: bool
    self_reference: bool


@dataclass(frozen=True, slots=True)
class ManyToMany:
    """A junction table linking ``left`` and ``right`` (left is the FK listed first in the key)."""

    junction: str
    left: str
    right: str
    left_fk: str
    right_fk: str
    left_columns: tuple[str, ...]
    right_columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CheckEnum:
    """A text column limited to a fixed list of values by a CHECK constraint."""

    table: str
    column: str
    values: tuple[str, ...]  # in the order the constraint lists them
    constraint: str


def unique_column_sets(table: Table) -> list[frozenset[str]]:
    """Column sets the table guarantees unique: PK, UNIQUE constraints, full unique indexes."""
    sets = [frozenset(c.columns) for c in table.constraints if c.kind in ("primary_key", "unique")]
    for index in table.indexes:
        if index.unique and index.predicate is None and None not in index.columns:
            sets.append(frozenset(c for c in index.columns if c is not None))
    return sets


def relationship(schema: Schema, fk: ForeignKey) -> Relationship:
    """Describe one foreign key of ``schema`` as a :class:`Relationship`."""
    child = schema.table(fk.table)
    one_to_one = frozenset(fk.columns) in unique_column_sets(child)
    return Relationship(
        fk=fk.name,
        child=fk.table,
        parent=fk.ref_table,
        columns=fk.columns,
        ref_columns=fk.ref_columns,
        kind="one-to-one" if one_to_one else "one-to-many",
        optional=any(child.column(c).nullable for c in fk.columns),
        self_reference=fk.table == fk.ref_table,
    )


def relationships(schema: Schema) -> tuple[Relationship, ...]:
    """Every foreign key of ``schema`` as a relationship, in table then FK-name order."""
    return tuple(relationship(schema, fk) for fk in schema.foreign_keys)


def junction_tables(schema: Schema) -> tuple[ManyToMany, ...]:
    """Tables that only link two other tables (many-to-many).

    A junction table has a primary key or unique constraint/index made of
    exactly the columns of two foreign keys to other tables, and no columns
    besides those, an optional single-column surrogate key and
    :data:`AUDIT_COLUMNS`.
    """
    found = []
    for table in schema.tables:
        fks = [fk for fk in table.foreign_keys if fk.ref_table != table.qualified_name]
        if len(fks) != 2:
            continue
        linked = frozenset(fks[0].columns) | frozenset(fks[1].columns)
        if linked not in unique_column_sets(table):
            continue
        pk = table.primary_key
        surrogate = set(pk.columns) if pk and len(pk.columns) == 1 else set()
        extra = set(table.column_names) - linked - AUDIT_COLUMNS - (surrogate - linked)
        if extra:
            continue
        key_order = _key_columns(table, linked)
        left, right = sorted(fks, key=lambda fk: min(key_order.index(c) for c in fk.columns))
        found.append(
            ManyToMany(
                junction=table.qualified_name,
                left=left.ref_table,
                right=right.ref_table,
                left_fk=left.name,
                right_fk=right.name,
                left_columns=left.columns,
                right_columns=right.columns,
            )
        )
    return tuple(found)


def _key_columns(table: Table, linked: frozenset[str]) -> list[str]:
    for c in table.constraints:
        if c.kind in ("primary_key", "unique") and frozenset(c.columns) == linked:
            return list(c.columns)
    for index in table.indexes:
        if index.unique and frozenset(c for c in index.columns if c) == linked:
            return [c for c in index.columns if c]
    return sorted(linked)


def check_enums(schema: Schema) -> tuple[CheckEnum, ...]:
    """Text columns restricted by ``CHECK (col IN (...))``, which PostgreSQL prints as
    ``col = ANY (ARRAY[...])`` (or ``col = 'x'`` for a single value)."""
    found = []
    for table in schema.tables:
        for check in table.check_constraints:
            parsed = parse_check_enum(check)
            if parsed is None:
                continue
            column, values = parsed
            if column not in table.column_names:
                continue
            col = table.column(column)
            if col.is_array or not col.type.startswith(TEXT_TYPES):
                continue
            found.append(CheckEnum(table.qualified_name, column, values, check.name))
    return tuple(found)


def parse_check_enum(check: Constraint) -> tuple[str, tuple[str, ...]] | None:
    """Return ``(column, values)`` when a CHECK is ``col IN ('a', 'b', ...)``, else None."""
    if check.kind != "check" or not check.expression or len(check.columns) != 1:
        return None
    try:
        stmt = pglast.parse_sql(f"SELECT {check.expression}")[0].stmt
    except pglast.parser.ParseError:
        return None
    if not isinstance(stmt, ast.SelectStmt) or not stmt.targetList:
        return None
    expr = stmt.targetList[0].val
    if not isinstance(expr, ast.A_Expr) or [n.sval for n in expr.name or ()] != ["="]:
        return None
    column = _column_name(expr.lexpr)
    if column is None:
        return None
    if expr.kind == pglast.enums.A_Expr_Kind.AEXPR_OP_ANY:
        array = _strip_casts(expr.rexpr)
        if not isinstance(array, ast.A_ArrayExpr):
            return None
        values = [_string(e) for e in array.elements or ()]
    elif expr.kind == pglast.enums.A_Expr_Kind.AEXPR_OP:
        values = [_string(expr.rexpr)]
    else:
        return None
    if not values or any(v is None for v in values):
        return None
    return column, tuple(v for v in values if v is not None)


def _strip_casts(node: Any) -> Any:
    while isinstance(node, ast.TypeCast):
        node = node.arg
    return node


def _column_name(node: Any) -> str | None:
    node = _strip_casts(node)
    if isinstance(node, ast.ColumnRef) and node.fields and len(node.fields) == 1:
        field = node.fields[0]
        return field.sval if isinstance(field, ast.String) else None
    return None


def _string(node: Any) -> str | None:
    node = _strip_casts(node)
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.String):
        return node.val.sval
    return None


__all__ = [
    "AUDIT_COLUMNS",
    "CheckEnum",
    "ManyToMany",
    "Relationship",
    "check_enums",
    "junction_tables",
    "parse_check_enum",
    "relationship",
    "relationships",
    "unique_column_sets",
]

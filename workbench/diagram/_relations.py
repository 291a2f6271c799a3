"""Facts about relations that the diagram derives from the model.

Cardinality, junction tables and VARCHAR + CHECK enums. ``workbench.relations``
(written alongside) will own these facts; until it lands this private module
derives what the diagram needs, and :func:`relation_facts` is the one place to
switch over.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.model import ForeignKey, Schema, Table

#: Columns a junction table may carry besides its two foreign keys without
#: becoming an entity of its own (a role, a quantity or a price makes it one).
_JUNCTION_EXTRA_TYPES = ("timestamp", "date", "time")


@dataclass(frozen=True, slots=True)
class Cardinality:
    """Both ends of one foreign key, as crow's-foot notation needs them.

    ``parent_end`` is how many parents one child row has: ``'one'`` when every
    FK column is NOT NULL, else ``'zero_or_one'``. ``child_end`` is how many
    children one parent row has: ``'zero_or_one'`` when the FK columns are
    unique (a one-to-one), else ``'many'`` (zero or many).
    """

    parent_end: str
    child_end: str

    @property
    def optional(self) -> bool:
        return self.parent_end == "zero_or_one"

    @property
    def one_to_one(self) -> bool:
        return self.child_end == "zero_or_one"

    def describe(self) -> str:
        kind = "one-to-one" if self.one_to_one else "many-to-one"
        return f"{kind}, {'optional' if self.optional else 'mandatory'}"


def unique_column_sets(table: Table) -> list[frozenset[str]]:
    """Column sets that PostgreSQL keeps unique: PK, UNIQUE constraints, full unique indexes."""
    sets = [frozenset(c.columns) for c in table.constraints if c.kind in ("primary_key", "unique")]
    for ix in table.indexes:
        if ix.unique and ix.predicate is None and all(ix.columns):
            sets.append(frozenset(c for c in ix.columns if c))
    return sets


def cardinality(table: Table, fk: ForeignKey) -> Cardinality:
    """Cardinality of ``fk`` (declared on ``table``)."""
    nullable = {c.name for c in table.columns if c.nullable}
    optional = any(col in nullable for col in fk.columns)
    unique = frozenset(fk.columns) in unique_column_sets(table)
    return Cardinality("zero_or_one" if optional else "one", "zero_or_one" if unique else "many")


def junction_tables(schema: Schema) -> dict[str, tuple[ForeignKey, ForeignKey]]:
    """Pure many-to-many link tables: qualified name → its two foreign keys.

    A table qualifies when it has exactly two foreign keys, their columns
    together are unique (PK or UNIQUE), and every other column is a surrogate
    key or a timestamp: nothing a reviewer would miss when the table is drawn as
    one M:N edge.
    """
    found: dict[str, tuple[ForeignKey, ForeignKey]] = {}
    for table in schema.tables:
        if len(table.foreign_keys) != 2:
            continue
        first, second = table.foreign_keys
        fk_cols = set(first.columns) | set(second.columns)
        if not any(fk_cols <= s for s in unique_column_sets(table)):
            continue
        pk = set(table.primary_key.columns) if table.primary_key else set()
        extras = [c for c in table.columns if c.name not in fk_cols and c.name not in pk]
        if all(c.type.startswith(_JUNCTION_EXTRA_TYPES) for c in extras):
            found[table.qualified_name] = (first, second)
    return found


_ARRAY_VALUES = re.compile(r"'((?:[^']|'')*)'")


def check_enum_values(table: Table) -> dict[str, tuple[str, ...]]:
    """VARCHAR + CHECK enums: column → allowed values, from ``col IN (...)`` checks."""
    found: dict[str, tuple[str, ...]] = {}
    for con in table.check_constraints:
        expr = con.expression or ""
        if len(con.columns) != 1 or "= ANY" not in expr or "ARRAY[" not in expr:
            continue
        if " AND " in expr or " OR " in expr:
            continue
        values = tuple(v.replace("''", "'") for v in _ARRAY_VALUES.findall(expr))
        if values:
            found[con.columns[0]] = values
    return found

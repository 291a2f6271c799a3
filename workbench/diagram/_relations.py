"""The relation facts the diagram draws, taken from :mod:`workbench.relations`.

``workbench.relations`` owns the definitions (one-to-one, optional, junction
table, CHECK enum) so the diagram, the docs, lint and seed data agree. This
module only reshapes them for drawing: a :class:`Cardinality` per foreign key
(computed per table, so a 1,000-table schema needs no table look-ups), the
junction tables with their foreign-key objects, and CHECK-enum values per column.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench import relations
from workbench.model import ForeignKey, Schema, Table

unique_column_sets = relations.unique_column_sets


@dataclass(frozen=True, slots=True)
class Cardinality:
    """Both ends of one foreign key, as crow's-foot notation needs them.

    ``parent_end`` is how many parents one child row has: ``'one'`` when every
    FK column is NOT NULL, else ``'zero_or_one'`` (``Relationship.optional``).
    ``child_end`` is how many children one parent row has: ``'zero_or_one'``
    for a ``'one-to-one'`` relationship (FK columns unique), else ``'many'``
    (zero or many).
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


def cardinality(table: Table, fk: ForeignKey) -> Cardinality:
    """Cardinality of ``fk`` declared on ``table`` (same rules as ``relations.relationship``)."""
    nullable = {c.name for c in table.columns if c.nullable}
    optional = any(col in nullable for col in fk.columns)
    one_to_one = frozenset(fk.columns) in unique_column_sets(table)
    return Cardinality(
        "zero_or_one" if optional else "one", "zero_or_one" if one_to_one else "many"
    )


def junction_tables(schema: Schema) -> dict[str, tuple[ForeignKey, ForeignKey]]:
    """Pure many-to-many link tables (``relations.junction_tables``): name → (left FK, right FK)."""
    tables = {t.qualified_name: t for t in schema.tables}
    found: dict[str, tuple[ForeignKey, ForeignKey]] = {}
    for m2m in relations.junction_tables(schema):
        fks = {fk.name: fk for fk in tables[m2m.junction].foreign_keys}
        found[m2m.junction] = (fks[m2m.left_fk], fks[m2m.right_fk])
    return found


def check_enum_values(schema: Schema) -> dict[tuple[str, str], tuple[str, ...]]:
    """VARCHAR + CHECK enums (``relations.check_enums``): (table, column) → allowed values."""
    return {(e.table, e.column): e.values for e in relations.check_enums(schema)}

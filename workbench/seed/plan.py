"""The seed plan: which tables, in which order, with how many rows.

Table order follows the foreign-key graph (parents first) so generated parent keys
exist when children pick from them, and so the dump script inserts parents first.
A cycle is broken at a nullable foreign key (deferred: the INSERT leaves it NULL and
an UPDATE fills it afterwards); self-references become trees inside one table.
Partitions are not planned on their own: rows go to the partitioned parent and
PostgreSQL routes them; foreign keys declared on partitions count as the parent's.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.model import ForeignKey, Schema, Table
from workbench.seed.errors import SeedError
from workbench.seed.shape import Shape, TableShape, parse_shape


@dataclass(frozen=True, slots=True)
class TablePlan:
    table: Table
    foreign_keys: tuple[
        ForeignKey, ...
    ]  # own + partitions' (deduplicated), ref_table mapped to roots
    shape: TableShape
    rows: int  # planned rows (fan-out tables: the expected count; the draw decides)
    partitions: tuple[Table, ...] = ()

    @property
    def name(self) -> str:
        return self.table.qualified_name


@dataclass(frozen=True, slots=True)
class SeedPlan:
    """Tables in load order, deferred (cycle-breaking) foreign keys and the parsed shape."""

    tables: tuple[TablePlan, ...]
    deferred: frozenset[tuple[str, str]]  # (table, fk name)
    shape: Shape

    def table(self, name: str) -> TablePlan:
        for tp in self.tables:
            if tp.name == name or tp.table.name == name:
                return tp
        raise KeyError(name)


def _root(schema: Schema, name: str) -> str:
    by_name = {t.qualified_name: t for t in schema.tables}
    while name in by_name and by_name[name].partition_of:
        name = by_name[name].partition_of  # type: ignore[assignment]
    return name


def _foreign_keys(schema: Schema, table: Table, partitions: list[Table]) -> tuple[ForeignKey, ...]:
    seen: dict[tuple[tuple[str, ...], str], ForeignKey] = {}
    for fk in (*table.foreign_keys, *(fk for p in partitions for fk in p.foreign_keys)):
        ref = _root(schema, fk.ref_table)
        key = (fk.columns, ref)
        if key not in seen:
            seen[key] = ForeignKey(
                name=fk.name, table=table.qualified_name, columns=fk.columns, ref_table=ref,
                ref_columns=fk.ref_columns, definition=fk.definition, deferrable=fk.deferrable,
            )  # fmt: skip
    return tuple(seen.values())


def plan(schema: Schema, shape: object = None) -> SeedPlan:
    """Order the schema's tables for seeding and decide row counts from ``shape``."""
    parsed = shape if isinstance(shape, Shape) else parse_shape(shape)  # type: ignore[arg-type]
    roots = [t for t in schema.tables if not t.partition_of]
    parts: dict[str, list[Table]] = {}
    for t in schema.tables:
        if t.partition_of:
            parts.setdefault(_root(schema, t.qualified_name), []).append(t)
    names = {t.qualified_name for t in roots}
    for key in (*parsed.tables, *(k.rsplit(".", 1)[0] for k in parsed.columns)):
        if key not in names and not any(t.name == key for t in roots):
            raise SeedError(
                f"shape names table {key!r}, which the schema does not have",
                hint=f"tables: {', '.join(sorted(names))}",
            )
    fks = {
        t.qualified_name: _foreign_keys(schema, t, parts.get(t.qualified_name, [])) for t in roots
    }
    by_name = {t.qualified_name: t for t in roots}

    # Kahn's algorithm; when stuck, defer a nullable FK on the cycle (else any FK).
    deferred: set[tuple[str, str]] = set()
    order: list[str] = []
    remaining = [t.qualified_name for t in roots]
    while remaining:
        ready = [
            n for n in remaining
            if all(fk.ref_table == n or fk.ref_table not in remaining or (n, fk.name) in deferred or fk.ref_table not in by_name for fk in fks[n])
        ]  # fmt: skip
        if ready:
            order.extend(ready)
            remaining = [n for n in remaining if n not in ready]
            continue
        candidates = [
            (not any(by_name[n].column(c).nullable for c in fk.columns), n, fk.name)
            for n in remaining
            for fk in fks[n]
            if fk.ref_table != n and fk.ref_table in remaining and (n, fk.name) not in deferred
        ]
        _, n, fk_name = min(candidates)
        deferred.add((n, fk_name))

    tables: list[TablePlan] = []
    planned: dict[str, int] = {}
    for n in order:
        ts = parsed.table_shape(n)
        if ts.per is not None:
            parent = _root(schema, schema.table(ts.per).qualified_name) if ts.per else ""
            if parent not in planned:
                raise SeedError(
                    f"fan-out of {n} is per {ts.per!r}, which is not a parent planned before it"
                )
            rows = planned[parent] * (ts.min + ts.max) // 2
        else:
            rows = parsed.default_rows if ts.rows is None else ts.rows
        planned[n] = rows
        tables.append(TablePlan(by_name[n], fks[n], ts, rows, tuple(parts.get(n, ()))))
    return SeedPlan(tuple(tables), frozenset(deferred), parsed)

"""Rows the schema's own files insert (a Rails ``schema_migrations`` row, lookup rows).

They are part of the schema's meaning, so a seed keeps them and works around them:
other tables are seeded fully; these are left as they are (``shipped="keep"``, the
default) or topped up to the count asked (``shipped="top-up"``). Either way their key
values are read once, so that generated keys stay clear of them (integer sequences
start after the largest, unique values that collide are dropped) and foreign keys of
other tables may point at them.
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
import pyarrow as pa
from psycopg import sql

from workbench.seed.errors import SeedError
from workbench.seed.plan import SeedPlan
from workbench.seed.uuids import UUID, uuid_bytes

SHIPPED_MODES = ("keep", "top-up")


@dataclass
class Shipped:
    """The rows a table held before the seed: how many, and its key columns' values."""

    rows: int
    columns: dict[str, pa.Array]


def _ident(qualified: str) -> sql.Composable:
    schema, _, name = qualified.partition(".")
    return sql.Identifier(schema, name)


def _key_columns(seed_plan: SeedPlan, name: str) -> list[str]:
    """Columns of ``name`` a seed must know: unique keys and what foreign keys point at."""
    table = seed_plan.table(name).table
    wanted: list[str] = []
    for c in table.constraints:
        if c.kind in ("primary_key", "unique"):
            wanted += c.columns
    for index in table.indexes:
        if index.unique:
            wanted += [c for c in index.columns if c]
    for tp in seed_plan.tables:
        for fk in tp.foreign_keys:
            if fk.ref_table == name:
                wanted += fk.ref_columns
    names = {c.name for c in table.columns}
    return [c for c in dict.fromkeys(wanted) if c in names]


def read_shipped(conn: psycopg.Connection, seed_plan: SeedPlan) -> dict[str, Shipped]:
    """Tables of the plan that already hold rows, with their key columns as arrays.

    Integers come back as int64 and uuids as the generator's 16 raw bytes, so they mix
    with generated values; anything else as text.
    """
    found: dict[str, Shipped] = {}
    try:
        for tp in seed_plan.tables:
            has = conn.execute(
                sql.SQL("SELECT EXISTS (SELECT FROM {})").format(_ident(tp.name))
            ).fetchone()
            conn.commit()  # one table's lock at a time, whatever the schema's size
            if not has or not has[0]:
                continue
            cols = _key_columns(seed_plan, tp.name)
            count_row = conn.execute(
                sql.SQL("SELECT count(*) FROM {}").format(_ident(tp.name))
            ).fetchone()
            arrays: dict[str, pa.Array] = {}
            if cols:
                rows = conn.execute(
                    sql.SQL("SELECT {} FROM {}").format(
                        sql.SQL(", ").join(
                            sql.SQL("{}::text").format(sql.Identifier(c)) for c in cols
                        ),
                        _ident(tp.name),
                    )
                ).fetchall()
                for i, c in enumerate(cols):
                    values = [r[i] for r in rows]
                    kind = tp.table.column(c).type.split("(")[0].strip()
                    if kind in ("integer", "bigint", "smallint"):
                        arrays[c] = pa.array([None if v is None else int(v) for v in values])
                    elif kind == "uuid":
                        arrays[c] = pa.array(
                            [None if v is None else uuid_bytes([v])[0].as_py() for v in values],
                            UUID,
                        )
                    else:
                        arrays[c] = pa.array(values, pa.string())
            conn.commit()
            found[tp.name] = Shipped(count_row[0] if count_row else 0, arrays)
    except psycopg.Error as exc:
        raise SeedError(f"cannot read the rows the schema ships: {exc}") from None
    return found

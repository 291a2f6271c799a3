"""The document's fallback sample data, and reading rows back for it.

The document's example rows, seed script and RLS demonstration come from the
real seeder (:func:`workbench.seed.seed` with a fixed seed, see
:mod:`workbench.export.doc_collect`). This module is the fallback when the seeder
cannot fill a schema (the document then says so): :func:`seed_sample` inserts a
few deterministic rows per table. :func:`generated_row` makes up an example row
for a table the seeded data leaves empty, and :func:`fetch_rows` reads rows back
``ORDER BY`` primary key, whoever wrote them.

Values come from the column type, a few name conventions (``email``, ``slug``,
``*_hash``, ``color``, ...) and CHECK-IN enums, so typical CHECKs pass. Each row
is inserted under a savepoint: a row that still violates a constraint is retried
with its nullable columns set to NULL, then skipped; the document says what
could not be sampled rather than failing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from workbench.export._sql import quote_ident
from workbench.model import Column, Schema, Table
from workbench.relations import check_enums

#: Every generated instant is derived from this one (the template's own example date).
BASE_TIME = dt.datetime(2025, 2, 2, 10, 30, tzinfo=dt.UTC)
_NAMESPACE = uuid.UUID("6f1c2a3e-0000-4000-8000-00000000c0de")
_LATER = ("expires", "due", "ends", "end_", "until", "valid_to", "deadline")


def table_order(schema: Schema) -> list[Table]:
    """Tables (not partitions) with referenced tables first; cycles are broken by model order."""
    tables = [t for t in schema.tables if t.partition_of is None]
    names = {t.qualified_name for t in tables}
    done: set[str] = set()
    ordered: list[Table] = []
    pending = list(tables)
    while pending:
        progress = False
        for t in list(pending):
            deps = {
                fk.ref_table
                for fk in t.foreign_keys
                if fk.ref_table != t.qualified_name and fk.ref_table in names
            }
            if deps <= done:
                ordered.append(t)
                done.add(t.qualified_name)
                pending.remove(t)
                progress = True
        if not progress:  # a cycle: take the first remaining table
            t = pending.pop(0)
            ordered.append(t)
            done.add(t.qualified_name)
    return ordered


def schema_search_path(schema: Schema) -> str:
    """``search_path`` naming every schema of the model (its order of appearance), then public."""
    names = [t.schema for t in schema.tables] + [f.schema for f in schema.functions] + ["public"]
    return ", ".join(quote_ident(n) for n in dict.fromkeys(names))


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()


def _text(table: Table, col: Column, i: int) -> str:
    name = col.name.lower()
    n = i + 1
    if "email" in name:
        value = f"user{n}@example.com"
    elif "slug" in name:
        value = f"{table.name.replace('_', '-')}-{n}"
    elif "url" in name:
        value = f"https://example.com/{table.name}/{n}"
    elif "color" in name or "colour" in name:
        value = "#" + _digest(table.name, col.name, i)[:6]
    elif any(k in name for k in ("hash", "checksum", "digest", "sha")):
        value = _digest(table.name, col.name, i)
    elif "token" in name or "secret" in name:
        value = f"tok_{_digest(table.name, col.name, i)[:12]}"
    elif "locale" in name or name == "language":
        value = "en"
    elif "timezone" in name or name == "tz":
        value = "UTC"
    elif "content_type" in name or "mime" in name:
        value = "text/plain"
    elif "phone" in name:
        value = f"+1555000{n:04d}"
    elif "action" in name:
        value = f"{table.name}.created"
    else:
        value = f"{col.name.replace('_', ' ').capitalize()} {n}"
    if col.max_length is not None:
        value = value[: col.max_length]
        if col.type.startswith("character(") and len(value) < col.max_length:
            value = (value + _digest(value) * 2)[: col.max_length]
    return value


def column_value(
    table: Table, col: Column, i: int, enums: dict[str, tuple[str, ...]], check_values: dict
) -> Any:
    """A deterministic value for row ``i`` of ``col`` (None when nothing sensible exists)."""
    t = col.type
    if (table.qualified_name, col.name) in check_values:
        values = check_values[(table.qualified_name, col.name)]
        return values[i % len(values)]
    if col.type_ref in enums:
        values = enums[col.type_ref]
        return values[i % len(values)]
    if col.is_array:
        return "{}"
    later = any(k in col.name.lower() for k in _LATER)
    if t == "uuid":
        return str(uuid.uuid5(_NAMESPACE, f"{table.qualified_name}.{col.name}.{i}"))
    if t in ("smallint", "integer", "bigint"):
        return i + 1
    if t.startswith("numeric") or t in ("real", "double precision", "money"):
        return Decimal(i + 1) + Decimal("0.5")
    if t == "boolean":
        return True
    if t.startswith("timestamp"):
        return BASE_TIME + dt.timedelta(days=30 if later else 0, hours=i)
    if t == "date":
        return (BASE_TIME + dt.timedelta(days=(30 if later else 0) + i)).date()
    if t.startswith("time"):
        return dt.time(10, 30)
    if t == "interval":
        return dt.timedelta(hours=1)
    if t in ("json", "jsonb"):
        return json.dumps({})
    if t in ("inet", "cidr"):
        return f"192.0.2.{i + 1}"
    if t == "bytea":
        return _digest(table.name, col.name, i).encode()[:16]
    if t in ("text", "citext", "name") or t.startswith(("character", "varchar")):
        return _text(table, col, i)
    return None


def _rows_for(
    table: Table,
    i: int,
    parents: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]],
    enums: dict,
    check_values: dict,
) -> dict[str, Any] | None:
    row: dict[str, Any] = {}
    fk_cols: set[str] = set()
    for fk in table.foreign_keys:
        fk_cols.update(fk.columns)
        if fk.ref_table == table.qualified_name:
            continue  # self-reference: left NULL (a tree of depth one)
        keys = parents.get((fk.ref_table, fk.ref_columns)) or []
        if not keys:
            if all(table.column(c).nullable for c in fk.columns):
                continue
            return None
        key = keys[i % len(keys)]
        row.update(dict(zip(fk.columns, key, strict=True)))
    for col in table.columns:
        if col.name in row or col.name in fk_cols:
            continue
        if col.identity == "ALWAYS" or col.generated is not None:
            continue
        value = column_value(table, col, i, enums, check_values)
        if value is None and col.default is not None:
            continue
        row[col.name] = value
    return row


def _insert(conn: psycopg.Connection, table: Table, row: dict[str, Any]) -> bool:
    cols = list(row)
    stmt = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table.schema, table.name),
        sql.SQL(", ").join(map(sql.Identifier, cols)),
        sql.SQL(", ").join(sql.Placeholder() * len(cols)),
    )
    try:
        with conn.transaction():
            conn.execute(stmt, [row[c] for c in cols])
        return True
    except psycopg.Error:
        return False


def seed_sample(
    conn: psycopg.Connection, schema: Schema, *, rows_per_table: int = 3
) -> dict[str, int]:
    """Insert up to ``rows_per_table`` deterministic rows into every table; return counts.

    Run it in a throwaway clone: it writes. Parents come before children so
    foreign keys point at existing rows (row ``i`` of a child references row
    ``i mod n`` of its parent).
    """
    enums = {e.qualified_name: e.values for e in schema.enums}
    check_values = {(c.table, c.column): c.values for c in check_enums(schema)}
    parents: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
    counts: dict[str, int] = {}
    with conn.transaction():
        # Functions written for the schema's own search_path (unqualified names) must
        # find their tables, and a deferred constraint trigger must fail on its row's
        # savepoint (row skipped) rather than at COMMIT (everything lost).
        conn.execute("SELECT set_config('search_path', %s, true)", [schema_search_path(schema)])
        conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in table_order(schema):
            inserted = 0
            for i in range(rows_per_table):
                row = _rows_for(table, i, parents, enums, check_values)
                if row is None:
                    break
                if not _insert(conn, table, row):
                    fewer = {
                        k: v
                        for k, v in row.items()
                        if not table.column(k).nullable
                        or any(k in fk.columns for fk in table.foreign_keys)
                    }
                    if not _insert(conn, table, fewer):
                        continue
                inserted += 1
            counts[table.qualified_name] = inserted
            for cols in _referenced_keys(schema, table):
                stmt = sql.SQL("SELECT {} FROM {} ORDER BY {}").format(
                    sql.SQL(", ").join(map(sql.Identifier, cols)),
                    sql.Identifier(table.schema, table.name),
                    sql.SQL(", ").join(map(sql.Identifier, cols)),
                )
                parents[(table.qualified_name, cols)] = [
                    tuple(r) for r in conn.execute(stmt).fetchall()
                ]
    return counts


def _referenced_keys(schema: Schema, table: Table) -> list[tuple[str, ...]]:
    return sorted(
        {fk.ref_columns for fk in schema.foreign_keys if fk.ref_table == table.qualified_name}
    )


def fetch_rows(
    conn: psycopg.Connection, table: Table, *, limit: int, columns: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Rows of ``table`` as JSON-ready dicts, ``ORDER BY`` primary key (or the row's text)."""
    pk = table.primary_key
    # Without a primary key, order by the row's text: every type has one (json, point
    # and xml have no ordering operator of their own).
    order_by = sql.SQL(", ").join(map(sql.Identifier, pk.columns)) if pk else sql.SQL("t::text")
    stmt = sql.SQL("SELECT to_jsonb(t) FROM {} AS t ORDER BY {} LIMIT {}").format(
        sql.Identifier(table.schema, table.name), order_by, sql.Literal(limit)
    )
    names = list(columns) if columns is not None else [c.name for c in table.columns]
    try:
        with conn.transaction():
            docs = conn.execute(stmt).fetchall()
    except psycopg.DataError:
        # A virtual generated column can fail to compute on a stored row (PostgreSQL 18
        # computes it on read); show the stored columns rather than nothing.
        stored = [c.name for c in table.columns if c.generated is None]
        stmt = sql.SQL("SELECT jsonb_build_object({}) FROM {} AS t ORDER BY {} LIMIT {}").format(
            sql.SQL(", ").join(
                sql.SQL("{}, t.{}").format(sql.Literal(n), sql.Identifier(n)) for n in stored
            ),
            sql.Identifier(table.schema, table.name),
            sql.SQL(", ").join(map(sql.Identifier, pk.columns)) if pk else sql.SQL("1"),
            sql.Literal(limit),
        )
        docs = conn.execute(stmt).fetchall()
        names = [n for n in names if n in stored]
    return [{n: doc.get(n) for n in names} for (doc,) in docs]


def generated_row(schema: Schema, table: Table) -> dict[str, Any]:
    """A made-up example row for ``table`` (JSON-ready), for when no seeded row exists."""
    enums = {e.qualified_name: e.values for e in schema.enums}
    check_values = {(c.table, c.column): c.values for c in check_enums(schema)}
    row: dict[str, Any] = {}
    for col in table.columns:
        value = column_value(table, col, 0, enums, check_values)
        if isinstance(value, dt.datetime | dt.date | dt.time | Decimal | dt.timedelta):
            value = str(value) if not isinstance(value, dt.datetime) else value.isoformat()
        elif isinstance(value, bytes):
            value = "\\x" + value.hex()
        elif col.type in ("json", "jsonb") and isinstance(value, str):
            value = json.loads(value)
        elif col.is_array:
            value = []
        row[col.name] = value
    return row


__all__ = [
    "BASE_TIME",
    "column_value",
    "fetch_rows",
    "generated_row",
    "schema_search_path",
    "seed_sample",
    "table_order",
]

"""Load generated tables: COPY in parallel, then indexes, foreign keys, sequences, VACUUM ANALYZE.

Why foreign keys are dropped during the load and re-added afterwards: an FK checked row
by row costs an index probe and a row lock on the parent for every child row, and it
forces parents to commit before children start. Re-adding the constraint validates all
rows in one join, and lets every table load at the same time on its own connection.
Secondary (non-constraint) indexes are dropped and rebuilt for the same reason.

Why text COPY (CSV) and not binary: the rows are built column-wise in pyarrow, and
pyarrow's C++ CSV writer turns a whole table into COPY input at hundreds of MB/s, for
every PostgreSQL type (enums, domains, arrays, inet, tsvector, pgvector) through its
input function. Binary COPY needs a per-type encoder and psycopg's ``write_row`` is a
Python loop per row, measured 3x slower than the CSV path here (see docs/parts/seed.md).
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import psycopg
import pyarrow as pa
import pyarrow.csv as pcsv
from psycopg import sql

from workbench.seed.errors import SeedError, override_hint
from workbench.seed.generate import TableData
from workbench.seed.plan import SeedPlan

_CHUNK = 1 << 20


def _ident(qualified: str) -> sql.Composable:
    schema, _, name = qualified.partition(".")
    return sql.Identifier(schema, name)


def format_timestamps(arr: pa.Array) -> pa.Array:
    """'YYYY-MM-DD HH:MM:SS+00' strings, built with integer arithmetic (pyarrow's own is slow)."""
    us = arr.cast(pa.int64())
    valid = us.is_valid()
    secs = np.nan_to_num(us.to_numpy(zero_copy_only=False), nan=0).astype(np.int64) // 1_000_000
    days, sod = np.divmod(secs, 86400)
    # civil-from-days (H. Hinnant)
    z = days + 719468
    era = np.floor_divide(z, 146097)
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    y = y + (m <= 2)
    hh, rem = np.divmod(sod, 3600)
    mi, ss = np.divmod(rem, 60)
    n = len(secs)
    out = np.empty((n, 22), np.uint8)
    zero = ord("0")
    for pos, value, width in (
        (0, y, 4),
        (5, m, 2),
        (8, d, 2),
        (11, hh, 2),
        (14, mi, 2),
        (17, ss, 2),
    ):
        for k in range(width):
            out[:, pos + width - 1 - k] = zero + (value // 10**k) % 10
    out[:, 4] = out[:, 7] = ord("-")
    out[:, 10] = ord(" ")
    out[:, 13] = out[:, 16] = ord(":")
    out[:, 19:22] = np.frombuffer(b"+00", np.uint8)
    strings = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(22), n, [None, pa.py_buffer(out.tobytes())]
    ).cast(pa.binary())
    strings = strings.cast(pa.string())
    return pa.compute.if_else(valid, strings, pa.scalar(None, pa.string()))


def to_copy_table(data: TableData) -> pa.Table:
    """The columns as a pyarrow table whose CSV rendering PostgreSQL's COPY accepts."""
    cols = {}
    for name, arr in data.columns.items():
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        if pa.types.is_timestamp(arr.type):
            arr = format_timestamps(arr)
        elif pa.types.is_date(arr.type) or pa.types.is_time(arr.type):
            arr = arr.cast(pa.string())
        cols[name] = arr
    return pa.table(cols) if cols else pa.table({})


def csv_bytes(data: TableData) -> bytes:
    buf = io.BytesIO()
    table = to_copy_table(data)
    if table.num_columns:
        pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=False, batch_size=65536))
    return buf.getvalue()


def _translate(exc: psycopg.Error, table: str) -> SeedError:
    diag = exc.diag
    column = diag.column_name
    constraint = diag.constraint_name
    return SeedError(
        f"PostgreSQL rejected the generated rows: {diag.message_primary or exc}"
        + (f" ({diag.message_detail})" if diag.message_detail else ""),
        table=table,
        constraint=constraint,
        column=column,
        hint=override_hint(table, column),
    )


def copy_table(conninfo: str, data: TableData, payload: bytes) -> None:
    cols = list(data.columns)
    with psycopg.connect(conninfo, autocommit=False) as conn:
        try:
            if not cols:
                conn.execute(
                    sql.SQL("INSERT INTO {} SELECT FROM generate_series(1, %s)").format(
                        _ident(data.name)
                    ),
                    [data.rows],
                )
            else:
                stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT csv)").format(
                    _ident(data.name), sql.SQL(", ").join(map(sql.Identifier, cols))
                )
                with conn.cursor().copy(stmt) as copy:
                    view = memoryview(payload)
                    for start in range(0, len(payload), _CHUNK):
                        copy.write(view[start : start + _CHUNK])
            conn.commit()
        except psycopg.Error as exc:
            raise _translate(exc, data.name) from None


def load(
    conninfo: str,
    seed_plan: SeedPlan,
    tables: list[TableData],
    *,
    parallel: int = 2,
    rebuild_indexes_from: int = 10_000,
    vacuum: bool = True,
    progress: Callable[[str], None] | None = None,
) -> dict[str, float]:
    """Load ``tables`` into the database at ``conninfo``; returns seconds per phase."""
    phases: dict[str, float] = {}
    tick = time.perf_counter()
    by_name = {tp.name: tp for tp in seed_plan.tables}
    fks = []  # (table, name, definition)
    indexes = []  # (table, definition)
    with psycopg.connect(conninfo, autocommit=False) as conn:
        for data in tables:
            if conn.execute(
                sql.SQL("SELECT EXISTS (SELECT FROM {})").format(_ident(data.name))
            ).fetchone()[0]:
                raise SeedError(
                    "table already has rows; seed a fresh database (wb.new_database())",
                    table=data.name,
                )
        for tp in seed_plan.tables:
            for t in (tp.table, *tp.partitions):
                for fk in t.foreign_keys:
                    fks.append((t.qualified_name, fk.name, fk.definition))
                    conn.execute(
                        sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                            _ident(t.qualified_name), sql.Identifier(fk.name)
                        )
                    )
        for data in tables:
            tp = by_name[data.name]
            if data.rows >= rebuild_indexes_from and tp.table.kind == "table":
                for index in tp.table.indexes:
                    if index.constraint is None:
                        indexes.append((data.name, index.definition))
                        conn.execute(
                            sql.SQL("DROP INDEX {}").format(
                                sql.Identifier(tp.table.schema, index.name)
                            )
                        )
            for column, expression in data.sql_defaults.items():
                conn.execute(
                    sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT ").format(
                        _ident(data.name), sql.Identifier(column)
                    )
                    + sql.SQL(expression)
                )
        conn.commit()
    phases["prepare"] = time.perf_counter() - tick

    tick = time.perf_counter()
    order = sorted(tables, key=lambda d: -d.rows)
    with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
        # CSV rendering (pyarrow, GIL released) overlaps with the COPYs already running
        futures = [pool.submit(lambda d=d: copy_table(conninfo, d, csv_bytes(d))) for d in order]
        for future, d in zip(futures, order, strict=False):
            future.result()
            if progress:
                progress(d.name)
    phases["copy"] = time.perf_counter() - tick

    tick = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
        list(pool.map(lambda stmt: _execute(conninfo, stmt[1], stmt[0]), indexes))
    phases["indexes"] = time.perf_counter() - tick

    tick = time.perf_counter()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for data in tables:
            tp = by_name[data.name]
            for column, _ in data.sql_defaults.items():
                col = tp.table.column(column)
                default = sql.SQL(col.default) if col.default else sql.SQL("NULL")
                conn.execute(
                    sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT ").format(
                        _ident(data.name), sql.Identifier(column)
                    )
                    + default
                )
        for table, name, definition in fks:
            try:
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        _ident(table), sql.Identifier(name)
                    )
                    + sql.SQL(definition)
                )
            except psycopg.Error as exc:
                raise _translate(exc, table) from None
        _set_sequences(conn, seed_plan, tables)
    phases["constraints"] = time.perf_counter() - tick

    if vacuum:
        tick = time.perf_counter()
        with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
            stmts = [sql.SQL("VACUUM (ANALYZE) {}").format(_ident(d.name)) for d in tables]
            list(pool.map(lambda s: _execute(conninfo, s, None), stmts))
        phases["vacuum"] = time.perf_counter() - tick
    return phases


def _execute(conninfo: str, statement: object, table: str | None) -> None:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        try:
            conn.execute(statement if not isinstance(statement, str) else sql.SQL(statement))  # type: ignore[arg-type]
        except psycopg.Error as exc:
            raise _translate(exc, table or "?") from None


def _set_sequences(conn: psycopg.Connection, seed_plan: SeedPlan, tables: list[TableData]) -> None:
    """Move serial/identity sequences past the loaded ids, so later INSERTs do not collide."""
    by_name = {tp.name: tp for tp in seed_plan.tables}
    for data in tables:
        for col in by_name[data.name].table.columns:
            if col.name not in data.columns:
                continue
            seq = None
            if col.identity:
                seq = conn.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)",
                    [str(_ident(data.name).as_string(conn)), col.name],
                ).fetchone()[0]
            elif col.default and (m := re.match(r"nextval\('(.+?)'::regclass\)", col.default)):
                seq = m.group(1)
            if seq:
                conn.execute(
                    sql.SQL(
                        "SELECT setval({}::regclass, coalesce((SELECT max({}) FROM {}), 0) + 1, false)"
                    ).format(sql.Literal(seq), sql.Identifier(col.name), _ident(data.name))
                )

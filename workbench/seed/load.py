"""Load generated tables: COPY in parallel, then indexes, foreign keys, sequences, VACUUM ANALYZE.

Why foreign keys are dropped during the load and re-added afterwards: an FK checked row
by row costs an index probe and a row lock on the parent for every child row, and it
forces parents to commit before children start. Re-adding the constraint validates all
rows in one join, and lets every table load at the same time on its own connection.
Secondary (non-constraint) indexes are dropped and rebuilt for the same reason.

Why binary COPY first and CSV second: the server is the bottleneck, and it parses
binary rows 2-3x faster (see :mod:`workbench.seed.binary`, which builds them in C++
without a Python loop per row). Tables with a column type the binary encoder does not
know (arrays, intervals, tsvector, pgvector, ...) go through pyarrow's C++ CSV writer
instead, where PostgreSQL's input functions accept every type.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from workbench.seed import binary
from workbench.seed.csvformat import csv_bytes
from workbench.seed.errors import SeedError, override_hint
from workbench.seed.generate import TableData
from workbench.seed.plan import SeedPlan

_CHUNK = 1 << 20


def _ident(qualified: str) -> sql.Composable:
    schema, _, name = qualified.partition(".")
    return sql.Identifier(schema, name)


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


_SESSION = (
    # big sorts for index builds and hash joins for FK validation stay in memory
    "SET maintenance_work_mem = '512MB'",
    "SET work_mem = '256MB'",
)


def _connect(conninfo: str, *, autocommit: bool) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    for statement in _SESSION:
        conn.execute(statement)
    conn.autocommit = autocommit
    return conn


def copy_table(conninfo: str, data: TableData, *, freeze: bool = False) -> str:
    """COPY one table, binary when every column's type allows it, else CSV; returns the format.

    With ``freeze`` the (empty) table is truncated in the same transaction, so
    ``COPY ... FREEZE`` writes the rows already frozen and all-visible and the VACUUM
    afterwards has nothing left to do on the heap.
    """
    cols = list(data.columns)
    with _connect(conninfo, autocommit=False) as conn:
        try:
            if not cols:
                conn.execute(
                    sql.SQL("INSERT INTO {} SELECT FROM generate_series(1, %s)").format(
                        _ident(data.name)
                    ),
                    [data.rows],
                )
                conn.commit()
                return "insert"
            types = binary.column_types(conn, _ident(data.name).as_string(conn))
            try:
                _copy(conn, data, "binary", binary.encode(data.columns, types), freeze)
                return "binary"
            except binary.NoBinary:
                conn.rollback()
            payload = memoryview(csv_bytes(data))
            chunks = (payload[i : i + _CHUNK] for i in range(0, len(payload), _CHUNK))
            _copy(conn, data, "csv", chunks, freeze)
            return "csv"
        except psycopg.Error as exc:
            raise _translate(exc, data.name) from None


def _copy(
    conn: psycopg.Connection, data: TableData, fmt: str, chunks: Iterable[Any], freeze: bool
) -> None:
    if freeze:
        conn.execute(sql.SQL("TRUNCATE {}").format(_ident(data.name)))
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT {}{})").format(
        _ident(data.name),
        sql.SQL(", ").join(map(sql.Identifier, data.columns)),
        sql.SQL(fmt),
        sql.SQL(", FREEZE" if freeze else ""),
    )
    with conn.cursor().copy(stmt) as copy:
        for chunk in chunks:
            copy.write(chunk)
    conn.commit()


@dataclass(frozen=True)
class _Index:
    """An index (or the index of a PRIMARY KEY/UNIQUE constraint) dropped for the load."""

    table: str
    create: str  # CREATE [UNIQUE] INDEX ... (pg_get_indexdef)
    attach: str | None  # ALTER TABLE ... ADD CONSTRAINT ... USING INDEX, or a full ADD CONSTRAINT
    comments: tuple[str, ...]


@dataclass(frozen=True)
class _ForeignKey:
    table: str
    name: str
    definition: str  # pg_get_constraintdef
    comment: str | None
    partitioned: bool


_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), ic.relname,
       c.conname, c.contype, c.condeferrable, pg_get_constraintdef(c.oid),
       obj_description(i.indexrelid, 'pg_class'), obj_description(c.oid, 'pg_constraint')
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
LEFT JOIN pg_constraint c
       ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u', 'x')
WHERE i.indrelid = %s::regclass
  AND i.indisvalid AND NOT i.indisclustered AND NOT i.indisreplident
  AND (c.contype IS NULL OR c.contype IN ('p', 'u'))
ORDER BY 1
"""

_FOREIGN_KEYS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid),
       obj_description(c.oid, 'pg_constraint'), r.relkind = 'p'
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
WHERE c.contype = 'f' AND c.conparentid = 0 AND c.conrelid = ANY(%s::regclass[])
ORDER BY 1, 2
"""


def _drop_indexes(conn: psycopg.Connection, table: str) -> list[_Index]:
    """Drop the table's indexes and PRIMARY KEY/UNIQUE constraints; returns how to rebuild them.

    Each drop runs in a savepoint: a constraint something else depends on (a view
    grouping by the primary key, a foreign key from a table outside the plan) stays.
    """
    dropped = []
    rel = _ident(table)
    for row in conn.execute(_INDEXES, [rel.as_string(conn)]).fetchall():
        index, indexdef, index_name, conname, contype, deferrable, condef, icomment, ccomment = row
        comments = []
        if conname is None:
            drop = sql.SQL("DROP INDEX {}").format(sql.SQL(index))
            attach = None
        else:
            drop = sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(rel, sql.Identifier(conname))
            if index_name == conname and not deferrable:
                kind = "PRIMARY KEY" if contype == "p" else "UNIQUE"
                attach = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {} USING INDEX {}").format(
                    rel, sql.Identifier(conname), sql.SQL(kind), sql.Identifier(index_name)
                )
            else:  # the constraint builds its own index
                indexdef = None
                attach = sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                    rel, sql.Identifier(conname)
                ) + sql.SQL(condef)
            if ccomment is not None:
                comments.append(
                    sql.SQL("COMMENT ON CONSTRAINT {} ON {} IS {}")
                    .format(sql.Identifier(conname), rel, sql.Literal(ccomment))
                    .as_string(conn)
                )
        if icomment is not None:
            comments.append(
                sql.SQL("COMMENT ON INDEX {} IS {}")
                .format(sql.SQL(index), sql.Literal(icomment))
                .as_string(conn)
            )
        try:
            with conn.transaction():
                conn.execute(drop)
        except psycopg.Error:
            continue
        dropped.append(
            _Index(
                table,
                indexdef,
                attach.as_string(conn) if attach is not None else None,
                tuple(comments),
            )
        )
    return dropped


def _run_parallel(conninfo: str, parallel: int, jobs: list[tuple[str | None, list[str]]]) -> None:
    """Run each job's statements in order on one of ``parallel`` connections."""
    if not jobs:
        return

    def run(job: tuple[str | None, list[str]]) -> None:
        table, statements = job
        with _connect(conninfo, autocommit=True) as conn:
            for statement in statements:
                try:
                    conn.execute(sql.SQL(statement))  # type: ignore[arg-type]
                except psycopg.Error as exc:
                    raise _translate(exc, table or "?") from None

    with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
        list(pool.map(run, jobs))


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
    """Load ``tables`` into the database at ``conninfo``; returns seconds per phase.

    Foreign keys, and on tables of at least ``rebuild_indexes_from`` rows the indexes
    and PRIMARY KEY/UNIQUE constraints, are dropped for the COPY and rebuilt after it,
    with their comments; the catalog ends as it started.
    """
    phases: dict[str, float] = {}
    tick = time.perf_counter()
    by_name = {tp.name: tp for tp in seed_plan.tables}
    indexes: list[_Index] = []
    freeze: set[str] = set()
    with _connect(conninfo, autocommit=False) as conn:
        for data in tables:
            if conn.execute(
                sql.SQL("SELECT EXISTS (SELECT FROM {})").format(_ident(data.name))
            ).fetchone()[0]:
                raise SeedError(
                    "table already has rows; seed a fresh database (wb.new_database())",
                    table=data.name,
                )
        relations = [
            _ident(t.qualified_name).as_string(conn)
            for tp in seed_plan.tables
            for t in (tp.table, *tp.partitions)
        ]
        fks = [_ForeignKey(*row) for row in conn.execute(_FOREIGN_KEYS, [relations]).fetchall()]
        for fk in fks:
            conn.execute(
                sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                    sql.SQL(fk.table), sql.Identifier(fk.name)
                )
            )
        for data in tables:
            tp = by_name[data.name]
            if data.rows >= rebuild_indexes_from and tp.table.kind == "table":
                indexes += _drop_indexes(conn, data.name)
            for column, expression in data.sql_defaults.items():
                conn.execute(
                    sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT ").format(
                        _ident(data.name), sql.Identifier(column)
                    )
                    + sql.SQL(expression)
                )
        # TRUNCATE + COPY FREEZE needs a plain table nothing references any more
        # and no ON TRUNCATE trigger that would see the TRUNCATE.
        names = [d.name for d in tables]
        for row in conn.execute(
            """
            SELECT u.name FROM unnest(%s::text[], %s::text[]) AS u(name, rel)
            JOIN pg_class r ON r.oid = u.rel::regclass
            WHERE r.relkind = 'r'
              AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.confrelid = r.oid)
              AND NOT EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = r.oid
                              AND (t.tgtype & 32) <> 0)
            """,
            [names, [_ident(n).as_string(conn) for n in names]],
        ).fetchall():
            freeze.add(row[0])
        conn.commit()
    phases["prepare"] = time.perf_counter() - tick

    tick = time.perf_counter()
    order = sorted(tables, key=lambda d: -d.rows)
    with ThreadPoolExecutor(max_workers=max(parallel, 1)) as pool:
        # encoding (pyarrow/numpy, GIL released) overlaps with the COPYs already running
        futures = [
            pool.submit(lambda d=d: copy_table(conninfo, d, freeze=d.name in freeze)) for d in order
        ]
        for future, d in zip(futures, order, strict=False):
            future.result()
            if progress:
                progress(d.name)
    phases["copy"] = time.perf_counter() - tick

    tick = time.perf_counter()
    # index builds take a SHARE lock, so several run at once even on one table;
    # attaching the constraints (a catalog change) comes after, per table
    _run_parallel(conninfo, parallel, [(ix.table, [ix.create]) for ix in indexes if ix.create])
    attach: dict[str, list[str]] = {}
    for ix in indexes:
        attach.setdefault(ix.table, []).extend([ix.attach] if ix.attach else [])
        attach[ix.table].extend(ix.comments)
    _run_parallel(conninfo, parallel, [(t, s) for t, s in attach.items() if s])
    phases["indexes"] = time.perf_counter() - tick

    tick = time.perf_counter()
    validate: dict[str, list[str]] = {}
    with _connect(conninfo, autocommit=True) as conn:
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
        # NOT VALID first (instant), then VALIDATE: validating takes only a SHARE UPDATE
        # EXCLUSIVE lock, so different tables validate at the same time.
        for fk in fks:
            split = not fk.partitioned and not fk.definition.endswith("NOT VALID")
            try:
                conn.execute(
                    sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(
                        sql.SQL(fk.table), sql.Identifier(fk.name)
                    )
                    + sql.SQL(fk.definition + (" NOT VALID" if split else ""))
                )
                if fk.comment is not None:
                    conn.execute(
                        sql.SQL("COMMENT ON CONSTRAINT {} ON {} IS {}").format(
                            sql.Identifier(fk.name), sql.SQL(fk.table), sql.Literal(fk.comment)
                        )
                    )
            except psycopg.Error as exc:
                raise _translate(exc, fk.table) from None
            if split:
                validate.setdefault(fk.table, []).append(
                    sql.SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}")
                    .format(sql.SQL(fk.table), sql.Identifier(fk.name))
                    .as_string(conn)
                )
        _set_sequences(conn, seed_plan, tables)
    _run_parallel(conninfo, parallel, list(validate.items()))
    phases["constraints"] = time.perf_counter() - tick

    if vacuum:
        tick = time.perf_counter()
        # VACUUM everything first, then ANALYZE: ANALYZE takes a snapshot that holds back
        # the xmin horizon, so a VACUUM (ANALYZE) running beside another table's VACUUM can
        # leave that table's pages not all-visible (index-only scans then read the heap).
        names = [d.name for d in order]
        _run_parallel(conninfo, parallel, [(n, [_stmt("VACUUM {}", n)]) for n in names])
        # A first VACUUM right after a bulk load sometimes leaves the visibility map unset
        # (seen on PostgreSQL 18); a second pass over just those tables sets it.
        again = _not_all_visible(conninfo, names)
        _run_parallel(conninfo, parallel, [(n, [_stmt("VACUUM {}", n)]) for n in again])
        _run_parallel(conninfo, parallel, [(n, [_stmt("ANALYZE {}", n)]) for n in names])
        phases["vacuum"] = time.perf_counter() - tick
    return phases


def _stmt(template: str, table: str) -> str:
    return sql.SQL(template).format(_ident(table)).as_string(None)


def _not_all_visible(conninfo: str, names: list[str]) -> list[str]:
    """The tables among ``names`` whose visibility map does not cover every page."""
    with _connect(conninfo, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT n FROM unnest(%s::text[], %s::text[]) AS u(n, q) "
            "JOIN pg_class c ON c.oid = u.q::regclass "
            "WHERE c.relkind = 'r' AND c.relpages > 0 AND c.relallvisible < c.relpages",
            [names, [_stmt("{}", n) for n in names]],
        ).fetchall()
    return [r[0] for r in rows]


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

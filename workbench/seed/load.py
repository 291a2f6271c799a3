"""Load generated tables: a pipeline of COPY, index builds, keys, foreign keys and VACUUM ANALYZE.

Why a pipeline: each table goes to COPY the moment it is generated, on its own
connection, while the client generates the next one; when a table's rows are in, its
index builds start, then its keys are attached, its foreign keys added and validated as
soon as both sides have their keys, and it is vacuumed and analysed. The steps run on a
few connections in any order their dependencies and table locks allow (see
:mod:`workbench.seed.pipeline`), so the server is never idle while work remains.

Why foreign keys are dropped during the load and re-added afterwards: an FK checked row
by row costs an index probe and a row lock on the parent for every child row, and it
forces parents to commit before children start. Re-adding the constraint validates all
rows in one join, and lets every table load at the same time. On tables of at least
``rebuild_indexes_from`` rows the indexes and PRIMARY KEY/UNIQUE constraints are dropped
too, in the COPY's own transaction, and rebuilt afterwards: one sort per index is far
cheaper than a random insertion per row.

Why ``TRUNCATE`` + ``COPY ... FREEZE`` in one transaction: the rows land frozen with
the visibility map set, so nothing later (index builds, FK validation, ANALYZE, the
VACUUM itself) has to set hint bits or revisit a page, and index-only scans work at
once. With ``wal_level = minimal`` (the local servers' setting) such a COPY also skips
WAL entirely.

Why binary COPY first and CSV second: the server is the bottleneck, and it parses
binary rows 2-3x faster (see :mod:`workbench.seed.binary`, which builds them in C++
without a Python loop per row). Tables with a column type the binary encoder does not
know (arrays, intervals, tsvector, pgvector, ...) go through pyarrow's C++ CSV writer
instead, where PostgreSQL's input functions accept every type.
"""

from __future__ import annotations

import itertools
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import psycopg
from psycopg import sql

from workbench.seed import binary
from workbench.seed.csvformat import csv_bytes
from workbench.seed.errors import SeedError, override_hint
from workbench.seed.generate import TableData
from workbench.seed.pipeline import (
    ACCESS_EXCLUSIVE,
    ROW_SHARE,
    SHARE,
    SHARE_ROW_EXCLUSIVE,
    SHARE_UPDATE_EXCLUSIVE,
    Job,
    JobFailed,
    Scheduler,
)
from workbench.seed.plan import SeedPlan

_CHUNK = 1 << 20
#: foreign keys dropped per transaction (two ACCESS EXCLUSIVE locks each)
_DROP_BATCH = 200

#: job priorities: rows first (they unblock everything), then what they unblock
_COPY, _INDEX, _FOREIGN_KEY, _VACUUM = range(4)


def _ident(qualified: str) -> sql.Composable:
    schema, _, name = qualified.partition(".")
    return sql.Identifier(schema, name)


def _translate(exc: psycopg.Error, table: str) -> SeedError:
    diag = exc.diag
    column = diag.column_name
    if column is None and diag.context:  # COPY names the column only in its context line
        found = re.search(r"COPY \S+, line \d+, column (\w+)", diag.context)
        column = found.group(1) if found else None
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
    "SET max_parallel_maintenance_workers = 0",
)


def default_parallel() -> int:
    """One connection per core, at least two (one COPYs while another builds indexes)."""
    return max(2, min(os.cpu_count() or 2, 8))


def _connect(conninfo: str, *, autocommit: bool) -> psycopg.Connection:
    conn = psycopg.connect(conninfo, autocommit=True)
    for statement in _SESSION:
        conn.execute(statement)
    conn.autocommit = autocommit
    return conn


def send_rows(conn: psycopg.Connection, data: TableData, *, freeze: bool) -> str:
    """COPY ``data`` inside the caller's transaction; returns the format used.

    Binary when every column's type has an encoder, else CSV. With ``freeze`` the
    (empty) table is truncated in the same subtransaction so ``COPY ... FREEZE`` applies.
    """
    if data.rows == 0:
        return "none"  # a table asked to stay empty ({"default": 0})
    if not data.names:
        conn.execute(
            sql.SQL("INSERT INTO {} SELECT FROM generate_series(1, %s)").format(_ident(data.name)),
            [data.rows],
        )
        return "insert"
    types = binary.column_types(conn, _ident(data.name).as_string(conn))
    try:
        chunks = binary.encode_batches(data.batches(), types)
        first = next(chunks)  # an unknown type raises here, before a byte is sent
        with conn.transaction():  # a value found unencodable mid-stream undoes only this
            _copy(conn, data, "binary", itertools.chain([first], chunks), freeze)
        return "binary"
    except binary.NoBinary:
        pass
    with conn.transaction():
        _copy(conn, data, "csv", _csv_chunks(data), freeze)
    return "csv"


def _csv_chunks(data: TableData) -> Iterator[memoryview]:
    """CSV COPY input, one slice of rows rendered at a time (memory stays flat)."""
    for batch in data.batches():
        part = TableData(data.name, batch, len(next(iter(batch.values()))))
        payload = memoryview(csv_bytes(part))
        for i in range(0, len(payload), _CHUNK):
            yield payload[i : i + _CHUNK]


def copy_table(conninfo: str, data: TableData, *, freeze: bool = False) -> str:
    """COPY one table in its own transaction (binary, else CSV); returns the format used."""
    with _connect(conninfo, autocommit=True) as conn:
        try:
            with conn.transaction():
                return send_rows(conn, data, freeze=freeze)
        except psycopg.Error as exc:
            raise _translate(exc, data.name) from None


def _copy(
    conn: psycopg.Connection, data: TableData, fmt: str, chunks: Iterable[Any], freeze: bool
) -> None:
    if freeze:
        conn.execute(sql.SQL("TRUNCATE {}").format(_ident(data.name)))
    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT {}{})").format(
        _ident(data.name),
        sql.SQL(", ").join(map(sql.Identifier, data.names)),
        sql.SQL(fmt),
        sql.SQL(", FREEZE" if freeze else ""),
    )
    with conn.cursor().copy(stmt) as copy:
        for chunk in chunks:
            copy.write(chunk)


@dataclass(frozen=True)
class _Index:
    """An index (or the index of a PRIMARY KEY/UNIQUE constraint) dropped for the load."""

    table: str
    create: str  # CREATE [UNIQUE] INDEX ... (pg_get_indexdef)
    attach: str | None  # ALTER TABLE ... ADD CONSTRAINT ... USING INDEX, or a full ADD CONSTRAINT
    comments: tuple[str, ...]


@dataclass
class _ForeignKey:
    table: str  # the referencing relation, as regclass text
    name: str
    definition: str  # pg_get_constraintdef
    comment: str | None
    partitioned: bool
    child: int  # oid of the referencing plan table (a partition maps to its root)
    parent: int  # oid of the referenced table (its root when it is a partition)
    submitted: bool = False


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
       obj_description(c.oid, 'pg_constraint'), r.relkind = 'p',
       c.conrelid::oid, c.confrelid::oid
FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
WHERE c.contype = 'f' AND c.conparentid = 0 AND c.conrelid = ANY(%s::regclass[])
ORDER BY 1, 2
"""

_RELATIONS = """
SELECT u.root, u.rel::regclass::oid, r.relkind,
       EXISTS (SELECT FROM pg_trigger t WHERE t.tgrelid = r.oid AND (t.tgtype & 32) <> 0)
FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS u(root, rel, n)
JOIN pg_class r ON r.oid = u.rel::regclass
ORDER BY u.n
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


class Progress(Protocol):
    """What the loader reports to: jobs as they are planned and as they finish."""

    def planned(self, jobs: int) -> None: ...

    def finished(self, what: str) -> None: ...


@dataclass
class _TableState:
    name: str
    oid: int
    freeze: bool
    relations: tuple[int, ...]  # the table and its partitions
    rows: int = 0
    ready: bool = False  # rows in, keys and indexes back
    fks: list[_ForeignKey] = field(default_factory=list)


class Loader:
    """Loads generated tables as they are handed over; :meth:`finish` waits for the rest.

    ``with Loader(conninfo, plan) as loader: loader.add(data) ...; phases = loader.finish()``.
    On entering, it checks the tables are empty and drops the foreign keys among them;
    each :meth:`add` queues the table's COPY; :meth:`finish` raises :class:`SeedError`
    for the first failed step and returns the seconds spent per kind of step (summed
    over connections) plus ``written``, the moment the last row was in (seconds since
    the loader started).
    """

    def __init__(
        self,
        conninfo: str,
        seed_plan: SeedPlan,
        *,
        parallel: int = 2,
        rebuild_indexes_from: int = 10_000,
        vacuum: bool = True,
        progress: Progress | None = None,
        shipped: set[str] | None = None,
    ) -> None:
        self.conninfo = conninfo
        #: tables that held rows before the seed: never truncated, rows added beside
        self.shipped = shipped or set()
        self.plan = seed_plan
        self.parallel = parallel
        self.rebuild_indexes_from = rebuild_indexes_from
        self.vacuum = vacuum
        self.progress = progress
        self._tables: dict[str, _TableState] = {}
        self._by_oid: dict[int, _TableState] = {}
        self._added: list[TableData] = []
        self._started = 0.0
        self._written = 0.0
        self._scheduler: Scheduler | None = None
        self._fks: list[_ForeignKey] = []
        self._index_counts: dict[int, int] = {}
        self._inflight = 0  # bytes of arrays handed over whose COPY has not finished
        self._inflight_lock = threading.Lock()
        self._columns: dict[str, tuple[str, ...]] = {}  # columns each table was COPYed with
        self._counts: dict[str, int] = {}

    @property
    def started(self) -> float:
        """``time.perf_counter()`` when the loader was entered."""
        return self._started

    @property
    def rows(self) -> dict[str, int]:
        """Rows handed over per table, in the order they came."""
        return dict(self._counts)

    def wait_for_room(self, limit: int) -> None:
        """Block while more than ``limit`` bytes of handed-over arrays wait for their COPY.

        Why: generation runs ahead of the COPYs; without this bound every generated
        table of a 10 M-row seed would sit in memory at once. Once a table's COPY is
        done its arrays are released (see :meth:`add`).
        """
        assert self._scheduler is not None
        try:
            self._scheduler.wait_until(lambda: self._inflight <= limit)
        except JobFailed:
            self._wait()

    # -- set-up and tear-down -----------------------------------------------------------
    def __enter__(self) -> Loader:
        self._started = time.perf_counter()
        self._prepare()
        self._scheduler = Scheduler(
            lambda: _connect(self.conninfo, autocommit=True),
            workers=self.parallel,
            on_done=self._finished,
        ).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._scheduler is not None:
            self._scheduler.__exit__(*exc)

    def _prepare(self) -> None:
        roots, rels = [], []
        for tp in self.plan.tables:
            for t in (tp.table, *tp.partitions):
                roots.append(tp.name)
                rels.append(_ident(t.qualified_name).as_string(None))
        try:
            self._prepare_catalog(roots, rels)
        except psycopg.Error as exc:
            raise _translate(exc, exc.diag.table_name or "(preparing the load)") from None

    def _prepare_catalog(self, roots: list[str], rels: list[str]) -> None:
        """Check the tables are empty, read the catalog and drop the foreign keys.

        Why the drops are committed in batches: one transaction dropping every FK of a
        1,400-table schema holds an ACCESS EXCLUSIVE lock on each table at once and
        exhausts the server's lock table (``out of shared memory``); a few hundred per
        transaction stay well inside the default ``max_locks_per_transaction``.
        """
        with _connect(self.conninfo, autocommit=True) as conn:
            for tp in self.plan.tables:  # each probe its own transaction: no lock piles up
                if tp.name in self.shipped:
                    continue
                has_rows = conn.execute(
                    sql.SQL("SELECT EXISTS (SELECT FROM {})").format(_ident(tp.name))
                ).fetchone()
                if has_rows is not None and has_rows[0]:
                    raise SeedError(
                        "table gained rows while the seed started; seed a fresh database",
                        table=tp.name,
                    )
            info = conn.execute(_RELATIONS, [roots, rels]).fetchall()
            root_oid: dict[int, int] = {}
            for root, oid, relkind, truncate_trigger in info:
                if root not in self._tables:  # the root comes first
                    # TRUNCATE + COPY FREEZE needs a plain table that nothing references
                    # once the FKs are dropped and no ON TRUNCATE trigger would see it
                    freeze = relkind == "r" and not truncate_trigger and root not in self.shipped
                    state = _TableState(root, oid, freeze, ())
                    self._tables[root] = self._by_oid[oid] = state
                state = self._tables[root]
                state.relations += (oid,)
                root_oid[oid] = state.oid
            fks = []
            for row in conn.execute(_FOREIGN_KEYS, [rels]).fetchall():
                table, name, definition, comment, partitioned, child, parent = row
                parent_oid = int(parent)
                fks.append(
                    _ForeignKey(
                        table, name, definition, comment, partitioned,
                        root_oid[child], root_oid.get(parent_oid, parent_oid),
                    )
                )  # fmt: skip
            for start in range(0, len(fks), _DROP_BATCH):
                with conn.transaction():
                    for fk in fks[start : start + _DROP_BATCH]:
                        conn.execute(
                            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(
                                sql.SQL(fk.table), sql.Identifier(fk.name)
                            )
                        )
            self._fks = fks
            self._index_counts = dict(
                conn.execute(
                    "SELECT indrelid::oid, count(*) FROM pg_index"
                    " WHERE indrelid = ANY(%s::oid[]) GROUP BY 1",
                    [list(root_oid)],
                ).fetchall()
            )
            for fk in fks:
                self._by_oid[fk.child].fks.append(fk)
                if fk.parent in self._by_oid and fk.parent != fk.child:
                    self._by_oid[fk.parent].fks.append(fk)
            referenced = conn.execute(
                "SELECT DISTINCT confrelid::oid FROM pg_constraint "
                "WHERE contype = 'f' AND confrelid = ANY(%s::oid[])",
                [list(root_oid)],
            ).fetchall()
            for (oid,) in referenced:
                self._by_oid[root_oid[oid]].freeze = False

    def expected_jobs(self) -> int:
        """How many jobs the load will run, as the plan tells before any row exists.

        For a progress bar that does not run backwards: fan-out tables may end above or
        below the row count that decides an index rebuild, and a table may need a second
        VACUUM, so the real count can differ by a few.
        """
        jobs = 0
        for tp in self.plan.tables:
            state = self._tables[tp.name]
            jobs += 1  # COPY
            indexes = self._index_counts.get(state.oid, 0)
            if tp.rows >= self.rebuild_indexes_from and tp.table.kind == "table" and indexes:
                jobs += indexes + 1  # one build each, then one attach
            if self.vacuum and tp.rows:
                jobs += 1 if state.freeze else 2  # VACUUM (ANALYZE), or VACUUM then ANALYZE
        for fk in self._fks:
            jobs += 1 if fk.partitioned or fk.definition.endswith("NOT VALID") else 2
        return jobs

    # -- the steps -------------------------------------------------------------------------
    def _submit(self, job: Job, *, after: Sequence[Job] = ()) -> Job:
        assert self._scheduler is not None
        if self.progress is not None:
            self.progress.planned(1)
        return self._scheduler.submit(job, after=after)

    def _finished(self, job: Job) -> None:
        if job.kind == "copy":
            self._written = time.perf_counter()
        if self.progress is not None:
            self.progress.finished(f"{job.kind} {job.label.split('.')[-1]}")

    def add(self, data: TableData) -> None:
        """Queue the COPY of one generated table (its indexes, keys and FKs follow)."""
        state = self._tables[data.name]
        state.rows = data.rows
        self._counts[data.name] = data.rows
        self._columns[data.name] = data.names
        size = sum(a.nbytes for a in data.columns.values())
        with self._inflight_lock:
            self._inflight += size
        tp = self.plan.table(data.name)
        rebuild = data.rows >= self.rebuild_indexes_from and tp.table.kind == "table"
        holder = [data]  # the only reference the loader keeps, dropped after the COPY
        name, data_rows = data.name, data.rows
        del data

        def run(conn: psycopg.Connection) -> list[_Index]:
            rows = holder[0]
            try:
                with conn.transaction():
                    dropped = _drop_indexes(conn, rows.name) if rebuild else []
                    defaults = {c: tp.table.column(c).default for c in rows.sql_defaults}
                    for column, expression in rows.sql_defaults.items():
                        _set_default(conn, rows.name, column, expression)
                    send_rows(conn, rows, freeze=state.freeze)
                    for column, default in defaults.items():
                        _set_default(conn, rows.name, column, default)
            except psycopg.Error as exc:
                raise _translate(exc, rows.name) from None
            finally:
                holder.clear()
                with self._inflight_lock:
                    self._inflight -= size
            return dropped

        self._submit(
            Job(
                "copy",
                name,
                run,
                locks=[(state.oid, ACCESS_EXCLUSIVE)],
                priority=_COPY,
                weight=data_rows,
                then=lambda dropped: self._copied(state, dropped),
            )
        )

    def _copied(self, state: _TableState, dropped: list[_Index]) -> None:
        if not dropped:
            self._ready(state)
            return
        builds = [
            self._submit(
                Job(
                    "indexes",
                    state.name,
                    _statements([ix.create]),
                    locks=[(state.oid, SHARE)],  # builds on one table run side by side
                    priority=_INDEX,
                    weight=state.rows,
                )
            )
            for ix in dropped
            if ix.create
        ]
        # attaching the constraints (a catalog change) comes after every build
        attach = [s for ix in dropped for s in ([ix.attach] if ix.attach else [])]
        attach += [c for ix in dropped for c in ix.comments]
        self._submit(
            Job(
                "indexes",
                state.name,
                _statements(attach),
                locks=[(state.oid, ACCESS_EXCLUSIVE)],
                priority=_INDEX,
                weight=state.rows,
                then=lambda _: self._ready(state),
            ),
            after=builds,
        )

    def _ready(self, state: _TableState) -> None:
        state.ready = True
        if self.vacuum and state.freeze:
            # frozen rows with the visibility map set: VACUUM only confirms it
            self._submit(
                Job(
                    "vacuum",
                    state.name,
                    _statements([_stmt("VACUUM (ANALYZE) {}", state.name)]),
                    locks=[(state.oid, SHARE_UPDATE_EXCLUSIVE)],
                    priority=_VACUUM,
                    weight=state.rows,
                )
            )
        for fk in state.fks:
            parent = self._by_oid.get(fk.parent)
            if (
                not fk.submitted
                and self._by_oid[fk.child].ready
                and (parent is None or parent.ready)
            ):
                fk.submitted = True
                self._add_foreign_key(fk)

    def _add_foreign_key(self, fk: _ForeignKey) -> None:
        # NOT VALID first (instant), then VALIDATE: validating takes only SHARE UPDATE
        # EXCLUSIVE on the child and ROW SHARE on the parent, so FKs of different tables
        # (and of one parent) validate at the same time.
        split = not fk.partitioned and not fk.definition.endswith("NOT VALID")
        table = sql.SQL(fk.table)
        add = [
            (
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} ").format(table, sql.Identifier(fk.name))
                + sql.SQL(fk.definition + (" NOT VALID" if split else ""))
            ).as_string(None)
        ]
        if fk.comment is not None:
            add.append(
                sql.SQL("COMMENT ON CONSTRAINT {} ON {} IS {}")
                .format(sql.Identifier(fk.name), table, sql.Literal(fk.comment))
                .as_string(None)
            )
        rows = self._by_oid[fk.child].rows
        added = self._submit(
            Job(
                "constraints",
                fk.table,
                _statements(add),
                locks=[(fk.child, SHARE_ROW_EXCLUSIVE), (fk.parent, SHARE_ROW_EXCLUSIVE)],
                priority=_FOREIGN_KEY,
                weight=rows,
            )
        )
        if split:
            validate = sql.SQL("ALTER TABLE {} VALIDATE CONSTRAINT {}").format(
                table, sql.Identifier(fk.name)
            )
            self._submit(
                Job(
                    "constraints",
                    fk.table,
                    _statements([validate.as_string(None)]),
                    locks=[(fk.child, SHARE_UPDATE_EXCLUSIVE), (fk.parent, ROW_SHARE)],
                    priority=_FOREIGN_KEY,
                    weight=rows,
                ),
                after=[added],
            )

    # -- the end ---------------------------------------------------------------------------
    def _wait(self) -> None:
        assert self._scheduler is not None
        try:
            self._scheduler.wait()
        except JobFailed as failed:
            if isinstance(failed.error, SeedError):
                raise failed.error from None
            if isinstance(failed.error, psycopg.Error):
                raise _translate(failed.error, failed.job.label) from None
            raise failed.error from None

    def finish(self) -> dict[str, float]:
        """Wait for every step; then sequences, and VACUUM where FREEZE could not be used."""
        self._wait()
        assert self._scheduler is not None
        try:
            with _connect(self.conninfo, autocommit=True) as conn:
                _set_sequences(conn, self.plan, self._columns)
        except psycopg.Error as exc:
            raise _translate(exc, exc.diag.table_name or "(setting sequences)") from None
        if self.vacuum:
            # Tables loaded without FREEZE (partitioned, referenced from outside the plan)
            # are vacuumed last, when no transaction older than their rows is left, so
            # VACUUM can mark every page all-visible; ANALYZE after, because its snapshot
            # would hold that horizon back for a VACUUM running beside it.
            names = [s.name for s in self._tables.values() if not s.freeze and s.rows]
            self._each("vacuum", [_stmt("VACUUM {}", n) for n in names], names)
            again = _not_all_visible(self.conninfo, [s.name for s in self._tables.values()])
            self._each("vacuum", [_stmt("VACUUM {}", n) for n in again], again)
            self._each("vacuum", [_stmt("ANALYZE {}", n) for n in names], names)
        phases = {k: self._scheduler.busy.get(k, 0.0) for k in _PHASES}
        phases["written"] = self._written - self._started if self._written else 0.0
        return phases

    def _each(self, kind: str, statements: list[str], labels: list[str]) -> None:
        for statement, label in zip(statements, labels, strict=True):
            self._submit(Job(kind, label, _statements([statement])))
        self._wait()


_PHASES = ("copy", "indexes", "constraints", "vacuum")


def _statements(statements: Sequence[str]) -> Any:
    def run(conn: psycopg.Connection) -> None:
        for statement in statements:
            conn.execute(sql.SQL(statement))  # type: ignore[arg-type]

    return run


def _set_default(conn: psycopg.Connection, table: str, column: str, default: str | None) -> None:
    conn.execute(
        sql.SQL("ALTER TABLE {} ALTER COLUMN {} SET DEFAULT ").format(
            _ident(table), sql.Identifier(column)
        )
        + sql.SQL(default or "NULL")
    )


def load(
    conninfo: str,
    seed_plan: SeedPlan,
    tables: Iterable[TableData],
    *,
    parallel: int = 2,
    rebuild_indexes_from: int = 10_000,
    vacuum: bool = True,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Load ``tables`` into the database at ``conninfo``; returns seconds per kind of step.

    Foreign keys, and on tables of at least ``rebuild_indexes_from`` rows the indexes
    and PRIMARY KEY/UNIQUE constraints, are dropped for the COPY and rebuilt after it,
    with their comments; the catalog ends as it started. ``tables`` may be a generator:
    each table is loaded as soon as it comes.
    """
    with Loader(
        conninfo,
        seed_plan,
        parallel=parallel,
        rebuild_indexes_from=rebuild_indexes_from,
        vacuum=vacuum,
        progress=progress,
    ) as loader:
        for data in tables:
            loader.add(data)
        return loader.finish()


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


def _set_sequences(
    conn: psycopg.Connection, seed_plan: SeedPlan, tables: Mapping[str, Sequence[str]]
) -> None:
    """Move serial/identity sequences past the loaded ids, so later INSERTs do not collide."""
    for name, columns in tables.items():
        for col in seed_plan.table(name).table.columns:
            if col.name not in columns:
                continue
            seq = None
            if col.identity:
                found = conn.execute(
                    "SELECT pg_get_serial_sequence(%s, %s)",
                    [str(_ident(name).as_string(conn)), col.name],
                ).fetchone()
                seq = found[0] if found else None
            elif col.default and (m := re.match(r"nextval\('(.+?)'::regclass\)", col.default)):
                seq = m.group(1)
            if seq:
                conn.execute(
                    sql.SQL(
                        "SELECT setval({}::regclass, coalesce((SELECT max({}) FROM {}), 0) + 1, false)"
                    ).format(sql.Literal(seq), sql.Identifier(col.name), _ident(name))
                )

"""Apply a migration statement by statement and measure what each one does to other sessions.

Three kinds of connection, each its own PostgreSQL session:

- the migration: runs one statement at a time. A statement that may run in a
  transaction runs in one (``BEGIN; stmt; <read own pg_locks>; COMMIT``), so the
  locks it took are read exactly, however short it was; the others
  (``CONCURRENTLY``, enum values) run in autocommit and their locks come from the
  sampler.
- the sampler (a thread): reads ``pg_locks`` every millisecond or so, the
  migration's locks (for the timeline and the out-of-transaction statements)
  and which probe sessions are waiting.
- the probes (a thread per touched table and kind): in a loop, a read
  (``SELECT * FROM t LIMIT 1``, ACCESS SHARE) and a write's lock
  (``LOCK TABLE t IN ROW EXCLUSIVE MODE`` in a transaction rolled back: what an
  INSERT/UPDATE takes, without changing rows). Each records its start and end;
  a probe the sampler saw waiting was blocked for its whole duration.

Rewrites: ``pg_class.relfilenode`` of every table before and after each
statement; a new file is a rewrite.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql as psql

from workbench.diff import Step
from workbench.safety import LOCK_MODES, unquote

_RANK = {m: i for i, m in enumerate(LOCK_MODES)}
_MODE = {
    "AccessShareLock": "ACCESS SHARE",
    "RowShareLock": "ROW SHARE",
    "RowExclusiveLock": "ROW EXCLUSIVE",
    "ShareUpdateExclusiveLock": "SHARE UPDATE EXCLUSIVE",
    "ShareLock": "SHARE",
    "ShareRowExclusiveLock": "SHARE ROW EXCLUSIVE",
    "ExclusiveLock": "EXCLUSIVE",
    "AccessExclusiveLock": "ACCESS EXCLUSIVE",
}


def strongest(modes: Any) -> str:
    """The strongest of PostgreSQL lock modes (readable names), '' for none."""
    named = [m for m in modes if m in _RANK]
    return max(named, key=_RANK.__getitem__) if named else ""


@dataclass
class Measured:
    """What one statement did, measured."""

    index: int
    step: Step
    started: float
    ended: float
    lock: str  # strongest lock the migration held on the statement's table
    rewrite: bool
    rewritten: tuple[str, ...]
    error: str = ""

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Probe:
    table: str
    kind: str  # 'read' | 'write'
    started: float
    ended: float
    pid: int
    blocked: bool = False

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class Run:
    """One direction at one scale: the statements, the probes and the sampled locks."""

    statements: list[Measured] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    # (time, relation oid, mode, granted) of the migration's session
    samples: list[tuple[float, int, str, bool]] = field(default_factory=list)
    t0: float = 0.0


class _Sampler(threading.Thread):
    def __init__(self, conninfo: str, pid: int, probe_pids: set[int], interval: float) -> None:
        super().__init__(daemon=True)
        self.conninfo, self.pid, self.probe_pids, self.interval = (
            conninfo,
            pid,
            probe_pids,
            interval,
        )
        self.stop = threading.Event()
        self.samples: list[tuple[float, int, str, bool]] = []
        self.waiting: list[tuple[float, int]] = []
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with psycopg.connect(self.conninfo, autocommit=True) as conn:
                query = (
                    "SELECT pid, relation::int, mode, granted FROM pg_locks"
                    " WHERE locktype = 'relation' AND (pid = %s OR (NOT granted AND pid = ANY(%s)))"
                )
                pids = list(self.probe_pids)
                while not self.stop.is_set():
                    now = time.perf_counter()
                    for pid, rel, mode, granted in conn.execute(query, (self.pid, pids)):
                        if pid == self.pid:
                            self.samples.append((now, rel, _MODE.get(mode) or str(mode), granted))
                        else:
                            self.waiting.append((now, pid))
                    if self.interval:
                        time.sleep(self.interval)
        except BaseException as exc:  # reported by the runner
            self.error = exc


class _Prober(threading.Thread):
    """One probe loop: a read or a write's lock on one table (looked up by oid each time)."""

    def __init__(self, conninfo: str, oid: int, kind: str, pause: float) -> None:
        super().__init__(daemon=True)
        self.conn = psycopg.connect(conninfo, autocommit=True)
        self.pid = self.conn.info.backend_pid
        self.oid, self.kind, self.pause = oid, kind, pause
        self.stop = threading.Event()
        self.probes: list[Probe] = []

    def run(self) -> None:
        conn = self.conn
        try:
            while not self.stop.is_set():
                row = conn.execute(
                    "SELECT n.nspname, c.relname FROM pg_class c"
                    " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = %s",
                    (self.oid,),
                ).fetchone()
                if row is None:  # the table was dropped
                    return
                name = psql.Identifier(row[0], row[1])
                start = time.perf_counter()
                try:
                    if self.kind == "read":
                        conn.execute(psql.SQL("SELECT * FROM {} LIMIT 1").format(name)).fetchall()
                    else:
                        with conn.transaction(force_rollback=True):
                            conn.execute(
                                psql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(name)
                            )
                except psycopg.Error:
                    pass  # renamed or dropped while we waited: the time still counts
                self.probes.append(
                    Probe(".".join(row), self.kind, start, time.perf_counter(), self.pid)
                )
                time.sleep(self.pause)
        finally:
            conn.close()


def _relfilenodes(conn: psycopg.Connection) -> dict[int, tuple[str, int]]:
    rows = conn.execute(
        "SELECT c.oid::int, n.nspname || '.' || c.relname, c.relfilenode::int FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
        " AND n.nspname NOT LIKE 'pg_toast%%'"
    ).fetchall()
    return {oid: (name, node) for oid, name, node in rows}


def _oid(conn: psycopg.Connection, table: str) -> int | None:
    if not table:
        return None
    # An index (DROP INDEX) stands for its table: that is where the lock that matters is.
    row = conn.execute(
        "SELECT coalesce((SELECT indrelid FROM pg_index WHERE indexrelid = r), r)::int"
        " FROM to_regclass(%s) AS r",
        (table,),
    ).fetchone()
    return row[0] if row and row[0] else None


def touched_tables(steps: tuple[Step, ...]) -> list[str]:
    """Tables the statements name (unquoted, qualified), in order of first appearance."""
    out: list[str] = []
    for s in steps:
        if s.cost.table:
            name = unquote(s.cost.table)
            name = name if "." in name else f"public.{name}"
            if name not in out:
                out.append(name)
    return out


def apply(
    conninfo: str,
    steps: tuple[Step, ...],
    *,
    probes: bool = True,
    interval: float = 0.0,
    pause: float = 0.002,
    settle: float = 0.02,
) -> Run:
    """Run ``steps`` on the database, measuring each (see the module docstring)."""
    run = Run()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        tables = [t for t in touched_tables(steps) if _oid(conn, t) is not None]
        oids = [o for o in (_oid(conn, t) for t in tables) if o is not None]
        probers = (
            [_Prober(conninfo, oid, kind, pause) for oid in oids[:4] for kind in ("read", "write")]
            if probes
            else []
        )
        sampler = _Sampler(conninfo, conn.info.backend_pid, {p.pid for p in probers}, interval)
        run.t0 = time.perf_counter()
        sampler.start()
        for p in probers:
            p.start()
        time.sleep(settle)
        try:
            for i, step in enumerate(steps):
                if step.sql.startswith("--"):
                    continue  # a MANUAL note: nothing to run
                run.statements.append(_one(conn, i, step))
                if run.statements[-1].error:
                    break
        finally:
            time.sleep(settle)
            for p in probers:
                p.stop.set()
            sampler.stop.set()
            for p in probers:
                p.join()
            sampler.join()
        if sampler.error is not None:
            raise sampler.error
    run.samples = sampler.samples
    waiting: dict[int, list[float]] = {}
    for t, pid in sampler.waiting:
        waiting.setdefault(pid, []).append(t)
    for p in probers:
        seen = waiting.get(p.pid, [])
        for probe in p.probes:
            probe.blocked = any(probe.started <= t <= probe.ended for t in seen)
        run.probes += p.probes
    return run


def _observed(conn: psycopg.Connection, stmt: str, oid: int) -> tuple[str, float, str]:
    """Run an out-of-transaction statement (CONCURRENTLY) so that its lock can be read.

    Such a statement is a series of short transactions, too quick for any sampler on
    small tables. But it waits for every transaction holding a write lock on its
    table, as it would in production: a "tripwire" session holds ROW EXCLUSIVE
    until the statement's lock has been read from ``pg_locks`` (or 2 s passed), then
    rolls back. Returns the strongest lock seen, the time the tripwire added (taken
    off the statement's time) and the error, if any.
    """
    info = conn.info
    params = info.get_parameters()
    if info.password:
        params["password"] = info.password
    conninfo = psycopg.conninfo.make_conninfo(**params)
    error: list[str] = []
    with (
        psycopg.connect(conninfo) as wire,
        psycopg.connect(conninfo, autocommit=True) as watch,
    ):
        wire.execute("SELECT 1 FROM pg_class WHERE oid = %s", (oid,))
        name = wire.execute("SELECT %s::regclass::text", (oid,)).fetchone()
        assert name is not None
        wire.execute(psql.SQL("LOCK TABLE {} IN ROW EXCLUSIVE MODE").format(psql.SQL(name[0])))
        pid = info.backend_pid

        def work() -> None:
            try:
                conn.execute(stmt)
            except psycopg.Error as exc:
                error.append(str(exc).strip())

        worker = threading.Thread(target=work, daemon=True)
        start = time.perf_counter()
        worker.start()
        seen: set[str] = set()
        while worker.is_alive() and time.perf_counter() - start < 2.0:
            rows = watch.execute(
                "SELECT mode FROM pg_locks WHERE pid = %s AND locktype = 'relation'"
                " AND relation = %s AND granted",
                (pid, oid),
            ).fetchall()
            seen |= {_MODE.get(m) or str(m) for (m,) in rows}
            if seen:
                break
            time.sleep(0.0005)
        released = time.perf_counter()
        wire.rollback()
        worker.join()
    return strongest(seen), released - start, error[0] if error else ""


def _one(conn: psycopg.Connection, index: int, step: Step) -> Measured:
    cost = step.cost
    before = _relfilenodes(conn)
    oid = _oid(conn, cost.table)
    lock, error = "", ""
    started = time.perf_counter()
    hold = 0.0
    try:
        if cost.outside_transaction and oid is not None:
            lock, hold, error = _observed(conn, step.sql, oid)
        elif cost.outside_transaction or step.sql.upper().startswith(("SET ", "RESET ")):
            conn.execute(step.sql)
        else:
            with conn.transaction():
                conn.execute(step.sql)
                if oid is None:
                    oid = _oid(conn, cost.table)  # created by the statement
                if oid is not None:
                    modes = conn.execute(
                        "SELECT mode FROM pg_locks WHERE pid = pg_backend_pid()"
                        " AND locktype = 'relation' AND relation = %s AND granted",
                        (oid,),
                    ).fetchall()
                    lock = strongest(_MODE.get(m) or str(m) for (m,) in modes)
    except psycopg.Error as exc:
        error = str(exc).strip()
    ended = time.perf_counter() - hold
    after = _relfilenodes(conn)
    rewritten = tuple(
        sorted(after[o][0] for o in before.keys() & after.keys() if before[o][1] != after[o][1])
    )
    return Measured(index, step, started, ended, lock, bool(rewritten), rewritten, error)


__all__ = ["Measured", "Probe", "Run", "apply", "strongest", "touched_tables"]

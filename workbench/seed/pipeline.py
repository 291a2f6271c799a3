"""A lock-aware job scheduler over a few database connections (the shape of ``pg_restore -j``).

Why: a seed is many statements of very different cost (a COPY per table, a CREATE INDEX
per index, an ADD and a VALIDATE per foreign key, a VACUUM ANALYZE per table) whose order
is constrained only by data dependencies and table locks. Running them in fixed phases
leaves connections idle while one big table's last index builds; starting any job whose
prerequisites are done and whose locks cannot wait on a running job keeps every
connection busy, as ``pg_restore --jobs`` does with its dependency and lock-conflict
checks. Jobs are run in priority order (COPY first, so rows keep flowing while the
client generates the next table; then the biggest tables first), and a job may submit
follow-up jobs when it finishes (a table's index builds once its COPY is in).
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg

#: PostgreSQL's table-level lock modes (docs: "Conflicting Lock Modes").
ROW_SHARE = "ROW SHARE"
SHARE_UPDATE_EXCLUSIVE = "SHARE UPDATE EXCLUSIVE"
SHARE = "SHARE"
SHARE_ROW_EXCLUSIVE = "SHARE ROW EXCLUSIVE"
ACCESS_EXCLUSIVE = "ACCESS EXCLUSIVE"

_CONFLICTS: dict[str, frozenset[str]] = {
    ROW_SHARE: frozenset({ACCESS_EXCLUSIVE}),
    SHARE_UPDATE_EXCLUSIVE: frozenset(
        {SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, ACCESS_EXCLUSIVE}
    ),
    SHARE: frozenset({SHARE_UPDATE_EXCLUSIVE, SHARE_ROW_EXCLUSIVE, ACCESS_EXCLUSIVE}),
    SHARE_ROW_EXCLUSIVE: frozenset(
        {SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, ACCESS_EXCLUSIVE}
    ),
    ACCESS_EXCLUSIVE: frozenset(
        {ROW_SHARE, SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, ACCESS_EXCLUSIVE}
    ),
}


def conflicts(a: str, b: str) -> bool:
    """Whether two table lock modes conflict (the relation is the same)."""
    return b in _CONFLICTS[a]


@dataclass(eq=False)
class Job:
    """One unit of work on one connection.

    ``run(conn)`` executes it (the connection is in autocommit mode; a job that needs a
    transaction opens one); ``then(result)`` runs afterwards under the scheduler's lock
    and may submit follow-up jobs. ``locks`` are the (relation, mode) pairs the job
    takes, so it is never started beside a job it would wait for.
    """

    kind: str
    label: str
    run: Callable[[psycopg.Connection], Any]
    locks: Sequence[tuple[Any, str]] = ()
    priority: int = 0  # lower runs first
    weight: int = 0  # rows involved; among equal priorities the heavier job runs first
    then: Callable[[Any], None] | None = None
    waits: int = 0
    dependents: list[Job] = field(default_factory=list)
    done: bool = False


class JobFailed(Exception):
    """A job raised; carries the job so the caller can say which table it was for."""

    def __init__(self, job: Job, error: BaseException) -> None:
        super().__init__(f"{job.kind} {job.label}: {error}")
        self.job = job
        self.error = error


class Scheduler:
    """Runs submitted jobs on ``workers`` connections until :meth:`wait` sees none left.

    Use as a context manager; leaving it (also on an error) stops the workers after the
    jobs they are running. ``busy`` holds the seconds spent per job kind (summed over
    connections, so it can exceed the wall time).
    """

    def __init__(
        self,
        connect: Callable[[], psycopg.Connection],
        *,
        workers: int,
        on_done: Callable[[Job], None] | None = None,
    ) -> None:
        self._connect = connect
        self._cond = threading.Condition(threading.RLock())
        self._pending: list[Job] = []
        self._running: list[Job] = []
        self._outstanding = 0
        self._stopping = False
        self._error: JobFailed | None = None
        self._seq = 0
        self._on_done = on_done
        self.busy: dict[str, float] = defaultdict(float)
        self._threads = [
            threading.Thread(target=self._work, name=f"seed-worker-{i}", daemon=True)
            for i in range(max(workers, 1))
        ]

    def __enter__(self) -> Scheduler:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        for thread in self._threads:
            thread.join()

    def submit(self, job: Job, *, after: Iterable[Job] = ()) -> Job:
        """Queue ``job`` to start once every job in ``after`` has finished."""
        with self._cond:
            for dep in after:
                if not dep.done:
                    job.waits += 1
                    dep.dependents.append(job)
            self._pending.append(job)
            self._outstanding += 1
            self._cond.notify_all()
        return job

    def wait(self) -> None:
        """Block until every job has finished; raise :class:`JobFailed` for the first failure."""
        with self._cond:
            while self._outstanding and self._error is None:
                self._cond.wait()
            if self._error is not None:
                raise self._error

    def wait_until(self, ready: Callable[[], bool]) -> None:
        """Block until ``ready()`` holds (checked as each job ends) or a job has failed."""
        with self._cond:
            while not ready() and self._error is None:
                self._cond.wait()
            if self._error is not None:
                raise self._error

    # -- workers ----------------------------------------------------------------------
    def _startable(self, job: Job) -> bool:
        return job.waits == 0 and not any(
            rel == other_rel and conflicts(mode, other_mode)
            for rel, mode in job.locks
            for running in self._running
            for other_rel, other_mode in running.locks
        )

    def _take(self) -> Job | None:
        best = None
        for job in self._pending:
            if self._startable(job) and (
                best is None or (job.priority, -job.weight) < (best.priority, -best.weight)
            ):
                best = job
        if best is not None:
            self._pending.remove(best)
            self._running.append(best)
        return best

    def _work(self) -> None:
        conn: psycopg.Connection | None = None
        try:
            while True:
                with self._cond:
                    while True:
                        # after a failure, or once the owner leaves, start nothing new
                        if self._error is not None or self._stopping:
                            return
                        job = self._take()
                        if job is not None:
                            break
                        self._cond.wait()
                started = time.perf_counter()
                try:
                    if conn is None:
                        conn = self._connect()
                    result = job.run(conn)
                except BaseException as exc:
                    with self._cond:
                        self._running.remove(job)
                        if self._error is None:
                            self._error = JobFailed(job, exc)
                        self._cond.notify_all()
                    return
                with self._cond:
                    self.busy[job.kind] += time.perf_counter() - started
                    self._running.remove(job)
                    job.done = True
                    for dependent in job.dependents:
                        dependent.waits -= 1
                    try:
                        if job.then is not None:
                            job.then(result)
                        if self._on_done is not None:
                            self._on_done(job)
                    except BaseException as exc:
                        if self._error is None:
                            self._error = JobFailed(job, exc)
                    self._outstanding -= 1
                    self._cond.notify_all()
        finally:
            if conn is not None:
                conn.close()

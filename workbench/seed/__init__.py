"""Seed data: fill any schema with realistic rows that PostgreSQL accepts on the first try.

Stages (each usable on its own):

* :func:`plan` — table order from the FK graph, cycles broken, row counts from the shape;
* :func:`generate` — vectorised rows per table (pyarrow arrays), CHECKs proven before COPY;
* :class:`workbench.seed.load.Loader` — each table COPYed as it comes, then indexes, keys,
  FKs and VACUUM ANALYZE on parallel connections as each table is ready;
* :func:`seed` — all three, returning a :class:`SeedSummary`;
* :func:`seed_script` — the seeded data as a SQL script of INSERTs in FK order.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

import psycopg
import pyarrow as pa

from workbench.model import Schema
from workbench.seed.dump import seed_script
from workbench.seed.errors import SeedError
from workbench.seed.generate import SLICE_ROWS, LazyColumns, TableData, TableGenerator
from workbench.seed.load import Loader, default_parallel
from workbench.seed.plan import SeedPlan, TablePlan, plan
from workbench.seed.shape import Shape, Sql, TableShape, Weighted, parse_shape
from workbench.seed.shipped import SHIPPED_MODES, Shipped, read_shipped
from workbench.seed.summary import SeedSummary
from workbench.seed.vocab import Pools

__all__ = [
    "LazyColumns",
    "SeedError",
    "SeedPlan",
    "SeedSummary",
    "Shape",
    "Sql",
    "TableData",
    "TablePlan",
    "TableShape",
    "Weighted",
    "generate",
    "generate_tables",
    "parse_shape",
    "plan",
    "seed",
    "seed_script",
]


def generate(
    schema: Schema, seed_plan: SeedPlan, *, seed: int = 0, progress: Any = None
) -> list[TableData]:
    """Generate every planned table (in plan order); deterministic for a given ``seed``.

    Every column comes whole (big tables' sliced columns are put together), the same
    rows :func:`seed` loads.
    """
    return [
        data.materialized()
        for data in generate_tables(schema, seed_plan, seed=seed, progress=progress)
    ]


def generate_tables(
    schema: Schema,
    seed_plan: SeedPlan,
    *,
    seed: int = 0,
    progress: Any = None,
    shipped: Mapping[str, Shipped] | None = None,
    top_up: bool = False,
    slice_rows: int = SLICE_ROWS,
) -> Iterator[TableData]:
    """Yield each planned table as soon as it is complete, so loading can start at once.

    Plan order, except that a table with a cycle-breaking (deferred) foreign key comes
    last, once its parent exists and the deferred column is filled. A table of more
    than ``slice_rows`` rows comes with its free columns lazy (:class:`LazyColumns`):
    they are made a slice at a time while the rows are sent.
    """
    pools = Pools.build(seed)
    done: dict[str, TableData] = {}  # what children need: keys only, once yielded
    full: dict[str, TableData] = {}  # tables held back until their deferred FK is set
    generators: dict[str, TableGenerator] = {}
    held = {table for table, _fk in seed_plan.deferred}
    referenced: dict[str, set[str]] = {}
    for tp in seed_plan.tables:
        for fk in tp.foreign_keys:
            referenced.setdefault(fk.ref_table, set()).update(fk.ref_columns)
    for tp in seed_plan.tables:
        generators[tp.name] = TableGenerator(
            schema,
            seed_plan,
            tp,
            done,
            pools,
            seed,
            (shipped or {}).get(tp.name),
            top_up,
            referenced=frozenset(referenced.get(tp.name, ())),
            slice_rows=slice_rows,
        )
        data = generators[tp.name].generate()
        if progress:
            progress(tp.name)
        if tp.name in held:
            full[tp.name] = done[tp.name] = data
            continue
        done[tp.name] = _keys_only(data, referenced.get(tp.name, set()))
        yield data
        del data  # the loader holds the rows until they are COPYed, then lets go
    for table, _fk in sorted(seed_plan.deferred):
        generators[table].fill_deferred(full[table], done)
    for tp in seed_plan.tables:
        if tp.name in held:
            yield full.pop(tp.name)


def _keys_only(data: TableData, columns: set[str]) -> TableData:
    """The columns children copy from (foreign key targets), so the rest can be freed."""
    return TableData(
        data.name,
        {c: a for c, a in data.columns.items() if c in columns},
        data.rows,
        shipped=data.shipped,
    )


def _conninfo(target: str | psycopg.Connection) -> str:
    if isinstance(target, psycopg.Connection):
        params = target.info.get_parameters()
        if target.info.password:
            params["password"] = target.info.password
        return psycopg.conninfo.make_conninfo(**params)
    return target


def seed(
    conninfo_or_conn: str | psycopg.Connection,
    schema: Schema,
    shape: int | Mapping[str, Any] | Shape | None = None,
    *,
    seed: int = 0,
    progress: bool = True,
    columns: Mapping[str, Any] | None = None,
    skew: float | None = None,
    null_fraction: float | None = None,
    window: tuple[Any, Any] | None = None,
    rows: int | None = None,
    parallel: int | None = None,
    vacuum: bool = True,
    shipped: str = "keep",
    slice_rows: int = SLICE_ROWS,
) -> SeedSummary:
    """Fill the (empty) tables of ``schema`` in the database and return what was loaded.

    ``shape`` is a row count per table or a mapping (see :mod:`workbench.seed.shape`);
    ``columns`` maps ``"table.column"`` to an override (callable ``(rng, n) -> values``,
    a list, ``{"values": [...], "weights": [...]}`` or :class:`Sql`). The same ``seed``
    gives the same data. Raises :class:`SeedError` naming table, constraint and column
    when something is beyond the generator.

    Each table is COPYed as soon as it is generated, while the next one is generated;
    index builds, keys, foreign keys and VACUUM ANALYZE follow on ``parallel``
    connections (default: one per core, at least two) as their tables are ready.

    Tables that already hold rows (the schema's files insert them) keep them:
    ``shipped="keep"`` leaves them as they are, ``"top-up"`` adds rows up to the count
    asked; generated keys stay clear of theirs and foreign keys may point at them.

    Memory stays flat at any scale: a table of more than ``slice_rows`` rows has its
    free columns (those no other row depends on: text, most timestamps and numbers)
    made and sent a slice at a time; the summary reports the process's peak RSS.
    """
    if shipped not in SHIPPED_MODES:
        raise SeedError(f"shipped must be one of {', '.join(SHIPPED_MODES)}, not {shipped!r}")
    started = time.perf_counter()
    parsed = parse_shape(
        shape, rows=rows, columns=columns, skew=skew, null_fraction=null_fraction, window=window
    )
    seed_plan = plan(schema, parsed)
    conninfo = _conninfo(conninfo_or_conn)
    try:
        with psycopg.connect(conninfo) as conn:
            before = read_shipped(conn, seed_plan)
    except psycopg.OperationalError as exc:
        raise SeedError(f"cannot connect to the database to seed: {exc}") from None
    bar = _Bar(len(seed_plan.tables)) if progress else None
    generating = 0.0
    with (
        _allocator(),
        Loader(
            conninfo,
            seed_plan,
            shipped=set(before),
            parallel=parallel or default_parallel(),
            vacuum=vacuum,
            progress=bar,
        ) as loader,
    ):
        if bar is not None:
            bar.expect(loader.expected_jobs())
        try:
            tables = generate_tables(
                schema,
                seed_plan,
                seed=seed,
                progress=bar.generated if bar else None,
                shipped=before,
                top_up=shipped == "top-up",
                slice_rows=slice_rows,
            )
            while True:
                tick = time.perf_counter()
                data = next(tables, None)
                generating += time.perf_counter() - tick
                if data is None:
                    break
                loader.add(data)
                data = None  # only the loader holds it now, until its COPY is done
                # generation may run ahead of the COPYs only so far (bounded memory)
                loader.wait_for_room(_INFLIGHT_BYTES)
            phases = loader.finish()
            if bar is not None:
                bar.complete()
        finally:
            if bar is not None:
                bar.close()
    written = phases.pop("written")
    held = {t: n + (before[t].rows if t in before else 0) for t, n in loader.rows.items()}
    return SeedSummary(
        rows=held,
        seconds=time.perf_counter() - started,
        seed=seed,
        phases={"generate": generating, **phases},
        written=written + (loader.started - started),
        peak_rss_mb=_peak_rss_mb(),
        asked={
            tp.name: tp.rows
            for tp in seed_plan.tables
            if tp.shape.per is None
            and held.get(tp.name, 0) < tp.rows
            and not (shipped == "keep" and tp.name in before)
        },
    )


#: bytes of generated arrays that may wait for their COPY while the next table is made
_INFLIGHT_BYTES = 384 << 20


def _peak_rss_mb() -> float | None:
    """The process's peak resident memory so far, in MB (None where it cannot be read)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / (1 << 20)


@contextlib.contextmanager
def _allocator() -> Iterator[None]:
    """Arrow buffers from jemalloc (else the system's malloc) while seeding.

    Why: pyarrow's default, mimalloc, made the first seed of a process ~1 s slower
    (generating 1 M rows: 2.2-2.4 s cold vs 1.1-1.5 s with jemalloc or malloc, the same
    once warm; ``ARROW_DEFAULT_MEMORY_POOL`` runs, this machine). The previous pool is
    back when the seed ends; buffers remember the pool they came from.
    """
    previous = pa.default_memory_pool()
    if previous.backend_name != "mimalloc":
        yield
        return
    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:
        pool = pa.system_memory_pool()
    pa.set_memory_pool(pool)
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


class _Bar:
    """A tqdm bar over the seed's steps: generating each table, then the loader's jobs.

    Its total is known before the first row (:meth:`Loader.expected_jobs`), so the bar
    only moves forward; it grows only if the load turns out to need more jobs.
    """

    def __init__(self, tables: int) -> None:
        from tqdm.auto import tqdm

        self._tables = tables
        self._bar = tqdm(total=tables, desc="seed", unit="step", leave=False)
        self._lock = threading.Lock()
        self._planned = 0
        self._expected = 0

    def expect(self, jobs: int) -> None:
        with self._lock:
            self._expected = jobs
            self._bar.total = self._tables + max(jobs, self._planned)
            self._bar.refresh()

    def generated(self, name: str) -> None:
        self.finished(f"generate {name.split('.')[-1]}")

    def planned(self, jobs: int) -> None:
        with self._lock:
            self._planned += jobs
            if self._planned > self._expected:
                self._bar.total = self._tables + self._planned
                self._bar.refresh()

    def finished(self, what: str) -> None:
        with self._lock:
            self._bar.set_postfix_str(what, refresh=False)
            self._bar.update(1)

    def complete(self) -> None:
        """Every job ran: the estimate is replaced by what really ran (the bar ends full)."""
        with self._lock:
            self._bar.total = self._bar.n
            self._bar.refresh()

    def close(self) -> None:
        self._bar.close()

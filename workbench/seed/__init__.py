"""Seed data: fill any schema with realistic rows that PostgreSQL accepts on the first try.

Stages (each usable on its own):

* :func:`plan` — table order from the FK graph, cycles broken, row counts from the shape;
* :func:`generate` — vectorised rows per table (pyarrow arrays), CHECKs proven before COPY;
* :func:`workbench.seed.load.load` — parallel COPY, indexes and FKs rebuilt, VACUUM ANALYZE;
* :func:`seed` — all three, returning a :class:`SeedSummary`;
* :func:`seed_script` — the seeded data as a SQL script of INSERTs in FK order.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

import psycopg

from workbench.model import Schema
from workbench.seed.dump import seed_script
from workbench.seed.errors import SeedError
from workbench.seed.generate import TableData, TableGenerator
from workbench.seed.load import load
from workbench.seed.plan import SeedPlan, TablePlan, plan
from workbench.seed.shape import Shape, Sql, TableShape, Weighted, parse_shape
from workbench.seed.summary import SeedSummary
from workbench.seed.vocab import Pools

__all__ = [
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
    "parse_shape",
    "plan",
    "seed",
    "seed_script",
]


def generate(
    schema: Schema, seed_plan: SeedPlan, *, seed: int = 0, progress: Any = None
) -> list[TableData]:
    """Generate every planned table (in plan order); deterministic for a given ``seed``."""
    pools = Pools.build(seed)
    done: dict[str, TableData] = {}
    generators: dict[str, TableGenerator] = {}
    for tp in seed_plan.tables:
        generators[tp.name] = TableGenerator(schema, seed_plan, tp, done, pools, seed)
        done[tp.name] = generators[tp.name].generate()
        if progress:
            progress(tp.name)
    for table, _fk in sorted(seed_plan.deferred):
        generators[table].fill_deferred(done[table], done)
    return list(done.values())


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
    parallel: int = 2,
    vacuum: bool = True,
) -> SeedSummary:
    """Fill the (empty) tables of ``schema`` in the database and return what was loaded.

    ``shape`` is a row count per table or a mapping (see :mod:`workbench.seed.shape`);
    ``columns`` maps ``"table.column"`` to an override (callable ``(rng, n) -> values``,
    a list, ``{"values": [...], "weights": [...]}`` or :class:`Sql`). The same ``seed``
    gives the same data. Raises :class:`SeedError` naming table, constraint and column
    when something is beyond the generator.
    """
    started = time.perf_counter()
    parsed = parse_shape(
        shape, rows=rows, columns=columns, skew=skew, null_fraction=null_fraction, window=window
    )
    seed_plan = plan(schema, parsed)
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=2 * len(seed_plan.tables), desc="seed", unit="table", leave=False)

    def step(name: str) -> None:
        if bar is not None:
            bar.set_postfix_str(name.split(".")[-1])
            bar.update(1)

    try:
        tick = time.perf_counter()
        tables = generate(schema, seed_plan, seed=seed, progress=step)
        generated = time.perf_counter() - tick
        phases = load(
            _conninfo(conninfo_or_conn),
            seed_plan,
            tables,
            parallel=parallel,
            vacuum=vacuum,
            progress=step,
        )
    finally:
        if bar is not None:
            bar.close()
    return SeedSummary(
        rows={t.name: t.rows for t in tables},
        seconds=time.perf_counter() - started,
        seed=seed,
        phases={"generate": generated, **phases},
    )

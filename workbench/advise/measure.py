"""Measurement: every surviving candidate built for real and timed through the experiment engine.

Read side: per data scale and per table, one :class:`workbench.explain.Experiment`
whose variants are the baseline and one variant per candidate on that table
(the index built for real in clones of the seeded database) and whose queries
are the workload queries that read the table; the engine's calibrated design
(several clones per variant, randomised blocks, hierarchical bootstrap) gives
each (query, candidate, scale) its speed-up with an interval.

Write side, at the largest scale, in one run: one clone per candidate plus one
without, each index built there (build time and size measured), then
randomised blocks of an ``INSERT`` of copies of existing rows and an ``UPDATE``
of the candidates' key columns to themselves (full, frozen pages: every update
is a new tuple version and touches every index), each in a transaction rolled
back, timed per clone; the slowdown is a ratio of medians with the engine's
bootstrap interval (:func:`workbench.explain.speedup`).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import psycopg

from workbench.advise.candidates import Candidate
from workbench.explain import Experiment, ExperimentResult, Query, Variant, run_experiment, speedup

_COLUMNS = """
SELECT a.attname, a.attidentity, a.attgenerated,
       a.attnum = ANY (coalesce(pk.conkey, '{}')) AND (a.atthasdef OR a.attidentity <> ''),
       EXISTS (SELECT 1 FROM pg_constraint AS u WHERE u.conrelid = a.attrelid
               AND u.contype = 'u' AND a.attnum = ANY (u.conkey))
FROM pg_attribute AS a
LEFT JOIN pg_constraint AS pk ON pk.conrelid = a.attrelid AND pk.contype = 'p'
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""


@dataclass
class ReadResult:
    """Per (scale, query, candidate): speed-up, interval, medians and whether the plan used it."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    experiments: list[ExperimentResult] = field(default_factory=list)


@dataclass
class WriteCost:
    table: str
    candidate: str
    build_ms: float
    size_bytes: int
    insert_ratio: float | None = None  # time with / time without (> 1: writes slower)
    insert_ci: tuple[float, float] | None = None
    update_ratio: float | None = None
    update_ci: tuple[float, float] | None = None
    ms_per_row: float = 0.0  # extra write time per row (insert and update averaged)
    note: str = ""


def _uses(result: ExperimentResult, variant: str, query: str, index: str) -> bool:
    try:
        plan = result.plan(variant, query=query)
    except Exception:
        return False
    return bool((plan.nodes["index"] == index).any()) or index in plan.text()


def measure_reads(
    server: Any,
    seeded: dict[int, str],
    queries: dict[str, Query],
    by_table: dict[str, list[Candidate]],
    drawn_from: dict[str, set[str]],
    *,
    repetitions: int,
    warmup: int,
    clones: int,
    seed: int,
) -> ReadResult:
    out = ReadResult()
    for table, cands in sorted(by_table.items()):
        qnames = sorted({q for c in cands for q in drawn_from[c.name]})
        variants = (
            Variant("baseline"),
            *(Variant(c.name, ddl=(c.definition(),)) for c in cands),
        )
        exp = Experiment(
            tuple(queries[q] for q in qnames),
            variants,
            repetitions=repetitions,
            warmup=warmup,
            clones=clones,
            seed=seed,
            explain_runs=1,
        )
        for scale, db in sorted(seeded.items()):
            result = run_experiment(server, exp, base_db=db, progress=False)
            out.experiments.append(result)
            medians = {
                (r.query, r.variant): r.median_ms for r in result.summary().itertuples(index=False)
            }
            for r in result.comparisons().itertuples(index=False):
                cand = next(c for c in cands if c.name == r.variant)
                out.rows.append(
                    {
                        "scale": scale,
                        "query": r.query,
                        "candidate": r.variant,
                        "table": table,
                        "drawn_from": r.query in drawn_from[r.variant],
                        "speedup": float(r.speedup),
                        "ci_low": float(r.ci_low),
                        "ci_high": float(r.ci_high),
                        "verdict": r.verdict,
                        "baseline_ms": medians.get((r.query, "baseline"), float("nan")),
                        "with_ms": medians.get((r.query, r.variant), float("nan")),
                        "used": _uses(result, r.variant, r.query, cand.name),
                    }
                )
    return out


def _write_statements(conn: psycopg.Connection, table: str, keys: list[str], n: int):  # type: ignore[no-untyped-def]
    cols = conn.execute(_COLUMNS, (table,)).fetchall()
    note = ""
    insert = None
    if any(unique for *_, unique in cols):
        note = "INSERT not measured: the table has a UNIQUE constraint copies would break"
    else:
        names = [
            c for c, ident, gen, pk_default, _ in cols if not gen and not ident and not pk_default
        ]
        listed = ", ".join(names)
        insert = f"INSERT INTO {table} ({listed}) SELECT {listed} FROM {table} LIMIT {n}"
    sets = ", ".join(f"{k} = {k}" for k in dict.fromkeys(keys))
    update = (
        f"UPDATE {table} SET {sets} WHERE ctid = ANY (ARRAY(SELECT ctid FROM {table} LIMIT {n}))"
    )
    return insert, update, note


def _timed_rollback(conn: psycopg.Connection, statement: str) -> float:
    conn.execute("BEGIN")
    t0 = time.perf_counter_ns()
    conn.execute(statement, prepare=False)
    elapsed = (time.perf_counter_ns() - t0) / 1e6
    conn.execute("ROLLBACK")
    return elapsed


def measure_writes(
    server: Any,
    seeded_db: str,
    table: str,
    cands: list[Candidate],
    *,
    repetitions: int,
    rows: int,
    seed: int,
) -> list[WriteCost]:
    """Build each candidate on its own clone and time writes with and without it, interleaved."""
    made: list[str] = []
    conns: dict[str, psycopg.Connection] = {}
    costs: dict[str, WriteCost] = {}
    try:
        for name in ["baseline", *(c.name for c in cands)]:
            db = server.create_database(template=seeded_db)
            made.append(db)
            conns[name] = server.connect(db, autocommit=True)
        for c in cands:
            conn = conns[c.name]
            t0 = time.perf_counter()
            conn.execute(c.definition())
            build_ms = (time.perf_counter() - t0) * 1000
            row = conn.execute("SELECT pg_relation_size(%s::regclass)", (c.name,)).fetchone()
            assert row is not None
            costs[c.name] = WriteCost(table, c.name, build_ms, int(row[0]))
        keys = [c.key[0] for c in cands]
        insert, update, note = _write_statements(conns["baseline"], table, keys, rows)
        statements = {"insert": insert, "update": update}
        samples: dict[tuple[str, str], list[float]] = {}
        rng = random.Random(f"{seed}:{table}:writes")
        names = list(conns)
        for _ in range(repetitions):
            for name in rng.sample(names, len(names)):
                for kind, stmt in statements.items():
                    if stmt:
                        ms = _timed_rollback(conns[name], stmt)
                        samples.setdefault((name, kind), []).append(ms)
        for c in cands:
            cost = costs[c.name]
            cost.note = note
            extra = []
            for kind in ("insert", "update"):
                base = samples.get(("baseline", kind))
                mine = samples.get((c.name, kind))
                if not base or not mine:
                    continue
                s = speedup(base, mine, seed=seed)
                ratio, ci = 1 / s.ratio, (1 / s.high, 1 / s.low)
                if kind == "insert":
                    cost.insert_ratio, cost.insert_ci = ratio, ci
                else:
                    cost.update_ratio, cost.update_ci = ratio, ci
                extra.append((float(np.median(mine)) - float(np.median(base))) / rows)
            cost.ms_per_row = max(0.0, sum(extra) / len(extra)) if extra else 0.0
    finally:
        for conn in conns.values():
            conn.close()
        for db in reversed(made):
            server.drop_database(db)
    return [costs[c.name] for c in cands]


def measure_sets(
    server: Any,
    seeded: dict[int, str],
    queries: dict[str, Query],
    sets: dict[str, list[Candidate]],
    *,
    repetitions: int,
    warmup: int,
    clones: int,
    seed: int,
) -> tuple[dict[tuple[int, str, str], float], list[ExperimentResult]]:
    """Median time of every query with each index set applied together, per scale."""
    variants = (
        Variant("baseline"),
        *(Variant(n, ddl=tuple(c.definition() for c in cs)) for n, cs in sets.items()),
    )
    exp = Experiment(
        tuple(queries.values()),
        variants,
        repetitions=repetitions,
        warmup=warmup,
        clones=clones,
        seed=seed,
        explain_runs=1,
    )
    medians: dict[tuple[int, str, str], float] = {}
    results = []
    for scale, db in sorted(seeded.items()):
        result = run_experiment(server, exp, base_db=db, progress=False)
        results.append(result)
        for r in result.summary().itertuples(index=False):
            medians[(scale, r.variant, r.query)] = float(r.median_ms)
    return medians, results

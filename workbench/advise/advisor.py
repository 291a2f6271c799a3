"""The advisor's one entry point: a workload in, a measured recommendation out.

Steps (each its own module): seed one database per scale → read what every
query asks of every table (:mod:`.workload`) and its baseline plan at the
largest scale → candidates, minus what existing indexes already serve and what
the plan shows no need for (:mod:`.candidates`) → prune by estimate at every
scale (:mod:`.prune`) → time every survivor with and without it, per query and
scale, and measure its size, build time and write overhead (:mod:`.measure`) →
choose the set for the whole workload, clear losses counting against a
candidate as clear gains count for it (:mod:`.recommend`) → time the workload
before and after that set and after an estimate-only pick (:mod:`.measure`).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any

from workbench.advise.candidates import (
    CandidateSet,
    existing_indexes,
    plan_needs,
    propose,
    served_by,
)
from workbench.advise.errors import AdviseError
from workbench.advise.measure import measure_reads, measure_sets, measure_writes
from workbench.advise.prune import Estimate, baseline_plan, estimate
from workbench.advise.recommend import Loss, choose, estimate_only
from workbench.advise.report import Advice
from workbench.advise.workload import read_accesses
from workbench.explain import Query, load_queries

_COLUMNS = """
SELECT c.relname, a.attname FROM pg_attribute AS a JOIN pg_class AS c ON c.oid = a.attrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
"""


def _hypopg(conn: Any) -> bool:
    row = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg')"
    ).fetchone()
    return bool(row and row[0])


def advise(
    wb: Any,
    queries: Any,
    *,
    scales: Sequence[int] = (1_000, 20_000),
    budget: int | str | None = None,
    writes: Mapping[str, int] | None = None,
    repetitions: int = 7,
    warmup: int = 2,
    clones: int = 2,
    write_rows: int = 200,
    seed: int = 0,
    seed_fn: Any = None,
) -> Advice:
    """Recommend indexes for ``queries`` (files, globs, SQL text, :class:`Query`) on ``wb``.

    ``scales``: two or more row counts, seeded with :mod:`workbench.seed` (or
    ``seed_fn(conninfo, rows)``). ``budget``: a number of indexes or a total
    size ("50MB"). ``writes``: rows written per workload run per table (weighs
    the measured write overhead against the gain). Returns an :class:`Advice`.
    """
    started = time.perf_counter()
    scales = tuple(sorted(set(int(s) for s in scales)))
    if len(scales) < 2:
        raise AdviseError(f"advise needs at least two data scales, got {list(scales)}")
    loaded = load_queries(queries)
    if not loaded:
        raise AdviseError("advise needs at least one query")
    qmap: dict[str, Query] = {q.name: q for q in loaded}
    server = wb.server
    if seed_fn is None:
        from workbench.explain import seed_with

        seed_fn = seed_with(wb.schema, seed=seed)
    seeded: dict[int, str] = {}
    work: list[str] = []
    notes: list[str] = list(getattr(loaded, "skipped", ()))
    try:
        for s in scales:
            db = server.create_database(template=wb.template)
            seeded[s] = db
            seed_fn(server.conninfo(db), s)
            with server.connect(db, autocommit=True) as conn:
                conn.execute("VACUUM (FREEZE, ANALYZE)")
        largest = scales[-1]
        cset = CandidateSet()
        with server.connect(seeded[largest], autocommit=True) as conn:
            cset.existing = existing_indexes(conn)
            hypopg = _hypopg(conn)
            plans = {name: baseline_plan(conn, q) for name, q in qmap.items()}
            columns = set(conn.execute(_COLUMNS).fetchall())
        for name, q in qmap.items():
            for access in read_accesses(name, q.sql):
                needs = plan_needs(plans[name], access.table)
                cset.needs[(name, access.table)] = needs
                for cand in propose(access):
                    if any((cand.table, c) not in columns for c in (*cand.key, *cand.include)):
                        continue  # a name the parser could not tie to a table column
                    existing = served_by(cand, cset.existing)
                    if existing is not None:
                        cset.served.append(
                            {
                                "query": name,
                                "candidate": cand.label,
                                "reason": f"already served by existing index {existing.name}",
                            }
                        )
                    elif not needs:
                        cset.served.append(
                            {
                                "query": name,
                                "candidate": cand.label,
                                "reason": "no need in the plan (no filtering scan, sort or "
                                "nested-loop scan on this table at the largest scale)",
                            }
                        )
                    else:
                        cset.add(cand, name)
        # prune by estimate, at every scale (an index may pay only at the large one)
        est = Estimate("hypopg" if hypopg else "explain after a real build")
        for s in scales:
            db = server.create_database(template=seeded[s])
            work.append(db)
            with server.connect(db, autocommit=True) as conn:
                if hypopg:
                    conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
                estimate(conn, s, qmap, cset.candidates, cset.queries, est)
            server.drop_database(db)
            work.remove(db)
        survivors = [c for c in cset.candidates.values() if est.used_anywhere(c.name)]
        by_table: dict[str, list[Any]] = {}
        for c in survivors:
            by_table.setdefault(c.table, []).append(c)
        reads = measure_reads(
            server,
            seeded,
            qmap,
            by_table,
            cset.queries,
            repetitions=repetitions,
            warmup=warmup,
            clones=clones,
            seed=seed,
        )
        # evidence at the largest scale: clear gains count for a candidate, clear losses
        # (the planner took it and it measured slower) against it
        gains: dict[str, dict[str, float]] = {c.name: {} for c in survivors}
        losses: dict[str, dict[str, Loss]] = {}
        used_measured: set[str] = set()
        clear: set[str] = set()
        for r in reads.rows:
            if r["used"]:
                used_measured.add(r["candidate"])
            if r["scale"] != largest or not r["used"]:
                continue
            if r["ci_low"] > 1.0:
                clear.add(r["candidate"])
                gains[r["candidate"]][r["query"]] = max(0.0, r["baseline_ms"] - r["with_ms"])
            elif r["ci_high"] < 1.0:
                losses.setdefault(r["candidate"], {})[r["query"]] = Loss(
                    max(0.0, r["with_ms"] - r["baseline_ms"]),
                    r["speedup"],
                    r["ci_low"],
                    r["ci_high"],
                )
        beneficial = [c for c in survivors if c.name in clear]
        write_costs = {}
        for table in sorted({c.table for c in beneficial}):
            cands = [c for c in beneficial if c.table == table]
            for wc in measure_writes(
                server,
                seeded[largest],
                table,
                cands,
                repetitions=repetitions,
                rows=write_rows,
                seed=seed,
            ):
                write_costs[wc.candidate] = wc
        writes = dict(writes or {})
        write_ms = {
            name: wc.ms_per_row * writes.get(wc.table, 0) for name, wc in write_costs.items()
        }
        unused = {c.name for c in cset.candidates.values() if not est.used_anywhere(c.name)}
        unused |= {c.name for c in survivors if c.name not in used_measured}
        unclear = {c.name for c in survivors if c.name not in clear} - unused
        choice = choose(
            list(cset.candidates),
            gains,
            unused=unused,
            unclear=unclear,
            write_ms=write_ms,
            sizes={n: wc.size_bytes for n, wc in write_costs.items()},
            budget=budget,
            losses=losses,
        )
        # what an estimate-only advisor would pick, from the same candidates
        est_gain = {
            c: {
                q: est.baseline[(largest, q)] - est.with_index[(largest, q, c)]
                for q in cset.queries[c]
                if est.used.get((largest, q, c))
            }
            for c in cset.candidates
        }
        base_cost = {q: est.baseline[(largest, q)] for q in qmap}
        est_pick = estimate_only(list(cset.candidates), est_gain, base_cost)
        advised_seconds = time.perf_counter() - started
        sets = {
            "advised": [cset.candidates[n] for n in choice.chosen],
            "estimate_only": [cset.candidates[n] for n in est_pick],
        }
        # the whole-workload figures are sums of medians: measured more carefully
        totals, final = measure_sets(
            server,
            seeded,
            qmap,
            sets,
            repetitions=max(2 * repetitions, 11),
            warmup=warmup,
            clones=clones,
            seed=seed,
        )
    finally:
        for db in work + list(seeded.values()):
            if db in server.databases:
                server.drop_database(db)
    return Advice(
        scales=scales,
        queries=list(qmap),
        candidates=cset,
        estimate=est,
        reads=reads,
        write_costs=write_costs,
        writes=writes,
        choice=choice,
        estimate_pick=est_pick,
        totals=totals,
        final=final,
        advise_seconds=advised_seconds,
        total_seconds=time.perf_counter() - started,
        notes=notes,
    )

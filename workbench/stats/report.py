"""The comparison report: imported statistics versus what seeded data achieves, per column and per query.

``statistics_report(wb, queries)`` seeds two clones of ``wb``'s schema at the
imported row counts (one *faithful*, following the imported statistics; one
*plain*, the seeder's defaults), and returns per query the plan shape with the
imported statistics (plain EXPLAIN in ``wb.planning_database()``) and under
EXPLAIN ANALYZE on each seeded clone, plus per column the distances between the
imported statistics and the faithful clone's own ANALYZE.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
import psycopg

from workbench.stats.compare import column_distances, explain_shape, plan_shape


@dataclass
class StatisticsReport:
    plans: pd.DataFrame  # query, imported, faithful, plain (+ production, match columns when given)
    columns: pd.DataFrame  # per column distances (column_distances)

    def agreement(self) -> dict[str, float]:
        """Share of queries whose shape matches production's, per source (needs ``production``)."""
        if "production" not in self.plans:
            return {}
        n = len(self.plans)
        return {
            k: float((self.plans[k] == self.plans["production"]).sum()) / n
            for k in ("imported", "faithful", "plain")
        }


def _shapes(conninfo: str, queries: list[str], *, analyze: bool) -> list[str]:
    with psycopg.connect(conninfo) as conn:
        return [explain_shape(conn, q, analyze=analyze) for q in queries]


def statistics_report(
    wb: Any,
    queries: list[str],
    *,
    scale: float = 1.0,
    production: list[str] | None = None,
    seed: int = 0,
) -> StatisticsReport:
    """Plan shapes per query (imported / faithful / plain) and per-column distances."""
    from workbench.stats import export_stats, faithful_plan

    data = wb.imported_stats
    if data is None:
        from workbench.stats import StatsError

        raise StatsError("no statistics imported: call wb.import_stats(FILE) first")
    planning = wb.planning_database()
    with planning.connect() as conn:
        imported = []
        for q in queries:
            with conn.transaction(force_rollback=True):
                row = conn.execute(f"EXPLAIN (FORMAT JSON) {q}").fetchone()
            assert row is not None
            imported.append(plan_shape(row[0]))
    faithful_db = wb.new_database()
    plain_db = wb.new_database()
    previous = wb.seeded
    try:
        wb.seed(database=faithful_db, like=data, scale=scale, seed=seed, progress=False)
        rows = faithful_plan(data, wb.schema, scale=scale).rows
        wb.seed({"tables": rows}, database=plain_db, seed=seed, progress=False)
        faithful = _shapes(faithful_db.conninfo, queries, analyze=True)
        plain = _shapes(plain_db.conninfo, queries, analyze=True)
        achieved = export_stats(faithful_db.conninfo)
    finally:
        wb.seeded = previous
        faithful_db.drop()
        plain_db.drop()
    plans = pd.DataFrame(
        {"query": queries, "imported": imported, "faithful": faithful, "plain": plain}
    )
    if production is not None:
        plans["production"] = production
    return StatisticsReport(plans, column_distances(data, achieved, scale=scale))

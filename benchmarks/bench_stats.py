"""Benchmark: production's plans from production's statistics alone (issue 19).

A "production" database of tests/schemas/shop_stats is filled with skewed,
time-correlated rows (production_data.sql, 420 k rows) and its statistics are
exported with the shipped read-only query. A fresh server then gets only the
statistics file: plain EXPLAIN in ``wb.planning_database()`` (imported
statistics, sparse production-sized files), EXPLAIN ANALYZE on data seeded
``like=`` the file at full scale, and on plain seeded data with the same row
counts. Each plan's shape (nodes, relations, indexes, join types) is compared
with production's under the same EXPLAIN. Prints the per-column distances and,
last, exactly: ``plan agreement imported X, faithful Y, plain Z``.

Run: ``.venv/bin/python benchmarks/bench_stats.py [--scale 1.0]``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import workbench  # noqa: E402
from workbench.stats import explain_shape, export_stats, save_stats  # noqa: E402
from workbench.stats.report import statistics_report  # noqa: E402

SHOP = ROOT / "tests" / "schemas" / "shop_stats"


def queries() -> list[str]:
    lines = (SHOP / "queries.sql").read_text().splitlines()
    return [q for q in lines if q.strip() and not q.startswith("--")]


def production(wb, qs: list[str]) -> tuple[dict, list[str], list[str]]:
    """Fill a clone with production_data.sql; its statistics and its plan shapes."""
    db = wb.new_database()
    with db.connect(autocommit=True) as conn:
        conn.execute((SHOP / "production_data.sql").read_text())
        # per table: a database-wide VACUUM right after the load left the visibility map unset here
        for table in ("customers", "products", "orders", "order_items"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
    with psycopg.connect(db.conninfo) as conn:
        planned = [explain_shape(conn, q) for q in qs]
        analysed = [explain_shape(conn, q, analyze=True) for q in qs]
    return export_stats(db.conninfo), planned, analysed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    qs = queries()
    t0 = time.perf_counter()
    with workbench.open(SHOP / "schema.sql") as prod:
        stats, planned, analysed = production(prod, qs)
    print(
        f"production: {sum(r['reltuples'] for r in stats['relations'] if r['kind'] == 'r'):,.0f} rows, "
        f"statistics of {len(stats['columns'])} columns exported ({time.perf_counter() - t0:.1f} s)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = save_stats(stats, Path(tmp) / "stats.json")
        t1 = time.perf_counter()
        with workbench.open(SHOP / "schema.sql", stats=path) as wb:
            restored = time.perf_counter() - t1
            report = statistics_report(wb, qs, scale=args.scale, production=analysed)
    plans = report.plans
    plans["imported"] = plans["imported"]  # plain EXPLAIN: compare with production's plain EXPLAIN
    imported_match = sum(a == b for a, b in zip(plans["imported"], planned, strict=True)) / len(qs)
    faithful_match = float((plans["faithful"] == plans["production"]).mean())
    plain_match = float((plans["plain"] == plans["production"]).mean())
    print(f"fresh server with the statistics file: opened and restored in {restored:.2f} s")
    pd.set_option("display.width", 160)
    cols = report.columns
    print("\nper-column distances (imported vs the faithful seed's own ANALYZE):")
    print(
        cols[["table", "column", "null_frac_diff", "n_distinct_ratio", "mcv_overlap"]]
        .round(3)
        .to_string(index=False)
    )
    print(
        f"\nmedian: null_frac diff {cols['null_frac_diff'].median():.3f}, n_distinct ratio "
        f"{cols['n_distinct_ratio'].median():.2f}, common-value overlap {cols['mcv_overlap'].median():.2f}"
    )
    print("\nper query: imported | faithful | plain  (1 = same shape as production)")
    for q, p, i, f, pl, pa in zip(
        qs, planned, plans["imported"], plans["faithful"], plans["plain"], analysed, strict=True
    ):
        print(f"  {int(i == p)} | {int(f == pa)} | {int(pl == pa)}  {q[:90]}")
        if i != p:
            print(f"      production {p}\n      imported   {i}")
        if f != pa:
            print(f"      production {pa}\n      faithful   {f}")
    print(
        f"plan agreement imported {imported_match:.2f}, faithful {faithful_match:.2f}, plain {plain_match:.2f}"
    )


if __name__ == "__main__":
    main()

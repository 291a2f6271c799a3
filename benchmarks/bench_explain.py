"""Benchmark: what measuring one execution through the EXPLAIN harness costs.

Target (issue 6): measuring a query through the harness costs within 5 % of a
bare psycopg ``cursor.execute(...); fetchall()`` of the same query. Both run in
the same process, on the same connection settings (autocommit, no
auto-prepare), against the same database, in interleaved blocks so drift hits
both alike. Two figures per side:

* loop cost: wall-clock per execution of a whole measuring loop (the harness's
  ``time_execution`` plus recording the sample, as the runner does, against a
  bare execute + fetchall loop);
* reported time: the median per-execution time each side measured.

The ratios are harness / bare; no figure is asserted.

Run: ``.venv/bin/python benchmarks/bench_explain.py [--executions 2000] [--blocks 10]``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import psycopg

import workbench
from workbench.explain.runner import time_execution

ROOT = Path(__file__).resolve().parent.parent
QUERY = (
    "SELECT id, email, display_name FROM users WHERE id = '10000000-0000-0000-0000-000000000007'"
)


def seed_users(conn: psycopg.Connection, n: int = 1000) -> None:
    conn.execute(
        "INSERT INTO users (id, email, display_name) "
        "SELECT ('10000000-0000-0000-0000-' || lpad(to_hex(i), 12, '0'))::uuid, "
        f"'user' || i || '@example.com', 'User ' || i FROM generate_series(1, {n}) AS i"
    )
    conn.execute("ANALYZE users")


def harness_block(conn: psycopg.Connection, n: int) -> tuple[float, list[int]]:
    samples: list[tuple[str, int, int]] = []
    t0 = time.perf_counter_ns()
    for rep in range(n):
        samples.append(("q", rep, time_execution(conn, QUERY)))
    wall = time.perf_counter_ns() - t0
    return wall / n, [s[2] for s in samples]


def bare_block(conn: psycopg.Connection, n: int) -> tuple[float, list[int]]:
    timings: list[int] = []
    t0 = time.perf_counter_ns()
    for _ in range(n):
        t = time.perf_counter_ns()
        cur = conn.cursor()
        cur.execute(QUERY)
        cur.fetchall()
        timings.append(time.perf_counter_ns() - t)
    wall = time.perf_counter_ns() - t0
    return wall / n, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=2000, help="per block")
    parser.add_argument("--blocks", type=int, default=10, help="interleaved blocks per side")
    args = parser.parse_args()
    with workbench.open(ROOT / "sql") as wb, wb.new_database() as db:
        with db.connect(autocommit=True, prepare_threshold=None) as conn:
            seed_users(conn)
            harness_block(conn, 200)  # warm both paths up
            bare_block(conn, 200)
            loops = {"harness": [], "bare": []}
            reported: dict[str, list[int]] = {"harness": [], "bare": []}
            for b in range(args.blocks):
                order = ("harness", "bare") if b % 2 == 0 else ("bare", "harness")
                for side in order:
                    block = harness_block if side == "harness" else bare_block
                    per_exec, timings = block(conn, args.executions)
                    loops[side].append(per_exec)
                    reported[side].extend(timings)
        version = wb.server_version
    loop_h, loop_b = statistics.median(loops["harness"]), statistics.median(loops["bare"])
    rep_h, rep_b = statistics.median(reported["harness"]), statistics.median(reported["bare"])
    print(f"PostgreSQL {version}, query: {QUERY}")
    print(f"{args.blocks} interleaved blocks × {args.executions} executions per side")
    print(f"{'':24}{'harness':>12}{'bare psycopg':>14}{'ratio':>9}")
    print(
        f"{'loop cost µs/execution':24}{loop_h / 1e3:12.1f}{loop_b / 1e3:14.1f}{loop_h / loop_b:9.3f}"
    )
    print(f"{'reported median µs':24}{rep_h / 1e3:12.1f}{rep_b / 1e3:14.1f}{rep_h / rep_b:9.3f}")
    print("target: ratios within 1.05 (harness adds at most 5 %)")


if __name__ == "__main__":
    main()

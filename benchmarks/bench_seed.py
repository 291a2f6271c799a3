"""Seed the example schema with >= 1,000,000 rows; compare with pgbench -i -s 10 on the same server.

Three measurements in one run, on one disposable server:

* ``pgbench -i -s 10`` (1,000,000 rows; best of ``--runs``): its client-side generate step
  (rows generated and COPYed into unindexed tables) and its whole run (plus VACUUM and
  primary keys);
* the COPY ceiling for *our* rows: the same generated data, encoded beforehand (not
  timed), sent by bare psycopg binary COPY FREEZE on the same number of connections into
  the tables with every index, key and foreign key dropped. No seeder can write these
  rows faster on this server;
* ``seed()`` (best of ``--runs``): rows written (generation + COPY, the step pgbench
  calls "generate") and the whole run (plus indexes, keys, FK validation, VACUUM ANALYZE).

Run: .venv/bin/python benchmarks/bench_seed.py [--runs N]
"""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import threading
import time
from pathlib import Path

import psycopg
from psycopg import sql

import workbench
from workbench.seed import binary, generate, parse_shape, plan, seed
from workbench.seed.csvformat import csv_bytes

load_mod = importlib.import_module("workbench.seed.load")

ROOT = Path(__file__).resolve().parent.parent
SHAPE = {
    "default": 2000,
    "tables": {
        "organisations": 2000,
        "users": 50_000,
        "user_profiles": 40_000,
        "memberships": 60_000,
        "projects": {"per": "organisations", "min": 2, "max": 8},
        "tasks": {"per": "projects", "min": 5, "max": 50},
        "comments": 330_000,
        "task_tags": 150_000,
        "audit_log": 150_000,
    },
}


def pgbench(wb: workbench.Workbench) -> tuple[float, float, str]:
    """(seconds of pgbench's client-side generate step, seconds of the whole run, its line)."""
    db = wb.new_database(empty=True)
    try:
        params = psycopg.conninfo.conninfo_to_dict(db.conninfo)
        cmd = [str(Path(wb.server.bindir) / "pgbench"), "-i", "-s", "10", "-q"]
        cmd += ["-h", str(params.get("host", "localhost")), "-p", str(params.get("port", 5432))]
        cmd += ["-U", str(params.get("user", "postgres")), db.name]
        t0 = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        total = time.perf_counter() - t0
        line = next(line for line in out.stderr.splitlines() if line.startswith("done in"))
        generate_s = float(re.search(r"client-side generate ([\d.]+) s", line).group(1))
        return generate_s, total, line
    finally:
        db.drop()


def copy_ceiling(wb: workbench.Workbench, workers: int) -> tuple[float, int, int]:
    """(seconds, rows, heap bytes): pre-encoded rows COPYed into bare tables on ``workers``."""
    schema = wb.schema
    tables = generate(schema, plan(schema, parse_shape(SHAPE)), seed=0)
    with wb.new_database() as db, psycopg.connect(db.conninfo, autocommit=True) as conn:
        for rel, con in conn.execute(
            "SELECT conrelid::regclass::text, quote_ident(conname) FROM pg_constraint"
            " WHERE contype IN ('f', 'p', 'u') AND connamespace = 'public'::regnamespace"
            " ORDER BY contype = 'f' DESC"
        ).fetchall():
            conn.execute(f"ALTER TABLE {rel} DROP CONSTRAINT {con}")
        for (index,) in conn.execute(
            "SELECT indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
            " WHERE c.relnamespace = 'public'::regnamespace"
        ).fetchall():
            conn.execute(f"DROP INDEX {index}")
        payloads = []
        for data in sorted(tables, key=lambda d: -d.rows):
            types = binary.column_types(conn, data.name)
            try:
                payloads.append((data, "binary", list(binary.encode(data.columns, types))))
            except binary.NoBinary:
                payloads.append((data, "csv", [csv_bytes(data)]))
        queue = list(payloads)
        lock = threading.Lock()

        def worker() -> None:
            with psycopg.connect(db.conninfo) as c:
                while True:
                    with lock:
                        if not queue:
                            return
                        data, fmt, chunks = queue.pop(0)
                    ident = sql.Identifier(*data.name.split("."))
                    c.execute(sql.SQL("TRUNCATE {}").format(ident))
                    stmt = sql.SQL("COPY {} ({}) FROM STDIN (FORMAT {}, FREEZE)").format(
                        ident, sql.SQL(", ").join(map(sql.Identifier, data.columns)), sql.SQL(fmt)
                    )
                    with c.cursor().copy(stmt) as copy:
                        for chunk in chunks:
                            copy.write(chunk)
                    c.commit()

        threads = [threading.Thread(target=worker) for _ in range(workers)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - t0
        heap = conn.execute(
            "SELECT sum(pg_relation_size(oid)) FROM pg_class"
            " WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
        ).fetchone()[0]
    return seconds, sum(d.rows for d in tables), int(heap)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (best is reported)")
    args = parser.parse_args()
    workers = load_mod.default_parallel()
    with workbench.open(ROOT / "sql") as wb:
        schema = wb.schema
        seed(wb.new_database().conninfo, schema, 1000, progress=False)  # warm-up: pools, imports
        ref = min((pgbench(wb) for _ in range(args.runs)), key=lambda r: r[1])
        ceiling_s, rows, heap = min(
            (copy_ceiling(wb, workers) for _ in range(args.runs)), key=lambda r: r[0]
        )
        summaries = []
        for _ in range(args.runs):
            with wb.new_database() as db:
                summaries.append(seed(db.conninfo, schema, SHAPE, progress=False))
        best = min(summaries, key=lambda s: s.seconds)
    print(best)
    print()
    print(f"pgbench -i -s 10 (best of {args.runs}): {ref[2]}")
    rate = lambda n, s: n / s if s else 0.0  # noqa: E731
    pg_gen, pg_whole = rate(1_000_000, ref[0]), rate(1_000_000, ref[1])
    ceiling = rate(rows, ceiling_s)
    written = max(s.rows_written_per_second for s in summaries)
    whole = max(s.rows_per_second for s in summaries)
    print(f"heap written: seed {heap / 1e6:.0f} MB for {rows:,} rows; pgbench 128 MB for 1,000,000")
    print()
    print(f"{'':44} {'rows/s':>12}  {'ratio to pgbench':>16}")
    print(f"{'pgbench generate (generate + COPY)':44} {pg_gen:12,.0f}")
    print(f"{'COPY ceiling for these rows, ' + str(workers) + ' connections':44} {ceiling:12,.0f}  {ceiling / pg_gen:16.2f}")  # fmt: skip
    print(f"{'seed: rows written (generate + COPY)':44} {written:12,.0f}  {written / pg_gen:16.2f}")  # fmt: skip
    print(f"{'pgbench whole -i (+ VACUUM, primary keys)':44} {pg_whole:12,.0f}")
    print(f"{'seed: whole run (+ indexes, FKs, VACUUM ANALYZE)':44} {whole:12,.0f}  {whole / pg_whole:16.2f}")  # fmt: skip
    print()
    print(f"seed rows written / COPY ceiling: {written / ceiling:.2f}")
    print("target: seed >= 0.5 x pgbench's generate rate")


if __name__ == "__main__":
    main()

"""Seed the example schema with >= 1,000,000 rows; compare with pgbench -i -s 10 on the same server.

Four measurements in one run, on one disposable server (best of ``--runs`` each):

* ``pgbench -i -s 10`` (1,000,000 rows): its client-side generate step (rows generated
  and COPYed into unindexed tables) and its whole run (plus VACUUM and primary keys);
* the COPY ceiling for *our* rows: the same generated data, encoded beforehand (not
  timed), sent by bare psycopg binary COPY FREEZE on the same number of connections into
  the tables with every index, key and foreign key dropped (CHECKs kept: PostgreSQL
  evaluates them per row). No seeder can write these rows faster on this server;
* the load alone: rows generated beforehand (not timed), then the seeder's loader
  (encode, COPY, indexes, keys, FK validation, VACUUM ANALYZE): the whole run of a
  seeder whose generation cost nothing;
* ``seed()``: rows written (generation + COPY, the step pgbench calls "generate") and
  the whole run, with the CPU it used on the client and on the server (from
  /proc/stat, so only on Linux).

Run: .venv/bin/python benchmarks/bench_seed.py [--runs N]
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import subprocess
import threading
import time
from pathlib import Path

import psycopg
from psycopg import sql

import workbench
from workbench.seed import SeedSummary, binary, generate, parse_shape, plan, seed
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


def busy_cpu() -> float | None:
    """Seconds of CPU the whole machine spent busy (user, system, irq), or None off Linux."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return None
    return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) / os.sysconf("SC_CLK_TCK")


def seed_run(wb: workbench.Workbench) -> tuple[SeedSummary, float | None, float]:
    """(summary, machine CPU seconds, this process's CPU seconds) of one seed of SHAPE."""
    with wb.new_database() as db:
        machine, own = busy_cpu(), time.process_time()
        summary = seed(db.conninfo, wb.schema, SHAPE, progress=False)
        after = busy_cpu()
        return summary, (after - machine) if machine and after else None, time.process_time() - own


def load_only(wb: workbench.Workbench, workers: int) -> tuple[float, int]:
    """(seconds, rows) of the seeder's loader on rows generated beforehand."""
    tables = generate(wb.schema, plan(wb.schema, parse_shape(SHAPE)), seed=0)
    with wb.new_database() as db:
        t0 = time.perf_counter()
        load_mod.load(db.conninfo, plan(wb.schema, parse_shape(SHAPE)), tables, parallel=workers)
        return time.perf_counter() - t0, sum(d.rows for d in tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each (best is reported)")
    args = parser.parse_args()
    workers = load_mod.default_parallel()
    with workbench.open(ROOT / "sql") as wb:
        seed(wb.new_database().conninfo, wb.schema, 1000, progress=False)  # warm-up: imports
        ref = min((pgbench(wb) for _ in range(args.runs)), key=lambda r: r[1])
        ceiling_s, rows, heap = min(
            (copy_ceiling(wb, workers) for _ in range(args.runs)), key=lambda r: r[0]
        )
        load_s, _ = min(load_only(wb, workers) for _ in range(args.runs))
        runs = [seed_run(wb) for _ in range(args.runs)]
    best, machine_cpu, client_cpu = min(runs, key=lambda r: r[0].seconds)
    print(best)
    print()
    print(f"pgbench -i -s 10 (best of {args.runs}): {ref[2]}")
    rate = lambda n, s: n / s if s else 0.0  # noqa: E731
    pg_gen, pg_whole = rate(1_000_000, ref[0]), rate(1_000_000, ref[1])
    written = max(rate(r[0].total_rows, r[0].written or 0) for r in runs)
    whole = max(r[0].rows_per_second for r in runs)
    print(f"heap written: seed {heap / 1e6:.0f} MB for {rows:,} rows; pgbench 128 MB for 1,000,000")
    if machine_cpu is not None:
        print(
            f"CPU of the fastest seed: {machine_cpu:.2f} s on {os.cpu_count()} cores in"
            f" {best.seconds:.2f} s ({machine_cpu / best.seconds / (os.cpu_count() or 1):.0%} busy):"
            f" client {client_cpu:.2f} s (generate, encode), server {machine_cpu - client_cpu:.2f} s"
        )
    print()
    lines = [
        ("pgbench: client-side generate (generate + COPY)", pg_gen, None, None),
        (
            f"COPY ceiling for these rows, {workers} connections",
            rate(rows, ceiling_s),
            pg_gen,
            None,
        ),
        ("seed: rows written (generate + COPY)", written, pg_gen, None),
        ("pgbench: whole -i (+ VACUUM, primary keys)", pg_whole, None, None),
        ("load alone (rows generated beforehand)", rate(rows, load_s), pg_gen, pg_whole),
        ("seed: whole run (+ indexes, FKs, VACUUM ANALYZE)", whole, pg_gen, pg_whole),
    ]
    print(f"{'':50} {'rows/s':>11}  {'/ pgbench generate':>18}  {'/ pgbench whole':>15}")
    for label, value, gen_ref, whole_ref in lines:
        a = f"{value / gen_ref:18.2f}" if gen_ref else " " * 18
        b = f"{value / whole_ref:15.2f}" if whole_ref else ""
        print(f"{label:50} {value:11,.0f}  {a}  {b}")
    print()
    print(f"seed rows written / COPY ceiling: {written / rate(rows, ceiling_s):.2f}")
    print("target (issue 5): seed >= 0.5 x pgbench's generate rate")


if __name__ == "__main__":
    main()

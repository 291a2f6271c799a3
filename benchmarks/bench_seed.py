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

Run: .venv/bin/python benchmarks/bench_seed.py [--runs N] [--scales 1,10] [--detail]

The yardstick (issue 16): the seed against pg_restore -j of a dump of the very same
rows (pg_dump -Fd -Z0, the seed's maintenance_work_mem) plus vacuumdb --analyze-only,
at 1 M and 10 M rows; the last line is exactly
``seed/restore 1M R1, 10M R2; peak RSS 10M M MB`` (targets R1, R2 <= 1.0, M <= 1500).
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import shutil
import subprocess
import tempfile
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


def scaled(factor: int) -> dict:
    """SHAPE with every fixed row count times ``factor`` (fan-outs follow their parents)."""
    tables = {
        name: spec if isinstance(spec, dict) else spec * factor
        for name, spec in SHAPE["tables"].items()
    }
    return {"default": SHAPE["default"] * factor, "tables": tables}


def _tool(wb: workbench.Workbench, name: str) -> str:
    return str(Path(wb.server.bindir) / name)


def _conn_args(conninfo: str) -> tuple[list[str], str]:
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    args = ["-h", str(params.get("host", "localhost")), "-p", str(params.get("port", 5432))]
    return [*args, "-U", str(params.get("user", "postgres"))], str(params["dbname"])


def restore_yardstick(
    wb: workbench.Workbench, factor: int, workers: int, dump_dir: Path
) -> tuple[SeedSummary, float, float, float]:
    """(seed summary, pg_restore s, vacuumdb --analyze-only s, dump MB) for one size.

    The seed runs into a fresh clone of the schema; its database is dumped
    (``pg_dump -Fd -Z0``, not timed) and restored with ``pg_restore -j <workers>``
    into an empty database (schema, rows, indexes, keys, FKs: what the seed also
    builds), with the seeder's ``maintenance_work_mem``; then ``vacuumdb
    --analyze-only``, because the seed includes its ANALYZE.
    """
    env = dict(os.environ, PGOPTIONS="-c maintenance_work_mem=512MB -c work_mem=256MB")
    with wb.new_database() as db:
        summary = seed(db.conninfo, wb.schema, scaled(factor), progress=False)
        conn_args, name = _conn_args(db.conninfo)
        target = dump_dir / f"dump-{factor}"
        subprocess.run(
            [_tool(wb, "pg_dump"), "-Fd", "-Z0", "-f", str(target), *conn_args, name],
            check=True,
            env=env,
        )
    size = sum(f.stat().st_size for f in target.iterdir()) / 1e6
    empty = wb.new_database(empty=True)
    try:
        conn_args, name = _conn_args(empty.conninfo)
        t0 = time.perf_counter()
        subprocess.run(
            [_tool(wb, "pg_restore"), "-j", str(workers), "-d", name, *conn_args, str(target)],
            check=True,
            env=env,
            capture_output=True,
        )
        restore = time.perf_counter() - t0
        t0 = time.perf_counter()
        subprocess.run(
            [_tool(wb, "vacuumdb"), "--analyze-only", "-j", str(workers), *conn_args, name],
            check=True,
            env=env,
            capture_output=True,
        )
        analyze = time.perf_counter() - t0
    finally:
        empty.drop()
        shutil.rmtree(target, ignore_errors=True)
    return summary, restore, analyze, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="runs of each (best is reported)")
    parser.add_argument(
        "--scales", default="1,10", help="sizes as multiples of SHAPE (1 = 1.07 M rows)"
    )
    parser.add_argument(
        "--detail", action="store_true", help="also the COPY ceiling and the load alone (1 M)"
    )
    args = parser.parse_args()
    scales = [int(x) for x in args.scales.split(",")]
    workers = load_mod.default_parallel()
    results: dict[int, tuple[SeedSummary, float, float, float]] = {}
    peak_after: dict[int, float] = {}
    with workbench.open(ROOT / "sql") as wb, tempfile.TemporaryDirectory() as tmp:
        seed(wb.new_database().conninfo, wb.schema, 1000, progress=False)  # warm-up: imports
        ref = min((pgbench(wb) for _ in range(args.runs)), key=lambda r: r[1])
        print(f"context: pgbench -i -s 10: {ref[2]}")
        if args.detail:
            ceiling_s, rows, heap = copy_ceiling(wb, workers)
            load_s, _ = load_only(wb, workers)
            print(
                f"context: COPY ceiling {rows / ceiling_s:,.0f} rows/s ({heap / 1e6:.0f} MB heap)"
            )
            print(f"context: load alone {rows / load_s:,.0f} rows/s")
        for factor in scales:
            runs = [restore_yardstick(wb, factor, workers, Path(tmp)) for _ in range(args.runs)]
            results[factor] = min(runs, key=lambda r: r[0].seconds / (r[1] + r[2]))
            peak_after[factor] = results[factor][0].peak_rss_mb or 0.0
            summary, restore, analyze, size = results[factor]
            print()
            print(summary)
            print(
                f"{summary.total_rows:,} rows: seed {summary.seconds:.2f} s; pg_restore -j {workers}"
                f" {restore:.2f} s + vacuumdb --analyze-only {analyze:.2f} s"
                f" (dump {size:,.0f} MB): seed/restore {summary.seconds / (restore + analyze):.2f}"
            )
    print()
    ratio = {f: r[0].seconds / (r[1] + r[2]) for f, r in results.items()}
    print(
        "targets (issue 16): seed/restore <= 1.0 at 1 M and 10 M rows; peak RSS at 10 M <= 1500 MB"
    )
    r1 = f"{ratio[1]:.2f}" if 1 in ratio else "n/a"
    r2 = f"{ratio[10]:.2f}" if 10 in ratio else "n/a"
    m = f"{peak_after[10]:.0f}" if 10 in peak_after else "n/a"
    print(f"seed/restore 1M {r1}, 10M {r2}; peak RSS 10M {m} MB")


if __name__ == "__main__":
    main()

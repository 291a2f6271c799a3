"""Seed the example schema with >= 1,000,000 rows and compare with pgbench -i -s 10 on the same server.

Prints our rows/s (whole run: generate, COPY, indexes, FKs, VACUUM ANALYZE) and the
generation-phase rate, next to pgbench's client-side generation rate measured in the
same run, as ratios. Run: .venv/bin/python benchmarks/bench_seed.py
"""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import workbench
from workbench.seed import seed

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


def pgbench_rate(wb: workbench.Workbench) -> tuple[float, float, str]:
    """(rows/s of pgbench's client-side generate step, whole-run rows/s, raw line)."""
    db = wb.new_database(empty=True)
    try:
        params = {k: v for k, v in (p.split("=", 1) for p in db.conninfo.split())}
        cmd = [str(Path(wb.server.bindir) / "pgbench"), "-i", "-s", "10", "-q"]
        cmd += [
            "-h",
            params.get("host", "localhost"),
            "-p",
            params.get("port", "5432"),
            "-U",
            params.get("user", "postgres"),
            db.name,
        ]
        t0 = time.perf_counter()
        out = subprocess.run(cmd, capture_output=True, text=True, check=True)
        total = time.perf_counter() - t0
        line = next(line for line in out.stderr.splitlines() if line.startswith("done in"))
        gen = float(re.search(r"client-side generate ([\d.]+) s", line).group(1))
        return 1_000_000 / gen, 1_000_000 / total, line
    finally:
        db.drop()


def main() -> None:
    with workbench.open(ROOT / "sql") as wb:
        schema = wb.schema
        ref_gen, ref_total, line = pgbench_rate(wb)
        with wb.new_database() as db:
            summary = seed(db.conninfo, schema, SHAPE, progress=False)
    print(summary)
    load = summary.phases.get("copy", 0.0)
    print()
    print(f"pgbench -i -s 10: {line}")
    print(
        f"pgbench generate rate      : {ref_gen:12,.0f} rows/s   (whole pgbench -i: {ref_total:,.0f} rows/s)"
    )
    print(
        f"seed whole run             : {summary.rows_per_second:12,.0f} rows/s   ({summary.total_rows:,} rows in {summary.seconds:.2f} s)"
    )
    print(f"seed COPY phase            : {summary.total_rows / load if load else 0:12,.0f} rows/s")
    print(
        f"ratio seed/pgbench (whole run vs generate): {summary.rows_per_second / ref_gen:.2f}  (target >= 0.5)"
    )
    print(f"ratio seed/pgbench (whole run vs whole)  : {summary.rows_per_second / ref_total:.2f}")


if __name__ == "__main__":
    main()

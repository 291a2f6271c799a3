"""How long does the workbench take to load a large schema, next to ``psql -f`` of the same files?

The schema is generated (tests/large_schema.py): by default 1,500 partitioned tables with 3
partitions and 4 indexes each, 100 tables per file. Both loads run against the same local
server, each into a fresh database, alternating, ``--repeat`` times:

  * workbench: resolve the layout, expand psql meta-commands and run the statements
    (``workbench.loader.load_script``) as ``workbench.open`` does: into a fresh database
    dropped on failure, statement by statement; ``--one-transaction`` times the
    one-transaction load instead (the server then gets the lock table sized for it);
  * psql: the system ``psql -X -q -v ON_ERROR_STOP=1 -f 001.sql -f 002.sql ...`` (one
    process, autocommit, the way a project's install script runs).

Prints each round, the medians, and the median of the per-round ratios with their range;
the last line is the figure issue 21 sets (target <= 1.2).

Run: .venv/bin/python benchmarks/bench_load.py [--tables 1500] [--repeat 3] [--backend embedded]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.large_schema import generate  # noqa: E402
from workbench.loader import load_script  # noqa: E402
from workbench.server import start_server  # noqa: E402
from workbench.session import lock_settings  # noqa: E402
from workbench.sources import expand, resolve  # noqa: E402


def time_workbench(server, folder: Path, one_transaction: bool) -> float:
    name = server.create_database()
    try:
        t0 = time.perf_counter()
        script = expand(resolve(folder))
        with server.connect(name) as conn:
            load_script(
                conn,
                script,
                backend=server.backend,
                disposable=True,
                one_transaction=one_transaction,
            )
        return time.perf_counter() - t0
    finally:
        server.drop_database(name)


def time_psql(server, folder: Path, psql: str) -> float:
    name = server.create_database()
    try:
        files = sorted(folder.glob("*.sql"))
        cmd = [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", server.conninfo(name)]
        for f in files:
            cmd += ["-f", str(f)]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0
    finally:
        server.drop_database(name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tables", type=int, default=1500)
    ap.add_argument("--partitions", type=int, default=3)
    ap.add_argument("--indexes", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--backend", default=None)
    ap.add_argument("--psql", default=shutil.which("psql") or "psql", help="the system psql")
    ap.add_argument(
        "--one-transaction",
        action="store_true",
        help="time workbench.open(..., one_transaction=True) instead of the default load",
    )
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = generate(Path(tmp) / "schema", args.tables, args.partitions, args.indexes)
        script = expand(resolve(folder))
        settings = lock_settings(script) if args.one_transaction else {}
        print(
            f"schema: {args.tables} tables x {args.partitions} partitions x {args.indexes} "
            f"indexes, {len(script.items)} statements in {len(script.files)} files; "
            f"server settings {settings or 'default'}; psql {args.psql}"
        )
        with start_server(args.backend, settings=settings, spare=False) as server:
            mode = "one transaction" if args.one_transaction else "statement by statement"
            print(
                f"server: PostgreSQL {server.version} ({server.backend} backend); workbench: {mode}"
            )
            ours: list[float] = []
            theirs: list[float] = []
            for r in range(args.repeat):
                ours.append(time_workbench(server, folder, args.one_transaction))
                theirs.append(time_psql(server, folder, args.psql))
                print(f"  round {r + 1}: workbench {ours[-1]:.2f} s, psql -f {theirs[-1]:.2f} s")
    # rounds alternate, so a busy machine slows both halves of a round alike: the ratio
    # within a round is steadier than either time, and its median is the figure
    ratios = sorted(o / t for o, t in zip(ours, theirs, strict=True))
    print(
        f"median: workbench {statistics.median(ours):.2f} s, "
        f"psql -f {statistics.median(theirs):.2f} s"
    )
    print(
        f"load ratio workbench/psql: {statistics.median(ratios):.2f} "
        f"(per-round {ratios[0]:.2f}-{ratios[-1]:.2f}, n={len(ratios)}; target <= 1.2)"
    )


if __name__ == "__main__":
    main()

"""``workbench rehearse A B``: run the A → B migration (and back) on seeded data, measuring locks.

``A`` and ``B`` are as for ``workbench diff`` (directories, files or ``REV:path``).
For each ``--rows`` scale a clone of A is seeded, the migration runs statement
by statement while ``pg_locks`` is sampled and probe reads and writes run on
the touched tables, and both directions are proven (model equals B, then A;
untouched columns keep their rows and checksums). Prints the per-statement
summary and the extrapolations; ``--out DIR`` writes ``rehearsal.md`` and
``rehearsal.png``. Exits 1 when a check failed.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from workbench.commands.common import add_backend_arguments
from workbench.commands.diff_cmd import parse_renames
from workbench.errors import WorkbenchError
from workbench.server import start_server
from workbench.versions import materialise


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", help="old schema: directory, file or REV:path")
    parser.add_argument("new", help="new schema: directory, file or REV:path")
    parser.add_argument(
        "--rows",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="rows per table at one scale (repeatable; default: 2000 and 20000)",
    )
    parser.add_argument(
        "--rename", action="append", default=[], metavar="OLD=NEW", help="rename hint (as diff)"
    )
    parser.add_argument("--unsafe", action="store_true", help="rehearse the plain statements")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    parser.add_argument(
        "--null-fraction",
        type=float,
        default=None,
        help="fraction of NULLs in nullable columns (0 when B makes a column NOT NULL)",
    )
    parser.add_argument("--out", metavar="DIR", help="write rehearsal.md and rehearsal.png here")
    parser.add_argument(
        "--extrapolate",
        type=int,
        default=50_000_000,
        metavar="ROWS",
        help="row count the fitted lines are read at (default: 50,000,000)",
    )
    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from workbench.rehearse import rehearse_paths

    rows = args.rows or [2_000, 20_000]
    if any(n <= 0 for n in rows):
        raise WorkbenchError(f"--rows needs positive row counts, got {rows}")
    options = {} if args.null_fraction is None else {"null_fraction": args.null_fraction}
    with tempfile.TemporaryDirectory(prefix="workbench-rehearse-") as tmp:
        old_path = materialise(args.old, Path(tmp) / "old")
        new_path = materialise(args.new, Path(tmp) / "new")
        with start_server(args.backend) as srv:
            result = rehearse_paths(
                srv,
                old_path,
                new_path,
                rows=rows,
                renames=parse_renames(args.rename),
                safe=not args.unsafe,
                seed=args.seed,
                seed_options=options,
            )
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(result.summary(args.extrapolate).to_string(index=False))
    for sentence in result.sentences(args.extrapolate):
        print(sentence)
    for c in result.checks:
        print(f"{c.direction} at {c.rows:,} rows: {c.what}: {'ok' if c.ok else 'FAILED'}")
    if args.out:
        md, png = result.write(args.out)
        print(f"wrote {md}\nwrote {png}")
    return 0 if result.proven else 1

"""``workbench seed``: load sql/ into a disposable server, seed it, print the summary (and dump)."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--rows", type=int, default=None, help="rows per table (default 1000)")
    parser.add_argument(
        "--shape", type=Path, default=None, help="JSON shape file (see workbench.seed.shape)"
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="random seed; the same seed gives the same data"
    )
    parser.add_argument(
        "--dump", type=Path, default=None, help="write the seeded data as a SQL seed script"
    )
    parser.add_argument(
        "--dump-limit", type=int, default=None, help="at most this many rows per table in --dump"
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    import workbench
    from workbench.errors import WorkbenchError
    from workbench.seed import seed, seed_script

    try:
        shape = json.loads(args.shape.read_text("utf-8")) if args.shape else None
        with workbench.open(getattr(args, "sql", "sql")) as wb, wb.new_database() as db:
            summary = seed(
                db.conninfo,
                wb.schema,
                shape,
                rows=args.rows,
                seed=args.seed,
                progress=not args.no_progress,
            )
            print(summary)
            if args.dump:
                with db.connect() as conn:
                    script = seed_script(conn, wb.schema, limit_per_table=args.dump_limit)
                args.dump.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=args.dump.parent, prefix=f".{args.dump.name}.")
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(script)
                os.replace(tmp, args.dump)
                print(f"wrote {args.dump}")
    except (WorkbenchError, OSError, json.JSONDecodeError) as exc:
        print(f"error: {exc}")
        return 1
    return 0

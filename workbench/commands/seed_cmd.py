"""``workbench seed``: load sql/ into a disposable server, seed it, print the summary (and dump)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from workbench.commands.common import add_backend_arguments, open_from_args, positive_int
from workbench.errors import WorkbenchError
from workbench.files import write_atomic


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sql", default="sql", help="directory (or file) of schema SQL")
    parser.add_argument(
        "--rows", type=positive_int, default=None, help="rows per table (default 1000)"
    )
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
        "--dump-limit",
        type=positive_int,
        default=None,
        help="at most this many rows per table in --dump",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from workbench.seed import seed, seed_script

    shape = _read_shape(args.shape) if args.shape else None
    with open_from_args(args) as wb, wb.new_database() as db:
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
            write_atomic(args.dump, script)
            print(f"wrote {args.dump}")
    return 0


def _read_shape(path: Path) -> dict:
    """The --shape file as a dict; a missing or malformed file is the user's error."""
    try:
        shape = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise WorkbenchError(f"--shape {path}: {exc.strerror or exc}") from exc
    except json.JSONDecodeError as exc:
        raise WorkbenchError(f"--shape {path}:{exc.lineno}:{exc.colno}: {exc.msg}") from exc
    if not isinstance(shape, dict):
        raise WorkbenchError(f"--shape {path}: expected a JSON object, got {type(shape).__name__}")
    return shape

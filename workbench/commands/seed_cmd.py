"""``workbench seed``: load sql/ into a disposable server, seed it, print the summary (and dump)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from workbench.commands.common import add_backend_arguments, open_from_args, positive_int
from workbench.errors import WorkbenchError


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
        "--dump",
        type=Path,
        default=None,
        help="write the seeded data to FILE (COPY blocks for psql -f, unless --dump-format)",
    )
    parser.add_argument(
        "--dump-format",
        choices=("copy", "custom", "insert"),
        default="copy",
        help="copy: COPY blocks, psql -f FILE reloads them (default); custom: a pg_dump"
        " archive for pg_restore --data-only; insert: INSERT statements",
    )
    parser.add_argument(
        "--dump-limit",
        type=positive_int,
        default=None,
        help="at most this many rows per table in --dump",
    )
    parser.add_argument(
        "--shipped",
        choices=("keep", "top-up"),
        default="keep",
        help="tables the schema's files fill (lookup rows, schema_migrations): keep them as"
        " they are (default) or top them up to the rows asked",
    )
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from workbench.seed import seed
    from workbench.seed.dump import write_dump

    shape = _read_shape(args.shape) if args.shape else None
    with open_from_args(args) as wb, wb.new_database() as db:
        summary = seed(
            db.conninfo,
            wb.schema,
            shape,
            rows=args.rows,
            seed=args.seed,
            progress=not args.no_progress,
            shipped=args.shipped,
        )
        print(summary)
        if args.dump:
            try:
                write_dump(
                    db.conninfo,
                    wb.schema,
                    args.dump,
                    format=args.dump_format,
                    limit_per_table=args.dump_limit,
                    bindir=getattr(wb.server, "bindir", None),
                )
            except OSError as exc:
                raise WorkbenchError(f"--dump {args.dump}: {exc.strerror or exc}") from exc
            print(f"wrote {args.dump} ({args.dump_format})")
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

"""``workbench export --sql DIR --out DIR``: every export of the schema, written side by side.

Writes ``schema.sql``, ``schema.md``, ``er.svg``, ``er.mmd``, ``models.py`` and the
Alembic project ``migrations/`` with :func:`workbench.export.doc_collect.write_all`
while the workbench is open (the document's example rows, seed script and RLS
demonstration come from a seeded clone, the migration from an empty database).
Front matter comes from ``[tool.workbench.doc]`` in ``pyproject.toml``.

Each artifact succeeds or fails on its own: every file that could be written is
written and printed, warnings go to stderr, and when any artifact failed the
command ends with an error naming each one and why (exit 2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tomllib
from pathlib import Path

from workbench.commands.common import (
    add_backend_arguments,
    iso_date,
    open_from_args,
    positive_int,
)
from workbench.errors import WorkbenchError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sql", default="sql", help="directory (or file) of schema SQL")
    parser.add_argument("--out", default="build", help="directory to write the exports to")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed number of the sample data (default: 0)"
    )
    parser.add_argument(
        "--rows",
        type=positive_int,
        default=20,
        help="rows per table seeded for the document's examples (default: 20)",
    )
    parser.add_argument(
        "--history",
        action="store_true",
        help="build the document's changelog from the git history of --sql",
    )
    parser.add_argument(
        "--date",
        type=iso_date,
        default=None,
        help="date in the document (default: today, YYYY-MM-DD)",
    )
    parser.add_argument(
        "--pyproject", default="pyproject.toml", help="where [tool.workbench.doc] is read"
    )
    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from workbench.export.markdown import load_doc_options
    from workbench.export.unexportable import warn_unexportable
    from workbench.lint import LintConfig

    try:
        options = load_doc_options(args.pyproject, date=args.date or dt.date.today().isoformat())
    except tomllib.TOMLDecodeError as exc:
        raise WorkbenchError(f"{args.pyproject}: not valid TOML: {exc}") from exc
    # The Performance section lists lint findings: with the configuration `workbench lint` reads.
    lint_config = (
        LintConfig.from_pyproject(args.pyproject) if Path(args.pyproject).is_file() else None
    )
    with open_from_args(args) as wb:
        # Imported once the schema has loaded: the exporters' libraries take seconds to
        # import (sqlacodegen pulls in inflect), and a bad --sql should not wait for them.
        from workbench.export.doc_collect import write_all

        warn_unexportable(wb)
        result = write_all(
            wb,
            Path(args.out),
            options=options,
            seed=args.seed,
            rows_per_table=args.rows,
            history=args.sql if args.history else None,
            lint_config=lint_config,
        )
    for path in result.written:
        print(f"wrote {path}")
    for warning in result.warnings:
        print(f"workbench: warning: {warning}", file=sys.stderr)
    result.raise_for_failures()  # ExportIncomplete: the CLI prints it and exits 2
    return 0

"""``workbench export --sql DIR --out DIR``: load sql/, introspect it, write every registered format.

Today the registry holds ``sql`` (schema.sql); other exporters join through
:data:`workbench.export.EXPORTERS` and are written here without changes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.commands.common import add_backend_arguments, open_from_args
from workbench.export import EXPORTERS, write_atomic

#: File name per format; formats not listed here are written as ``schema.<format>``.
FILE_NAMES = {"sql": "schema.sql"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sql", default="sql", help="directory (or file) of schema SQL")
    parser.add_argument("--out", default="build", help="directory to write the exports to")
    parser.add_argument(
        "--format",
        action="append",
        choices=sorted(EXPORTERS),
        help="format(s) to write (repeatable; default: all registered formats)",
    )
    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    formats = args.format or sorted(EXPORTERS)
    with open_from_args(args) as wb:
        schema = wb.schema
    out = Path(args.out)
    for fmt in formats:
        path = write_atomic(out / FILE_NAMES.get(fmt, f"schema.{fmt}"), EXPORTERS[fmt](schema))
        print(f"wrote {path}")
    return 0

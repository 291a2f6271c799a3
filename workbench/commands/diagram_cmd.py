"""``workbench diagram``: draw the schema in sql/ (or part of it) to a file.

The format follows the output file's suffix: ``.svg``, ``.png``, ``.dot``,
``.mmd`` (Mermaid), ``.md`` (Markdown with Mermaid blocks) or ``.html`` (the
interactive diagram: search, focus, groups, paths; one file that needs no network).
"""

from __future__ import annotations

import argparse

from workbench.commands.common import add_backend_arguments, non_negative_int, open_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sql", default="sql", help="directory (or file) of schema SQL, loaded in name order"
    )
    add_backend_arguments(parser)
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        help="file to write: .svg .png .dot .mmd .md, or .html (interactive, one self-contained file)",
    )
    parser.add_argument("--focus", metavar="TABLE", help="draw TABLE and its neighbours")
    parser.add_argument(
        "--depth", type=non_negative_int, default=1, help="hops around --focus (default 1)"
    )
    parser.add_argument("--tables", help="comma-separated table names to draw")
    parser.add_argument("--pattern", help="shell glob(s) on table names, e.g. 'task*'")
    parser.add_argument("--schema", dest="pg_schema", help="only this PostgreSQL schema")
    parser.add_argument(
        "--collapse-junctions", action="store_true", help="draw many-to-many tables as one M:N line"
    )
    parser.add_argument(
        "--inferred", action="store_true", help="add dashed lines for x_id columns without a FK"
    )
    parser.add_argument(
        "--enums", action="store_true", help="show enum types and CHECK-enum values"
    )
    parser.add_argument("--comments", action="store_true", help="show table and column comments")
    parser.add_argument(
        "--columns", choices=("auto", "all", "keys", "none"), default="auto", help="columns to draw"
    )
    parser.add_argument(
        "--cluster", choices=("auto", "schema", "component", "none"), default="auto"
    )
    parser.add_argument("--title", help="title written above the diagram")


def run(args: argparse.Namespace) -> int:
    from workbench.diagram import diagram

    tables = [t.strip() for t in args.tables.split(",") if t.strip()] if args.tables else None
    with open_from_args(args) as wb:
        schema = wb.schema
    d = diagram(
        schema,
        focus=args.focus,
        depth=args.depth,
        tables=tables,
        pattern=args.pattern,
        pg_schema=args.pg_schema,
        collapse_junctions=args.collapse_junctions,
        inferred=args.inferred,
        show_enums=args.enums,
        show_comments=args.comments,
        columns=args.columns,
        cluster=args.cluster,
        title=args.title,
    )
    written = d.save(args.output)
    shown = len(d.tables)
    left = f", {len(d.omitted)} left out" if d.omitted else ""
    for path in written:
        print(f"wrote {path}")
    print(f"{shown} tables{left}")
    return 0

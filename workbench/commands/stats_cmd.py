"""``workbench stats``: production's optimizer statistics out, and what they do here.

``workbench stats export --url URL -o FILE [--anonymise GLOB ...]`` runs the shipped
read-only query on a server (a DBA's production, 15 or newer) and writes the JSON.
``workbench stats report --sql DIR --stats FILE --queries FILE`` restores it into a
fresh server, and prints per query the plan shape with the imported statistics, on
data seeded like them and on plain seeded data, plus per-column distances.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.commands.common import add_backend_arguments, open_from_args
from workbench.errors import WorkbenchError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="stats_command", required=True, metavar="ACTION")
    export = sub.add_parser("export", help="write a database's statistics as JSON (read-only)")
    export.add_argument("--url", required=True, help="libpq URL or conninfo of the database")
    export.add_argument("-o", "--output", required=True, help="JSON file to write")
    export.add_argument(
        "--anonymise",
        action="append",
        default=[],
        metavar="GLOB",
        help="replace common values and histogram bounds of matching columns "
        "(schema.table.column globs, e.g. 'public.users.email' or '*.*.email') by stand-ins",
    )
    report = sub.add_parser(
        "report", help="plan shapes with imported statistics, faithful and plain seeded data"
    )
    report.add_argument("--sql", default="sql", help="the schema (directory or file)")
    add_backend_arguments(report)
    report.add_argument("--stats", required=True, help="a file written by `workbench stats export`")
    report.add_argument(
        "--queries", required=True, help="a file with one query per line (-- comments allowed)"
    )
    report.add_argument("--scale", type=float, default=1.0, help="rows = reltuples x scale")


def _queries(path: str) -> list[str]:
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise WorkbenchError(f"cannot read {path}: {exc.strerror}") from None
    queries = [
        q.strip().rstrip(";") for q in lines if q.strip() and not q.lstrip().startswith("--")
    ]
    if not queries:
        raise WorkbenchError(f"{path}: no queries (one per line)")
    return queries


def run(args: argparse.Namespace) -> int:
    import psycopg

    from workbench.stats import export_stats, load_stats, save_stats

    if args.stats_command == "export":
        try:
            data = export_stats(args.url, anonymise_columns=tuple(args.anonymise))
        except psycopg.OperationalError as exc:
            raise WorkbenchError(f"cannot connect to {args.url}: {exc}") from None
        path = save_stats(data, args.output)
        print(
            f"wrote {path}: {len(data['relations'])} relations, {len(data['columns'])} column "
            f"statistics from PostgreSQL {data['server_version']}"
            + (f"; anonymised {', '.join(args.anonymise)}" if args.anonymise else "")
        )
        return 0
    from workbench.stats.report import statistics_report

    data = load_stats(args.stats)
    queries = _queries(args.queries)
    wb = open_from_args(args)
    with wb:
        restored = wb.import_stats(data)
        print("\n".join(restored.lines()))
        report = statistics_report(wb, queries, scale=args.scale)
    for q, row in zip(queries, report.plans.itertuples(), strict=True):
        print(f"\n{q}")
        print(f"  imported statistics: {row.imported}")
        print(f"  faithful seed:       {row.faithful}")
        print(f"  plain seed:          {row.plain}")
    cols = report.columns
    if not cols.empty:
        print(
            f"\ncolumns: median null_frac difference {cols['null_frac_diff'].median():.3f}, "
            f"n_distinct ratio {cols['n_distinct_ratio'].median():.2f}, "
            f"common-value overlap {cols['mcv_overlap'].median():.2f} over {len(cols)} columns"
        )
    return 0

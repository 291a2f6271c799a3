"""``workbench load``: start a disposable server, load sql/, print a one-screen summary."""

from __future__ import annotations

import argparse
import time

from workbench.commands.common import add_backend_arguments, open_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sql",
        default="sql",
        help="project folder (plain, Flyway, golang-migrate, dbmate, Prisma, sqitch, Supabase, Rails) or file of schema SQL; layout detected",
    )
    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    with open_from_args(args) as wb:
        summary = wb.summary()
    summary["total_s"] = round(time.perf_counter() - t0, 3)
    print(format_summary(summary))
    return 0


def format_summary(summary: dict) -> str:
    """The one-screen summary: backend and version, object counts, time taken."""
    lines = [
        f"Loaded {summary['files']} file(s), {summary['statements']} statements "
        f"into PostgreSQL {summary['server_version']} ({summary['backend']} backend)",
    ]
    if summary.get("layout"):
        lines.append(f"  layout: {summary['layout']}")
    if summary.get("atomicity"):
        lines.append(f"  all or nothing: {summary['atomicity']}")
    lines += [f"  note: {n}" for n in summary.get("notes", [])]
    lines += [f"  echo: {e}" for e in summary.get("echo", [])]
    lines.append("")
    for key in ("tables", "columns", "primary_keys", "foreign_keys", "indexes", "views", "enums"):
        lines.append(f"  {key.replace('_', ' '):<14}{summary[key]:>6}")
    lines.append("")
    lines.append(
        f"  server start {summary['server_start_s'] * 1000:.0f} ms, load {summary['load_s'] * 1000:.0f} ms"
        + (f", total {summary['total_s']:.2f} s" if "total_s" in summary else "")
    )
    return "\n".join(lines)

"""Arguments every command shares (backend, layout, server settings), argument types, opening a session.

``--sql`` stays each command's own; when it is left at its default and the project
file (``[tool.workbench]`` in pyproject.toml, or workbench.toml) names the sources,
those are used, and ``sql/`` missing in a folder that holds a known migration-tool
layout loads that layout. Explicit options beat the project file.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path

import workbench
from workbench.errors import WorkbenchError
from workbench.server import BACKENDS
from workbench.sources import LAYOUTS, project_config


def positive_int(text: str) -> int:
    """An argparse type for counts (rows, repetitions): an integer of at least 1."""
    return _int_at_least(text, 1, "a positive integer")


def non_negative_int(text: str) -> int:
    """An argparse type for counts that may be zero (warm-up runs, hops around a table)."""
    return _int_at_least(text, 0, "an integer of 0 or more")


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type for an integer of at least ``low`` (``--repetitions``: 2 for a spread)."""

    def parse(text: str) -> int:
        return _int_at_least(text, low, f"an integer of {low} or more")

    parse.__name__ = f"int_at_least_{low}"
    return parse


def iso_date(text: str) -> str:
    """An argparse type for a calendar date written YYYY-MM-DD (kept as that text)."""
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _int_at_least(text: str, low: int, what: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
    if value < low:
        raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
    return value


def add_backend_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--backend",
        choices=(*BACKENDS, "auto"),
        default=None,
        help="server backend (default: from WORKBENCH_BACKEND / WORKBENCH_DATABASE_URL / "
        "WORKBENCH_PG_BINDIR, else embedded; auto: the system server when the schema needs "
        "an extension only it has)",
    )
    parser.add_argument(
        "--layout",
        choices=LAYOUTS,
        default=None,
        help="how --sql is laid out (default: detected; [tool.workbench] layout)",
    )
    # `explain` already uses --set for its variants' settings: there it is --server-set
    taken = "--set" in parser._option_string_actions
    parser.add_argument(
        *(["--server-set"] if taken else ["--set", "--server-set"]),
        dest="server_settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a server setting for local servers (repeatable), e.g. --set work_mem=64MB; "
        "[tool.workbench.server] in pyproject.toml sets them too",
    )


def parse_settings(pairs: list[str]) -> dict[str, str]:
    settings: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise WorkbenchError(f"--set expects NAME=VALUE, got {pair!r}")
        settings[name.strip()] = value.strip()
    return settings


def session_options(args: argparse.Namespace) -> dict:
    """``sql``, ``layout`` and ``settings`` for :func:`workbench.open` from args and the project file."""
    config = project_config(Path.cwd())
    sql = getattr(args, "sql", "sql")
    layout = getattr(args, "layout", None)
    if sql == "sql" and config.sources:
        sql = list(config.sources) if len(config.sources) > 1 else config.sources[0]
        layout = layout or config.layout
    elif sql == "sql" and not Path("sql").exists():
        sql = "."  # a project folder in a migration tool's layout (detected)
    settings = {**config.server, **parse_settings(getattr(args, "server_settings", []) or [])}
    return {"sql": sql, "layout": layout, "settings": settings or None}


def open_from_args(args: argparse.Namespace) -> workbench.Workbench:
    return workbench.open(backend=getattr(args, "backend", None), **session_options(args))

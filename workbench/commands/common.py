"""Arguments every command shares (which backend, which sql/), argument types, opening a session."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable

import workbench
from workbench.server import BACKENDS


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
        choices=BACKENDS,
        default=None,
        help="server backend (default: from WORKBENCH_BACKEND / WORKBENCH_DATABASE_URL / "
        "WORKBENCH_PG_BINDIR, else embedded)",
    )


def open_from_args(args: argparse.Namespace) -> workbench.Workbench:
    return workbench.open(getattr(args, "sql", "sql"), backend=getattr(args, "backend", None))

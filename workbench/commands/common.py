"""Arguments every command shares (which backend, which sql/) and how to open a session."""

from __future__ import annotations

import argparse

import workbench
from workbench.server import BACKENDS


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

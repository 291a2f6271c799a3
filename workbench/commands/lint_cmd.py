"""``workbench lint``: review the schema in sql/ and print findings (text, JSON or SARIF).

Exit status: 1 when any finding has error severity (after configuration and
suppressions), 0 otherwise; configuration and load errors are the CLI's 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.commands.common import add_backend_arguments, open_from_args
from workbench.files import write_atomic
from workbench.lint import LintConfig, lint
from workbench.lint.locate import Locator

FORMATS = ("text", "json", "sarif")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sql", default="sql", help="directory (or file) of schema SQL, loaded in name order"
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--output", "-o", default=None, help="write the report to this file instead of stdout"
    )
    parser.add_argument(
        "--config",
        default=None,
        help="pyproject.toml holding [tool.workbench.lint] (default: ./pyproject.toml when present)",
    )
    add_backend_arguments(parser)


def load_config(path: str | None) -> LintConfig:
    """The configuration named on the command line, else ./pyproject.toml, else the defaults."""
    if path is not None:
        return LintConfig.from_pyproject(path)
    if Path("pyproject.toml").is_file():
        return LintConfig.from_pyproject("pyproject.toml")
    return LintConfig()


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    with open_from_args(args) as wb:
        schema = wb.schema
    report = lint(schema, config=config)
    locate = Locator.from_paths(args.sql)
    if args.format == "json":
        text = report.to_json(locate)
    elif args.format == "sarif":
        text = report.to_sarif(locate)
    else:
        text = report.to_text(locate)
    if args.output:
        write_atomically(Path(args.output), text)
        print(f"{report.summary()}; written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 1 if report.errors else 0


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same directory, then rename over ``path``."""
    write_atomic(path, text)

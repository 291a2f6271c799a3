"""The ``workbench`` command line: one sub-command per task.

Command bodies live in :mod:`workbench.commands`; this module only wires them
and turns :class:`~workbench.errors.WorkbenchError` into a message on stderr
and exit code 2 (lint uses 1 for "findings at error severity").
"""

from __future__ import annotations

import argparse
import importlib
import sys

from workbench.errors import LoadError, WorkbenchError

COMMANDS = {
    "load": ("load_cmd", "start a disposable server, load sql/ and print a summary"),
    "diagram": ("diagram_cmd", "draw an ER diagram (.svg, .png, .dot or .mmd by suffix)"),
    "seed": ("seed_cmd", "seed realistic, constraint-true data and print a summary"),
    "explain": ("explain_cmd", "run an EXPLAIN ANALYZE experiment and write a report"),
    "lint": ("lint_cmd", "review the design and print findings"),
    "export": ("export_cmd", "write schema.sql, schema.md, er.svg/er.mmd, Alembic and SQLModel"),
    "diff": ("diff_cmd", "compare two versions of sql/ and write the migration"),
    "rehearse": ("rehearse_cmd", "rehearse a migration on seeded data and measure its locks"),
    "stats": ("stats_cmd", "export production's optimizer statistics; plan and seed with them"),
    "demo": ("demo_cmd", "run the whole flow on the example schema, headless"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        try:
            module = importlib.import_module(f"workbench.commands.{module_name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"workbench.commands.{module_name}":
                raise
            continue
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except LoadError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except WorkbenchError as exc:
        print(f"workbench {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

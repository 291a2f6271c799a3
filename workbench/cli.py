"""The ``workbench`` command line: one sub-command per task.

Command bodies live in :mod:`workbench.commands`; this module only wires them
and keeps one convention for all of them: every error a user can cause is one
``workbench: error: ...`` message on stderr (argparse's usage errors too) and
exit status 2, never a traceback; exit status 1 means "findings" (lint found
something at error severity); 0 otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from workbench.errors import WorkbenchError

COMMANDS = {
    "load": ("load_cmd", "start a disposable server, load sql/ and print a summary"),
    "diagram": ("diagram_cmd", "draw an ER diagram (.svg, .png, .dot or .mmd by suffix)"),
    "seed": ("seed_cmd", "seed realistic, constraint-true data and print a summary"),
    "explain": ("explain_cmd", "run an EXPLAIN ANALYZE experiment and write a report"),
    "advise": ("advise_cmd", "recommend indexes for a workload, each with measured evidence"),
    "lint": ("lint_cmd", "review the design and print findings"),
    "export": ("export_cmd", "write schema.sql, schema.md, er.svg/er.mmd, Alembic and SQLModel"),
    "diff": ("diff_cmd", "compare two versions of sql/ and write the migration"),
    "rehearse": ("rehearse_cmd", "rehearse a migration on seeded data and measure its locks"),
    "stats": ("stats_cmd", "export production's optimizer statistics; plan and seed with them"),
    "demo": ("demo_cmd", "run the whole flow on the example schema, headless"),
}

EXIT_BAD_INPUT = 2
EXIT_FINDINGS = 1


def error_message(message: str) -> str:
    """The one form every command's errors take on stderr."""
    return f"workbench: error: {message}"


class Parser(argparse.ArgumentParser):
    """argparse with the workbench's error line (``workbench: error: ...``, exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, error_message(f"{message} (see {self.prog} --help)") + "\n")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the command it names is imported and given its options.

    A command module imports what its run needs (pandas for explain, pglast for lint),
    so importing all of them would make ``workbench seed --rows 0`` wait for all of
    them before saying what is wrong; without ``argv`` every command is complete.
    """
    chosen = next((a for a in argv if a in COMMANDS), None) if argv is not None else None
    parser = Parser(prog="workbench", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text)
        if argv is not None and name != chosen:
            continue
        module = importlib.import_module(f"workbench.commands.{module_name}")
        module.add_arguments(cmd)
        cmd.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args._run(args) or 0)
    except WorkbenchError as exc:
        # A LoadError reads "sql/020_x.sql:14:5: ERROR: ..." after the prefix: still one
        # line an editor can jump from, followed by the source line, caret, DETAIL and HINT.
        print(error_message(str(exc)), file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        # A file named on the command line that cannot be read or written.
        where = f": {exc.filename}" if exc.filename else ""
        print(error_message(f"{exc.strerror or exc}{where}"), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())

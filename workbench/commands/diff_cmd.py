"""``workbench diff A B``: compare two versions of sql/ and print the differences.

``A`` and ``B`` are directories (or files) of schema SQL, or git revisions in
``REV:path`` form (``HEAD~1:sql``). ``--git REV`` is short for comparing
``REV:<--sql>`` with the working tree's ``--sql`` directory. Each side is loaded
into its own disposable database and introspected; ``--migration FILE`` also
writes the SQL that takes A to B (destructive statements marked).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from workbench.commands.common import add_backend_arguments
from workbench.diff import diff
from workbench.errors import WorkbenchError
from workbench.files import write_atomic
from workbench.server import start_server
from workbench.versions import load_model, materialise


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", nargs="?", help="old schema: directory, file or REV:path")
    parser.add_argument("new", nargs="?", help="new schema: directory, file or REV:path")
    parser.add_argument(
        "--git", metavar="REV", help="compare REV:<sql> with the working tree's --sql"
    )
    parser.add_argument(
        "--sql", default="sql", help="schema directory used with --git (default: sql)"
    )
    parser.add_argument("--migration", metavar="FILE", help="write the migration SQL to FILE")
    parser.add_argument(
        "--rename",
        action="append",
        default=[],
        metavar="OLD=NEW",
        help="rename hint, e.g. public.users.name=full_name or public.old=new (repeatable)",
    )
    add_backend_arguments(parser)


def run(args: argparse.Namespace) -> int:
    if args.git:
        if args.old and args.new:
            raise WorkbenchError("--git REV compares with one directory; give at most one path")
        # `workbench diff --git HEAD other/` puts the directory in the first positional.
        old_spec, new_spec = f"{args.git}:{args.sql}", args.old or args.new or args.sql
    elif args.old and args.new:
        old_spec, new_spec = args.old, args.new
    else:
        raise WorkbenchError("workbench diff needs A and B, or --git REV")
    renames = parse_renames(args.rename)
    with tempfile.TemporaryDirectory(prefix="workbench-diff-") as tmp:
        old_path = materialise(old_spec, Path(tmp) / "old")
        new_path = materialise(new_spec, Path(tmp) / "new")
        with start_server(args.backend) as srv:
            old, new = (load_model(srv, p) for p in (old_path, new_path))
    result = diff(old, new, renames=renames)
    print(result)
    if args.migration:
        print(f"wrote {write_atomic(args.migration, result.migration_sql())}")
    return 0


def parse_renames(hints: list[str]) -> dict[str, str]:
    """``["public.users.name=full_name"]`` → ``{"public.users.name": "full_name"}``; bad hints raise."""
    renames: dict[str, str] = {}
    for hint in hints:
        old, sep, new = hint.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise WorkbenchError(
                f"--rename {hint!r}: expected OLD=NEW, e.g. public.users.name=full_name "
                "(column) or public.old_table=new_table (table)"
            )
        renames[old.strip()] = new.strip()
    return renames

"""``workbench diff A B``: compare two versions of sql/ and print the differences.

``A`` and ``B`` are directories (or files) of schema SQL, or git revisions in
``REV:path`` form (``HEAD~1:sql``). ``--git REV`` is short for comparing
``REV:<--sql>`` with the working tree's ``--sql`` directory. Each side is loaded
into its own disposable database and introspected; ``--migration FILE`` also
writes the SQL that takes A to B: every statement classified with the lock it
takes, destructive ones marked, safe forms by default (``--unsafe``: plain).

``--alembic DIR`` adds a revision to the Alembic project in DIR (as ``workbench
export`` writes it): ``upgrade`` is the A → B migration, ``downgrade`` the
B → A one (rename hints reversed), chained to the project's head. When the
project's ``alembic.ini`` names a ``workbench_models`` file that exists, it is
regenerated from B, so ``alembic revision --autogenerate`` keeps comparing the
database with the newest models.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from workbench.commands.common import add_backend_arguments
from workbench.diff import diff, reverse_renames
from workbench.errors import WorkbenchError
from workbench.files import write_atomic
from workbench.model import Schema
from workbench.safety import timeouts
from workbench.server import Server, start_server
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
        "--lock-timeout",
        default="5s",
        metavar="T",
        help="lock_timeout set around each locking statement of the safe form (default: 5s)",
    )
    parser.add_argument(
        "--statement-timeout",
        default="5min",
        metavar="T",
        help="statement_timeout set around each locking statement (default: 5min)",
    )
    parser.add_argument(
        "--unsafe",
        action="store_true",
        help="write the plain statements (no CONCURRENTLY, NOT VALID + VALIDATE, lock_timeout)",
    )
    parser.add_argument(
        "--alembic",
        metavar="DIR",
        help="add a revision (upgrade A→B, downgrade B→A) to the Alembic project in DIR",
    )
    parser.add_argument(
        "-m",
        "--message",
        default=None,
        help="message of the --alembic revision (default: 'workbench diff')",
    )
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
    timeouts(args.lock_timeout, args.statement_timeout)  # bad values fail before any load
    models_path = _models_file(args.alembic) if args.alembic else None
    models_code = None
    with tempfile.TemporaryDirectory(prefix="workbench-diff-") as tmp:
        old_path = materialise(old_spec, Path(tmp) / "old")
        new_path = materialise(new_spec, Path(tmp) / "new")
        with start_server(args.backend) as srv:
            old = load_model(srv, old_path)
            if models_path is None:
                new = load_model(srv, new_path)
            else:
                new, models_code = _load_with_models(srv, new_path)
    result = diff(old, new, renames=renames)
    print(result)
    if args.migration:
        sql = result.migration_sql(
            safe=not args.unsafe,
            lock_timeout=args.lock_timeout,
            statement_timeout=args.statement_timeout,
        )
        print(f"wrote {write_atomic(args.migration, sql)}")
    if args.alembic:
        if not result:
            print(f"no revision added to {args.alembic}: nothing changed")
            return 0
        from workbench.export.alembic_revision import add_revision

        back = diff(new, old, renames=reverse_renames(renames))
        path = add_revision(
            args.alembic,
            result,
            back,
            message=args.message or "workbench diff",
            safe=not args.unsafe,
        )
        print(f"wrote {path}")
        if models_path is not None and models_code is not None:
            print(f"wrote {write_atomic(models_path, models_code)}")
    return 0


def _models_file(directory: str) -> Path | None:
    """The project's models.py (``workbench_models`` in its alembic.ini), when it exists.

    Checks the project first, so a wrong DIR fails before anything is loaded.
    """
    from workbench.export.alembic_revision import open_project, project_config

    open_project(directory)
    value = project_config(directory).get_main_option("workbench_models")
    path = Path(value) if value else None
    return path if path is not None and path.is_file() else None


def _load_with_models(srv: Server, path: Path) -> tuple[Schema, str]:
    """Load ``path`` into a database of its own; its model and its SQLModel classes."""
    from workbench.export.sqlmodel import render_sqlmodel
    from workbench.introspect import introspect
    from workbench.loader import load_paths

    name = srv.create_database()
    try:
        with srv.connect(name) as conn:
            load_paths(conn, path, backend=srv.backend)
            model = introspect(conn)
        return model, render_sqlmodel(srv.sqlalchemy_url(name), model)
    finally:
        srv.drop_database(name)


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

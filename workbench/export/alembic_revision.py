"""Add a revision to an existing Alembic project from a schema diff (``workbench diff --alembic``).

Why through Alembic's ``ScriptDirectory``: it is how ``alembic revision`` itself
finds the current head and writes the file (the project's own
``script.py.mako``, its file template and version locations), so the new
revision chains to whatever head the project has, whatever its files are
called, and refuses a project with several heads as Alembic does.

The SQL is :meth:`workbench.diff.SchemaDiff.migration_sql` of the two diffs
(A → B for ``upgrade``, B → A for ``downgrade``), split into statements, one
``op.execute`` each; the comments between statements (what changed,
``-- DESTRUCTIVE:`` and ``-- MANUAL`` notes) become Python comments, so the
revision says what the SQL file says. Statements PostgreSQL refuses inside a
transaction (``CREATE INDEX CONCURRENTLY`` and the like) run in Alembic's
``autocommit_block()``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError, rev_id

from workbench.diff import SchemaDiff
from workbench.errors import WorkbenchError
from workbench.export.alembic import _execute, _indent
from workbench.sqlsplit import split_sql

#: Statements that cannot run inside a transaction block, and enum values (a value added in
#: a transaction cannot be used before it commits, e.g. by a default later in the revision;
#: Alembic's documentation puts ADD VALUE in autocommit_block for that reason).
_OUTSIDE_TRANSACTION = re.compile(
    r"\s*(CREATE\s+(UNIQUE\s+)?INDEX\s+CONCURRENTLY|DROP\s+INDEX\s+CONCURRENTLY"
    r"|REINDEX\b.*\bCONCURRENTLY|VACUUM\b|ALTER\s+SYSTEM\b|ALTER\s+TYPE\b.*\bADD\s+VALUE\b)",
    re.IGNORECASE | re.DOTALL,
)


class AlembicRevisionError(WorkbenchError):
    """The revision could not be added to the Alembic project."""


def project_config(directory: str | os.PathLike[str]) -> Config:
    """The project's ``alembic.ini`` when it has one, else a config naming the directory."""
    root = Path(directory)
    if not root.is_dir():
        raise AlembicRevisionError(f"{root} is not a directory (expected an Alembic project)")
    ini = root / "alembic.ini"
    cfg = Config(str(ini)) if ini.is_file() else Config()
    if not ini.is_file() or not cfg.get_main_option("script_location"):
        cfg.set_main_option("script_location", str(root))
    return cfg


def open_project(directory: str | os.PathLike[str]) -> tuple[ScriptDirectory, tuple[str, ...]]:
    """The project's script directory and its one head (or none); clear errors otherwise."""
    cfg = project_config(directory)
    try:
        script = ScriptDirectory.from_config(cfg)
        heads = tuple(script.get_heads())
    except CommandError as exc:
        raise AlembicRevisionError(f"{directory}: not a usable Alembic project: {exc}") from exc
    if not (Path(script.dir) / "script.py.mako").is_file():
        raise AlembicRevisionError(
            f"{directory} is not an Alembic project (no script.py.mako in {script.dir}); "
            "create one with `workbench export` or `alembic init`"
        )
    if len(heads) > 1:
        raise AlembicRevisionError(
            f"{directory}: the project has several heads ({', '.join(sorted(heads))}); "
            "merge them first (alembic merge heads)"
        )
    return script, heads


def operations_code(sql: str) -> list[str]:
    """``op.execute`` calls (and ``# comments``) for each statement of ``sql``, in order."""
    lines: list[str] = []
    end = 0
    for stmt in split_sql(sql):
        lines += _comments(sql[end : stmt.offset])
        end = stmt.offset + len(stmt.text)
        call = _execute(stmt.text)
        if _OUTSIDE_TRANSACTION.match(stmt.text):
            lines.append("with op.get_context().autocommit_block():")
            call = "\n".join(
                line if line.startswith("\0") else "    " + line for line in call.split("\n")
            )
        lines.append(call)
    lines += _comments(sql[end:])
    return lines


def _comments(text: str) -> list[str]:
    return [
        "# " + line.strip()[2:].strip()
        for line in text.split("\n")
        if line.strip().startswith("--") and line.strip()[2:].strip()
    ]


def add_revision(
    directory: str | os.PathLike[str],
    upgrade: SchemaDiff,
    downgrade: SchemaDiff,
    *,
    message: str,
    revision_id: str | None = None,
    safe: bool = True,
) -> Path:
    """Write a revision whose ``upgrade`` runs ``upgrade``'s SQL and ``downgrade`` the other's.

    The revision's ``down_revision`` is the project's current head (none for an
    empty project). Returns the path of the new file.
    """
    script, heads = open_project(directory)
    up = _indent(operations_code(upgrade.migration_sql(safe=safe))).strip()
    down = _indent(operations_code(downgrade.migration_sql(safe=safe))).strip()
    try:
        written = script.generate_revision(
            revision_id or rev_id(),
            message,
            head=heads[0] if heads else None,
            upgrades=up,
            downgrades=down,
            imports="",
        )
    except CommandError as exc:
        raise AlembicRevisionError(f"{directory}: {exc}") from exc
    if written is None:
        raise AlembicRevisionError(f"{directory}: Alembic wrote no revision")
    return Path(written.path)


__all__ = [
    "AlembicRevisionError",
    "add_revision",
    "open_project",
    "operations_code",
    "project_config",
]

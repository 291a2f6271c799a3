"""Versions of a schema: a directory or file of SQL, or ``REV:path`` read from git.

``workbench diff`` and the schema document's changelog both turn such a
version into files (:func:`materialise`) and the files into a model
(:func:`load_model`); sharing these helpers makes both agree on what
``HEAD~1:sql`` means. They sit below the commands and the exports so that
neither has to import the other.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.introspect import introspect
from workbench.loader import load_paths
from workbench.model import Schema
from workbench.server.base import Server


def materialise(spec: str, dest: Path) -> Path:
    """Return a local path for ``spec``: itself when it exists, else ``REV:path`` extracted from git."""
    if Path(spec).exists():
        return Path(spec)
    rev, sep, path = spec.partition(":")
    if not sep:
        raise WorkbenchError(f"{spec!r} is neither an existing path nor a git REV:path")
    path = path.strip("/") or "."
    listing = git("ls-tree", "-r", "--name-only", rev, "--", path)
    files = [f for f in listing.splitlines() if f.endswith(".sql")]
    if not files:
        raise WorkbenchError(f"no .sql files under {path!r} at git revision {rev!r}")
    for name in files:
        target = dest / Path(name).relative_to(path) if path != "." else dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(git("show", f"{rev}:{name}"), encoding="utf-8")
    return dest


def git(*argv: str) -> str:
    """Run ``git argv...`` at the top of the current repository; its stdout, or WorkbenchError."""
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    )
    if top.returncode != 0:
        raise WorkbenchError(f"not inside a git repository: {top.stderr.strip()}")
    proc = subprocess.run(
        ["git", *argv], capture_output=True, text=True, check=False, cwd=top.stdout.strip()
    )
    if proc.returncode != 0:
        raise WorkbenchError(f"git {' '.join(argv)} failed: {proc.stderr.strip()}")
    return proc.stdout


def load_model(server: Server, path: Path) -> Schema:
    """Load ``path`` into a database of its own on ``server``, introspect it, drop the database."""
    name = server.create_database()
    try:
        with server.connect(name) as conn:
            load_paths(conn, path, backend=server.backend)
            return introspect(conn)
    finally:
        server.drop_database(name)

"""The schema document's changelog, read from the git history of ``sql/``.

Why from git: the Changelog section of the template is filled in by hand and
goes stale; the history of ``sql/`` already says who changed the schema, when and
why (the commit subject). What it does not say is *what* changed in the schema,
so every version is loaded into its own database, introspected, and compared
with the previous one (:func:`workbench.diff.diff`); the entry's "Changes" cell
is the commit subject followed by a one-line summary of that SchemaDiff.

Revisions are read with the helpers ``workbench diff`` uses too
(:func:`workbench.versions.materialise`), so both commands agree on
what ``REV:sql`` means. Uncommitted edits of ``sql/`` become a last entry.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

from workbench.diff import SchemaDiff, diff
from workbench.errors import WorkbenchError
from workbench.export.markdown import ChangelogEntry
from workbench.model import Schema
from workbench.server import Server
from workbench.versions import git as _git
from workbench.versions import load_model, materialise

#: Changes named one by one in an entry; the rest are counted.
NAMED_CHANGES = 4
_SEP = "\x1f"


def _bare(name: str) -> str:
    return name.removeprefix("public.")


def summarize_diff(d: SchemaDiff, *, named: int = NAMED_CHANGES) -> str:
    """One line for a changelog cell: the first changes by name, then counts by kind."""
    if not d:
        return "no schema change"
    words = [f"{c.change} {c.kind.replace('_', ' ')} {_bare(c.name)}" for c in d.changes]
    line = "; ".join(words[:named])
    rest = d.changes[named:]
    if rest:
        kinds = Counter(f"{c.change} {c.kind.replace('_', ' ')}" for c in rest)
        line += "; and " + ", ".join(f"{n} more {k}" for k, n in sorted(kinds.items()))
    if d.destructive:
        line += f" ({len(d.destructive)} destructive)"
    return line


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _initial_summary(schema: Schema) -> str:
    tables = [t for t in schema.tables if t.partition_of is None]
    parts = [_count(len(tables), "table")]
    for noun, items in (
        ("view", schema.views),
        ("enum type", schema.enums),
        ("foreign key", schema.foreign_keys),
        ("function", schema.functions),
        ("policy", schema.policies),
    ):
        if items:
            parts.append(_count(len(items), noun).replace("policys", "policies"))
    return "initial schema: " + ", ".join(parts)


def _relative_to_repo(sql_dir: str | os.PathLike[str]) -> str:
    top = Path(_git("rev-parse", "--show-toplevel").strip()).resolve()
    path = Path(sql_dir).resolve()
    try:
        rel = path.relative_to(top)
    except ValueError:
        raise WorkbenchError(
            f"{sql_dir} is not inside the git repository {top}; run the export from the "
            "repository that holds the schema, or leave out --history"
        ) from None
    return rel.as_posix() or "."


def git_changelog(sql_dir: str | os.PathLike[str], *, server: Server) -> tuple[ChangelogEntry, ...]:
    """One entry per commit touching ``sql_dir`` (oldest first), plus uncommitted edits.

    Each version is loaded on ``server`` into a database dropped right after;
    a version that does not load gets an entry saying so instead of a summary.
    """
    rel = _relative_to_repo(sql_dir)
    log = _git(
        "log", "--reverse", "--date=short", f"--format=%h{_SEP}%ad{_SEP}%an{_SEP}%s", "--", rel
    )
    commits = [line.split(_SEP, 3) for line in log.splitlines() if line.strip()]
    dirty = bool(_git("status", "--porcelain", "--", rel).strip())
    entries: list[ChangelogEntry] = []
    previous: Schema | None = None
    with tempfile.TemporaryDirectory(prefix="workbench-changelog-") as tmp:
        versions: list[tuple[list[str] | None, str]] = [(c, f"{c[0]}:{rel}") for c in commits]
        if dirty or not commits:
            versions.append((None, str(sql_dir)))
        for i, (commit, spec) in enumerate(versions):
            try:
                model = load_model(server, materialise(spec, Path(tmp) / str(i)))
            except WorkbenchError as exc:
                summary = f"does not load: {' '.join(str(exc).split())[:200]}"
            else:
                summary = (
                    _initial_summary(model)
                    if previous is None
                    else summarize_diff(diff(previous, model))
                )
                previous = model
            if commit is None:
                entries.append(ChangelogEntry("uncommitted", "-", f"Working tree: {summary}", "-"))
            else:
                sha, date, author, subject = commit
                entries.append(ChangelogEntry(sha, date, f"{subject} ({summary})", author))
    return tuple(entries)


__all__ = ["NAMED_CHANGES", "git_changelog", "summarize_diff"]

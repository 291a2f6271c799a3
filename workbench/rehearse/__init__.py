"""Rehearse a migration on seeded data and measure its locks (``workbench rehearse``).

Static tools guess a statement's cost from its text; :mod:`workbench.safety`
does too. This measures it: for each scale, a clone of version A is seeded
(:func:`workbench.seed.seed`), the migration A → B runs statement by statement
(:mod:`workbench.rehearse.runner`: own-transaction lock reads, a ``pg_locks``
sampler, probe reads and writes, relfilenode checks), then the model is
introspected and must equal B; the migration B → A runs the same way and the
model must equal A. Row counts and checksums of every column the migration does
not touch are compared after each direction.

The report (:class:`~workbench.rehearse.report.Rehearsal`) is a DataFrame, a
Markdown file and a lock timeline picture; the time each statement holds its
lock is fitted against the row count, so it can be extrapolated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg

from workbench.diff import SchemaDiff, diff, reverse_renames
from workbench.errors import WorkbenchError
from workbench.introspect import introspect
from workbench.model import Schema
from workbench.rehearse.report import Check, Rehearsal, Row
from workbench.rehearse.runner import apply


class RehearsalError(WorkbenchError):
    """The rehearsal could not run (bad input, a statement failed, seeding failed)."""


def rehearse(
    server: Any,
    template: str,
    old: Schema,
    new: Schema,
    *,
    rows: Sequence[int] = (2_000, 20_000),
    renames: Mapping[str, str] | None = None,
    safe: bool = True,
    seed: int = 0,
    seed_options: Mapping[str, Any] | None = None,
    probes: bool = True,
    keep: bool = False,
) -> Rehearsal:
    """Rehearse ``diff(old, new)`` (and back) on clones of ``template`` (a database holding A).

    ``rows`` are the scales (rows per table given to the seeder); ``seed_options``
    go to :func:`workbench.seed.seed` (``null_fraction=0`` when a column becomes NOT NULL).
    """
    from workbench.seed import seed as seed_database

    scales = sorted({int(r) for r in rows})
    if not scales or scales[0] <= 0:
        raise RehearsalError(f"--rows needs positive row counts, got {list(rows)}")
    up = diff(old, new, renames=renames)
    down = diff(new, old, renames=reverse_renames(dict(renames or {})))
    if not up:
        raise RehearsalError("the two versions do not differ: nothing to rehearse")
    result = Rehearsal(up=up, down=down, safe=safe)
    for n in scales:
        name = server.create_database(template=template)
        conninfo = server.conninfo(name)
        try:
            seed_database(conninfo, old, n, seed=seed, progress=False, **dict(seed_options or {}))
            kept = _kept_columns(old, new, up)
            before = _fingerprints(conninfo, kept)
            # Columns a split moves to another table: their values must arrive (and come back).
            moved = [
                (c.before[0], c.after[0], col)
                for c in up.changes
                if c.kind == "data" and c.change == "added"
                for col in c.before[1]
            ]
            moved_before = _fingerprints(conninfo, _group((src, col) for src, _, col in moved))
            for direction, changes, target in (("up", up, new), ("down", down, old)):
                steps = changes.steps(safe=safe)
                run = apply(conninfo, steps, probes=probes)
                failed = next((m for m in run.statements if m.error), None)
                if failed is not None:
                    raise RehearsalError(
                        f"{direction} at {n} rows: statement {failed.index + 1} failed: "
                        f"{failed.error}\n{failed.step.sql}"
                    )
                result.runs[(direction, n)] = run
                result.rows += Row.from_run(direction, n, run)
                with psycopg.connect(conninfo) as conn:
                    got = introspect(conn)
                left = diff(target, got)
                result.checks.append(
                    Check(
                        direction,
                        n,
                        "model equals " + ("B" if direction == "up" else "A"),
                        not left,
                        str(left) if left else "",
                    )
                )
                names = kept if direction == "down" else _renamed(kept, up)
                after = _fingerprints(conninfo, names)
                want = before if direction == "down" else _renamed_values(before, up)
                bad = [k for k in want if want[k] != after.get(k)]
                what = f"rows and checksums of {len(want)} untouched columns"
                result.checks.append(Check(direction, n, what, not bad, ", ".join(bad[:5])))
                if moved:
                    where = [(dst if direction == "up" else src, col) for src, dst, col in moved]
                    now = _fingerprints(conninfo, _group(where))
                    lost = [
                        f"{src}.{col}"
                        for (src, _, col), (t, c) in zip(moved, where, strict=True)
                        if moved_before[f"{src}.{col}"] != now[f"{t}.{c}"]
                    ]
                    what = f"checksums of {len(moved)} moved columns"
                    result.checks.append(Check(direction, n, what, not lost, ", ".join(lost)))
        finally:
            if not keep:
                server.drop_database(name)
    return result


def rehearse_paths(
    server: Any,
    old_path: str | os.PathLike[str],
    new_path: str | os.PathLike[str],
    **options: Any,
) -> Rehearsal:
    """Load both versions on ``server`` and :func:`rehearse` (the template is dropped after)."""
    from workbench.loader import load_paths

    template = server.create_database()
    try:
        with server.connect(template) as conn:
            load_paths(conn, Path(old_path), backend=server.backend)
            old = introspect(conn)
        new_db = server.create_database()
        try:
            with server.connect(new_db) as conn:
                load_paths(conn, Path(new_path), backend=server.backend)
                new = introspect(conn)
        finally:
            server.drop_database(new_db)
        return rehearse(server, template, old, new, **options)
    finally:
        server.drop_database(template)


# --- what must survive --------------------------------------------------------------------


def _kept_columns(old: Schema, new: Schema, up: SchemaDiff) -> dict[str, list[str]]:
    """Old table → its columns that no change of the migration touches (renames allowed)."""
    touched = {c.name for c in up.changes if c.kind == "column" and c.change != "renamed"}
    gone = {c.name for c in up.changes if c.kind == "table" and c.change == "removed"}
    out: dict[str, list[str]] = {}
    renamed_to = {
        c.name: c.details.removeprefix("-> ") for c in up.changes if c.change == "renamed"
    }
    for t in old.tables:
        if t.qualified_name in gone or t.kind == "partitioned":
            continue
        new_table = renamed_to.get(t.qualified_name, t.qualified_name)
        cols = []
        for c in t.columns:
            after = renamed_to.get(f"{new_table}.{c.name}", c.name)
            if f"{new_table}.{after}" not in touched and f"{new_table}.{c.name}" not in touched:
                cols.append(c.name)
        out[t.qualified_name] = cols
    return out


def _renamed(kept: dict[str, list[str]], up: SchemaDiff) -> dict[str, list[str]]:
    """``kept`` named as after the upgrade (renamed tables and columns followed)."""
    renamed_to = {
        c.name: c.details.removeprefix("-> ") for c in up.changes if c.change == "renamed"
    }
    out = {}
    for table, cols in kept.items():
        new_table = renamed_to.get(table, table)
        out[new_table] = [renamed_to.get(f"{new_table}.{c}", c) for c in cols]
    return out


def _renamed_values(values: dict[str, str], up: SchemaDiff) -> dict[str, str]:
    renamed_to = {
        c.name: c.details.removeprefix("-> ") for c in up.changes if c.change == "renamed"
    }
    out = {}
    for key, value in values.items():
        table, _, col = key.rpartition(".")
        if col == "*rows":
            new_table = renamed_to.get(table, table)
        else:
            new_table = renamed_to.get(table, table)
            col = renamed_to.get(f"{new_table}.{col}", col)
        out[f"{new_table}.{col}"] = value
    return out


def _group(pairs: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for table, col in pairs:
        out.setdefault(table, []).append(col)
    return out


def _fingerprints(conninfo: str, columns: dict[str, list[str]]) -> dict[str, str]:
    """``table.*rows`` → row count, ``table.column`` → md5 of its sorted text values."""
    from psycopg import sql as psql

    out: dict[str, str] = {}
    with psycopg.connect(conninfo) as conn:
        for table, cols in columns.items():
            schema, _, name = table.partition(".")
            t = psql.Identifier(schema, name)
            parts: list[psql.Composable] = [psql.SQL("count(*)::text")]
            for c in cols:
                v = psql.SQL("coalesce({}::text, '<null>')").format(psql.Identifier(c))
                parts.append(
                    psql.SQL("md5(coalesce(string_agg({v}, ',' ORDER BY {v}), ''))").format(v=v)
                )
            row = conn.execute(
                psql.SQL("SELECT {} FROM {}").format(psql.SQL(", ").join(parts), t)
            ).fetchone()
            assert row is not None
            out[f"{table}.*rows"] = row[0]
            for c, value in zip(cols, row[1:], strict=True):
                out[f"{table}.{c}"] = value
    return out


__all__ = ["Rehearsal", "RehearsalError", "rehearse", "rehearse_paths"]

"""Restore exported statistics into a database, and size an empty database so they count.

Two steps, because PostgreSQL needs both before an empty schema plans as production:

1. **The statistics** go in with PostgreSQL 18's ``pg_restore_relation_stats`` and
   ``pg_restore_attribute_stats`` (the functions ``pg_dump --statistics-only``
   emits), so the values are checked and typed by the server itself. On 15-17
   neither exists and ``pg_statistic`` cannot be written from SQL (its value
   columns are ``anyarray``): there only relation sizes could be set, which is
   not enough to reproduce plans, so :func:`restore_stats` refuses with that
   explanation.
2. **The size on disk.** The planner does not believe ``pg_class.relpages`` alone:
   ``table_block_relation_estimate_size`` scales ``reltuples / relpages`` by the
   relation's *physical* block count, so an empty table plans as one row whatever
   was restored (measured: ``rows=1`` after restoring a million). On a local
   server, :func:`size_relations` therefore extends each table's and index's files
   to the production page count as *sparse* files: all-zero pages, which PostgreSQL
   treats as empty, cost no disk or memory, and make the planner see production's
   sizes. This is done in a database of its own (``wb.planning_database()``),
   never in the template: cloning would write the zeros out.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from workbench.stats.document import StatsError

#: PostgreSQL's default segment size: a relation's file is split every 1 GB.
SEGMENT_BLOCKS = 131072

_ATTR_KEYS = (
    ("null_frac", "real"),
    ("avg_width", "integer"),
    ("n_distinct", "real"),
    ("most_common_vals", "text"),
    ("most_common_freqs", "real[]"),
    ("histogram_bounds", "text"),
    ("correlation", "real"),
    ("most_common_elems", "text"),
    ("most_common_elem_freqs", "real[]"),
    ("elem_count_histogram", "real[]"),
)


@dataclass
class RestoreReport:
    """What was restored, and what did not match between the file and the schema."""

    relations: int = 0
    columns: int = 0
    missing_relations: list[str] = field(default_factory=list)  # in the file, not in the schema
    missing_columns: list[str] = field(default_factory=list)
    without_stats: list[str] = field(default_factory=list)  # in the schema, not in the file
    warnings: list[str] = field(default_factory=list)  # PostgreSQL's own, per statistic

    def lines(self) -> list[str]:
        out = [f"restored statistics of {self.relations} relations and {self.columns} columns"]
        if self.missing_relations:
            out.append(
                f"{len(self.missing_relations)} relations in the file are not in the schema: "
                + ", ".join(self.missing_relations[:10])
                + (" ..." if len(self.missing_relations) > 10 else "")
            )
        if self.missing_columns:
            out.append(
                f"{len(self.missing_columns)} columns in the file are not in the schema: "
                + ", ".join(self.missing_columns[:10])
                + (" ..." if len(self.missing_columns) > 10 else "")
            )
        if self.without_stats:
            out.append(
                f"{len(self.without_stats)} tables have no statistics in the file: "
                + ", ".join(self.without_stats[:10])
            )
        out.extend(f"warning: {w}" for w in self.warnings[:20])
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())


def _relations(conn: psycopg.Connection) -> dict[str, tuple[int, str]]:
    rows = conn.execute(
        """SELECT n.nspname || '.' || c.relname, c.oid::int, c.relkind::text
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r','p','m','i')
              AND n.nspname NOT IN ('pg_catalog','information_schema')
              AND n.nspname NOT LIKE 'pg\\_toast%'"""
    ).fetchall()
    return {name: (oid, kind) for name, oid, kind in rows}


def restore_stats(conn: psycopg.Connection, data: dict[str, Any]) -> RestoreReport:
    """Restore ``data`` (a statistics document) into the database of ``conn``.

    Mismatches are reported, not fatal: a relation or column the file has and the
    schema lacks is listed in the report, and so is every value PostgreSQL refused.
    """
    if conn.info.server_version < 180000:
        raise StatsError(
            f"restoring column statistics needs PostgreSQL 18 (pg_restore_attribute_stats); "
            f"this backend is {conn.info.server_version // 10000}. On 15-17 pg_statistic cannot "
            "be written from SQL, so plans could not follow production's statistics; use the "
            "embedded backend (PostgreSQL 18, the default)"
        )
    report = RestoreReport()
    notices: list[str] = []

    def on_notice(diag: psycopg.errors.Diagnostic) -> None:
        if diag.severity in ("WARNING", "ERROR"):
            notices.append(diag.message_primary or "")

    conn.add_notice_handler(on_notice)
    try:
        present = _relations(conn)
        version = int(data.get("server_version_num") or 180000)
        in_file: set[str] = set()
        for rel in data["relations"]:
            name = f"{rel['schema']}.{rel['name']}"
            in_file.add(name)
            if name not in present:
                report.missing_relations.append(name)
                continue
            notices.clear()
            conn.execute(
                "SELECT pg_restore_relation_stats('version', %s::integer,"
                " 'schemaname', %s::text, 'relname', %s::text,"
                " 'relpages', %s::integer, 'reltuples', %s::real, 'relallvisible', %s::integer)",
                (
                    version,
                    rel["schema"],
                    rel["name"],
                    int(rel["relpages"]),
                    float(rel["reltuples"]),
                    int(rel["relallvisible"]),
                ),
            )
            report.warnings.extend(f"{name}: {n}" for n in notices)
            report.relations += 1
        columns = {
            f"{s}.{t}.{c}"
            for s, t, c in conn.execute(
                """SELECT n.nspname, c.relname, a.attname FROM pg_attribute a
                     JOIN pg_class c ON c.oid = a.attrelid
                     JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE a.attnum > 0 AND NOT a.attisdropped"""
            )
        }
        for col in data["columns"]:
            key = f"{col['schema']}.{col['table']}.{col['column']}"
            if key not in columns:
                report.missing_columns.append(key)
                continue
            args = ["'version', %s::integer", "'schemaname', %s::text", "'relname', %s::text"]
            args += ["'attname', %s::text", "'inherited', %s::boolean"]
            params: list[Any] = [version, col["schema"], col["table"], col["column"]]
            params.append(bool(col.get("inherited")))
            for k, pg_type in _ATTR_KEYS:
                if col.get(k) is not None:
                    args.append(f"'{k}', %s::{pg_type}")
                    params.append(col[k])
            notices.clear()
            conn.execute(f"SELECT pg_restore_attribute_stats({', '.join(args)})", params)
            report.warnings.extend(f"{key}: {n}" for n in notices)
            report.columns += 1
        report.without_stats = sorted(
            name for name, (_, kind) in present.items() if kind in "rp" and name not in in_file
        )
    finally:
        conn.remove_notice_handler(on_notice)
    return report


def size_relations(conn: psycopg.Connection, data_dir: str | os.PathLike[str]) -> int:
    """Extend every relation's files to its ``pg_class.relpages`` as sparse files.

    ``data_dir`` is the server's data directory (local servers only: an external
    server's files are out of reach). Returns the number of relations sized.
    Block 0 of every index stays as built (its metapage); the pages added are
    all zeros, which PostgreSQL reads as empty pages.
    """
    block = int(conn.execute("SELECT current_setting('block_size')").fetchone()[0])  # type: ignore[index]
    rows = conn.execute(
        """SELECT pg_relation_filepath(c.oid), c.relpages
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r','m','i') AND c.relpages > 0
              AND n.nspname NOT IN ('pg_catalog','information_schema')
              AND n.nspname NOT LIKE 'pg\\_toast%'"""
    ).fetchall()
    conn.execute("CHECKPOINT")  # the built index pages are on disk before the files grow
    sized = 0
    root = Path(data_dir)
    for rel_path, pages in rows:
        if rel_path is None:
            continue
        first = root / rel_path
        owner = first.stat()
        remaining = int(pages)
        segment = 0
        while remaining > 0:
            blocks = min(remaining, SEGMENT_BLOCKS)
            path = first if segment == 0 else first.with_name(f"{first.name}.{segment}")
            size = blocks * block
            with open(path, "ab") as fh:
                if fh.tell() < size:
                    fh.truncate(size)
            if segment and os.geteuid() == 0:  # as root the server runs as another user
                os.chown(path, owner.st_uid, owner.st_gid)
                os.chmod(path, owner.st_mode & 0o777)
            remaining -= blocks
            segment += 1
        sized += 1
    return sized

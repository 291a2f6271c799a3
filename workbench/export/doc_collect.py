"""Gather what the schema document needs from a database, and write every export of ``workbench export``.

:func:`collect_doc_extras` is the impure half of the document pipeline: it
seeds a throwaway clone of the template with deterministic rows, reads the
example rows and the seed script back ``ORDER BY`` primary key, runs the RLS
demonstrations there, asks Alembic (against a fresh empty database) and
sqlacodegen for their files, renders the Mermaid diagram and the DDL, and
runs the lint rules the Performance section quotes. The pure renderer
(:func:`workbench.export.markdown.render_markdown`) then only formats.

:func:`write_all` writes ``schema.sql``, ``schema.md``, ``er.mmd``, ``er.svg``,
``models.py`` and ``migrations/`` into one directory, each atomically.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from workbench.export import write_atomic
from workbench.export._sample import fetch_rows, seed_sample, table_order
from workbench.export.alembic import AlembicProject, render_alembic
from workbench.export.ddl import render_ddl
from workbench.export.markdown import DocExtras, DocOptions, load_doc_options, render_markdown
from workbench.export.rls_demo import demonstrate
from workbench.export.sqlmodel import render_sqlmodel
from workbench.model import Schema, Table

if TYPE_CHECKING:
    from workbench.session import Workbench

#: Lint rules whose findings the Performance section lists.
PERFORMANCE_RULES = ("fk-without-index", "redundant-index")


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        import json

        value = json.dumps(value, ensure_ascii=False)
    return "'" + str(value).replace("'", "''") + "'"


def seed_script(conn: psycopg.Connection, schema: Schema, *, limit_per_table: int = 2) -> str:
    """INSERT statements for the first rows (by primary key) of every table, parents first."""
    blocks = []
    for table in table_order(schema):
        cols = [c.name for c in table.columns if c.identity != "ALWAYS" and c.generated is None]
        rows = fetch_rows(conn, table, limit=limit_per_table, columns=cols)
        if not rows:
            continue
        name = table.name if table.schema == "public" else table.qualified_name
        values = ",\n".join("  (" + ", ".join(_literal(r[c]) for c in cols) + ")" for r in rows)
        blocks.append(f"-- Seed {name}\nINSERT INTO {name} ({', '.join(cols)}) VALUES\n{values};")
    return "\n\n".join(blocks)


def _example_rows(conn: psycopg.Connection, schema: Schema) -> dict[str, dict[str, Any]]:
    out = {}
    for table in schema.tables:
        if table.partition_of is None:
            rows = fetch_rows(conn, table, limit=1)
            if rows:
                out[table.qualified_name] = rows[0]
    return out


def _performance_notes(schema: Schema) -> tuple[str, ...]:
    try:
        from workbench.lint import lint
    except ImportError:  # lint not installed in this tree
        return ()
    report = lint(schema)
    notes = []
    for f in report.findings:
        if f.rule_id in PERFORMANCE_RULES:
            fix = f" Fix: `{f.fix}`" if f.fix and "\n" not in f.fix else ""
            notes.append(f"- **{f.rule_id}** `{f.object_name}`: {f.message}{fix}")
    return tuple(notes)


def _mermaid(schema: Schema) -> tuple[str, str | None]:
    """Mermaid text and SVG text of the whole-schema diagram ('' / None when unavailable)."""
    try:
        from workbench.diagram import diagram
    except ImportError:
        return "", None
    d = diagram(schema)
    mermaid = d.mermaid()
    text = mermaid if isinstance(mermaid, str) else "\n\n".join(mermaid)
    try:
        svg = d.svg()
    except Exception:  # no Graphviz binary: the document still renders without the picture
        svg = None
    return text, svg


def _bypass_check(conn: psycopg.Connection) -> None:
    # Sample rows are written as the connecting (owner/superuser) role; RLS must not hide them.
    conn.execute("SET row_security = off")


def collect_doc_extras(
    wb: Workbench,
    schema: Schema | None = None,
    *,
    rows_per_table: int = 4,
    seed_rows: int = 2,
    create_date: str = "2026-01-01 00:00:00",
    experiments: tuple[str, ...] = (),
) -> tuple[DocExtras, AlembicProject, str | None]:
    """Gather the document's database facts; return them with the Alembic project and the SVG.

    Writes only into databases it creates (a seeded clone and an empty database),
    which are dropped before returning.
    """
    schema = schema or wb.schema
    with wb.new_database() as clone, clone.connect(autocommit=True) as conn:
        _bypass_check(conn)
        seed_sample(conn, schema, rows_per_table=rows_per_table)
        examples = _example_rows(conn, schema)
        script = seed_script(conn, schema, limit_per_table=seed_rows)
        conn.execute("RESET row_security")
        demos = demonstrate(conn, schema)
    with wb.new_database(empty=True) as empty:
        project = render_alembic(wb.url, empty.url, schema, create_date=create_date)
    models = render_sqlmodel(wb.url, schema)
    mermaid, svg = _mermaid(schema)
    extras = DocExtras(
        server_version=schema.server_version,
        mermaid=mermaid,
        example_rows=examples,
        seed_script=script,
        rls_demos=demos,
        experiments=experiments,
        performance_notes=_performance_notes(schema),
        ddl=render_ddl(schema),
        alembic_revision=project.files["versions/0001_initial.py"],
        models=models,
    )
    return extras, project, svg


def write_all(
    wb: Workbench,
    out_dir: str | os.PathLike[str],
    *,
    options: DocOptions | None = None,
    create_date: str | None = None,
    seed: int = 0,
    rows_per_table: int = 20,
    history: str | os.PathLike[str] | None = None,
) -> list[Path]:
    """Write schema.sql, schema.md, er.mmd, er.svg, models.py and migrations/ into ``out_dir``.

    ``seed`` and ``rows_per_table`` shape the sample data seeded for the document
    (unless the session already seeded ``wb.seeded``); ``history`` is a ``sql/``
    directory inside a git repository whose commits become the changelog.
    """
    out = Path(out_dir)
    options = options or load_doc_options(date=dt.date.today().isoformat())
    stamp = create_date or f"{options.date} 00:00:00"
    extras, project, svg = collect_doc_extras(wb, create_date=stamp)
    if svg is None:
        options = replace(options, diagram_svg=None)
    schema = wb.schema
    written = [
        write_atomic(out / "schema.sql", extras.ddl),
        write_atomic(out / "schema.md", render_markdown(schema, options=options, extras=extras)),
        write_atomic(out / "models.py", extras.models),
    ]
    if extras.mermaid:
        written.append(write_atomic(out / "er.mmd", extras.mermaid))
    if svg is not None:
        written.append(write_atomic(out / "er.svg", svg))
    written.append(project.write(out / options.migrations_dir))
    return written


def count_visible(conn: psycopg.Connection, table: Table, where: sql.Composable) -> int:
    """``SELECT count(*) FROM table WHERE ...`` as the connecting role (used by tests)."""
    stmt = sql.SQL("SELECT count(*) FROM {} AS t WHERE {}").format(
        sql.Identifier(table.schema, table.name), where
    )
    row = conn.execute(stmt).fetchone()
    return int(row[0]) if row else 0


__all__ = ["collect_doc_extras", "seed_script", "write_all"]

"""Gather what the schema document needs from a database, and write every export of ``workbench export``.

:func:`collect_doc_extras` is the impure half of the document pipeline. Sample
data comes from the real seeder: the session's ``wb.seeded`` when the user
seeded, else a throwaway clone seeded with a fixed seed (``workbench.seed``),
and only when the seeder cannot fill the schema from the small fallback sampler
in :mod:`workbench.export._sample` (the document says which). From those rows it
reads the example rows ``ORDER BY`` primary key, the seed script
(:func:`workbench.seed.seed_script`) and the RLS demonstrations. It also asks
Alembic (against a fresh empty database) and sqlacodegen for their files,
renders the Mermaid diagram, the SVG and the DDL, runs the lint rules the
Performance section quotes, digests the EXPLAIN experiments the session ran and
takes the changelog (:mod:`workbench.export.changelog`). The pure renderer
(:func:`workbench.export.markdown.render_markdown`) then only formats.

:func:`write_all` writes ``schema.sql``, ``schema.md``, ``er.mmd``, ``er.svg``,
``models.py`` and ``migrations/`` into one directory, each atomically.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import psycopg
from psycopg import sql

from workbench.export import write_atomic
from workbench.export._sample import fetch_rows, generated_row, seed_sample, table_order
from workbench.export.alembic import AlembicProject, render_alembic
from workbench.export.ddl import render_ddl
from workbench.export.markdown import (
    ChangelogEntry,
    DocExtras,
    DocOptions,
    ExperimentComparison,
    ExperimentDigest,
    load_doc_options,
    render_markdown,
)
from workbench.export.rls_demo import RlsDemo, demonstrate
from workbench.export.sqlmodel import render_sqlmodel
from workbench.model import Schema, Table
from workbench.server.database import Database

if TYPE_CHECKING:
    from workbench.diagram.graphviz_bin import GraphvizBinary
    from workbench.explain import ExperimentResult
    from workbench.server import Server


class DocumentSource(Protocol):
    """What the document pipeline reads from a session (a :class:`workbench.Workbench` is one).

    Declared here so that the export layer never imports :mod:`workbench.session`:
    the session sits above the exports and hands itself in.
    """

    @property
    def server(self) -> Server: ...

    @property
    def schema(self) -> Schema: ...

    @property
    def url(self) -> str: ...

    @property
    def seeded(self) -> Database | None: ...

    @property
    def experiments(self) -> Sequence[ExperimentResult]: ...

    def new_database(self, *, empty: bool = False) -> Database: ...


#: Lint rules whose findings the Performance section lists, in this order.
PERFORMANCE_RULES = ("fk-without-index", "redundant-index")
_RULE_TITLES = {
    "fk-without-index": "foreign keys without an index",
    "redundant-index": "redundant indexes",
}


def _literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False)
    return "'" + str(value).replace("'", "''") + "'"


def seed_script(conn: psycopg.Connection, schema: Schema, *, limit_per_table: int = 2) -> str:
    """Plain INSERTs of the first rows (by primary key) of every table, parents first.

    The fallback when :func:`workbench.seed.seed_script` cannot read the rows back.
    """
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


def _performance_notes(schema: Schema) -> tuple[str, ...]:
    """Lint findings about indexes as Markdown bullets; "none" said per rule."""
    try:
        from workbench.lint import lint
    except ImportError:  # lint not installed in this tree
        return ()
    report = lint(schema)
    notes = []
    for rule in PERFORMANCE_RULES:
        found = [f for f in report.findings if f.rule_id == rule]
        for f in found:
            fix = f" Fix: `{f.fix}`" if f.fix and "\n" not in f.fix else ""
            message = f.message if f.message.endswith(".") else f.message + "."
            notes.append(f"- **{f.rule_id}** `{f.object_name}`: {message}{fix}")
        if not found:
            notes.append(f"- **{rule}**: no {_RULE_TITLES[rule]}.")
    return tuple(notes)


def _mermaid(schema: Schema, binary: GraphvizBinary | None = None) -> tuple[str, str | None]:
    """Mermaid text and SVG text of the whole-schema diagram ('' / None when unavailable)."""
    try:
        from workbench.diagram import diagram
    except ImportError:
        return "", None
    d = diagram(schema, binary=binary)
    mermaid = d.mermaid()
    text = mermaid if isinstance(mermaid, str) else "\n\n".join(mermaid)
    try:
        svg = d.svg()
    except Exception:  # no Graphviz binary: the document still renders without the picture
        svg = None
    return text, svg


def _float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def digest_experiment(result: ExperimentResult) -> ExperimentDigest:
    """What the document shows of an experiment: variants, verdict table, findings, notes."""
    variants = []
    for v in result.experiment.get("variants", []):
        parts = [
            *v.get("ddl", ()),
            *(f"SET {k} = {val}" for k, val in v.get("settings", {}).items()),
        ]
        parts += [f"hypothetical: {h}" for h in v.get("hypothetical_indexes", ())]
        variants.append((v["name"], "; ".join(parts) or "no changes (baseline)"))
    scaled = len(result.scales) > 1 or result.experiment.get("scales")
    conditions = {str(c) for c in result.comparisons()["condition"]}
    comparisons = tuple(
        ExperimentComparison(
            query=str(r.query),
            baseline=str(r.baseline),
            variant=str(r.variant),
            speedup=_float(r.speedup),
            ci_low=_float(r.ci_low),
            ci_high=_float(r.ci_high),
            verdict=str(r.verdict),
            scale=str(r.scale) if scaled else "",
            condition=str(r.condition) if len(conditions) > 1 else "",
        )
        for r in result.comparisons().itertuples(index=False)
    )
    findings = tuple(
        f"`{query}` [{variant}]: {f.message}"
        for (_scale, query, _condition, variant), found in result.findings().items()
        for f in found
    )
    notes = tuple(str(n) for n in result.notes) + tuple(str(c) for c in result.shape_changes())
    return ExperimentDigest(
        variants=tuple(variants),
        comparisons=comparisons,
        findings=tuple(dict.fromkeys(findings)),
        notes=notes,
        server_version=str(result.meta.get("server_version") or ""),
        repetitions=int(result.experiment.get("repetitions") or 0),
        confidence=float(result.experiment.get("confidence") or 0.95),
    )


def _bypass_check(conn: psycopg.Connection) -> None:
    # Sample rows are written as the connecting (owner/superuser) role; RLS must not hide them.
    conn.execute("SET row_security = off")


@dataclass(frozen=True)
class SampleData:
    """What the document reads from seeded rows."""

    example_rows: dict[str, dict[str, Any]]
    generated_examples: tuple[str, ...]
    script: str
    rls_demos: tuple[RlsDemo, ...]
    note: str


def read_sample(
    conn: psycopg.Connection, schema: Schema, *, sample_rows: int = 3, note: str = ""
) -> SampleData:
    """Example rows, seed script and RLS demonstration from the seeded database behind ``conn``.

    ``conn`` is an autocommit superuser connection. Everything runs in one
    transaction that is rolled back, so the database (possibly the session's
    ``wb.seeded``) is left exactly as it was: the RLS demonstration's GRANTs and
    role, the seed script's temp tables.
    """
    examples: dict[str, dict[str, Any]] = {}
    generated = []
    with conn.transaction(force_rollback=True):
        for table in schema.tables:
            if table.partition_of is not None:
                continue
            rows = fetch_rows(conn, table, limit=1)
            if rows:
                examples[table.qualified_name] = rows[0]
            else:
                examples[table.qualified_name] = generated_row(schema, table)
                generated.append(table.qualified_name)
        try:
            from workbench.seed import seed_script as seeder_script

            with conn.transaction():
                script = seeder_script(conn, schema, limit_per_table=sample_rows)
        except (ImportError, psycopg.Error):  # the dump cannot read the rows: plain INSERTs
            script = seed_script(conn, schema, limit_per_table=sample_rows)
        demos = demonstrate(conn, schema)
    return SampleData(examples, tuple(generated), script, demos, note)


def _seed_clone(
    wb: DocumentSource, schema: Schema, *, seed: int, rows_per_table: int
) -> tuple[Database, str]:
    """A clone of the template seeded by the real seeder; the fallback sampler when it fails."""
    clone = wb.new_database()
    try:
        from workbench.seed import seed as seed_database

        seed_database(
            clone.conninfo,
            schema,
            {"default": rows_per_table},
            seed=seed,
            progress=False,
            vacuum=False,
        )
        return clone, (
            f"The example rows, the seed script and the RLS demonstrations below use data "
            f"generated by `workbench.seed` (seed {seed}, {rows_per_table} rows per table); "
            f"the seed script shows the first rows of each table."
        )
    except Exception as exc:  # the seeder cannot fill this schema: say so, use the fallback
        clone.drop()
        reason = " ".join(f"{type(exc).__name__}: {exc}".split())
    clone = wb.new_database()
    with clone.connect(autocommit=True) as conn:
        _bypass_check(conn)
        seed_sample(conn, schema, rows_per_table=4)
    return clone, (
        "The seeder (`workbench.seed`) could not fill this schema "
        f"({reason}); the rows below come from the document's simple fallback sampler "
        "(a few deterministic rows per table)."
    )


def collect_sample(
    wb: DocumentSource,
    schema: Schema | None = None,
    *,
    seed: int = 0,
    rows_per_table: int = 20,
    sample_rows: int = 3,
) -> SampleData:
    """Seeded rows for the document: ``wb.seeded`` when the session seeded, else a seeded clone."""
    schema = schema or wb.schema
    seeded = getattr(wb, "seeded", None)
    if seeded is not None and seeded.name in wb.server.databases:
        note = (
            "The example rows, the seed script and the RLS demonstrations below use the data "
            "seeded in this session (`wb.seed(...)`); the seed script shows the first rows "
            "of each table."
        )
        with seeded.connect(autocommit=True) as conn:
            return read_sample(conn, schema, sample_rows=sample_rows, note=note)
    clone, note = _seed_clone(wb, schema, seed=seed, rows_per_table=rows_per_table)
    try:
        with clone.connect(autocommit=True) as conn:
            return read_sample(conn, schema, sample_rows=sample_rows, note=note)
    finally:
        clone.drop()


def collect_doc_extras(
    wb: DocumentSource,
    schema: Schema | None = None,
    *,
    seed: int = 0,
    rows_per_table: int = 20,
    sample_rows: int = 3,
    create_date: str = "2026-01-01 00:00:00",
    experiments: Sequence[ExperimentResult] | None = None,
    changelog: Sequence[ChangelogEntry] = (),
    dot_binary: GraphvizBinary | None = None,
) -> tuple[DocExtras, AlembicProject, str | None]:
    """Gather the document's database facts; return them with the Alembic project and the SVG.

    Sample data comes from ``wb.seeded`` when the session seeded one, else from a
    clone seeded with ``seed`` and ``rows_per_table``; ``experiments`` default to
    the ones the session ran (``wb.experiments``). Writes only into databases it
    creates (a seeded clone and an empty database), which are dropped before
    returning; ``wb.seeded`` is read in a transaction that is rolled back.
    """
    schema = schema or wb.schema
    sample = collect_sample(
        wb, schema, seed=seed, rows_per_table=rows_per_table, sample_rows=sample_rows
    )
    with wb.new_database(empty=True) as empty:
        project = render_alembic(wb.url, empty.url, schema, create_date=create_date)
    models = render_sqlmodel(wb.url, schema)
    mermaid, svg = _mermaid(schema, dot_binary)
    if experiments is None:
        experiments = getattr(wb, "experiments", None) or ()
    extras = DocExtras(
        server_version=schema.server_version,
        mermaid=mermaid,
        example_rows=sample.example_rows,
        generated_examples=sample.generated_examples,
        seed_script=sample.script,
        sample_note=sample.note,
        rls_demos=sample.rls_demos,
        experiments=tuple(digest_experiment(r) for r in experiments),
        performance_notes=_performance_notes(schema),
        ddl=render_ddl(schema),
        alembic_revision=project.files["versions/0001_initial.py"],
        models=models,
        changelog=tuple(changelog),
    )
    return extras, project, svg


def write_all(
    wb: DocumentSource,
    out_dir: str | os.PathLike[str],
    *,
    options: DocOptions | None = None,
    create_date: str | None = None,
    seed: int = 0,
    rows_per_table: int = 20,
    sample_rows: int = 3,
    experiments: Sequence[ExperimentResult] | None = None,
    history: str | os.PathLike[str] | None = None,
    dot_binary: GraphvizBinary | None = None,
) -> list[Path]:
    """Write schema.sql, schema.md, er.mmd, er.svg, models.py and migrations/ into ``out_dir``.

    ``seed`` and ``rows_per_table`` shape the sample data seeded for the document
    (unless the session already seeded ``wb.seeded``), ``sample_rows`` is how many
    rows per table the seed script shows; ``experiments`` default to the session's
    (``wb.experiments``); ``history`` is a ``sql/`` directory inside a git
    repository whose commits become the changelog; ``dot_binary`` pins the
    Graphviz binary drawing ``er.svg`` (default: :func:`workbench.diagram.graphviz_bin.find_dot`).
    """
    out = Path(out_dir)
    options = options or load_doc_options(date=dt.date.today().isoformat())
    stamp = create_date or f"{options.date} 00:00:00"
    changelog: tuple[ChangelogEntry, ...] = ()
    if history is not None:
        from workbench.export.changelog import git_changelog

        changelog = git_changelog(history, server=wb.server)
    extras, project, svg = collect_doc_extras(
        wb,
        seed=seed,
        rows_per_table=rows_per_table,
        sample_rows=sample_rows,
        create_date=stamp,
        experiments=experiments,
        changelog=changelog,
        dot_binary=dot_binary,
    )
    if svg is None:
        options = replace(options, diagram_svg=None)
    schema = wb.schema
    written = [
        write_atomic(out / "schema.sql", extras.ddl),
        write_atomic(out / "schema.md", render_markdown(schema, options=options, extras=extras)),
    ]
    if svg is not None:
        written.append(write_atomic(out / "er.svg", svg))
    if extras.mermaid:
        written.append(write_atomic(out / "er.mmd", extras.mermaid))
    written.append(write_atomic(out / "models.py", extras.models))
    written.append(project.write(out / options.migrations_dir))
    return written


def count_visible(conn: psycopg.Connection, table: Table, where: sql.Composable) -> int:
    """``SELECT count(*) FROM table WHERE ...`` as the connecting role (used by tests)."""
    stmt = sql.SQL("SELECT count(*) FROM {} AS t WHERE {}").format(
        sql.Identifier(table.schema, table.name), where
    )
    row = conn.execute(stmt).fetchone()
    return int(row[0]) if row else 0


__all__ = [
    "SampleData",
    "collect_doc_extras",
    "collect_sample",
    "digest_experiment",
    "read_sample",
    "seed_script",
    "write_all",
]

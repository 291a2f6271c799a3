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
its last index advice (``wb.advice``), and takes the changelog
(:mod:`workbench.export.changelog`). The pure renderer
(:func:`workbench.export.markdown.render_markdown`) then only formats.

:func:`write_all` writes ``schema.sql``, ``schema.md``, ``er.mmd``, ``er.svg``,
``models.py`` and ``migrations/`` into one directory, each atomically, and
``advice/`` (the advice's migration and report, which the document links to)
when the session ran ``wb.advise``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import psycopg
from psycopg import sql

from workbench.export import write_atomic
from workbench.export._sample import fetch_rows, generated_row, seed_sample, table_order
from workbench.export._sql import quote_ident, sql_name
from workbench.export.alembic import AlembicProject, render_alembic
from workbench.export.ddl import render_ddl
from workbench.export.markdown import (
    AdviceDigest,
    AdvisedIndex,
    ChangelogEntry,
    DocExtras,
    DocOptions,
    ExperimentComparison,
    ExperimentDigest,
    escape_markdown,
    load_doc_options,
    render_markdown,
)
from workbench.export.result import ExportResult, describe
from workbench.export.rls_demo import RlsDemo, demonstrate
from workbench.export.sqlmodel import render_sqlmodel
from workbench.model import Schema, Table
from workbench.server.database import Database

if TYPE_CHECKING:
    from workbench.diagram.api import Diagram
    from workbench.diagram.graphviz_bin import GraphvizBinary
    from workbench.explain import ExperimentResult
    from workbench.lint import LintConfig
    from workbench.server import Server


T = TypeVar("T")


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
PERFORMANCE_RULES = ("fk-without-index", "duplicate-index", "redundant-index")
_RULE_TITLES = {
    "fk-without-index": "foreign keys without an index",
    "duplicate-index": "duplicate indexes",
    "redundant-index": "redundant indexes (a prefix of another index)",
}

#: Artifact names, as failures and the CLI name them.
DDL = "schema.sql"
DOCUMENT = "schema.md"
SVG = "er.svg"
MERMAID = "er.mmd"
HTML = "er.html"
MODELS = "models.py"
MIGRATIONS = "migrations/"
DOC_SAMPLE = "schema.md: Sample Data"
DOC_LINT = "schema.md: Performance Considerations (lint)"
DOC_EXPERIMENTS = "schema.md: Performance Considerations (experiments)"
DOC_ADVICE = "schema.md: Performance Considerations (index advice)"
ADVICE = "advice/"
DOC_CHANGELOG = "schema.md: Changelog"


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
        name = sql_name(table.qualified_name)
        names = ", ".join(map(quote_ident, cols))
        values = ",\n".join("  (" + ", ".join(_literal(r[c]) for c in cols) + ")" for r in rows)
        blocks.append(f"-- Seed {name}\nINSERT INTO {name} ({names}) VALUES\n{values};")
    return "\n\n".join(blocks)


def _performance_notes(schema: Schema, config: LintConfig | None = None) -> tuple[str, ...]:
    """Lint findings about indexes as Markdown bullets; "none" said per rule.

    ``config`` is the ``[tool.workbench.lint]`` configuration ``workbench lint`` uses,
    so that the document and the linter report the same findings.
    """
    try:
        from workbench.lint import lint
    except ImportError:  # lint not installed in this tree
        return ()
    report = lint(schema, config=config)
    ran = {r.id for r in report.rules}
    notes = []
    for rule in PERFORMANCE_RULES:
        found = [f for f in report.findings if f.rule_id == rule]
        for f in found:
            fix = f" Fix: `{f.fix}`" if f.fix and "\n" not in f.fix else ""
            message = f.message if f.message.endswith(".") else f.message + "."
            notes.append(f"- **{f.rule_id}** `{f.object_name}`: {escape_markdown(message)}{fix}")
        if not found and rule not in ran:
            notes.append(f"- **{rule}**: not checked (disabled in `[tool.workbench.lint]`).")
        elif not found:
            notes.append(f"- **{rule}**: no {_RULE_TITLES[rule]}.")
    return tuple(notes)


def _diagram(schema: Schema, binary: GraphvizBinary | None = None) -> Diagram | None:
    """The whole-schema diagram (None when the diagram package is not installed)."""
    try:
        from workbench.diagram import diagram
    except ImportError:
        return None
    return diagram(schema, binary=binary)


def mermaid_parts(d: Diagram) -> tuple[str, ...]:
    """The diagram's Mermaid text, one string per part (one fence each in the document)."""
    text = d.mermaid()
    return (text,) if isinstance(text, str) else tuple(text)


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


def digest_advice(advice: Any) -> AdviceDigest:
    """What the document shows of a :class:`workbench.advise.Advice`: the recommended indexes
    with their evidence at the largest scale and the rejected candidates with the reason.

    Duck-typed (the export layer does not import the advisor): ``chosen``, ``rejected``,
    ``evidence()``, ``write_costs``, ``pays_from``, ``workload_ms`` and ``candidates``.
    """
    largest = advice.largest
    ev = advice.evidence()
    recommended = []
    for cand in advice.chosen:
        serves: tuple[tuple[str, float, float, float], ...] = ()
        if len(ev):
            mine = ev[
                (ev["candidate"] == cand.name)
                & (ev["scale"] == largest)
                & (ev["ci_low"] > 1.0)
                & ev["used"]
            ].sort_values(["speedup", "query"], ascending=[False, True])
            serves = tuple(
                (str(r.query), _float(r.speedup), _float(r.ci_low), _float(r.ci_high))
                for r in mine.itertuples(index=False)
            )
        wc = advice.write_costs.get(cand.name)
        recommended.append(
            AdvisedIndex(
                label=cand.label,
                serves=serves,
                size_bytes=wc.size_bytes if wc else None,
                build_ms=wc.build_ms if wc else None,
                insert_ratio=wc.insert_ratio if wc else None,
                insert_ci=wc.insert_ci if wc else None,
                update_ratio=wc.update_ratio if wc else None,
                update_ci=wc.update_ci if wc else None,
                write_note=wc.note if wc else "",
                pays_from=advice.pays_from(cand.name),
            )
        )
    labels = advice.candidates.candidates
    rejected = tuple(
        (labels[name].label, reason) for name, reason in sorted(advice.rejected.items())
    )
    server = ""
    if advice.final:
        server = str(advice.final[-1].meta.get("server_version") or "")
    return AdviceDigest(
        queries=len(advice.queries),
        scales=tuple(int(s) for s in advice.scales),
        method=str(advice.estimate.method),
        before_ms=float(advice.workload_ms("baseline")),
        after_ms=float(advice.workload_ms("advised")),
        estimate_only_ms=float(advice.workload_ms("estimate_only")),
        estimate_only_count=len(advice.estimate_pick),
        recommended=tuple(recommended),
        rejected=rejected,
        server_version=server,
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
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # a few per table


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
    shown: dict[str, list[dict[str, Any]]] = {}
    generated = []
    with conn.transaction(force_rollback=True):
        for table in schema.tables:
            if table.partition_of is not None:
                continue
            rows = fetch_rows(conn, table, limit=max(sample_rows, 1))
            shown[table.qualified_name] = rows
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
        try:  # the demonstration on its own: a policy it cannot run costs only itself
            with conn.transaction():
                demos = demonstrate(conn, schema)
        except psycopg.Error as exc:
            demos = ()
            note = f"{note} The RLS demonstration could not run ({describe(exc)})".strip() + "."
    return SampleData(examples, tuple(generated), script, demos, note, shown)


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


@dataclass
class Collected:
    """Everything :func:`collect` gathered: the document's extras and the files beside it."""

    extras: DocExtras
    project: AlembicProject | None
    svg: str | None
    diagram: Diagram | None


def _attempt(result: ExportResult | None, artifact: str, fn: Callable[[], T], default: T) -> T:
    """``fn()``; with a ``result``, a failure is recorded for ``artifact`` and ``default`` returned."""
    if result is None:
        return fn()
    try:
        return fn()
    except Exception as exc:  # each artifact fails on its own; the message names it and why
        result.fail(artifact, exc)
        return default


def collect(
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
    lint_config: LintConfig | None = None,
    result: ExportResult | None = None,
    advice: Any = None,
) -> Collected:
    """Gather the document's database facts and the files beside it, each part on its own.

    With ``result``, a part that fails (the sample seeding, Alembic, sqlacodegen,
    Graphviz, lint...) is recorded there as an :class:`ArtifactFailure` and left
    out; the document then says what is missing and why. Without it the first
    failure raises (what tests want). ``advice`` defaults to the session's last
    ``wb.advise`` result (``wb.advice``); none, and the document has no advice.
    """
    schema = schema or wb.schema
    empty_sample = SampleData({}, (), "", (), "")
    sample = _attempt(
        result,
        DOC_SAMPLE,
        lambda: collect_sample(
            wb, schema, seed=seed, rows_per_table=rows_per_table, sample_rows=sample_rows
        ),
        empty_sample,
    )

    def alembic() -> AlembicProject:
        with wb.new_database(empty=True) as empty:
            return render_alembic(wb.url, empty.url, schema, create_date=create_date)

    none: tuple[str, ...] = ()
    project = _attempt(result, MIGRATIONS, alembic, None)
    models = _attempt(result, MODELS, lambda: render_sqlmodel(wb.url, schema), "")
    d = _attempt(result, f"{MERMAID}, {SVG}", lambda: _diagram(schema, dot_binary), None)
    mermaid = _attempt(result, MERMAID, lambda: mermaid_parts(d), none) if d is not None else none
    svg = _attempt(result, SVG, d.svg, None) if d is not None else None
    if experiments is None:
        experiments = getattr(wb, "experiments", None) or ()
    no_digests: tuple[ExperimentDigest, ...] = ()
    digests = _attempt(
        result, DOC_EXPERIMENTS, lambda: tuple(map(digest_experiment, experiments)), no_digests
    )
    if advice is None:
        advice = getattr(wb, "advice", None)
    ran = advice
    advice_digest = (
        _attempt(result, DOC_ADVICE, lambda: digest_advice(ran), None) if ran is not None else None
    )
    performance = _attempt(result, DOC_LINT, lambda: _performance_notes(schema, lint_config), none)
    ddl = _attempt(result, DDL, lambda: render_ddl(schema), "")
    failures = tuple(result.failures) if result is not None else ()
    extras = DocExtras(
        server_version=schema.server_version,
        mermaid=mermaid,
        example_rows=sample.example_rows,
        sample_rows=sample.rows,
        generated_examples=sample.generated_examples,
        seed_script=sample.script,
        sample_note=sample.note,
        rls_demos=sample.rls_demos,
        experiments=digests,
        performance_notes=performance,
        advice=advice_digest,
        ddl=ddl,
        alembic_revision=project.files["versions/0001_initial.py"] if project else "",
        models=models,
        changelog=tuple(changelog),
        failures=failures,
    )
    return Collected(extras, project, svg, d)


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
    advice: Any = None,
) -> tuple[DocExtras, AlembicProject, str | None]:
    """Gather the document's database facts; return them with the Alembic project and the SVG.

    Sample data comes from ``wb.seeded`` when the session seeded one, else from a
    clone seeded with ``seed`` and ``rows_per_table``; ``experiments`` default to
    the ones the session ran (``wb.experiments``), ``advice`` to its last
    ``wb.advise`` (``wb.advice``). Writes only into databases it
    creates (a seeded clone and an empty database), which are dropped before
    returning; ``wb.seeded`` is read in a transaction that is rolled back. The
    first failure raises (``write_all`` is the forgiving form).
    """
    got = collect(
        wb,
        schema,
        seed=seed,
        rows_per_table=rows_per_table,
        sample_rows=sample_rows,
        create_date=create_date,
        experiments=experiments,
        changelog=changelog,
        dot_binary=dot_binary,
        advice=advice,
    )
    assert got.project is not None  # without a result, a failed Alembic render raised
    return got.extras, got.project, got.svg


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
    lint_config: LintConfig | None = None,
    advice: Any = None,
) -> ExportResult:
    """Write schema.sql, schema.md, er.mmd, er.svg, models.py and migrations/ into ``out_dir``.

    Each artifact succeeds or fails on its own: the returned :class:`ExportResult`
    lists the paths written and, for each artifact that could not be made, which
    one and why (``result.failures``; ``result.raise_for_failures()`` turns them
    into an :class:`ExportIncomplete`). A document part that failed (sample data,
    changelog, lint) still leaves a document, which says what is missing.

    ``seed`` and ``rows_per_table`` shape the sample data seeded for the document
    (unless the session already seeded ``wb.seeded``), ``sample_rows`` is how many
    rows per table the document shows; ``experiments`` default to the session's
    (``wb.experiments``); ``history`` is a ``sql/`` directory inside a git
    repository whose commits become the changelog; ``dot_binary`` pins the
    Graphviz binary drawing ``er.svg`` (default: :func:`workbench.diagram.graphviz_bin.find_dot`);
    ``lint_config`` is the lint configuration the Performance section's findings use;
    ``advice`` (default: the session's last ``wb.advise``, ``wb.advice``) is shown in the
    Performance section, its migration and report written to ``advice/`` beside it.
    """
    out = Path(out_dir)
    result = ExportResult()
    options = options or load_doc_options(date=dt.date.today().isoformat())
    stamp = create_date or f"{options.date} 00:00:00"
    changelog: tuple[ChangelogEntry, ...] = ()
    if history is not None:
        from workbench.export.changelog import git_changelog

        changelog = _attempt(
            result, DOC_CHANGELOG, lambda: tuple(git_changelog(history, server=wb.server)), ()
        )
    got = collect(
        wb,
        seed=seed,
        rows_per_table=rows_per_table,
        sample_rows=sample_rows,
        create_date=stamp,
        experiments=experiments,
        changelog=changelog,
        dot_binary=dot_binary,
        lint_config=lint_config,
        result=result,
        advice=advice,
    )
    extras = got.extras
    ran = advice if advice is not None else getattr(wb, "advice", None)
    if extras.advice is not None and ran is not None:
        # Before the document, which links to these files (or says why they are missing).
        advised = ran

        def advice_files() -> list[Path]:
            report = advised.write(out / "advice")
            names = ("report.md", "migration.sql", "candidates.csv", "evidence.csv")
            return [report.parent / name for name in names]

        nothing: list[Path] = []
        written = _attempt(result, ADVICE, advice_files, nothing)
        result.written.extend(written)
        extras = replace(extras, failures=tuple(result.failures))
    if got.svg is None:
        options = replace(options, diagram_svg=None)
    # The interactive diagram (search, focus, groups, paths), linked from the document.
    diagram_of = got.diagram
    html = (
        _attempt(result, HTML, lambda: diagram_of.interactive().html(), None)
        if diagram_of is not None
        else None
    )
    if html is None:
        options = replace(options, diagram_html=None)
    schema = wb.schema

    def write(artifact: str, fn: Callable[[], Path | list[Path]]) -> None:
        nothing: Path | list[Path] = []
        paths = _attempt(result, artifact, fn, nothing)
        result.written.extend(paths if isinstance(paths, list) else [paths])

    failed = {f.artifact for f in result.failures}
    if DDL not in failed:
        write(DDL, lambda: write_atomic(out / DDL, extras.ddl))
    write(
        DOCUMENT,
        lambda: write_atomic(
            out / DOCUMENT, render_markdown(schema, options=options, extras=extras)
        ),
    )
    if got.svg is not None:
        svg = got.svg
        write(SVG, lambda: write_atomic(out / SVG, svg))
    if got.diagram is not None and extras.mermaid:
        d = got.diagram
        write(MERMAID, lambda: d.save(out / MERMAID))
    if html is not None:
        page = html
        write(HTML, lambda: write_atomic(out / HTML, page.encode("utf-8")))
    if MODELS not in failed:
        write(MODELS, lambda: write_atomic(out / MODELS, extras.models))
    if got.project is not None:
        project = got.project
        write(MIGRATIONS, lambda: project.write(out / options.migrations_dir))
    return result


def count_visible(conn: psycopg.Connection, table: Table, where: sql.Composable) -> int:
    """``SELECT count(*) FROM table WHERE ...`` as the connecting role (used by tests)."""
    stmt = sql.SQL("SELECT count(*) FROM {} AS t WHERE {}").format(
        sql.Identifier(table.schema, table.name), where
    )
    row = conn.execute(stmt).fetchone()
    return int(row[0]) if row else 0


__all__ = [
    "Collected",
    "SampleData",
    "collect",
    "collect_doc_extras",
    "collect_sample",
    "digest_advice",
    "digest_experiment",
    "read_sample",
    "seed_script",
    "write_all",
]

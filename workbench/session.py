"""The workbench session: one disposable server and a template database holding ``sql/``.

``with workbench.open("sql/") as wb:`` is the entry point the notebooks and the
CLI build on. The schema is loaded once into a template database; every
further database (``wb.new_database()``) is a clone of that template, which
takes milliseconds, so experiments and variants never leak into each other.
"""

from __future__ import annotations

import hashlib
import re
import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

from workbench.errors import ServerError, WorkbenchError
from workbench.loader import LoadReport, load_script
from workbench.server import Server, choose_backend, start_server
from workbench.server.database import Database
from workbench.sources import Plan, Script, expand, resolve
from workbench.sources.locks import lock_settings as estimate_lock_settings

if TYPE_CHECKING:
    from workbench.advise.report import Advice
    from workbench.explain.result import ExperimentResult
    from workbench.export.result import ExportResult
    from workbench.model import Schema


def _fingerprint(script: Script) -> str:
    h = hashlib.sha256()
    for name, text in script.files:
        h.update(name.encode() + b"\0" + text.encode() + b"\0")
    return h.hexdigest()


_EXTENSION = re.compile(r'^\s*CREATE\s+EXTENSION\s+(IF\s+NOT\s+EXISTS\s+)?"?([\w-]+)', re.I)
MAX_CONNECTIONS = 100  # the local servers' max_connections (server/local.py DEFAULT_SETTINGS)


def lock_settings(script: Script) -> dict[str, str]:
    """Server settings a one-transaction load of ``script`` needs (see workbench.sources.locks)."""
    return estimate_lock_settings((i.text for i in script.items), MAX_CONNECTIONS)


def fits_one_transaction(script: Script) -> bool:
    """Whether the default load is one transaction: every statement can run in one, and its
    locks fit PostgreSQL's default lock table (64 x max_connections). Otherwise the load
    runs statement by statement, as psql does, in the fresh database dropped on failure."""
    from workbench.loader import needs_own_transactions
    from workbench.sources.locks import estimate_locks

    if needs_own_transactions(script) is not None:
        return False
    return estimate_locks(i.text for i in script.items) <= 64 * MAX_CONNECTIONS


def extensions_of(script: Script) -> list[str]:
    return [m.group(2) for i in script.items if (m := _EXTENSION.match(i.text))]


def auto_backend(script: Script) -> str:
    """``backend="auto"``: the system server when it has an extension the embedded one lacks."""
    from workbench.loader import system_servers_with_extension
    from workbench.server.binaries import embedded_binaries

    shim = Path(__file__).with_name("server") / "shim"
    try:
        share = embedded_binaries().bindir.parent / "share" / "extension"
    except WorkbenchError:
        return "system"
    for name in extensions_of(script):
        if (share / f"{name}.control").is_file() or (shim / f"{name}.control").is_file():
            continue
        if system_servers_with_extension(name):
            return "system"
    return choose_backend(None) if choose_backend(None) != "external" else "embedded"


class Workbench:
    """A schema loaded into its own disposable server. Create it with :func:`workbench.open`."""

    def __init__(
        self,
        sql: str | Path | list[str | Path] | None = "sql",
        *,
        layout: str | None = None,
        backend: str | None = None,
        server: Server | None = None,
        settings: dict[str, str] | None = None,
        one_transaction: bool | None = None,
        stats: str | Path | dict[str, Any] | None = None,
        **server_options: Any,
    ) -> None:
        self.sql = sql
        self.layout = layout
        self.one_transaction = one_transaction
        script = self._expand()  # read first: the server's lock table is sized for the load
        if backend == "auto":
            backend = auto_backend(script)
        t0 = time.perf_counter()
        self._owns_server = server is None
        if server is None:
            url = server_options.get("url")
            if choose_backend("external" if url and backend is None else backend) != "external":
                sized = lock_settings(script) if one_transaction else {}
                server_options["settings"] = {**sized, **(settings or {})}
            elif settings:
                raise ServerError(
                    f"server settings ({', '.join(settings)}) need a local server; an external "
                    "server's settings are its administrator's"
                )
        elif settings:
            raise ServerError("settings= cannot change a server that is already running")
        self.server = server or start_server(backend, **server_options)
        self.startup_seconds = time.perf_counter() - t0
        self.template: str | None = None
        self.load_report: LoadReport | None = None
        self._fingerprint: str | None = None
        self._schema: Schema | None = None
        self._previous_schema: Schema | None = None
        self.seeded: Database | None = None
        self.experiments: list[ExperimentResult] = []  # run here, for the schema document
        self.advice: Advice | None = None  # the last wb.advise(), for the schema document
        self.imported_stats: dict[str, Any] | None = None  # production's statistics, if imported
        self._planning: Database | None = None
        try:
            self._load(script)
            if stats is not None:
                self.import_stats(stats)
        except BaseException:
            self.close()
            raise

    # -- loading -------------------------------------------------------------------------
    def _expand(self) -> Script:
        """The sources in their layout's order, psql meta-commands carried out."""
        plan = Plan("none", ()) if self.sql is None else resolve(self.sql, self.layout)
        return expand(plan)

    def _load(self, script: Script | None = None) -> bool:
        """Load ``sql/`` into a new template; keep the old one when the load fails.

        The template is always a fresh database that is dropped when the load fails, so
        a load that cannot be one transaction (files that manage their own transactions,
        CREATE INDEX CONCURRENTLY, more locks than the default lock table holds) runs
        statement by statement as psql runs it; ``one_transaction=True`` forces one
        transaction, with the lock table sized for it on local servers.
        """
        script = script or self._expand()
        fingerprint = _fingerprint(script)
        if fingerprint == self._fingerprint:
            return False
        name = self.server.create_database()
        try:
            if script.items:
                with self.server.connect(name) as conn:
                    report = load_script(
                        conn,
                        script,
                        backend=self.server.backend,
                        disposable=True,
                        one_transaction=fits_one_transaction(script)
                        if self.one_transaction is None
                        else self.one_transaction,
                    )
            else:
                report = LoadReport((), 0, 0.0, layout=script.layout, notes=tuple(script.notes))
        except BaseException:
            self.server.drop_database(name)
            raise
        old = self.template
        self.template, self.load_report, self._fingerprint = name, report, fingerprint
        self._previous_schema, self._schema = self._schema, None
        if old is not None:
            self.server.drop_database(old)
        if self.imported_stats is not None:  # a reload keeps production's statistics
            self.import_stats(self.imported_stats)
        return True

    def reload(self):
        """Re-load ``sql/`` after an edit and return what changed (a SchemaDiff).

        Unchanged files cost nothing; a failed load raises and keeps the previous
        template, so the session stays usable.
        """
        from workbench.diff import diff

        before = self.schema
        changed = self._load()
        return diff(before, before if not changed else self.schema)

    # -- what the session offers -----------------------------------------------------------
    @property
    def schema(self) -> Schema:
        """The introspected model of the template database (cached until the next reload)."""
        if self._schema is None:
            from workbench.introspect import introspect

            with self.connect() as conn:
                self._schema = introspect(conn)
        return self._schema

    @property
    def backend(self) -> str:
        return self.server.backend

    def _template_name(self) -> str:
        if self.template is None:
            raise WorkbenchError("this workbench has no template database (it was closed)")
        return self.template

    @property
    def conninfo(self) -> str:
        """psycopg connection string of the template database (read it, do not change it)."""
        return self.server.conninfo(self._template_name())

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the template database."""
        return self.server.sqlalchemy_url(self._template_name())

    def connect(self, database: str | Database | None = None, **kwargs: Any) -> psycopg.Connection:
        """Connect to the template (default) or to one of the session's databases."""
        name = database.name if isinstance(database, Database) else database
        return self.server.connect(name or self._template_name(), **kwargs)

    def new_database(
        self, *, empty: bool = False, template: str | Database | None = None
    ) -> Database:
        """A fresh database: a clone of the schema template (default), another database, or empty."""
        if empty:
            return Database(self.server.create_database(), self.server)
        source = template.name if isinstance(template, Database) else template
        return Database(self.server.create_database(template=source or self.template), self.server)

    # -- one call per task (thin wrappers over the modules that do the work) -------------------
    def seed(
        self,
        shape: Any = None,
        *,
        database: Database | None = None,
        like: str | Path | dict[str, Any] | None = None,
        scale: float = 1.0,
        **options: Any,
    ):
        """Seed a fresh clone (or ``database``) with realistic data; returns a SeedSummary.

        ``like=FILE`` (a statistics export) seeds data shaped like production's:
        ``reltuples * scale`` rows per table, and columns following its null
        fractions, common values, histograms and correlations (see
        :mod:`workbench.stats.faithful`); ``shape`` entries still take precedence.

        The template itself is never seeded: the seeder drops and re-adds constraints, and
        every later clone must start from the bare schema. The seeded database is kept as
        ``wb.seeded`` for experiments and the document's example rows.
        """
        from workbench.seed import seed as seed_database

        if like is not None:
            shape, options = self._faithful_shape(like, scale, shape, options)
        target = database or self.new_database()
        summary = seed_database(target.conninfo, self.schema, shape, **options)
        if like is not None:
            from workbench.stats import load_stats
            from workbench.stats.faithful import match_index_sizes

            with target.connect(autocommit=True) as conn:
                match_index_sizes(conn, load_stats(like), scale=scale)
        self.seeded = target
        return summary

    def rehearse(self, old: str | Path, *, rows: Any = (2_000, 20_000), **options: Any):
        """Rehearse the migration from ``old`` (a directory, file or ``REV:path``) to this schema.

        Seeds ``old`` at each scale, runs the migration (and back) statement by statement
        measuring locks, rewrites and blocked probes; returns a
        :class:`~workbench.rehearse.report.Rehearsal` (``.frame``, ``.summary()``,
        ``.write(dir)``, ``.plot()``). Options as :func:`workbench.rehearse.rehearse`.
        """
        import tempfile

        from workbench.introspect import introspect
        from workbench.loader import load_paths
        from workbench.rehearse import rehearse
        from workbench.versions import materialise

        with tempfile.TemporaryDirectory(prefix="workbench-rehearse-") as tmp:
            path = materialise(str(old), Path(tmp) / "old")
            template = self.server.create_database()
            try:
                with self.server.connect(template) as conn:
                    load_paths(conn, path, backend=self.server.backend)
                    before = introspect(conn)
                return rehearse(self.server, template, before, self.schema, rows=rows, **options)
            finally:
                self.server.drop_database(template)

    # -- production's statistics ------------------------------------------------------------
    def import_stats(self, source: str | Path | dict[str, Any]):
        """Restore production's statistics (a ``workbench stats export`` file) into the template.

        Returns a :class:`~workbench.stats.RestoreReport`: what was restored, and the
        relations and columns the file and ``sql/`` do not share (reported, not fatal).
        Needs a PostgreSQL 18 backend (the embedded default). Plain EXPLAIN then plans
        as production in :meth:`planning_database`; clones carry the statistics too.
        """
        from workbench.stats import load_stats, restore_stats

        data = load_stats(source)
        with self.server.connect(self._template_name(), autocommit=True) as conn:
            report = restore_stats(conn, data)
        self.imported_stats = data
        if self._planning is not None:
            self._planning.drop()
            self._planning = None
        return report

    def planning_database(self) -> Database:
        """A database of the empty schema that plans as production (after :meth:`import_stats`).

        A clone of the template whose files are extended (sparsely) to production's
        page counts: PostgreSQL scales restored statistics by a relation's physical
        size, so an empty clone would plan every table as one row. Local servers only.
        """
        from workbench.stats import StatsError, size_relations

        if self.imported_stats is None:
            raise StatsError("no statistics imported: call wb.import_stats(FILE) first")
        if self._planning is None:
            data_dir = getattr(self.server, "data", None)
            if data_dir is None:
                raise StatsError(
                    "planning with production's sizes needs a local server (the embedded or "
                    "system backend): on an external server the relation files are out of reach, "
                    "and an empty table plans as one row whatever statistics it has"
                )
            db = self.new_database()
            with db.connect(autocommit=True) as conn:
                size_relations(conn, data_dir)
            self._planning = db
        return self._planning

    def explain_imported(self, sql: str) -> Any:
        """Plain EXPLAIN (FORMAT JSON) of ``sql`` with production's statistics and sizes."""
        db = self.planning_database()
        with db.connect() as conn, conn.transaction(force_rollback=True):
            row = conn.execute(f"EXPLAIN (FORMAT JSON) {sql}").fetchone()
        assert row is not None
        return row[0]

    def diagram(self, **options: Any):
        """ER diagram of the loaded schema (see :func:`workbench.diagram.diagram`)."""
        from workbench.diagram import diagram

        return diagram(self.schema, **options)

    def _faithful_shape(
        self, like: Any, scale: float, shape: Any, options: dict[str, Any]
    ) -> tuple[Any, dict[str, Any]]:
        from workbench.stats import faithful_plan, load_stats

        plan = faithful_plan(load_stats(like), self.schema, scale=scale)
        merged = plan.shape()
        if isinstance(shape, int):
            merged["default"] = shape
        elif isinstance(shape, dict):
            merged["tables"].update(shape.get("tables", {}))
            merged["columns"].update(shape.get("columns", {}))
            merged.update({k: v for k, v in shape.items() if k not in ("tables", "columns")})
        merged["columns"].update(options.pop("columns", None) or {})
        return merged, options

    def lint(self, *, config: Any = None, pyproject: str | Path | None = "pyproject.toml"):
        """Design review findings; ``[tool.workbench.lint]`` in ``pyproject`` configures it."""
        from workbench.lint import LintConfig, lint

        if config is None and pyproject is not None and Path(pyproject).is_file():
            config = LintConfig.from_pyproject(pyproject)
        return lint(self.schema, config=config)

    def experiment(
        self, experiment: Any, *, seed: int = 0, progress: bool = True, **seed_options: Any
    ):
        """Run an EXPLAIN experiment; data scales are seeded with :mod:`workbench.seed`.

        Without scales it measures ``wb.seeded`` when :meth:`seed` ran, else the template.
        """
        from workbench.explain import run_experiment, seed_with

        seed_fn = seed_with(self.schema, seed=seed, **seed_options) if experiment.scales else None
        result = run_experiment(
            self.server,
            experiment,
            base_db=self.seeded.name if self.seeded else self._template_name(),
            seed_fn=seed_fn,
            progress=progress,
        )
        self.experiments.append(result)
        return result

    def advise(
        self, queries: Any, *, scales: Any = (1_000, 20_000), budget: Any = None, **options: Any
    ):
        """Index advice for a workload, proven by measurement (see :func:`workbench.advise.advise`).

        The result is also kept as ``wb.advice``: the schema document's Performance
        section shows the last advice run in the session (and links its migration).
        """
        from workbench.advise import advise

        self.advice = advise(self, queries, scales=scales, budget=budget, **options)
        return self.advice

    def export(self, out: str | Path, **options: Any) -> ExportResult:
        """Write schema.sql, schema.md, er.svg, er.mmd, models.py and migrations/ into ``out``.

        Each artifact on its own: the result lists the paths written (iterating it
        yields them) and the artifacts that failed, with why (``result.failures``).
        """
        from workbench.export.doc_collect import write_all

        return write_all(self, out, **options)

    @cached_property
    def server_version(self) -> str:
        return self.server.version

    def summary(self) -> dict[str, Any]:
        """Backend, version and object counts of the loaded schema (what ``workbench load`` prints)."""
        s = self.schema
        return {
            "backend": self.backend,
            "server_version": self.server_version,
            "files": len(self.load_report.files) if self.load_report else 0,
            "layout": self.load_report.layout if self.load_report else "none",
            "atomicity": self.load_report.atomicity if self.load_report else "",
            "notes": list(self.load_report.notes) if self.load_report else [],
            "echo": list(self.load_report.echo) if self.load_report else [],
            "statements": self.load_report.statements if self.load_report else 0,
            "tables": len(s.tables),
            "columns": sum(len(t.columns) for t in s.tables),
            "primary_keys": sum(1 for t in s.tables if t.primary_key is not None),
            "foreign_keys": len(s.foreign_keys),
            "indexes": sum(len(t.indexes) for t in s.tables),
            "views": len(s.views),
            "enums": len(s.enums),
            "server_start_s": round(self.startup_seconds, 3),
            "load_s": round(self.load_report.seconds, 3) if self.load_report else 0.0,
        }

    # -- going away --------------------------------------------------------------------
    def close(self) -> None:
        if self._planning is not None and not self._owns_server:
            self._planning.drop()
        if self._owns_server:
            self.server.close()
        elif self.template and self.template in self.server.databases:
            self.server.drop_database(self.template)

    def __enter__(self) -> Workbench:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Workbench {self.sql} on {self.server!r} template={self.template}>"


def open(
    sql: str | Path | list[str | Path] | None = "sql",
    *,
    layout: str | None = None,
    backend: str | None = None,
    settings: dict[str, str] | None = None,
    one_transaction: bool | None = None,
    **options: Any,
) -> Workbench:
    """Start a disposable server and load ``sql`` into a template database.

    ``sql`` is a project folder in any layout :mod:`workbench.sources` detects (plain,
    Flyway, golang-migrate, dbmate, Prisma, sqitch, Supabase, Rails, pg_dump) or a file,
    or a list of them; ``layout="flyway"`` skips detection. ``backend`` is ``"embedded"``
    (default), ``"system"``, ``"external"`` or ``"auto"`` (the system server when the
    schema needs an extension only it has); the environment picks one otherwise (see
    :mod:`workbench.server`). ``settings={"work_mem": "64MB"}`` are ``postgres -c``
    settings for local servers. The schema loads into a fresh template database that is
    dropped when the load fails: in one transaction when every statement can run in one and
    its locks fit the default lock table, else statement by statement as psql runs it.
    ``one_transaction=True`` forces one transaction (``max_locks_per_transaction`` is then
    sized for the load unless given), ``False`` forces statement by statement. Other options go to :func:`workbench.server.start_server`
    (``tcp=True``, ``major=15``), or pass ``server=`` to share an already running server.
    """
    return Workbench(
        sql,
        layout=layout,
        backend=backend,
        settings=settings,
        one_transaction=one_transaction,
        **options,
    )

"""The workbench session: one disposable server and a template database holding ``sql/``.

``with workbench.open("sql/") as wb:`` is the entry point the notebooks and the
CLI build on. The schema is loaded once into a template database; every
further database (``wb.new_database()``) is a clone of that template, which
takes milliseconds, so experiments and variants never leak into each other.
"""

from __future__ import annotations

import hashlib
import time
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg

from workbench.errors import WorkbenchError
from workbench.loader import LoadReport, load_paths, sql_files
from workbench.server import Server, start_server
from workbench.server.database import Database

if TYPE_CHECKING:
    from workbench.explain.result import ExperimentResult
    from workbench.model import Schema


def _fingerprint(files: list[Path]) -> str:
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


class Workbench:
    """A schema loaded into its own disposable server. Create it with :func:`workbench.open`."""

    def __init__(
        self,
        sql: str | Path | list[str | Path] | None = "sql",
        *,
        backend: str | None = None,
        server: Server | None = None,
        **server_options: Any,
    ) -> None:
        t0 = time.perf_counter()
        self._owns_server = server is None
        self.server = server or start_server(backend, **server_options)
        self.startup_seconds = time.perf_counter() - t0
        self.sql = sql
        self.template: str | None = None
        self.load_report: LoadReport | None = None
        self._fingerprint: str | None = None
        self._schema: Schema | None = None
        self._previous_schema: Schema | None = None
        self.seeded: Database | None = None
        self.experiments: list[ExperimentResult] = []  # run here, for the schema document
        try:
            self._load()
        except BaseException:
            self.close()
            raise

    # -- loading -------------------------------------------------------------------------
    def _files(self) -> list[Path]:
        return [] if self.sql is None else sql_files(self.sql)

    def _load(self) -> bool:
        """Load ``sql/`` into a new template; keep the old one when the load fails."""
        files = self._files()
        fingerprint = _fingerprint(files)
        if fingerprint == self._fingerprint:
            return False
        name = self.server.create_database()
        try:
            if files:
                with self.server.connect(name) as conn:
                    report = load_paths(conn, files, backend=self.server.backend)
            else:
                report = LoadReport((), 0, 0.0)
        except BaseException:
            self.server.drop_database(name)
            raise
        old = self.template
        self.template, self.load_report, self._fingerprint = name, report, fingerprint
        self._previous_schema, self._schema = self._schema, None
        if old is not None:
            self.server.drop_database(old)
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
    def seed(self, shape: Any = None, *, database: Database | None = None, **options: Any):
        """Seed a fresh clone (or ``database``) with realistic data; returns a SeedSummary.

        The template itself is never seeded: the seeder drops and re-adds constraints, and
        every later clone must start from the bare schema. The seeded database is kept as
        ``wb.seeded`` for experiments and the document's example rows.
        """
        from workbench.seed import seed as seed_database

        target = database or self.new_database()
        summary = seed_database(target.conninfo, self.schema, shape, **options)
        self.seeded = target
        return summary

    def diagram(self, **options: Any):
        """ER diagram of the loaded schema (see :func:`workbench.diagram.diagram`)."""
        from workbench.diagram import diagram

        return diagram(self.schema, **options)

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
        """Index advice for a workload, proven by measurement (see :func:`workbench.advise.advise`)."""
        from workbench.advise import advise

        return advise(self, queries, scales=scales, budget=budget, **options)

    def export(self, out: str | Path, **options: Any) -> list[Path]:
        """Write schema.sql, schema.md, er.svg, er.mmd, models.py and migrations/ into ``out``."""
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
    sql: str | Path | list[str | Path] | None = "sql", *, backend: str | None = None, **options: Any
) -> Workbench:
    """Start a disposable server and load ``sql`` into a template database.

    ``backend`` is ``"embedded"`` (default), ``"system"`` or ``"external"``; the
    environment picks one otherwise (see :mod:`workbench.server`). Other options
    go to :func:`workbench.server.start_server` (``tcp=True``, ``settings={...}``,
    ``major=15``) or pass ``server=`` to share an already running server.
    """
    return Workbench(sql, backend=backend, **options)

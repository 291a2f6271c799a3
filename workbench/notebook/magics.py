"""``%load_ext workbench``: the ``%%sql`` and ``%%explain`` cell magics and rich displays.

Why magics: designing a schema is mostly "try a query on it", and a cell that
holds only SQL reads better than a Python string. The magics run against the
*current workbench* of the kernel — the last :class:`~workbench.session.Workbench`
a cell assigned to a variable (``wb = workbench.open("../sql")``), or the one
chosen with ``%wb_use name`` — and never against its template itself: a
template that has a session on it cannot be cloned, and it must stay exactly
what ``sql/`` says. Instead each workbench gets a *scratch* clone of its
template, created on first use (milliseconds) and kept across cells, so a
``CREATE`` or ``INSERT`` in one cell is visible in the next. ``wb.reload()``
gives a new template; the next magic notices and starts a fresh scratch clone.

Targets (first argument of either magic):

* nothing: the current workbench's scratch database;
* a variable name: a ``Workbench`` (its scratch), a ``Database`` (from
  ``wb.new_database()``, e.g. a seeded one), a psycopg connection, or a
  conninfo / URL string;
* ``conninfo=...`` or ``postgresql://...``: any server;
* ``-d NAME``: a database by name on the current workbench's server.

``%%sql`` returns a pandas DataFrame (the last statement's rows) and ``-o var``
stores it too; ``%sql SELECT ...`` is the one-line form. ``%%explain`` runs ``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)``
inside a transaction it rolls back, so an ``UPDATE`` can be profiled without
changing anything, and displays the plan tree and findings.
"""

from __future__ import annotations

import contextlib
import html
import json
import shlex
import weakref
from dataclasses import dataclass
from typing import Any

import pandas as pd
import psycopg
from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class

from workbench.errors import WorkbenchError
from workbench.session import Database, Workbench


class MagicError(WorkbenchError):
    """A magic was given a target it cannot use, or there is nothing to run against."""


class SqlCellError(WorkbenchError):
    """PostgreSQL rejected a statement of a ``%%sql`` / ``%%explain`` cell.

    Prints as ``line 3, column 8: ERROR: ...`` with the offending cell line and a
    caret, then DETAIL / HINT / SQLSTATE, like a load error does for ``sql/``.
    """

    def __init__(self, source: str, error: psycopg.Error, *, offset: int = 0) -> None:
        self.source = source
        self.error = error
        diag = error.diag
        self.sqlstate = diag.sqlstate
        message = diag.message_primary or str(error).strip()
        where = ""
        lines: list[str] = []
        position = int(diag.statement_position or 0) - offset
        if 0 < position <= len(source) + 1:
            before = source[: position - 1]
            line_no = before.count("\n") + 1
            column = position - (before.rfind("\n") + 1)
            where = f"line {line_no}, column {column}: "
            text = source.splitlines()[line_no - 1] if source.splitlines() else ""
            lines = [f"  {text}", "  " + " " * (column - 1) + "^"]
        extra = [
            f"{k}: {v}"
            for k, v in (("DETAIL", diag.message_detail), ("HINT", diag.message_hint))
            if v
        ]
        if self.sqlstate:
            extra.append(f"SQLSTATE: {self.sqlstate}")
        super().__init__("\n".join([f"{where}ERROR: {message}", *lines, *extra]))


@dataclass
class Target:
    """Where a cell runs: a conninfo (or an open connection) and a label for messages."""

    label: str
    conninfo: str | None = None
    connection: psycopg.Connection | None = None
    workbench: Workbench | None = None

    def connect(self) -> tuple[psycopg.Connection, bool]:
        """An autocommit connection and whether the caller must close it."""
        if self.connection is not None:
            return self.connection, False
        assert self.conninfo is not None
        return psycopg.connect(self.conninfo, autocommit=True), True


def _alive(wb: Workbench) -> bool:
    return not getattr(wb.server, "closed", False) and wb.template is not None


def _parse(line: str) -> tuple[str | None, str | None, str | None, set[str]]:
    """``[target] [-d NAME] [-o VAR] [--flags]`` → (target, dbname, output var, flags)."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise MagicError(f"cannot parse magic arguments {line!r}: {exc}") from exc
    target = db = out = None
    flags: set[str] = set()
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("-d", "--db", "-o", "--out", "--conninfo"):
            if i + 1 >= len(words):
                raise MagicError(f"{word} needs a value, e.g. {word} name")
            value = words[i + 1]
            if word in ("-d", "--db"):
                db = value
            elif word in ("-o", "--out"):
                out = value
            else:
                target = f"conninfo={value}"
            i += 2
            continue
        if word.startswith("--"):
            flags.add(word[2:])
        elif target is None:
            target = word
        else:
            raise MagicError(
                f"unexpected argument {word!r}; usage: %%sql [target] [-d db] [-o var]"
            )
        i += 1
    return target, db, out, flags


@magics_class
class WorkbenchMagics(Magics):
    """The magics and their state: the current workbench and one scratch clone per workbench."""

    def __init__(self, shell: Any) -> None:
        super().__init__(shell)
        self._chosen: str | None = None  # variable name given to %wb_use
        # Weak references only: a workbench the notebook dropped (``wb = workbench.open(...)``
        # run again) must be collectable, so its server stops; ids could also be reused.
        self._seen: list[weakref.ref[Workbench]] = []  # in order of appearance (last = newest)
        self._scratch: weakref.WeakKeyDictionary[Workbench, tuple[str, Database]] = (
            weakref.WeakKeyDictionary()
        )

    @property
    def _user_ns(self) -> dict[str, Any]:
        """The notebook's variables (the magics are registered on a live shell only)."""
        if self.shell is None:
            raise MagicError("the workbench magics need a running IPython shell")
        return self.shell.user_ns

    # -- the current workbench -------------------------------------------------------------
    def _workbenches(self) -> list[Workbench]:
        """The workbenches the notebook's variables hold (``_`` output caches left out)."""
        found: dict[int, Workbench] = {}
        for name, value in self._user_ns.items():
            if isinstance(value, Workbench) and not name.startswith("_"):
                found[id(value)] = value
        return list(found.values())

    def track(self, *_: Any) -> None:
        """post_run_cell hook: remember the order in which workbenches appeared."""
        self._seen = [ref for ref in self._seen if ref() is not None]
        known = {id(ref()) for ref in self._seen}
        for wb in self._workbenches():
            if id(wb) not in known:
                self._seen.append(weakref.ref(wb))

    def current(self) -> Workbench:
        """The workbench chosen with ``%wb_use``, else the newest open one in the namespace."""
        if self._chosen is not None:
            wb = self._user_ns.get(self._chosen)
            if isinstance(wb, Workbench) and _alive(wb):
                return wb
            raise MagicError(
                f"%wb_use chose {self._chosen!r}, which is no longer an open Workbench; "
                "run %wb_use with another variable name"
            )
        self.track()
        live = {id(wb) for wb in self._workbenches()}
        for ref in reversed(self._seen):
            wb = ref()
            if wb is not None and id(wb) in live and _alive(wb):
                return wb
        raise MagicError(
            "no open workbench in this kernel: run `wb = workbench.open('../sql')` first, "
            "or give a target: %%sql conninfo='dbname=... host=...'"
        )

    def scratch(self, wb: Workbench) -> Database:
        """The workbench's scratch clone of its current template (re-cloned after a reload)."""
        template, db = self._scratch.get(wb, (None, None))
        if db is not None and template == wb.template and db.name in wb.server.databases:
            return db
        if db is not None and db.name in wb.server.databases:
            db.drop()
        db = wb.new_database()
        self._scratch[wb] = (wb.template or "", db)
        return db

    def resolve(self, target: str | None, dbname: str | None) -> Target:
        """Turn the magic's arguments into a :class:`Target` (MagicError saying what is wrong)."""
        if target and target.startswith("conninfo="):
            return Target(label="conninfo", conninfo=target.split("=", 1)[1])
        if target and target.split("://", 1)[0] in ("postgresql", "postgres"):
            return Target(label="url", conninfo=target)
        wb: Workbench | None = None
        if target:
            if target not in self._user_ns:
                raise MagicError(
                    f"no variable {target!r} in the notebook; give a Workbench, a Database, a "
                    "connection or a conninfo string (or conninfo=... / postgresql://...)"
                )
            value = self._user_ns[target]
            if isinstance(value, Workbench):
                wb = value
            elif isinstance(value, Database):
                return Target(label=value.name, conninfo=value.conninfo)
            elif isinstance(value, psycopg.Connection):
                return Target(label=target, connection=value)
            elif isinstance(value, str):
                return Target(label=target, conninfo=value)
            else:
                raise MagicError(
                    f"{target!r} is a {type(value).__name__}; the magics run against a "
                    "Workbench, a Database, a psycopg connection or a conninfo string"
                )
        wb = wb or self.current()
        if not _alive(wb):
            raise MagicError("that workbench is closed; open it again with workbench.open(...)")
        if dbname:
            return Target(label=dbname, conninfo=wb.server.conninfo(dbname), workbench=wb)
        db = self.scratch(wb)
        return Target(label="scratch", conninfo=db.conninfo, workbench=wb)

    # -- the magics --------------------------------------------------------------------
    @line_cell_magic
    def sql(self, line: str, cell: str | None = None) -> pd.DataFrame | None:
        """Run the cell's SQL; return the last statement's rows as a DataFrame.

        Usage: ``%%sql [target] [-d dbname] [-o var]`` above the SQL, or ``%sql SELECT ...``
        on one line (current workbench's scratch clone). Statements without rows print
        their status (``CREATE TABLE``, ``INSERT 0 3``) and return None.
        """
        if cell is None:
            return run_sql(self.resolve(None, None), line)
        target, dbname, out, _flags = _parse(line)
        frame = run_sql(self.resolve(target, dbname), cell)
        if out:
            self._user_ns[out] = frame
        return frame

    @cell_magic
    def explain(self, line: str, cell: str) -> Any:
        """``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`` the cell's query and show plan and findings.

        Usage: ``%%explain [target] [-d dbname] [-o var] [--no-analyze]``. The
        statement runs in a transaction that is rolled back. Returns the Plan.
        """
        from IPython.display import display

        target, dbname, out, flags = _parse(line)
        resolved = self.resolve(target, dbname)
        plan = explain_plan(resolved, cell, analyze="no-analyze" not in flags)
        display(plan)
        # The findings judge indexes: read them from the database the plan ran in (a
        # clone may have gained an index since the template was loaded), ~30 ms.
        schema = database_schema(resolved)
        findings = plan_findings(plan, schema)
        if findings is not None:
            display(findings, raw=True)
        if out:
            self._user_ns[out] = plan
        return None

    @line_magic
    def wb_use(self, line: str) -> None:
        """``%wb_use name``: make the Workbench in variable ``name`` the magics' default."""
        name = line.strip()
        if not name:
            self._chosen = None
            print("the magics use the newest open workbench")
            return
        value = self._user_ns.get(name)
        if not isinstance(value, Workbench):
            raise MagicError(f"{name!r} is not a Workbench variable in this notebook")
        self._chosen = name
        print(f"the magics now use {name}")

    @line_magic
    def wb_reset(self, line: str) -> None:
        """``%wb_reset``: drop the current workbench's scratch database (the next cell gets a fresh clone)."""
        wb = self.current()
        _template, db = self._scratch.pop(wb, (None, None))
        if db is not None:
            db.drop()
        print("scratch database reset")


def run_sql(target: Target, sql: str) -> pd.DataFrame | None:
    """Run every statement of ``sql``; the last result set as a DataFrame, else None."""
    if not sql.strip():
        raise MagicError("no SQL given: write it below %%sql, or after %sql on the same line")
    conn, owned = target.connect()
    frame: pd.DataFrame | None = None
    statuses: list[str] = []
    try:
        try:
            cur = conn.execute(sql)  # type: ignore[arg-type]  # cell text is trusted user SQL
        except psycopg.Error as exc:
            raise SqlCellError(sql, exc) from None
        while True:
            if cur.description is not None:
                columns = [d.name for d in cur.description]
                frame = pd.DataFrame.from_records(cur.fetchall(), columns=columns)
            else:
                frame = None
                if cur.statusmessage:
                    statuses.append(cur.statusmessage)
            if not cur.nextset():
                break
    finally:
        if owned:
            conn.close()
    if frame is None and statuses:
        print(" · ".join(statuses))
    return frame


def explain_plan(target: Target, sql: str, *, analyze: bool = True) -> Any:
    """EXPLAIN one statement in a rolled-back transaction; a Plan (or a DataFrame of nodes)."""
    query = sql.strip().rstrip(";").strip()
    if not query:
        raise MagicError("the %%explain cell is empty; write one query below the %%explain line")
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    prefix = f"EXPLAIN ({options}) "
    conn, owned = target.connect()
    try:
        with conn.transaction(force_rollback=True):
            try:
                doc = conn.execute(prefix + query).fetchone()[0]  # type: ignore[index,operator]
            except psycopg.Error as exc:
                # positions PostgreSQL reports count the EXPLAIN prefix and the stripped space
                lead = len(sql) - len(sql.lstrip())
                raise SqlCellError(sql, exc, offset=len(prefix) - lead) from None
    finally:
        if owned:
            conn.close()
    if isinstance(doc, str):
        doc = json.loads(doc)
    try:
        from workbench.explain.plan import Plan
    except ImportError:  # the explain package is optional for the magics
        return _nodes_frame(doc[0]["Plan"])
    return Plan.from_json(doc)


def database_schema(target: Target) -> Any:
    """The model of the target database (None when it cannot be introspected)."""
    from workbench.introspect import introspect

    fallback = target.workbench.schema if target.workbench is not None else None
    if target.connection is not None:  # the caller's connection: leave its state alone
        return fallback
    conn, _owned = target.connect()
    try:
        return introspect(conn)
    except (psycopg.Error, WorkbenchError):
        return fallback
    finally:
        conn.close()


def plan_findings(plan: Any, schema: Any) -> dict[str, str] | None:
    """Findings of the plan as a display bundle (HTML list + text), or None when there are none."""
    try:
        from workbench.explain.findings import find
    except ImportError:
        return None
    found = find(plan, schema=schema)
    if not found:
        return None
    items = "".join(
        f"<li><b>{html.escape(f.rule)}</b> at node {f.node_id} ({html.escape(f.node)}): "
        f"{html.escape(f.message)}</li>"
        for f in found
    )
    return {
        "text/html": f"<p><b>Findings</b></p><ul>{items}</ul>",
        "text/plain": "Findings:\n" + "\n".join(f"- {f}" for f in found),
    }


def _nodes_frame(root: dict[str, Any]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []

    def walk(node: dict[str, Any], depth: int) -> None:
        rows.append(
            {
                "node": "  " * depth + node.get("Node Type", "?"),
                "relation": node.get("Relation Name"),
                "est_rows": node.get("Plan Rows"),
                "actual_rows": node.get("Actual Rows"),
                "loops": node.get("Actual Loops"),
            }
        )
        for child in node.get("Plans", ()):
            walk(child, depth + 1)

    walk(root, 0)
    return pd.DataFrame(rows)


def _short_error(
    shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None
) -> list[str]:
    """Show workbench errors raised by the magics as their message, not a traceback."""
    stb = [f"{etype.__name__}: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics, the post-cell tracker and the model's rich displays."""
    from workbench.notebook.display import register

    magics = WorkbenchMagics(ipython)
    ipython.register_magics(magics)
    ipython.events.register("post_run_cell", magics.track)
    ipython.set_custom_exc((SqlCellError, MagicError), _short_error)
    register(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext workbench``: stop tracking workbenches (scratch databases go with their server)."""
    for magics in list(ipython.magics_manager.registry.values()):
        if isinstance(magics, WorkbenchMagics):
            with contextlib.suppress(ValueError):
                ipython.events.unregister("post_run_cell", magics.track)
    ipython.set_custom_exc((), None)

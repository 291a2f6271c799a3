"""Run a schema's statements into a database, all or nothing, with precise errors.

What to run comes from :mod:`workbench.sources`: a layout adapter puts the project's
files in its tool's order and :func:`workbench.sources.expand` carries out psql
meta-commands, giving one ordered list of (file, line, statement). Each statement is
sent on its own so that an error names the file, line and column (PostgreSQL's
position, mapped back into the file through interpolated variables), with SQLSTATE,
message, detail, hint and the chain of ``\\i`` includes. pg_dump output loads too:
``SET`` lines, ``COPY ... FROM stdin`` blocks, ``\\restrict`` lines. All or nothing
either in one transaction (a database the caller keeps) or, for a fresh database the
caller drops on failure, statement by statement as psql runs them (see
:func:`load_script`). The loader only reads: it never writes into ``sql/``.
"""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NotRequired, TypedDict

import psycopg
from psycopg import pq

from workbench.errors import ExtensionUnavailable, LoadError, WorkbenchError
from workbench.sources import Item, Plan, Script, Source, expand, resolve
from workbench.sqlsplit import line_col

# statements that end or start transactions themselves ...
_TXN_CONTROL = re.compile(
    r"^(BEGIN|START\s+TRANSACTION|COMMIT|END|ABORT|ROLLBACK(?!\s+TO\b))\b(?!\s+ATOMIC)", re.I
)
# ... and statements PostgreSQL refuses inside a transaction block. (ALTER TYPE ... ADD VALUE
# runs in one since PostgreSQL 12; only using the new value before the commit fails, with
# PostgreSQL's own hint, and the statement-by-statement load has no such limit.)
_NO_TXN_BLOCK = re.compile(
    r"^((CREATE|DROP|REINDEX)\b[^;]*?\bCONCURRENTLY\b"
    r"|VACUUM\b|ALTER\s+SYSTEM\b|(CREATE|DROP)\s+TABLESPACE\b|CREATE\s+SUBSCRIPTION\b)",
    re.I | re.S,
)


class _ErrorFields(TypedDict):
    """The keyword arguments of :class:`LoadError`, gathered before the error is built."""

    path: str
    line: int
    column: int
    message: str
    sqlstate: str | None
    detail: str | None
    hint: str | None
    source_line: NotRequired[str | None]
    statement: NotRequired[str | None]
    included_from: NotRequired[tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load did: which layout and files, how many statements, how long, and how."""

    files: tuple[str, ...]
    statements: int
    seconds: float
    skipped_meta: tuple[str, ...] = field(default=())
    layout: str = "plain"
    notes: tuple[str, ...] = field(default=())
    echo: tuple[str, ...] = field(default=())
    # how the all-or-nothing promise is kept: "one transaction" or "fresh database ..."
    atomicity: str = "one transaction"


def sql_files(paths: str | Path | Iterable[str | Path], layout: str | None = None) -> list[Path]:
    """The files a load of ``paths`` runs, in the layout's order (see :mod:`workbench.sources`)."""
    return [s.path for s in resolve(paths, layout).sources]


def load_paths(
    conn: psycopg.Connection,
    paths: str | Path | Iterable[str | Path],
    *,
    backend: str | None = None,
    layout: str | None = None,
    disposable: bool = False,
) -> LoadReport:
    """Load a project folder or files in their layout's order; raise :class:`LoadError` at the first failure.

    ``disposable=True`` says the database is fresh and the caller drops it on failure,
    which lets files that manage their own transactions load (see :func:`load_script`).
    """
    return load_script(conn, expand(resolve(paths, layout)), backend=backend, disposable=disposable)


def load_text(
    conn: psycopg.Connection,
    text: str,
    *,
    path: str = "<sql>",
    backend: str | None = None,
    disposable: bool = False,
) -> LoadReport:
    """Run one SQL text as if it were a file called ``path``."""
    return load_sources(conn, [(path, text)], backend=backend, disposable=disposable)


def load_sources(
    conn: psycopg.Connection,
    sources: Sequence[tuple[str, str]],
    *,
    backend: str | None = None,
    disposable: bool = False,
) -> LoadReport:
    """Run ``(name, text)`` sources in order."""
    plan = Plan("file", tuple(Source(Path(name), name, text) for name, text in sources))
    return load_script(conn, expand(plan), backend=backend, disposable=disposable)


def needs_own_transactions(script: Script, *, folding: bool = False) -> Item | None:
    """The first statement that manages transactions or cannot run inside one, if any.

    With ``folding=True`` only the second kind counts: a file's own ``BEGIN`` / ``COMMIT``
    / ``ROLLBACK`` can be folded into the load's transaction as savepoints.
    """
    for item in script.items:
        if item.kind != "sql":
            continue
        if _NO_TXN_BLOCK.match(item.text) or (not folding and _TXN_CONTROL.match(item.text)):
            return item
    return None


_SAVEPOINT = "wb_file_transaction"


def _folded(item: Item, depth: list[int]) -> list[Item]:
    """A file's transaction control as savepoints inside the load's transaction."""
    m = _TXN_CONTROL.match(item.text)
    if item.kind != "sql" or not m:
        return [item]
    word = m.group(1).split()[0].upper()
    if word in ("BEGIN", "START"):
        depth[0] += 1
        texts = [f"SAVEPOINT {_SAVEPOINT}"]
    elif depth[0] == 0:
        return []  # psql: "there is no transaction in progress", a warning
    elif word in ("COMMIT", "END"):
        depth[0] -= 1
        texts = [f"RELEASE SAVEPOINT {_SAVEPOINT}"]
    else:  # ROLLBACK, ABORT
        depth[0] -= 1
        texts = [f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}", f"RELEASE SAVEPOINT {_SAVEPOINT}"]
    return [dataclasses.replace(item, text=t, segments=((0, item.offset, 0),)) for t in texts]


def load_script(
    conn: psycopg.Connection,
    script: Script,
    *,
    backend: str | None = None,
    disposable: bool = False,
    one_transaction: bool | None = None,
) -> LoadReport:
    """Run an expanded script, all or nothing, in one of two ways.

    * One transaction, rolled back on failure: the default for a database the caller
      keeps (``disposable=False``), and on request (``one_transaction=True``). A file's own
      ``BEGIN`` / ``COMMIT`` / ``ROLLBACK`` become savepoints inside it; a statement that
      cannot run in a transaction block (``CREATE INDEX CONCURRENTLY``, ``VACUUM``, ...)
      is refused unless the database is disposable.
    * Statement by statement, as psql runs them, when the database is fresh and the
      caller drops it on failure (``disposable=True``; :func:`workbench.open` picks this
      when one transaction does not fit): files that manage their own transactions and
      statements that cannot run in a transaction block load as they are, and every lock
      is released at each statement's end (so a large schema needs no bigger lock table);
      it is also 15-20% faster than one long transaction (benchmarks/bench_load.py).
    """
    t0 = time.perf_counter()
    if conn.autocommit:
        raise WorkbenchError(
            "load needs a connection with autocommit off (it runs in one transaction)"
        )
    if one_transaction is None:
        one_transaction = not disposable
    own = needs_own_transactions(script, folding=one_transaction and not disposable)
    if own is not None and not disposable:
        raise LoadError(
            path=own.name, line=own.line, column=own.column, included_from=own.chain,
            message="this statement cannot run inside the load's one transaction",
            hint="Load into a fresh database that is dropped on failure "
                 "(workbench.open / `workbench load` do; load_paths(..., disposable=True)).",
            source_line=_line(own.source, own.line), statement=own.text,
        )  # fmt: skip
    count = 0
    try:
        if own is None and one_transaction:
            depth = [0]
            with conn.transaction():
                for item in script.items:
                    for folded in _folded(item, depth):
                        _execute(conn, folded, backend)
                    count += 1
        else:
            conn.autocommit = True
            for item in script.items:
                _execute(conn, item, backend)
                count += 1
            if conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                begun = next(i for i in reversed(script.items) if _TXN_CONTROL.match(i.text))
                raise LoadError(
                    path=begun.name, line=begun.line, column=begun.column,
                    included_from=begun.chain, source_line=_line(begun.source, begun.line),
                    message="a transaction is still open at the end of the load "
                            "(psql would roll it back when it exits)",
                    hint="End the file's transaction with COMMIT.",
                )  # fmt: skip
    except ExtensionUnavailable as exc:
        exc.hint = _extension_hint(conn, backend, exc.message)
        raise
    finally:
        if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
        if not conn.closed and conn.autocommit:
            conn.autocommit = False
    atomicity = "one transaction"
    if own is not None:
        atomicity = (
            f"fresh database, dropped on failure; statements run as psql runs them "
            f"({own.name}:{own.line} {_first_words(own.text)} cannot run in one transaction)"
        )
    elif not one_transaction:
        atomicity = "fresh database, dropped on failure; statements run as psql runs them"
    return LoadReport(
        tuple(dict.fromkeys(n for n, _ in script.files)),
        count,
        time.perf_counter() - t0,
        tuple(script.skipped_meta),
        script.layout,
        tuple(script.notes),
        tuple(script.echo),
        atomicity,
    )


def _first_words(text: str) -> str:
    return " ".join(text.split()[:4]).rstrip(";")


def _execute(conn: psycopg.Connection, item: Item, backend: str | None) -> None:
    if item.kind == "copy":
        try:
            with conn.cursor() as cur, cur.copy(item.text.rstrip().rstrip(";")) as copy:
                copy.write(item.copy_data)
        except psycopg.Error as exc:
            raise _load_error(conn, exc, item, backend) from None
        return
    # Sent as psql sends it: the simple query protocol (PQexec), no parameters, so '%'
    # needs no escaping and the text reaches the server untouched. It is also faster than
    # the extended protocol for DDL (150 partitioned tables: 6.8/5.8 s vs 7.9/6.8 s).
    pgconn = conn.pgconn
    result = pgconn.exec_(item.text.encode("utf-8"))
    status = result.status
    if status == pq.ExecStatus.FATAL_ERROR:
        error = psycopg.errors.error_from_result(result, encoding=conn.info.encoding)
        raise _load_error(conn, error, item, backend) from None
    if status == pq.ExecStatus.COPY_IN:
        pgconn.put_copy_end(b"COPY FROM STDIN needs its data after the statement")
        while pgconn.get_result() is not None:
            pass
    elif status == pq.ExecStatus.COPY_OUT:
        while pgconn.get_copy_data(0)[0] >= 0:
            pass
        while pgconn.get_result() is not None:
            pass
    if status in (pq.ExecStatus.COPY_IN, pq.ExecStatus.COPY_OUT):
        raise LoadError(
            path=item.name, line=item.line, column=item.column, included_from=item.chain,
            message="COPY to or from the client is not supported here",
            hint="Use COPY ... FROM stdin followed by its data (pg_dump's form) or \\copy ... from 'file'.",
            source_line=_line(item.source, item.line), statement=item.text,
        )  # fmt: skip


def _load_error(
    conn: psycopg.Connection, exc: psycopg.Error, stmt: Item, backend: str | None
) -> LoadError:
    diag = exc.diag
    position = diag.statement_position
    text = stmt.source
    if position:
        line, column = line_col(text, stmt.source_offset(int(position) - 1))
    else:
        line, column = stmt.line, stmt.column
    message = diag.message_primary or str(exc).strip()
    hint = diag.message_hint
    if diag.sqlstate == "55P04":  # unsafe use of new enum value
        hint = (hint or "") + (
            " The load runs in one transaction here; a fresh database loaded statement by "
            "statement (workbench.open without one_transaction, load_paths(..., "
            "disposable=True)) commits each value before the next statement."
        )
    if diag.sqlstate == "53200" and hint and "max_locks_per_transaction" in hint:
        hint += (
            ". The load holds every lock until it commits: pass --set "
            "max_locks_per_transaction=N (settings={...} in workbench.open, or "
            "[tool.workbench.server]) with N larger than now; on an external server ask its admin."
        )
    kwargs = _ErrorFields(
        path=stmt.name, line=line, column=column, message=message, sqlstate=diag.sqlstate,
        detail=diag.message_detail, hint=hint, source_line=_line(text, line),
        statement=stmt.text, included_from=stmt.chain,
    )  # fmt: skip
    if diag.sqlstate == "0A000" and "extension" in message and "is not available" in message:
        return ExtensionUnavailable(**kwargs)  # its hint is completed once the transaction is over
    if not position:
        _point_at_named_object(kwargs, stmt, text)
    if diag.context and not diag.statement_position:
        kwargs["detail"] = "\n".join(
            filter(None, [diag.message_detail, f"CONTEXT: {diag.context}"])
        )
    return LoadError(**kwargs)


def _point_at_named_object(kwargs: _ErrorFields, stmt: Item, text: str) -> None:
    """Errors raised after parsing carry no position; point at the object the message names."""
    match = re.search(r'"([^"]+)"', kwargs["message"])
    if not match:
        return
    name = match.group(1).split(".")[-1]
    found = re.search(
        rf'(?<![\w$"]){re.escape(name)}(?![\w$])|"{re.escape(name)}"', stmt.text, re.IGNORECASE
    )
    if found:
        kwargs["line"], kwargs["column"] = line_col(text, stmt.source_offset(found.start()))
        kwargs["source_line"] = _line(text, kwargs["line"])


def _extension_hint(conn: psycopg.Connection, backend: str | None, message: str = "") -> str:
    try:
        rows = conn.execute("SELECT name FROM pg_available_extensions ORDER BY name").fetchall()
        version = conn.info.parameter_status("server_version") or "?"
        conn.rollback()
        have = ", ".join(r[0] for r in rows)
    except psycopg.Error:
        have, version = "(could not list them)", "?"
    where = (
        f"the {backend} backend (PostgreSQL {version})"
        if backend
        else f"this server (PostgreSQL {version})"
    )
    m = re.search(r'extension "([^"]+)"', message)
    found = system_servers_with_extension(m.group(1)) if m and backend != "system" else []
    elsewhere = (
        f"The system backend has it ({', '.join(found)}): --backend system, or backend='auto'. "
        if found
        else ""
    )
    return (
        f"{where} does not ship this extension. It has: {have}. {elsewhere}Ways out: use another "
        "backend (WORKBENCH_BACKEND=system with the extension's package installed, or "
        "WORKBENCH_DATABASE_URL for a server that has it), or use a core function instead "
        "(gen_random_uuid() for uuid-ossp, for example)."
    )


def system_servers_with_extension(name: str) -> list[str]:
    """The system PostgreSQL installs whose share/extension holds ``name`` (for the hint)."""
    from workbench.server.binaries import system_binaries

    try:
        binaries = system_binaries()
    except WorkbenchError:
        return []
    shares = [binaries.bindir.parent / "share", Path(f"/usr/share/postgresql/{binaries.major}")]
    if any((d / "extension" / f"{name}.control").is_file() for d in shares):
        return [f"PostgreSQL {binaries.version} in {binaries.bindir}"]
    return []


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""

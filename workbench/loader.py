"""Load the schema files of ``sql/`` into a database.

Files run in name order (``001_...sql``, ``002_...sql``) inside one
transaction, so a failure leaves the database exactly as it was. Each
statement is sent on its own so that an error names the file, line and column
(PostgreSQL's position, mapped back into the file), with SQLSTATE, message,
detail and hint. pg_dump output loads too: ``SET`` lines, ``COPY ... FROM
stdin`` blocks, and the ``\\restrict`` lines of recent pg_dump versions. The
loader only reads: it never writes into ``sql/``.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NotRequired, TypedDict

import psycopg

from workbench.errors import ExtensionUnavailable, LoadError, WorkbenchError
from workbench.sqlsplit import Statement, line_col, split_sql

# psql meta-commands that carry no meaning for the schema and are safe to skip.
_IGNORED_META = ("\\restrict", "\\unrestrict", "\\set ON_ERROR_STOP", "\\encoding")


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


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load did: which files, how many statements, how long."""

    files: tuple[str, ...]
    statements: int
    seconds: float
    skipped_meta: tuple[str, ...] = field(default=())


def sql_files(paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Expand directories into their ``*.sql`` files, in name order; keep files as given."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files = sorted(p.glob("*.sql"), key=lambda f: f.name)
            if not files:
                raise WorkbenchError(f"{p} holds no .sql files to load")
            found.extend(files)
        elif p.is_file():
            found.append(p)
        else:
            raise WorkbenchError(
                f"{p} does not exist (expected a directory of .sql files or a file)"
            )
    return found


def load_paths(
    conn: psycopg.Connection,
    paths: str | Path | Iterable[str | Path],
    *,
    backend: str | None = None,
) -> LoadReport:
    """Run every file in one transaction; raise :class:`LoadError` at the first failure."""
    files = sql_files(paths)
    sources = [(_display(f), f.read_text(encoding="utf-8")) for f in files]
    return load_sources(conn, sources, backend=backend)


def load_text(
    conn: psycopg.Connection, text: str, *, path: str = "<sql>", backend: str | None = None
) -> LoadReport:
    """Run one SQL text as if it were a file called ``path``."""
    return load_sources(conn, [(path, text)], backend=backend)


def load_sources(
    conn: psycopg.Connection, sources: Sequence[tuple[str, str]], *, backend: str | None = None
) -> LoadReport:
    """Run ``(name, text)`` sources in order in one transaction."""
    t0 = time.perf_counter()
    count = 0
    skipped: list[str] = []
    if conn.autocommit:
        raise WorkbenchError(
            "load needs a connection with autocommit off (it runs in one transaction)"
        )
    try:
        with conn.transaction():
            for name, text in sources:
                for stmt in split_sql(text):
                    if stmt.kind == "meta":
                        if stmt.text.startswith(_IGNORED_META):
                            skipped.append(f"{name}:{stmt.line}: {stmt.text.split()[0]}")
                            continue
                        raise LoadError(
                            path=name, line=stmt.line, column=stmt.column,
                            message=f"psql meta-command {stmt.text.split()[0]} is not supported",
                            hint="Keep sql/ to plain SQL statements; the workbench runs them itself.",
                            source_line=_line(text, stmt.line),
                        )  # fmt: skip
                    _execute(conn, stmt, name, text, backend)
                    count += 1
    except ExtensionUnavailable as exc:
        exc.hint = _extension_hint(conn, backend)
        raise
    finally:
        if not conn.closed and conn.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            conn.rollback()
    return LoadReport(tuple(n for n, _ in sources), count, time.perf_counter() - t0, tuple(skipped))


def _execute(
    conn: psycopg.Connection, stmt: Statement, name: str, text: str, backend: str | None
) -> None:
    try:
        with conn.cursor() as cur:
            if stmt.kind == "copy":
                with cur.copy(stmt.text.rstrip().rstrip(";")) as copy:
                    copy.write(stmt.copy_data)
            else:
                # Sent with the simple-query protocol semantics psql uses: no parameters,
                # so '%' needs no escaping and the text reaches the server untouched.
                cur.execute(stmt.text.encode("utf-8"), prepare=False)
    except psycopg.Error as exc:
        raise _load_error(conn, exc, stmt, name, text, backend) from None


def _load_error(
    conn: psycopg.Connection,
    exc: psycopg.Error,
    stmt: Statement,
    name: str,
    text: str,
    backend: str | None,
) -> LoadError:
    diag = exc.diag
    position = diag.statement_position
    if position:
        offset = stmt.offset + int(position) - 1
        line, column = line_col(text, offset)
    else:
        line, column = stmt.line, stmt.column
    message = diag.message_primary or str(exc).strip()
    kwargs = _ErrorFields(
        path=name, line=line, column=column, message=message, sqlstate=diag.sqlstate,
        detail=diag.message_detail, hint=diag.message_hint, source_line=_line(text, line),
        statement=stmt.text,
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


def _point_at_named_object(kwargs: _ErrorFields, stmt: Statement, text: str) -> None:
    """Errors raised after parsing carry no position; point at the object the message names."""
    match = re.search(r'"([^"]+)"', kwargs["message"])
    if not match:
        return
    name = match.group(1).split(".")[-1]
    found = re.search(
        rf'(?<![\w$"]){re.escape(name)}(?![\w$])|"{re.escape(name)}"', stmt.text, re.IGNORECASE
    )
    if found:
        kwargs["line"], kwargs["column"] = line_col(text, stmt.offset + found.start())
        kwargs["source_line"] = _line(text, kwargs["line"])


def _extension_hint(conn: psycopg.Connection, backend: str | None) -> str:
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
    return (
        f"{where} does not ship this extension. It has: {have}. Ways out: use another backend "
        "(WORKBENCH_BACKEND=system with the extension's package installed, or "
        "WORKBENCH_DATABASE_URL for a server that has it), or use a core function instead "
        "(gen_random_uuid() for uuid-ossp, for example)."
    )


def _line(text: str, line: int) -> str:
    lines = text.splitlines()
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)

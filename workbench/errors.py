"""Errors the workbench raises.

One base class so callers can catch everything the workbench means to say, and
specific subclasses that carry data (file, line, SQLSTATE, ...) so notebooks and
the CLI can present them well. The library raises; only the CLI turns errors
into exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass


class WorkbenchError(Exception):
    """Base class of every error the workbench raises on purpose."""


class ServerError(WorkbenchError):
    """A disposable server could not be found, started or reached."""


class BinariesNotFound(ServerError):
    """No PostgreSQL binaries were found for the requested backend."""


class ExternalServerError(ServerError):
    """The external server refused what the workbench needs (for example CREATEDB)."""


@dataclass
class SqlLocation:
    """Where a statement or error sits in a source file (1-based line and column)."""

    path: str
    line: int
    column: int


class LoadError(WorkbenchError):
    """A statement in ``sql/`` failed; carries everything needed to fix it.

    Prints as ``sql/020_orders.sql:14:5: ERROR: message`` followed by the
    offending line with a caret, then DETAIL, HINT and SQLSTATE, the form that
    editors and terminals turn into a jump to the right place.
    """

    def __init__(
        self,
        *,
        path: str,
        line: int,
        column: int,
        message: str,
        sqlstate: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
        source_line: str | None = None,
        statement: str | None = None,
        included_from: tuple[str, ...] = (),
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.message = message
        self.sqlstate = sqlstate
        self.detail = detail
        self.hint = hint
        self.source_line = source_line
        self.statement = statement
        self.included_from = tuple(included_from)  # "file:line" of each \\i, outermost first
        super().__init__(self.render())

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def render(self) -> str:
        lines = [f"{self.location}: ERROR: {self.message}"]
        lines += [f"    included from {link}" for link in reversed(self.included_from)]
        if self.source_line is not None:
            shown = self.source_line.rstrip("\n").expandtabs(1)
            lines.append(f"    {shown}")
            lines.append("    " + " " * max(self.column - 1, 0) + "^")
        if self.detail:
            lines.append(f"DETAIL: {self.detail}")
        if self.hint:
            lines.append(f"HINT: {self.hint}")
        if self.sqlstate:
            lines.append(f"SQLSTATE: {self.sqlstate}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()


class ExtensionUnavailable(LoadError):
    """A schema asks for an extension the backend does not ship; the hint lists what it has."""

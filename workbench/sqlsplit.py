"""Split SQL files into statements, keeping where each one starts.

Why not send a whole file in one go: an error then only says "somewhere in
this file", and ``COPY ... FROM stdin`` blocks (as pg_dump writes them) cannot
be sent that way at all. Why not a full parser: statements must go to
PostgreSQL exactly as written, so only the lexical structure matters: quotes,
dollar quotes, comments, parentheses, ``BEGIN ATOMIC ... END`` bodies, psql
meta-commands, and COPY data. This follows psql's own scanner rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_$]*")
_COPY_FROM_STDIN = re.compile(r"^\s*COPY\b.*\bFROM\s+STDIN\b", re.IGNORECASE | re.DOTALL)
_ROUTINE = re.compile(r"^\s*CREATE\s+(OR\s+REPLACE\s+)?(FUNCTION|PROCEDURE)\b", re.IGNORECASE)
# runs the scanner can step over in one go: whitespace, and characters that are never
# the start of a quote, comment, dollar quote, word, parenthesis, semicolon or meta-command
_SPACE = re.compile(r"\s+")
_PLAIN = re.compile(r"[^\s'\"$();\\/\-A-Za-z_\x80-\uffff]+")


@dataclass(frozen=True, slots=True)
class Statement:
    """One statement: its text, its 0-based offset in the source, and 1-based line/column."""

    text: str
    offset: int
    line: int
    column: int
    kind: str = "sql"  # 'sql' | 'copy' (with copy_data) | 'meta' (a psql backslash command)
    copy_data: str = ""


def line_col(source: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a 0-based character offset."""
    line = source.count("\n", 0, offset) + 1
    start = source.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def split_sql(source: str) -> Iterator[Statement]:
    """Yield the statements of ``source`` in order (comments-only stretches yield nothing)."""
    n = len(source)
    i = 0
    start: int | None = None  # offset of the first significant character of the statement
    depth = 0  # parentheses
    begin_depth = 0  # BEGIN ATOMIC / CASE ... END inside CREATE FUNCTION / PROCEDURE
    lines = _LineCounter(source)
    while i < n:
        ch = source[i]
        if ch.isspace():
            i = _SPACE.match(source, i).end()  # type: ignore[union-attr]
            continue
        nxt = source[i + 1] if i + 1 < n else ""
        if ch == "-" and nxt == "-":
            j = source.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if ch == "/" and nxt == "*":
            i = _skip_block_comment(source, i)
            continue
        if start is None:
            start = i
            if ch == "\\":  # a psql meta-command takes the rest of the line
                j = source.find("\n", i)
                end = n if j < 0 else j
                yield _make(lines, start, source[start:end].strip(), "meta")
                start = None
                i = end
                continue
        if ch == "'":
            escape = i > 0 and source[i - 1] in "eE" and (i < 2 or not _is_ident(source[i - 2]))
            i = _skip_quoted(source, i, "'", backslash=escape)
            continue
        if ch == '"':
            i = _skip_quoted(source, i, '"', backslash=False)
            continue
        if ch == "$" and (i == 0 or not _is_ident(source[i - 1])):
            m = _DOLLAR_TAG.match(source, i)
            if m:
                close = source.find(m.group(0), m.end())
                i = n if close < 0 else close + len(m.group(0))
                continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif _is_ident_start(ch) and (i == 0 or not _is_ident(source[i - 1])):
            m = _WORD.match(source, i)
            assert m is not None
            word = m.group(0).upper()
            if word in ("BEGIN", "CASE") and _ROUTINE.match(source[start:i]):
                begin_depth += 1
            elif word == "END" and begin_depth > 0:
                begin_depth -= 1
            i = m.end()
            continue
        elif ch == ";" and depth == 0 and begin_depth == 0:
            text = source[start : i + 1]
            if _COPY_FROM_STDIN.match(text):
                data_start = source.find("\n", i) + 1 if source.find("\n", i) >= 0 else n
                data_end, after = _copy_block(source, data_start)
                yield _make(lines, start, text, "copy", source[data_start:data_end])
                i = after
            else:
                yield _make(lines, start, text, "sql")
                i += 1
            start = None
            begin_depth = 0
            continue
        elif (m := _PLAIN.match(source, i)) is not None:
            i = m.end()
            continue
        i += 1
    if start is not None and source[start:].strip():
        yield _make(lines, start, source[start:].rstrip(), "sql")


class _LineCounter:
    """Line and column of increasing offsets in one pass (``line_col`` from the start is O(n²))."""

    __slots__ = ("line", "offset", "source")

    def __init__(self, source: str) -> None:
        self.source, self.offset, self.line = source, 0, 1

    def at(self, offset: int) -> tuple[int, int]:
        if offset < self.offset:
            return line_col(self.source, offset)
        self.line += self.source.count("\n", self.offset, offset)
        self.offset = offset
        return self.line, offset - self.source.rfind("\n", 0, offset)


def _make(lines: _LineCounter, start: int, text: str, kind: str, data: str = "") -> Statement:
    line, col = lines.at(start)
    return Statement(text, start, line, col, kind, data)


def _is_ident(ch: str) -> bool:
    return ch.isalnum() or ch in "_$"


def _is_ident_start(ch: str) -> bool:
    return ch.isalpha() or ch == "_"


def _skip_block_comment(source: str, i: int) -> int:
    level, i, n = 0, i, len(source)
    while i < n:
        if source.startswith("/*", i):
            level += 1
            i += 2
        elif source.startswith("*/", i):
            level -= 1
            i += 2
            if level == 0:
                return i
        else:
            i += 1
    return n


def _skip_quoted(source: str, i: int, quote: str, *, backslash: bool) -> int:
    i += 1
    n = len(source)
    while i < n:
        ch = source[i]
        if backslash and ch == "\\":
            i += 2
            continue
        if ch == quote:
            if i + 1 < n and source[i + 1] == quote:
                i += 2
                continue
            return i + 1
        i += 1
    return n


def _copy_block(source: str, data_start: int) -> tuple[int, int]:
    r"""End of COPY data (the ``\.`` line) and the offset just after that line."""
    m = re.compile(r"^\\\.[ \t]*$", re.MULTILINE).search(source, data_start)
    if not m:
        return len(source), len(source)
    return m.start(), m.end()

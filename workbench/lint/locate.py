"""Find where an object is defined in the SQL sources, for ``file:line:`` output.

Why scan the sources instead of asking the database: the catalog does not
remember which file or line created an object. Each file is cut into
statements with :func:`workbench.sqlsplit.split_sql` (which knows quoting,
dollar quotes and comments), and the statements that define objects are
recognised by their opening words: CREATE TABLE (plus the line of each column
and named constraint inside it), CREATE INDEX, ALTER TABLE ... ADD
CONSTRAINT / ADD COLUMN, CREATE TRIGGER, CREATE POLICY, CREATE VIEW, CREATE
TYPE, CREATE DOMAIN and CREATE SCHEMA. The first definition wins. Unqualified
names are taken to be in ``public`` (the workbench loads with that
search_path).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from workbench.lint._core import Finding
from workbench.lint.report import Location
from workbench.sqlsplit import split_sql

_ID = r'(?:"(?:[^"]|"")+"|[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*)'
_QNAME = rf"({_ID}(?:\s*\.\s*{_ID})?)"
_FLAGS = re.IGNORECASE | re.DOTALL

_CREATE_TABLE = re.compile(
    rf"CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?{_QNAME}",
    _FLAGS,
)
_CREATE_INDEX = re.compile(
    rf"CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?({_ID})?\s*ON\s+(?:ONLY\s+)?{_QNAME}",
    _FLAGS,
)
_ALTER_TABLE = re.compile(rf"ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?{_QNAME}", _FLAGS)
_ADD_CONSTRAINT = re.compile(rf"\bADD\s+CONSTRAINT\s+({_ID})", _FLAGS)
_ADD_COLUMN = re.compile(rf"\bADD\s+(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?({_ID})", _FLAGS)
_ON_TABLE = {
    "trigger": re.compile(
        rf"CREATE\s+(?:OR\s+REPLACE\s+)?(?:CONSTRAINT\s+)?TRIGGER\s+({_ID}).*?\bON\s+(?:ONLY\s+)?{_QNAME}",
        _FLAGS,
    ),
    "policy": re.compile(rf"CREATE\s+POLICY\s+({_ID})\s+ON\s+{_QNAME}", _FLAGS),
}
_NAMED = {
    "view": re.compile(
        rf"CREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:TEMP|TEMPORARY|RECURSIVE|MATERIALIZED)\s+)*VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?{_QNAME}",
        _FLAGS,
    ),
    "enum": re.compile(rf"CREATE\s+TYPE\s+{_QNAME}", _FLAGS),
    "domain": re.compile(rf"CREATE\s+DOMAIN\s+{_QNAME}", _FLAGS),
    "schema": re.compile(rf"CREATE\s+SCHEMA\s+(?:IF\s+NOT\s+EXISTS\s+)?({_ID})", _FLAGS),
}
# A line inside CREATE TABLE (...) that starts a column or a named constraint.
_BODY_LINE = re.compile(rf"^[ \t]*(?:CONSTRAINT\s+({_ID})|({_ID}))", re.IGNORECASE | re.MULTILINE)
_NOT_COLUMNS = {"constraint", "primary", "unique", "check", "foreign", "exclude", "like"}


def _ident(text: str) -> str:
    text = text.strip()
    if text.startswith('"'):
        return text[1:-1].replace('""', '"')
    return text.lower()


def _qualified(text: str) -> str:
    parts = [_ident(p) for p in re.findall(_ID, text)]
    return ".".join(parts) if len(parts) > 1 else f"public.{parts[0]}"


class Locator:
    """Maps objects to where the SQL sources define them; call it with a :class:`Finding`."""

    def __init__(self, definitions: dict[tuple[str, str], Location]) -> None:
        self.definitions = definitions

    @classmethod
    def from_paths(
        cls, paths: Iterable[str | Path] | str | Path, *, relative_to: str | Path | None = None
    ) -> Locator:
        """Scan ``.sql`` files (directories are read in name order, like the loader does).

        Paths in the locations are relative to ``relative_to`` (default: the current
        directory) when the file lies below it, as editors and code-review tools expect.
        """
        from workbench.loader import sql_files

        base = Path(relative_to or os.getcwd()).resolve()
        defs: dict[tuple[str, str], Location] = {}
        for file in sql_files(paths):
            shown = _display(file, base)
            cls._scan(file.read_text(encoding="utf-8"), shown, defs)
        return cls(defs)

    @classmethod
    def from_text(cls, source: str, path: str = "<sql>") -> Locator:
        defs: dict[tuple[str, str], Location] = {}
        cls._scan(source, path, defs)
        return cls(defs)

    @staticmethod
    def _scan(source: str, path: str, defs: dict[tuple[str, str], Location]) -> None:
        def add(kind: str, name: str, stmt_line: int, text: str, offset: int) -> None:
            line = stmt_line + text.count("\n", 0, offset)
            col = offset - (text.rfind("\n", 0, offset) + 1) + 1
            defs.setdefault((kind, name), Location(path, line, col))

        for stmt in split_sql(source):
            if stmt.kind != "sql":
                continue
            text = stmt.text
            if m := _CREATE_TABLE.match(text):
                table = _qualified(m.group(1))
                add("table", table, stmt.line, text, 0)
                _scan_table_body(text, m.end(), table, stmt.line, add)
            elif m := _CREATE_INDEX.match(text):
                table = _qualified(m.group(2))
                if m.group(1):
                    add(
                        "index",
                        f"{table.partition('.')[0]}.{_ident(m.group(1))}",
                        stmt.line,
                        text,
                        0,
                    )
            elif m := _ALTER_TABLE.match(text):
                table = _qualified(m.group(1))
                for c in _ADD_CONSTRAINT.finditer(text, m.end()):
                    add("constraint", f"{table}.{_ident(c.group(1))}", stmt.line, text, c.start())
                for c in _ADD_COLUMN.finditer(text, m.end()):
                    name = _ident(c.group(1))
                    if name not in (
                        "constraint",
                        "primary",
                        "unique",
                        "check",
                        "foreign",
                        "exclude",
                    ):
                        add("column", f"{table}.{name}", stmt.line, text, c.start())
            else:
                for kind, pattern in _ON_TABLE.items():
                    if m := pattern.match(text):
                        add(
                            kind,
                            f"{_qualified(m.group(2))}.{_ident(m.group(1))}",
                            stmt.line,
                            text,
                            0,
                        )
                        break
                else:
                    for kind, pattern in _NAMED.items():
                        if m := pattern.match(text):
                            name = (
                                _ident(m.group(1)) if kind == "schema" else _qualified(m.group(1))
                            )
                            add(kind, name, stmt.line, text, 0)
                            break

    def __call__(self, finding: Finding) -> Location | None:
        kind = "constraint" if finding.object_kind == "foreign_key" else finding.object_kind
        keys = [(kind, finding.object_name)]
        if kind == "index" and finding.table:
            # An index that backs a constraint is defined by the constraint.
            keys.append(("constraint", f"{finding.table}.{finding.object_name.rpartition('.')[2]}"))
        if finding.table:
            if finding.column:
                keys.append(("column", f"{finding.table}.{finding.column}"))
            keys += [("table", finding.table), ("view", finding.table)]
        for key in keys:
            if key in self.definitions:
                return self.definitions[key]
        return None


def _scan_table_body(text: str, start: int, table: str, stmt_line: int, add) -> None:
    open_paren = text.find("(", start)
    if open_paren < 0 or re.match(r"\s*(PARTITION\s+OF|OF\s)", text[start:], re.IGNORECASE):
        return
    depth = 0
    # Only lines at depth 1 (directly inside the table's parentheses) define columns.
    line_start = open_paren + 1
    i = open_paren
    starts = []
    for i in range(open_paren, len(text)):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                break
        elif ch == "\n" and depth == 1:
            starts.append(i + 1)
    starts.insert(0, line_start)
    for pos in starts:
        m = _BODY_LINE.match(text, pos)
        if not m:
            continue
        if m.group(1):
            add(
                "constraint",
                f"{table}.{_ident(m.group(1))}",
                stmt_line,
                text,
                m.start(1) - len("CONSTRAINT "),
            )
        elif (
            m.group(2)
            and _ident(m.group(2)) not in _NOT_COLUMNS
            and not m.group(2).startswith("--")
        ):
            add("column", f"{table}.{_ident(m.group(2))}", stmt_line, text, m.start(2))


def _display(file: Path, base: Path) -> str:
    resolved = file.resolve()
    try:
        return resolved.relative_to(base).as_posix()
    except ValueError:
        return str(file)

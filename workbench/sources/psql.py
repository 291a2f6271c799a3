r"""psql scripts: expand meta-commands into the ordered statements the loader runs.

Projects replay their schema the way their install script does: ``\ir`` wrappers,
``\set`` variables interpolated as ``:name``, ``:'name'`` and ``:"name"``,
``\if`` on those variables, ``\echo``, ``\connect`` to the database the script
just created. This module does what psql does with them, before anything runs,
so every layout ends as one list of :class:`Item` (file, line, statement) and an
error inside an included file names that file, its line and column, and the
chain of ``\i`` lines that led there.

What psql would do with a meta-command and the workbench does differently is
said in :attr:`Script.notes`: ``\set ON_ERROR_STOP`` is moot (a load always stops
at the first error), ``\pset``/``\timing`` only change psql's display, and
``CREATE DATABASE x`` followed by ``\c x`` builds into the load's own database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import LoadError
from workbench.sources.adapters import Plan, Source, display
from workbench.sqlsplit import Statement, split_sql

# display-only or session settings psql would change; nothing to do for a schema load
_IGNORED = {
    "pset", "timing", "encoding", "restrict", "unrestrict", "a", "t", "x", "H", "f", "C", "T",
    "pager", "setenv", "conninfo", "prompt", "errverbose", "echo_hidden",
}  # fmt: skip
_INCLUDE = {"i": "cwd", "include": "cwd", "ir": "script", "include_relative": "script"}
_ECHO = {"echo", "qecho", "warn"}
_CONDITIONAL = {"if", "elif", "else", "endif"}
_VAR = re.compile(r"[A-Za-z0-9_\x80-\uffff]+")
_CREATE_DB = re.compile(r'^\s*CREATE\s+DATABASE\s+("(?:[^"]|"")+"|[^\s;]+)', re.I)
_DROP_DB = re.compile(r'^\s*DROP\s+DATABASE\s+(?:IF\s+EXISTS\s+)?("(?:[^"]|"")+"|[^\s;]+)', re.I)
_DB_LEVEL = re.compile(r'^\s*(ALTER|COMMENT\s+ON)\s+DATABASE\s+("(?:[^"]|"")+"|[^\s;]+)', re.I)
_COPY = re.compile(
    r"^(?P<target>.+?)\s+(?P<dir>from|to)\s+(?P<file>'(?:[^']|'')*'|\"[^\"]*\"|\S+)(?P<rest>.*)$",
    re.I | re.S,
)
_MAX_DEPTH = 32


@dataclass(frozen=True, slots=True)
class Item:
    """One statement to run, where it came from, and how its text maps back to the file."""

    kind: str  # 'sql' | 'copy'
    text: str
    name: str  # display name of the file it is in
    source: str  # that file's whole text (for the error's line and caret)
    offset: int  # where the statement starts in ``source``
    line: int
    column: int
    chain: tuple[str, ...] = ()  # "file:line" of each \i that led here, outermost first
    copy_data: str = ""
    # (start in text, start in source, length) of literal runs; empty means text == source slice
    segments: tuple[tuple[int, int, int], ...] = ()

    def source_offset(self, pos: int) -> int:
        """Offset in ``source`` of 0-based position ``pos`` of ``text`` (a value maps to its :name)."""
        if not self.segments:
            return self.offset + pos
        t0, s0, length = self.segments[0]
        for seg in self.segments:
            if seg[0] > pos:
                break
            t0, s0, length = seg
        return s0 + min(pos - t0, length)


@dataclass
class Script:
    """A plan expanded: the statements, the files read, and what psql-isms were handled how."""

    layout: str
    items: list[Item] = field(default_factory=list)
    files: list[tuple[str, str]] = field(default_factory=list)  # (name, text) of every file read
    notes: list[str] = field(default_factory=list)
    skipped_meta: list[str] = field(default_factory=list)
    echo: list[str] = field(default_factory=list)
    databases: list[str] = field(default_factory=list)  # created by the script, built as ours
    kept: tuple[Path, ...] = ()


@dataclass
class _Branch:
    active: bool  # statements in the current branch run
    taken: bool  # some branch of this \if already ran
    parent: bool  # the enclosing branch is active
    seen_else: bool = False
    where: str = ""


class _Expander:
    def __init__(self, plan: Plan, variables: dict[str, str] | None) -> None:
        self.script = Script(plan.layout, notes=list(plan.notes), kept=plan.kept)
        self.vars: dict[str, str] = dict(variables or {})
        self.elsewhere: str | None = None  # set by \c to a database that is not ours
        self.quit = False
        self.root_dir = Path.cwd()

    # -- files ------------------------------------------------------------------------
    def file(self, src: Source, chain: tuple[str, ...], stack: tuple[Path, ...]) -> None:
        if self.quit:
            return
        text = src.read()
        self.script.files.append((src.name, text))
        here = src.path.resolve()
        branches: list[_Branch] = []
        for stmt in split_sql(text):
            if self.quit:
                return
            active = all(b.active for b in branches)
            if stmt.kind == "meta":
                self.meta(src, text, stmt, chain, (*stack, here), branches, active)
            elif active:
                self.statement(src, text, stmt, chain)
        if branches:
            raise self.error(
                src, text, None, f"\\if at {branches[-1].where} has no \\endif before the end of the file",
                chain, hint="psql requires \\if ... \\endif to be balanced within one file.",
            )  # fmt: skip

    def include(self, src: Source, text: str, stmt: Statement, arg: str, how: str,
                chain: tuple[str, ...], stack: tuple[Path, ...]) -> None:  # fmt: skip
        target = Path(arg).expanduser()
        if not target.is_absolute():
            base = src.path.parent if how == "script" else Path.cwd()
            candidate = base / target
            if how == "cwd" and not candidate.is_file():
                # psql resolves \i against its working directory: the project's own install
                # script is run from the folder it sits in, so look there too.
                top = stack[0].parent if stack else src.path.parent
                if (top / target).is_file():
                    candidate = top / target
            target = candidate
        if not target.is_file():
            raise self.error(src, text, stmt, f"{arg}: No such file or directory", chain,
                             hint="\\i resolves against the working directory, \\ir against the including file.")  # fmt: skip
        if target.resolve() in stack or len(stack) >= _MAX_DEPTH:
            raise self.error(
                src, text, stmt, f"{arg} includes itself (directly or through others)", chain
            )
        link = f"{src.name}:{stmt.line}"
        self.file(Source(target, display(target)), (*chain, link), stack)

    # -- SQL ------------------------------------------------------------------------------
    def statement(self, src: Source, text: str, stmt: Statement, chain: tuple[str, ...]) -> None:
        body, segments = interpolate(stmt.text, stmt.offset, self.vars)
        where = f"{src.name}:{stmt.line}"
        if m := _CREATE_DB.match(body):
            name = _unquote(m.group(1))
            self.script.databases.append(name)
            self.script.notes.append(
                f"{where}: CREATE DATABASE {name} not run: {name} is the database being built"
            )
            return
        if m := _DROP_DB.match(body):
            self.script.notes.append(f"{where}: DROP DATABASE {_unquote(m.group(1))} not run (the load has its own fresh database)")  # fmt: skip
            return
        if m := _DB_LEVEL.match(body):
            self.script.notes.append(f"{where}: {m.group(1).upper()} DATABASE {_unquote(m.group(2))} not run (database-level, not schema)")  # fmt: skip
            return
        if self.elsewhere is not None:
            raise self.error(src, text, stmt,
                f"this statement would run in database {self.elsewhere!r} (\\connect above), "
                "not in the database being built", chain,
                hint="The workbench builds one database. Connect to the database the script "
                     "creates (CREATE DATABASE x; \\c x), or drop the \\connect line.")  # fmt: skip
        self.script.items.append(
            Item(stmt.kind, body, src.name, text, stmt.offset, stmt.line, stmt.column,
                 chain, stmt.copy_data, segments)
        )  # fmt: skip

    # -- meta-commands -------------------------------------------------------------------
    def meta(self, src: Source, text: str, stmt: Statement, chain: tuple[str, ...],
             stack: tuple[Path, ...], branches: list[_Branch], active: bool) -> None:  # fmt: skip
        m = re.match(r"\\([A-Za-z_?!]+|\S)", stmt.text)
        cmd = m.group(1) if m else ""
        rest = stmt.text[m.end() :] if m else ""
        where = f"{src.name}:{stmt.line}"
        if cmd in _CONDITIONAL:
            self.conditional(src, text, stmt, cmd, rest, branches, chain)
            return
        if not active:
            return
        args = self.args(rest)
        if cmd in _INCLUDE:
            if not args:
                raise self.error(src, text, stmt, f"\\{cmd}: missing required argument", chain)
            self.include(src, text, stmt, args[0], _INCLUDE[cmd], chain, stack)
        elif cmd == "set":
            if args and args[0] == "ON_ERROR_STOP":
                self.script.skipped_meta.append(f"{where}: \\set ON_ERROR_STOP (a load always stops at the first error)")  # fmt: skip
            if args:
                self.vars[args[0]] = "".join(args[1:])
        elif cmd == "unset":
            if args and args[0] == "ON_ERROR_STOP":
                self.script.notes.append(f"{where}: \\unset ON_ERROR_STOP ignored: the load still stops at the first error")  # fmt: skip
            for a in args[:1]:
                self.vars.pop(a, None)
        elif cmd in _ECHO:
            words = args[1:] if args[:1] == ["-n"] else args
            self.script.echo.append(" ".join(words))
        elif cmd in ("c", "connect"):
            self.connect(src, text, stmt, args, chain)
        elif cmd == "copy":
            self.copy(src, text, stmt, rest, chain)
        elif cmd == "q" or cmd == "quit":
            self.quit = True
            self.script.notes.append(f"{where}: \\q: the rest of the script is not run, as in psql")
        elif cmd in _IGNORED:
            self.script.skipped_meta.append(f"{where}: \\{cmd}")
        else:
            raise self.error(src, text, stmt, f"psql meta-command \\{cmd} is not supported", chain,
                hint="Supported: \\i \\ir \\include_relative \\set \\unset \\if \\elif \\else \\endif "
                     "\\echo \\qecho \\connect \\copy ... from 'file' \\q; display settings "
                     "(\\pset, \\timing, ...) are skipped.")  # fmt: skip

    def conditional(self, src: Source, text: str, stmt: Statement, cmd: str, rest: str,
                    branches: list[_Branch], chain: tuple[str, ...]) -> None:  # fmt: skip
        where = f"{src.name}:{stmt.line}"
        if cmd == "if":
            parent = all(b.active for b in branches)
            value = self.boolean(src, text, stmt, rest, chain) if parent else False
            branches.append(_Branch(parent and value, parent and value, parent, where=where))
            return
        if not branches:
            raise self.error(src, text, stmt, f"\\{cmd}: no matching \\if", chain)
        b = branches[-1]
        if cmd == "endif":
            branches.pop()
        elif b.seen_else:
            raise self.error(src, text, stmt, f"\\{cmd}: cannot occur after \\else", chain)
        elif cmd == "elif":
            value = (
                self.boolean(src, text, stmt, rest, chain) if b.parent and not b.taken else False
            )
            b.active = b.parent and not b.taken and value
            b.taken = b.taken or b.active
        else:  # else
            b.seen_else = True
            b.active = b.parent and not b.taken
            b.taken = True

    def boolean(self, src: Source, text: str, stmt: Statement, rest: str, chain: tuple[str, ...]) -> bool:  # fmt: skip
        words = self.args(rest)
        value = " ".join(words).strip().lower()
        for truth, spellings in (
            (True, ("true", "yes", "on", "1")),
            (False, ("false", "no", "off", "0")),
        ):
            if value and any(s.startswith(value) for s in spellings) and value not in ("o",):
                return truth
        raise self.error(src, text, stmt,
                         f'unrecognized value "{value}" for "\\if expression": Boolean expected', chain)  # fmt: skip

    def connect(self, src: Source, text: str, stmt: Statement, args: list[str], chain: tuple[str, ...]) -> None:  # fmt: skip
        where = f"{src.name}:{stmt.line}"
        words = [a for a in args if not a.startswith("-reuse-previous")]
        target = words[0] if words else "-"
        if "=" in target:  # a conninfo string
            m = re.search(r"dbname\s*=\s*('(?:[^']|\\')*'|\S+)", target)
            target = m.group(1).strip("'") if m else "-"
        if target == "-" or target in self.script.databases:
            if target != "-":
                self.script.notes.append(f"{where}: \\connect {target}: built into the load's own database")  # fmt: skip
            self.elsewhere = None
        else:
            self.elsewhere = target
            self.script.notes.append(f"{where}: \\connect {target}: statements are not expected until the script connects to a database it creates")  # fmt: skip

    def copy(
        self, src: Source, text: str, stmt: Statement, rest: str, chain: tuple[str, ...]
    ) -> None:
        body, _ = interpolate(rest.strip(), 0, self.vars)
        m = _COPY.match(body)
        if not m:
            raise self.error(src, text, stmt, "\\copy: parse error (expected \\copy table from 'file')", chain)  # fmt: skip
        if m["dir"].lower() == "to":
            self.script.skipped_meta.append(
                f"{src.name}:{stmt.line}: \\copy ... to (writes a file)"
            )
            return
        filename = _unquote(m["file"], "'") if m["file"].startswith("'") else _unquote(m["file"])
        if filename.lower() in ("stdin", "pstdin"):
            raise self.error(src, text, stmt, "\\copy ... from stdin in a script is not supported", chain,
                             hint="Use COPY ... FROM stdin (pg_dump's form) or \\copy ... from 'file'.")  # fmt: skip
        path = Path(filename).expanduser()
        if not path.is_absolute():
            # psql resolves against its working directory; a script run from its own folder
            # (the usual way) sees the same file, so the script's folder comes first.
            path = next((p for p in (src.path.parent / path, Path.cwd() / path) if p.is_file()), src.path.parent / path)  # fmt: skip
        if not path.is_file():
            raise self.error(src, text, stmt, f"{filename}: No such file or directory", chain)
        data = path.read_text(encoding="utf-8")
        self.script.files.append((display(path), data))
        copy_sql = f"COPY {m['target']} FROM STDIN{m['rest'].rstrip().rstrip(';')}"
        self.script.items.append(
            Item("copy", copy_sql, src.name, text, stmt.offset, stmt.line, stmt.column, chain, data,
                 ((0, stmt.offset, 0),))
        )  # fmt: skip

    def args(self, rest: str) -> list[str]:
        """psql's argument rules: words, 'quoted' (with '' and \\ escapes), "quoted", :vars."""
        out: list[str] = []
        i, n = 0, len(rest)
        while i < n:
            while i < n and rest[i].isspace():
                i += 1
            if i >= n or rest.startswith("\\\\", i):
                break
            word = []
            while i < n and not rest[i].isspace():
                ch = rest[i]
                if ch == "'":
                    j = i + 1
                    buf = []
                    while j < n:
                        if rest[j] == "'" and rest[j + 1 : j + 2] == "'":
                            buf.append("'")
                            j += 2
                        elif rest[j] == "'":
                            break
                        elif rest[j] == "\\" and j + 1 < n:
                            buf.append({"n": "\n", "t": "\t"}.get(rest[j + 1], rest[j + 1]))
                            j += 2
                        else:
                            buf.append(rest[j])
                            j += 1
                    word.append("".join(buf))
                    i = j + 1
                elif ch == '"':
                    j = rest.find('"', i + 1)
                    j = n if j < 0 else j
                    word.append(rest[i : j + 1])
                    i = j + 1
                elif ch == ":" and (sub := _var_ref(rest, i, self.vars)):
                    value, end = sub
                    word.append(value)
                    i = end
                else:
                    word.append(ch)
                    i += 1
            out.append("".join(word))
        return out

    def error(self, src: Source, text: str, stmt: Statement | None, message: str,
              chain: tuple[str, ...], hint: str | None = None) -> LoadError:  # fmt: skip
        line, col = (stmt.line, stmt.column) if stmt else (text.count("\n") + 1, 1)
        lines = text.splitlines()
        return LoadError(
            path=src.name, line=line, column=col, message=message, hint=hint,
            source_line=lines[line - 1] if 0 < line <= len(lines) else "", included_from=chain,
        )  # fmt: skip


def _var_ref(s: str, i: int, variables: dict[str, str]) -> tuple[str, int] | None:
    """The value of a ``:name`` / ``:'name'`` / ``:"name"`` / ``:{?name}`` at ``s[i]``, and its end."""
    if s.startswith(":{?", i):
        j = s.find("}", i)
        if j > 0 and _VAR.fullmatch(s[i + 3 : j]):
            return ("TRUE" if s[i + 3 : j] in variables else "FALSE"), j + 1
        return None
    q = s[i + 1 : i + 2]
    if q in ("'", '"'):
        m = _VAR.match(s, i + 2)
        if m and s[m.end() : m.end() + 1] == q and m.group(0) in variables:
            v = variables[m.group(0)]
            if q == '"':
                return '"' + v.replace('"', '""') + '"', m.end() + 1
            if "\\" in v:  # PQescapeLiteral's form
                return " E'" + v.replace("\\", "\\\\").replace("'", "''") + "'", m.end() + 1
            return "'" + v.replace("'", "''") + "'", m.end() + 1
        return None
    m = _VAR.match(s, i + 1)
    if m and m.group(0) in variables:
        return variables[m.group(0)], m.end()
    return None


def interpolate(text: str, offset: int, variables: dict[str, str]) -> tuple[str, tuple[tuple[int, int, int], ...]]:  # fmt: skip
    """Substitute psql variables outside quotes, comments and ``::`` casts, as psql's lexer does.

    Returns the new text and its literal segments (empty when nothing changed).
    """
    if not variables or ":" not in text:
        return text, ()
    out: list[str] = []
    segments: list[tuple[int, int, int]] = []
    pos = 0  # length of ``out`` so far
    last = 0  # start of the current literal run in ``text``
    for i, end, value in _references(text, variables):
        segments.append((pos, offset + last, i - last))
        out.append(text[last:i])
        pos += i - last
        out.append(value)
        segments.append((pos, offset + i, 0))
        pos += len(value)
        last = end
    if not segments:
        return text, ()
    segments.append((pos, offset + last, len(text) - last))
    out.append(text[last:])
    return "".join(out), tuple(segments)


def _references(text: str, variables: dict[str, str]) -> Iterator[tuple[int, int, str]]:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1 : i + 2]
        if ch == "-" and nxt == "-":
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif ch == "/" and nxt == "*":
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        elif ch in "'\"":
            j = i + 1
            escape = ch == "'" and i > 0 and text[i - 1] in "eE"
            while j < n:
                if escape and text[j] == "\\":
                    j += 2
                    continue
                if text[j] == ch:
                    if text[j + 1 : j + 2] == ch:
                        j += 2
                        continue
                    break
                j += 1
            i = j + 1
        elif ch == "$" and (m := re.match(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$", text[i:])) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):  # fmt: skip
            close = text.find(m.group(0), i + len(m.group(0)))
            i = n if close < 0 else close + len(m.group(0))
        elif ch == ":" and nxt == ":":
            i += 2
        elif ch == ":" and (sub := _var_ref(text, i, variables)):
            value, end = sub
            yield i, end, value
            i = end
        else:
            i += 1


def _unquote(name: str, quote: str = '"') -> str:
    if len(name) >= 2 and name[0] == quote and name[-1] == quote:
        return name[1:-1].replace(quote * 2, quote)
    return name.rstrip(";")


def expand(plan: Plan, variables: dict[str, str] | None = None) -> Script:
    """Every statement of the plan, in order, with psql's meta-commands carried out."""
    ex = _Expander(plan, variables)
    for src in plan.sources:
        ex.file(src, (), ())
    if ex.script.databases:
        ex.script.notes.append(
            f"the script's own database {', '.join(dict.fromkeys(ex.script.databases))} is the "
            "database being built"
        )
    return ex.script


def expand_text(text: str, name: str = "<sql>") -> Script:
    """Expand one SQL text as if it were a file called ``name``."""
    return expand(Plan("file", (Source(Path(name), name, text),)))

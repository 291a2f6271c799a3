"""One adapter per migration tool: a project folder in, an ordered :class:`Plan` out.

Each adapter follows its tool's documented order, so the schema the workbench
builds is the one the tool would build on an empty database:

* ``plain``: ``*.sql`` in natural order (``9_`` before ``10_``).
* ``flyway``: ``V<version>__*.sql`` by version (dots and underscores both separate
  parts, compared numerically, so ``V1.10`` follows ``V1.9``), then the repeatable
  ``R__*.sql`` by description; undo scripts ``U<version>__`` are not applied.
* ``migrate`` (golang-migrate; also Diesel's ``<version>/up.sql``): ``*.up.sql`` by
  version; ``*.down.sql`` are kept in ``Plan.kept`` for downgrade checks, not loaded.
* ``dbmate``, ``goose``, ``sql-migrate``: files with up and down sections; only the up
  section is loaded (the rest becomes blank lines, so line numbers stay true).
* ``prisma``: ``migrations/<timestamp>_<name>/migration.sql`` in folder order.
* ``sqitch``: ``sqitch.plan`` order, ``deploy/<change>.sql``; a reworked change's
  earlier instances use ``deploy/<change>@<tag>.sql``, as ``sqitch rework`` names them.
* ``supabase``: ``supabase/migrations/<timestamp>_<name>.sql`` in name order.
* ``rails``: ``db/structure.sql`` (a pg_dump file).
* ``pg_dump``: a plain-format pg_dump file; ``file``: any one SQL or psql script.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import WorkbenchError

# Extensions people give SQL files that a folder load does not pick up on its own.
_LOOKS_LIKE_SQL = re.compile(r"\.(sql\.[A-Za-z0-9]+|ddl|ri|psql|pgsql|plsql|pgdump)$", re.I)
_FLYWAY = re.compile(r"^(?P<kind>[VUR])(?P<version>\d+(?:[._]\d+)*)?__(?P<desc>.+)\.sql$")
_MIGRATE = re.compile(r"^(?P<version>\d+)_(?P<name>.*)\.(?P<dir>up|down)\.sql$")
_PG_DUMP_HEADER = re.compile(r"^--\s*PostgreSQL database dump", re.M)
# (tool, up marker, down marker): files whose up and down migrations are sections of one file
_SECTIONS = (
    ("dbmate", re.compile(r"^--\s*migrate:up\b.*$", re.M), re.compile(r"^--\s*migrate:down\b", re.M)),
    ("goose", re.compile(r"^--\s*\+goose\s+Up\b.*$", re.M | re.I), re.compile(r"^--\s*\+goose\s+Down\b", re.M | re.I)),
    ("sql-migrate", re.compile(r"^--\s*\+migrate\s+Up\b.*$", re.M), re.compile(r"^--\s*\+migrate\s+Down\b", re.M)),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Source:
    """One file to load, in plan order; ``text`` overrides the file's text (an up section)."""

    path: Path
    name: str
    text: str | None = None

    def read(self) -> str:
        return self.text if self.text is not None else _read(self.path)


@dataclass(frozen=True, slots=True)
class Plan:
    """What a layout adapter found: the files to run, in order, and what it left out and why."""

    layout: str
    sources: tuple[Source, ...]
    notes: tuple[str, ...] = ()
    kept: tuple[Path, ...] = field(default=())  # down migrations: for downgrade checks only

    @property
    def files(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sources)


def natural_key(name: str) -> tuple:
    """Sort key that compares digit runs as numbers: ``9_a.sql`` < ``10_a.sql``."""
    parts = re.split(r"(\d+)", name)
    return (tuple(int(p) if i % 2 else p.lower() for i, p in enumerate(parts)), name)


def display(path: Path) -> str:
    """A path as the user would type it: relative to the working directory when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        if path.read_bytes()[:5] == b"PGDMP":
            raise WorkbenchError(
                f"{path} is a pg_dump archive in custom format; write a plain SQL file with "
                f"`pg_restore --schema-only -f schema.sql {path}` and load that"
            ) from None
        raise WorkbenchError(
            f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None


def _sources(files: Iterable[Path]) -> tuple[Source, ...]:
    return tuple(Source(f, display(f)) for f in files)


def _ignored_note(folder: Path, files: Iterable[Path] | None = None) -> list[str]:
    odd = sorted(
        (f for f in (files if files is not None else folder.iterdir()) if f.is_file()),
        key=lambda f: natural_key(f.name),
    )
    odd = [f for f in odd if _LOOKS_LIKE_SQL.search(f.name)]
    if not odd:
        return []
    names = ", ".join(f.name for f in odd[:6]) + (", ..." if len(odd) > 6 else "")
    return [
        f"ignored {len(odd)} file(s) in {display(folder)} not named *.sql: {names} "
        "(name them explicitly, or in [tool.workbench] sources, to load them)"
    ]


# -- adapters -------------------------------------------------------------------------------
def plain(folder: Path) -> Plan:
    files = sorted(folder.glob("*.sql"), key=lambda f: natural_key(f.name))
    if not files:
        raise WorkbenchError(f"{folder} holds no .sql files to load" + _hint_for(folder))
    return Plan("plain", _sources(files), tuple(_ignored_note(folder)))


def flyway(folder: Path) -> Plan:
    root = _flyway_dir(folder) or folder
    versioned: list[tuple[tuple[int, ...], Path]] = []
    repeatable: list[tuple[str, Path]] = []
    undo: list[Path] = []
    other: list[Path] = []
    for f in sorted(root.rglob("*.sql")):
        m = _FLYWAY.match(f.name)
        if not m:
            other.append(f)
        elif m["kind"] == "V" and m["version"]:
            versioned.append((_version(m["version"]), f))
        elif m["kind"] == "R" and not m["version"]:
            repeatable.append((m["desc"], f))
        elif m["kind"] == "U":
            undo.append(f)
        else:
            other.append(f)
    seen: dict[tuple[int, ...], Path] = {}
    for v, f in versioned:
        if v in seen:
            raise WorkbenchError(
                f"Flyway: {seen[v].name} and {f.name} have the same version "
                f"({'.'.join(map(str, v)) or '0'}); Flyway refuses that too"
            )
        seen[v] = f
    files = [f for _, f in sorted(versioned)] + [f for _, f in sorted(repeatable)]
    if not files:
        raise WorkbenchError(
            f"{display(root)} holds no Flyway migrations (V<version>__<name>.sql, R__<name>.sql)"
        )
    notes = [f"{len(versioned)} versioned, {len(repeatable)} repeatable (R__, applied last)"]
    if undo:
        notes.append(f"{len(undo)} undo script(s) (U__) not applied")
    if other:
        notes.append(
            f"ignored {len(other)} .sql file(s) not named as Flyway migrations: "
            + ", ".join(f.name for f in other[:6])
        )
    notes += _ignored_note(root, [p for p in root.rglob("*") if p.is_file()])
    return Plan("flyway", _sources(files), tuple(notes), tuple(undo))


def migrate(folder: Path) -> Plan:
    ups: list[tuple[int, Path]] = []
    downs: list[Path] = []
    for f in folder.iterdir():
        m = _MIGRATE.match(f.name)
        if m and m["dir"] == "up":
            ups.append((int(m["version"]), f))
        elif m:
            downs.append(f)
    for d in sorted(p for p in folder.iterdir() if (p / "up.sql").is_file()):  # Diesel
        ups.append((int(re.sub(r"\D.*", "", d.name) or 0), d / "up.sql"))
        if (d / "down.sql").is_file():
            downs.append(d / "down.sql")
    versions = [v for v, _ in ups]
    dup = {v for v in versions if versions.count(v) > 1}
    if dup:
        raise WorkbenchError(
            f"golang-migrate: more than one up migration has version {min(dup)} in {display(folder)}"
        )
    files = [f for _, f in sorted(ups)]
    if not files:
        raise WorkbenchError(f"{display(folder)} holds no up migrations (<version>_<name>.up.sql)")
    notes = [f"{len(files)} up migration(s) in version order"]
    if downs:
        notes.append(f"{len(downs)} down migration(s) kept for downgrade checks, not loaded")
    return Plan("migrate", _sources(files), tuple(notes), tuple(sorted(downs)))


def sectioned(folder: Path, tool: str | None = None) -> Plan:
    """dbmate / goose / sql-migrate: load the up section of each file, in version order."""
    files = sorted(folder.glob("*.sql"), key=lambda f: natural_key(f.name))
    sources: list[Source] = []
    found_tool = tool
    for f in files:
        text = _read(f)
        for name, up, down in _SECTIONS:
            if tool not in (None, name):
                continue
            m = up.search(text)
            if m:
                found_tool = found_tool or name
                sources.append(Source(f, display(f), _up_section(text, m, down)))
                break
        else:
            raise WorkbenchError(
                f"{display(f)} has no {'-- migrate:up' if (tool or found_tool) in (None, 'dbmate') else 'up'} "
                f"section, which {tool or found_tool or 'dbmate'} needs"
            )
    if not sources:
        raise WorkbenchError(f"{folder} holds no .sql migrations")
    notes = [f"{len(sources)} migration(s), up sections only (down sections not loaded)"]
    return Plan(found_tool or "dbmate", tuple(sources), tuple(notes + _ignored_note(folder)))


def _up_section(text: str, up: re.Match[str], down: re.Pattern[str]) -> str:
    """The up section, with everything else blanked so lines keep their numbers."""
    start = text.find("\n", up.end())
    start = len(text) if start < 0 else start + 1
    d = down.search(text, start)
    end = d.start() if d else len(text)
    return _blank(text[:start]) + text[start:end] + _blank(text[end:])


def _blank(text: str) -> str:
    return "\n" * text.count("\n")


def prisma(folder: Path) -> Plan:
    root = next(
        (d for d in (folder / "prisma" / "migrations", folder / "migrations", folder) if _prisma_dir(d)),
        None,
    )  # fmt: skip
    if root is None:
        raise WorkbenchError(f"{folder} holds no Prisma migrations (<folder>/migration.sql)")
    files = [
        d / "migration.sql"
        for d in sorted(root.iterdir(), key=lambda p: p.name)
        if (d / "migration.sql").is_file()
    ]
    return Plan("prisma", _sources(files), (f"{len(files)} migration(s) in folder order",))


def sqitch(folder: Path) -> Plan:
    plan_file = folder / "sqitch.plan"
    top, deploy_dir = folder, "deploy"
    conf = folder / "sqitch.conf"
    if conf.is_file():
        text = conf.read_text(encoding="utf-8")
        if m := re.search(r"^\s*top_dir\s*=\s*(\S+)", text, re.M):
            top = folder / m.group(1).strip("\"'")
        if m := re.search(r"^\s*plan_file\s*=\s*(\S+)", text, re.M):
            plan_file = folder / m.group(1).strip("\"'")
        if m := re.search(r"^\s*deploy_dir\s*=\s*(\S+)", text, re.M):
            deploy_dir = m.group(1).strip("\"'")
    if not plan_file.is_file() and (top / "sqitch.plan").is_file():
        plan_file = top / "sqitch.plan"
    events: list[tuple[str, str, int]] = []  # ('change' | 'tag', name, line)
    for n, raw in enumerate(plan_file.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line or line.startswith("%"):
            continue
        word = line.split()[0]
        if word.startswith("@"):
            events.append(("tag", word[1:], n))
        elif word in ("+", "-"):
            events.append(("change", line.split()[1], n))
        else:
            events.append(("change", word.lstrip("+"), n))
    deploy = top / deploy_dir
    files: list[Path] = []
    for i, (kind, name, n) in enumerate(events):
        if kind != "change":
            continue
        later = next(
            (j for j in range(i + 1, len(events)) if events[j][:2] == ("change", name)), None
        )
        if later is None:
            path = deploy / f"{name}.sql"
        else:  # an earlier instance of a reworked change: deploy/<name>@<tag>.sql
            tags = [t for k, t, _ in events[i + 1 : later] if k == "tag"]
            path = next(
                (deploy / f"{name}@{t}.sql" for t in tags if (deploy / f"{name}@{t}.sql").is_file()),
                deploy / f"{name}@{tags[0] if tags else '?'}.sql",
            )  # fmt: skip
        if not path.is_file():
            raise WorkbenchError(
                f"{display(plan_file)}:{n}: change {name!r} has no deploy script {display(path)}"
            )
        files.append(path)
    if not files:
        raise WorkbenchError(f"{display(plan_file)} names no changes to deploy")
    return Plan("sqitch", _sources(files), (f"{len(files)} change(s) in sqitch.plan order",))


def supabase(folder: Path) -> Plan:
    root = _supabase_dir(folder)
    if root is None:
        raise WorkbenchError(f"{folder} holds no supabase/migrations folder")
    files = sorted(root.glob("*.sql"), key=lambda f: f.name)
    if not files:
        raise WorkbenchError(f"{display(root)} holds no .sql migrations")
    notes = [f"{len(files)} migration(s) in timestamp order"]
    if (root.parent / "seed.sql").is_file():
        notes.append(f"{display(root.parent / 'seed.sql')} is data, not loaded")
    return Plan("supabase", _sources(files), tuple(notes + _ignored_note(root)))


def rails(path: Path) -> Plan:
    f = path / "db" / "structure.sql" if path.is_dir() else path
    if not f.is_file():
        if path.is_dir() and (path / "db" / "schema.rb").is_file():
            raise WorkbenchError(
                f"{display(path / 'db' / 'schema.rb')} is Ruby; set "
                "config.active_record.schema_format = :sql to get db/structure.sql, and load that"
            )
        raise WorkbenchError(f"{path} holds no db/structure.sql")
    return Plan("rails", _sources([f]))


def single_file(path: Path, layout: str | None = None) -> Plan:
    if layout is None:
        head = _read(path)[:4000]
        layout = "pg_dump" if _PG_DUMP_HEADER.search(head) else "file"
        if path.name == "structure.sql" and path.parent.name == "db":
            layout = "rails"
    return Plan(layout, _sources([path]))


LAYOUTS: dict[str, Callable[[Path], Plan]] = {
    "plain": plain,
    "flyway": flyway,
    "migrate": migrate,
    "dbmate": lambda p: sectioned(p, "dbmate"),
    "goose": lambda p: sectioned(p, "goose"),
    "sql-migrate": lambda p: sectioned(p, "sql-migrate"),
    "prisma": prisma,
    "sqitch": sqitch,
    "supabase": supabase,
    "rails": rails,
    "pg_dump": lambda p: single_file(p, "pg_dump"),
    "file": lambda p: single_file(p, "file"),
}
_ALIASES = {
    "golang-migrate": "migrate",
    "diesel": "migrate",
    "pgdump": "pg_dump",
    "folder": "plain",
}


# -- detection ------------------------------------------------------------------------------
def _version(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in re.split(r"[._]", text)]
    while len(parts) > 1 and parts[-1] == 0:  # Flyway: 1.0 is 1
        parts.pop()
    return tuple(parts)


def _flyway_dir(folder: Path) -> Path | None:
    for d in (folder, folder / "db" / "migration", folder / "src" / "main" / "resources" / "db" / "migration", folder / "sql"):  # fmt: skip
        if d.is_dir() and any(_FLYWAY.match(f.name) for f in d.iterdir()):
            return d
    return None


def _prisma_dir(d: Path) -> bool:
    return d.is_dir() and any((c / "migration.sql").is_file() for c in d.iterdir() if c.is_dir())


def _supabase_dir(folder: Path) -> Path | None:
    for d in (folder / "supabase" / "migrations", folder / "migrations"):
        if d.is_dir() and (d.parent.name == "supabase" or d.parent == folder / "supabase"):
            return d
    if folder.name == "migrations" and folder.parent.name == "supabase":
        return folder
    return None


def _sectioned_dir(folder: Path) -> Path | None:
    for d in (folder, folder / "db" / "migrations", folder / "migrations"):
        if not d.is_dir():
            continue
        files = list(d.glob("*.sql"))
        if files and all(any(up.search(_read(f)) for _, up, _ in _SECTIONS) for f in files[:20]):
            return d
    return None


def detect(folder: Path) -> tuple[str, Path]:
    """Which layout a folder is in, and the folder its adapter should read."""
    if (folder / "sqitch.plan").is_file() or (folder / "sqitch.conf").is_file():
        return "sqitch", folder
    if _supabase_dir(folder):
        return "supabase", folder
    if any(
        _prisma_dir(d) for d in (folder / "prisma" / "migrations", folder / "migrations", folder)
    ):
        return "prisma", folder
    if (folder / "db" / "structure.sql").is_file():
        return "rails", folder
    if d := _flyway_dir(folder):
        return "flyway", d
    for d in (folder, folder / "migrations", folder / "db" / "migrations"):
        if d.is_dir() and (any(d.glob("*.up.sql")) or any((c / "up.sql").is_file() for c in d.iterdir() if c.is_dir())):  # fmt: skip
            return "migrate", d
    if d := _sectioned_dir(folder):
        return "sections", d
    return "plain", folder


def _hint_for(folder: Path) -> str:
    subs = sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    return (
        f" (it has folders {', '.join(subs[:5])}; pass one with --sql, or name a --layout)"
        if subs
        else ""
    )


def resolve_one(path: Path, layout: str | None = None) -> Plan:
    if layout is not None:
        layout = _ALIASES.get(layout, layout)
        if layout not in LAYOUTS:
            raise WorkbenchError(f"unknown layout {layout!r}; choose one of {', '.join(LAYOUTS)}")
    if not path.exists():
        raise WorkbenchError(
            f"{path} does not exist (expected a directory of .sql files or a file)"
        )
    if path.is_file():
        if layout in (None, "pg_dump", "file", "rails"):
            return single_file(path, layout)
        if layout in ("dbmate", "goose", "sql-migrate"):
            text = _read(path)
            for name, up, down in _SECTIONS:
                if name == layout and (m := up.search(text)):
                    return Plan(layout, (Source(path, display(path), _up_section(text, m, down)),))
            raise WorkbenchError(f"{display(path)} has no {layout} up section")
        raise WorkbenchError(f"--layout {layout} needs a folder, and {display(path)} is a file")
    if layout is not None:
        return LAYOUTS[layout](path)
    found, where = detect(path)
    if found == "sections":
        return sectioned(where)
    return LAYOUTS[found](where)


def resolve(paths: str | Path | Iterable[str | Path], layout: str | None = None) -> Plan:
    """The plan for one path (a project folder or a file) or several, in the order given."""
    if isinstance(paths, (str, Path)):
        return resolve_one(Path(paths), layout)
    plans = [resolve_one(Path(p), layout) for p in paths]
    if not plans:
        return Plan(layout or "plain", ())
    if len(plans) == 1:
        return plans[0]
    names = list(dict.fromkeys(p.layout for p in plans))
    return Plan(
        names[0] if len(names) == 1 else "+".join(names),
        tuple(s for p in plans for s in p.sources),
        tuple(n for p in plans for n in p.notes),
        tuple(k for p in plans for k in p.kept),
    )

"""The schema document (``schema.md``), filled in from the live schema in the shared template's shape.

Why generated: ``docs/schema-doc-template.md`` is written by hand for every
database and goes stale the day after. Here every section the database can
answer is rendered from the model, in the template's order, headings and
style, and nothing is left as a ``{{placeholder}}``.

The renderer is pure: :func:`render_markdown` reads the model, the
:class:`DocOptions` (project name, owner, date, ...) and a :class:`DocExtras`
bundle holding everything that needs a database or another exporter (example
rows, the seed script, RLS demonstrations, the Alembic revision, ``models.py``,
the Mermaid diagram, the server version). :func:`workbench.export.doc_collect.collect_doc_extras`
gathers those; without them the document still renders, and says which parts
need ``workbench export``. That split is what makes the golden test possible.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.export._sample import table_order
from workbench.export._sql import quote_ident, sql_name
from workbench.export.result import ArtifactFailure
from workbench.export.rls_demo import RlsDemo
from workbench.model import Column, Enum, ForeignKey, Schema, Table
from workbench.relations import check_enums, junction_tables, relationships

#: Columns whose name suggests secrets or personal data (Security section).
SENSITIVE = re.compile(
    r"pass(word)?|pwd|token|secret|api_?key|private|salt|hash|otp|ssn|credit|card|iban|"
    r"email|phone|birth|address|ip_address",
    re.IGNORECASE,
)
_SECRET = re.compile(r"pass(word)?|pwd|token|secret|api_?key|private|salt|hash|otp", re.I)


@dataclass(frozen=True, slots=True)
class DocOptions:
    """What the database cannot know about itself (front matter and overview)."""

    project_name: str = "Schema Workbench project"
    owner: str = "Data team"
    status: str = "draft"
    version: str = "1.0.0"
    date: str = "1970-01-01"  # pass the real date; tests pass a fixed one
    hosting: str = "Disposable PostgreSQL (Schema Workbench)"
    diagram_svg: str | None = "er.svg"  # file name of the SVG beside schema.md
    diagram_html: str | None = "er.html"  # the interactive diagram beside schema.md
    migrations_dir: str = "migrations"


@dataclass(frozen=True, slots=True)
class ChangelogEntry:
    version: str
    date: str
    changes: str
    author: str


@dataclass(frozen=True, slots=True)
class ExperimentComparison:
    """One row of an experiment's verdict table: a variant against the baseline on one query."""

    query: str
    baseline: str
    variant: str
    speedup: float  # ratio of median times; > 1 means the variant is faster
    ci_low: float
    ci_high: float
    verdict: str  # "2.10× faster", "no clear difference", ...
    scale: str = ""  # rows per table when the experiment seeded scales, else ""
    condition: str = ""  # plan cache / JIT condition when not the default


@dataclass(frozen=True, slots=True)
class ExperimentDigest:
    """What the document shows of one EXPLAIN experiment (built from an ExperimentResult)."""

    variants: tuple[tuple[str, str], ...]  # (name, what it changes: DDL/settings or "no changes")
    comparisons: tuple[ExperimentComparison, ...] = ()
    findings: tuple[str, ...] = ()  # plain-word plan findings, "query [variant]: message"
    notes: tuple[str, ...] = ()
    server_version: str = ""
    repetitions: int = 0
    confidence: float = 0.95


@dataclass(frozen=True, slots=True)
class AdvisedIndex:
    """One index the advisor recommends, with its measured evidence (from an ``Advice``)."""

    label: str  # "comments (author_id)"
    serves: tuple[tuple[str, float, float, float], ...]  # (query, speed-up, CI low, CI high)
    size_bytes: int | None = None
    build_ms: float | None = None
    insert_ratio: float | None = None  # write time with / without (> 1: writes slower)
    insert_ci: tuple[float, float] | None = None
    update_ratio: float | None = None
    update_ci: tuple[float, float] | None = None
    write_note: str = ""  # why a write was not measured
    pays_from: int | None = None  # smallest scale from which it pays and keeps paying


@dataclass(frozen=True, slots=True)
class AdviceDigest:
    """What the document shows of the session's last ``wb.advise`` run."""

    queries: int
    scales: tuple[int, ...]
    method: str  # how candidates were pruned: "hypopg", "explain after a real build"
    before_ms: float  # workload time (sum of per-query medians) at the largest scale
    after_ms: float
    estimate_only_ms: float
    estimate_only_count: int
    recommended: tuple[AdvisedIndex, ...] = ()
    rejected: tuple[tuple[str, str], ...] = ()  # (candidate label, reason)
    server_version: str = ""
    confidence: float = 0.95
    migration: str = "advice/migration.sql"  # beside schema.md, written by write_all
    report: str = "advice/report.md"


@dataclass(frozen=True)
class DocExtras:
    """Everything the document shows that needs a database or another exporter."""

    server_version: str = ""
    mermaid: tuple[str, ...] = ()  # one erDiagram per part (one fence each)
    example_rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    sample_rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # a few per table
    generated_examples: tuple[str, ...] = ()  # tables whose example row had to be generated
    seed_script: str = ""
    sample_note: str = ""  # where the sample rows came from (seeder, session, fallback)
    rls_demos: tuple[RlsDemo, ...] = ()
    experiments: tuple[ExperimentDigest, ...] = ()
    performance_notes: tuple[str, ...] = ()  # Markdown bullets (lint findings)
    advice: AdviceDigest | None = None  # the session's last index advice, if any
    ddl: str = ""
    alembic_revision: str = ""
    models: str = ""
    changelog: tuple[ChangelogEntry, ...] = ()
    failures: tuple[ArtifactFailure, ...] = ()  # parts that could not be gathered, and why


def load_doc_options(pyproject: str | Path = "pyproject.toml", **overrides: Any) -> DocOptions:
    """Read ``[tool.workbench.doc]`` from ``pyproject`` (defaults when absent), then ``overrides``."""
    values: dict[str, Any] = {}
    path = Path(pyproject)
    if path.is_file():
        with path.open("rb") as fh:
            table = tomllib.load(fh).get("tool", {}).get("workbench", {}).get("doc", {})
        known = set(DocOptions.__dataclass_fields__)
        values = {k: str(v) for k, v in table.items() if k in known}
    values.update({k: v for k, v in overrides.items() if v is not None})
    return DocOptions(**values)


# -- small helpers ----------------------------------------------------------------------
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.S)


def escape_markdown(text: str) -> str:
    """Markdown text whose ``<``/``>`` survive renderers (``<uuid>`` is not an HTML tag).

    GFM (like pandoc and Python-Markdown) reads ``<word>`` as raw HTML and drops it;
    entities render as the characters. Code spans are left alone: they show text as is.
    """
    out, last = [], 0
    for m in _CODE_SPAN.finditer(text):
        out.append(_entities(text[last : m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(_entities(text[last:]))
    return "".join(out)


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str | None) -> str:
    if text is None or text == "":
        return "-"
    return escape_markdown(" ".join(str(text).split())).replace("|", "\\|")


def _plural(n: int, word: str, plural: str | None = None) -> str:
    """``1 view``, ``2 views``; ``plural`` for irregular words (``policy`` → ``policies``)."""
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _failure(x: DocExtras, artifact: str) -> ArtifactFailure | None:
    return next((f for f in x.failures if f.artifact == artifact), None)


def _display(schema: Schema, qualified: str) -> str:
    """Bare name when unambiguous across schemas, else qualified."""
    s, _, name = qualified.partition(".")
    return name if s == "public" else qualified


_TYPE_NAMES = [
    (re.compile(r"^character varying(\(\d+\))?"), "VARCHAR"),
    (re.compile(r"^character(\(\d+\))?"), "CHAR"),
    (re.compile(r"^timestamp(\(\d+\))? with time zone"), "TIMESTAMPTZ"),
    (re.compile(r"^timestamp(\(\d+\))? without time zone"), "TIMESTAMP"),
    (re.compile(r"^time(\(\d+\))? with time zone"), "TIMETZ"),
    (re.compile(r"^time(\(\d+\))? without time zone"), "TIME"),
    (re.compile(r"^double precision"), "DOUBLE PRECISION"),
]


def display_type(col: Column) -> str:
    """The template's upper-case style (``VARCHAR(200)``, ``TIMESTAMPTZ``); user types keep their name."""
    if col.type_kind != "base":
        return col.type
    t = col.type
    suffix = "[]" if t.endswith("[]") else ""
    base = t.removesuffix("[]")
    for pattern, name in _TYPE_NAMES:
        m = pattern.match(base)
        if m:
            precision = m.group(1) if pattern.groups else None  # DOUBLE PRECISION has none
            return name + (precision or "") + suffix
    return base.upper() + suffix


def python_type(col: Column) -> str:
    t = col.type.removesuffix("[]")
    if col.type_kind == "enum":
        py = f"{_class_name(col.type)} (Enum)"
    elif t == "uuid":
        py = "uuid.UUID"
    elif t in ("smallint", "integer", "bigint"):
        py = "int"
    elif t.startswith("numeric") or t == "money":
        py = "decimal.Decimal"
    elif t in ("real", "double precision"):
        py = "float"
    elif t == "boolean":
        py = "bool"
    elif t.startswith("timestamp"):
        py = "datetime.datetime"
    elif t == "date":
        py = "datetime.date"
    elif t.startswith("time"):
        py = "datetime.time"
    elif t == "interval":
        py = "datetime.timedelta"
    elif t in ("json", "jsonb"):
        py = "dict"
    elif t == "bytea":
        py = "bytes"
    elif t.startswith(("character", "text", "varchar", "citext")):
        py = f"str (max_length={col.max_length})" if col.max_length else "str"
    else:
        py = "str"
    return f"list[{py}]" if col.is_array else py


_TYPE_DESCRIPTIONS = {
    "uuid": "Universally unique identifier",
    "smallint": "16-bit integer",
    "integer": "32-bit integer",
    "bigint": "64-bit integer",
    "numeric": "Exact decimal number",
    "boolean": "True/false value",
    "text": "Variable-length string without limit",
    "character varying": "Variable-length string",
    "character": "Fixed-length string (blank-padded)",
    "timestamp with time zone": "Instant in time (stored in UTC)",
    "timestamp without time zone": "Date and time without time zone",
    "date": "Calendar date",
    "jsonb": "JSON data (binary, indexable)",
    "json": "JSON data (text)",
    "inet": "IPv4 or IPv6 host address",
    "bytea": "Binary data",
    "interval": "Time span",
    "real": "Single-precision floating point",
    "double precision": "Double-precision floating point",
}


def _type_family(col: Column) -> str:
    base = re.sub(r"\(.*?\)", "", col.type.removesuffix("[]"))
    return base.strip()


def _class_name(name: str) -> str:
    name = name.rpartition(".")[2]
    return "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", name) if p) or "Enum"


def _member_name(value: str, taken: set[str]) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "_", value).strip("_").upper() or "EMPTY"
    if name[0].isdigit():
        name = f"V_{name}"
    base, n = name, 2
    while name in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name)
    return name


def python_enum(class_name: str, values: Iterable[str]) -> str:
    taken: set[str] = set()
    lines = [f"class {class_name}(str, Enum):"]
    lines += [f"    {_member_name(v, taken)} = {json.dumps(v)}" for v in values]
    return "\n".join(lines)


# -- sections ---------------------------------------------------------------------------
def _front_matter(schema: Schema, o: DocOptions) -> list[str]:
    return [
        "---",
        f"title: {o.project_name} - Database Schema",
        f"status: {o.status}",
        f"version: {o.version}",
        f"last-updated: {o.date}",
        f"owner: {o.owner}",
        "---",
        "",
        f"# {o.project_name} - Database Schema",
        "",
    ]


def _overview(schema: Schema, o: DocOptions, x: DocExtras) -> list[str]:
    version = x.server_version or schema.server_version
    db = f"PostgreSQL {version}" if version else "PostgreSQL"
    tables = [t for t in schema.tables if t.partition_of is None]
    counts = (
        ", ".join(
            [
                _plural(len(tables), "table"),
                _plural(len(schema.views), "view"),
                _plural(len(schema.enums), "enum type"),
                _plural(len(schema.foreign_keys), "foreign key"),
                _plural(len(schema.functions), "function"),
                _plural(
                    len(schema.policies), "row-level security policy", "row-level security policies"
                ),
            ]
        )
        + "."
    )
    return [
        "## Database Overview",
        "",
        f"**Database:** {db}  ",
        "**ORM:** SQLModel (models generated with sqlacodegen, see Model Definitions)  ",
        f"**Hosting:** {o.hosting}  ",
        f"**Migrations:** Alembic (`{o.migrations_dir}/`, see Migrations)",
        "",
        counts,
        "",
    ]


def _sketch(schema: Schema) -> list[str]:
    """Compact text sketch of the one-to-many paths, in the template's box-drawing style."""
    children: dict[str, list[tuple[str, str]]] = {}
    junctions = {m.junction for m in junction_tables(schema)}
    for rel in relationships(schema):
        if rel.child in junctions:
            continue
        mark = "(1)" if rel.kind == "one-to-one" else "(N)"
        child = _display(schema, rel.child) + (" (self)" if rel.self_reference else "")
        entry = (mark, child)
        if entry not in children.setdefault(rel.parent, []):
            children[rel.parent].append(entry)
    lines: list[str] = []
    for parent in sorted(children, key=lambda p: (-len(children[p]), p)):
        kids = children[parent]
        lines.append(f"{_display(schema, parent)} (1) ──── {kids[0][0]} {kids[0][1]}")
        for i, (mark, child) in enumerate(kids[1:], start=1):
            branch = "└" if i == len(kids) - 1 else "├"
            lines.append(f"    {branch}──── {mark} {child}")
    for m in junction_tables(schema):
        lines.append(
            f"{_display(schema, m.left)} (N) ──── {_display(schema, m.junction)} "
            f"──── (N) {_display(schema, m.right)}"
        )
    return lines or ["(no foreign keys)"]


def _diagram(schema: Schema, o: DocOptions, x: DocExtras) -> list[str]:
    out = ["## Schema Diagram", ""]
    parts = x.mermaid
    if len(parts) > 1:
        out += [
            f"The diagram is drawn in {len(parts)} parts (one Mermaid diagram would not render; "
            "`er.mmd` is an overview of the parts, `er.part-N.mmd` the parts).",
            "",
        ]
    for i, part in enumerate(parts, 1):
        if len(parts) > 1:
            out += [f"**Part {i} of {len(parts)}**", ""]
        out += ["```mermaid", part.rstrip(), "```", ""]
    failed = _failure(x, "er.mmd, er.svg") or _failure(x, "er.mmd")
    if failed:
        out += [f"The Mermaid diagram could not be drawn ({_cell(failed.reason)}).", ""]
    if o.diagram_svg:
        out += [f"![ER diagram of the schema]({o.diagram_svg})", ""]
    if o.diagram_html:
        out += [
            f"For review, open [`{o.diagram_html}`]({o.diagram_html}) in a browser: the same "
            "diagram, interactive (search tables and columns, focus on a table's neighbourhood, "
            "collapse groups, highlight the path between two tables); one file, no network.",
            "",
        ]
    out += ["```", *_sketch(schema), "```", ""]
    return out


def _constraints_of(table: Table, col: Column) -> str:
    parts = []
    pk = table.primary_key
    if pk and col.name in pk.columns:
        parts.append("PRIMARY KEY")
    if any(col.name in fk.columns for fk in table.foreign_keys):
        parts.append("FOREIGN KEY")
    if not col.nullable and not (pk and col.name in pk.columns):
        parts.append("NOT NULL")
    if any(u.columns == (col.name,) for u in table.unique_constraints):
        parts.append("UNIQUE")
    if any(col.name in c.columns for c in table.check_constraints):
        parts.append("CHECK")
    if col.identity:
        parts.append(f"IDENTITY {col.identity}")
    if col.generated:
        parts.append("GENERATED")
    return ", ".join(parts)


def _default_of(col: Column) -> str:
    if col.identity:
        return f"GENERATED {col.identity} AS IDENTITY"
    if col.generated:
        return f"GENERATED ALWAYS AS ({col.generated}) STORED"
    return col.default or "-"


def _index_sql(definition: str) -> str:
    """``pg_get_indexdef()`` text as the document shows it: ``public.`` and ``USING btree`` left out."""
    return (
        definition.replace(" ON public.", " ON ")
        .replace(" ON ONLY public.", " ON ONLY ")
        .replace(" USING btree ", " ")
    )


def _index_line(table: Table, index: Any) -> str:
    return f"- `{_index_sql(index.definition)}`"


def _fk_line(schema: Schema, fk: ForeignKey) -> str:
    cols = ", ".join(fk.columns)
    ref = f"{_display(schema, fk.ref_table)}({', '.join(fk.ref_columns)})"
    line = f"- `{cols}` → `{ref}` ON DELETE {fk.on_delete}"
    if fk.on_update != "NO ACTION":
        line += f" ON UPDATE {fk.on_update}"
    return line


def _table_section(schema: Schema, table: Table, x: DocExtras) -> list[str]:
    name = _display(schema, table.qualified_name)
    out = [f"### {name} Table", ""]
    out += [
        f"**Purpose:** {_cell(table.comment) if table.comment else 'Not documented (no COMMENT ON TABLE).'}",
        "",
    ]
    if table.partition_key:
        parts = [
            _display(schema, t.qualified_name)
            for t in schema.tables
            if t.partition_of == table.qualified_name
        ]
        out += [
            f"**Partitioned by:** `{table.partition_key}`; partitions: {', '.join(f'`{p}`' for p in parts) or 'none'}",
            "",
        ]
    out += [
        "| Column | Type | Constraints | Default | Description |",
        "|--------|------|-------------|---------|-------------|",
    ]
    for col in table.columns:
        out.append(
            f"| {col.name} | {_cell(display_type(col))} | {_cell(_constraints_of(table, col))} "
            f"| {_cell(_default_of(col))} | {_cell(col.comment)} |"
        )
    out += ["", "**Indexes:**"]
    lines = []
    for c in table.constraints:
        if c.kind in ("primary_key", "unique", "exclude"):
            lines.append(f"- `{c.definition}`")
    lines += [_index_line(table, i) for i in table.indexes if i.constraint is None]
    out += lines or ["- None"]
    out += ["", "**Foreign Keys:**"]
    out += [_fk_line(schema, fk) for fk in table.foreign_keys] or ["- None"]
    row = x.example_rows.get(table.qualified_name)
    if row is not None:
        generated = table.qualified_name in x.generated_examples
        out += [
            "",
            "**Example Row:**"
            + (" (generated: the seeded data holds no row of this table)" if generated else ""),
            "```json",
            json.dumps(row, indent=2, ensure_ascii=False),
            "```",
        ]
    out.append("")
    return out


def _view_section(schema: Schema, view: Any) -> list[str]:
    kind = "Materialized View" if view.materialized else "View"
    out = [f"### {_display(schema, view.qualified_name)} {kind}", ""]
    out += [
        f"**Purpose:** {_cell(view.comment) if view.comment else 'Not documented (no COMMENT ON VIEW).'}",
        "",
    ]
    out += ["| Column | Type | Description |", "|--------|------|-------------|"]
    out += [f"| {c.name} | {_cell(display_type(c))} | {_cell(c.comment)} |" for c in view.columns]
    out += ["", "**Definition:**", "```sql", view.definition.strip(), "```", ""]
    return out


def _tables(schema: Schema, x: DocExtras) -> list[str]:
    out = ["## Tables", ""]
    for table in table_order(schema):  # referenced tables first, as one reads them
        out += _table_section(schema, table, x)
    for view in schema.views:
        out += _view_section(schema, view)
    return out


def _relationships(schema: Schema) -> list[str]:
    rels = relationships(schema)
    junctions = {m.junction for m in junction_tables(schema)}
    out = ["## Relationships", "", "### One-to-Many"]
    many = [r for r in rels if r.kind == "one-to-many" and r.child not in junctions]
    for r in many:
        fk = next(f for f in schema.table(r.child).foreign_keys if f.name == r.fk)
        self_ref = " (self-reference: a tree)" if r.self_reference else ""
        optional = ", optional" if r.optional else ""
        out.append(
            f"- One `{_display(schema, r.parent)}` has many `{_display(schema, r.child)}`{self_ref}"
        )
        out.append(
            f"  - Foreign key: `{_display(schema, r.child)}.{', '.join(r.columns)}` → "
            f"`{_display(schema, r.parent)}.{', '.join(r.ref_columns)}` (ON DELETE {fk.on_delete}{optional})"
        )
    if not many:
        out.append("- None")
    ones = [r for r in rels if r.kind == "one-to-one"]
    if ones:
        out += ["", "### One-to-One"]
        for r in ones:
            out.append(
                f"- One `{_display(schema, r.parent)}` has at most one `{_display(schema, r.child)}`"
            )
            out.append(
                f"  - Foreign key: `{_display(schema, r.child)}.{', '.join(r.columns)}` → "
                f"`{_display(schema, r.parent)}.{', '.join(r.ref_columns)}` (unique)"
            )
    out += ["", "### Many-to-Many (via junction table)"]
    m2m = junction_tables(schema)
    if not m2m:
        out += ["- None", ""]
    for m in m2m:
        jt = schema.table(m.junction)
        out += [
            f"- `{_display(schema, m.left)}` ↔ `{_display(schema, m.junction)}` ↔ `{_display(schema, m.right)}`",
            "",
        ]
        out += [
            f"**{_display(schema, m.junction)} Table:**",
            "",
            "| Column | Type | Constraints |",
            "|--------|------|-------------|",
        ]
        out += [
            f"| {c.name} | {_cell(display_type(c))} | {_cell(_constraints_of(jt, c))} |"
            for c in jt.columns
        ]
        pk = jt.primary_key
        if pk:
            label = "Composite Primary Key" if len(pk.columns) > 1 else "Primary Key"
            out += ["", f"**{label}:** `({', '.join(pk.columns)})`"]
        out.append("")
    return out


def _data_types(schema: Schema) -> list[str]:
    seen: dict[str, tuple[Column, int]] = {}
    for t in schema.tables:
        if t.partition_of:
            continue
        for c in t.columns:
            fam = "enum" if c.type_kind == "enum" else _type_family(c)
            prev = seen.get(fam)
            seen[fam] = (prev[0] if prev else c, (prev[1] if prev else 0) + 1)
    out = [
        "## Data Types Reference",
        "",
        "| Type | PostgreSQL | SQLModel/Python | Description |",
        "|------|-----------|-----------------|-------------|",
    ]
    for fam, (col, count) in seen.items():
        if fam == "enum":
            out.append(
                f"| Enum | ENUM (e.g. {_cell(col.type)}) | str, Enum | Predefined values ({_plural(count, 'column')}) |"
            )
            continue
        pg = display_type(col)
        pg = re.sub(r"\(\d+(,\d+)?\)", "(n)" if "," not in pg else "(p,s)", pg)
        desc = _TYPE_DESCRIPTIONS.get(
            fam, "User-defined or special type" if col.type_kind != "base" else fam
        )
        py = re.sub(r"max_length=\d+", "max_length=n", python_type(col))
        out.append(
            f"| {fam.title()} | {_cell(pg)} | {_cell(py)} | {_cell(desc)} ({_plural(count, 'column')}) |"
        )
    if check_enums(schema):
        out.append("| Enum | VARCHAR + CHECK | str, Enum | Predefined values (CHECK ... IN) |")
    out.append("")
    return out


def _enums(schema: Schema) -> list[str]:
    out = ["## Enums", ""]
    users: dict[str, list[str]] = {}
    for t in schema.tables:
        for c in t.columns:
            if c.type_ref:
                users.setdefault(c.type_ref, []).append(
                    f"{_display(schema, t.qualified_name)}.{c.name}"
                )
    for e in schema.enums:
        out += _enum_section(schema, e, users.get(e.qualified_name, []))
    for ce in check_enums(schema):
        table = schema.table(ce.table)
        col = table.column(ce.column)
        cls = _class_name(f"{table.name}_{ce.column}")
        out += [
            f"### {_display(schema, ce.table)}.{ce.column} Enum",
            "```python",
            python_enum(cls, ce.values),
            "```",
            "",
        ]
        out += [
            f"**Database:** Stored as {display_type(col)} with CHECK constraint `{ce.constraint}`",
            "",
        ]
    if len(out) == 2:
        out += ["No enums: no PostgreSQL enum types and no CHECK (... IN (...)) columns.", ""]
    return out


def _enum_section(schema: Schema, e: Enum, used_by: list[str]) -> list[str]:
    out = [f"### {e.name} Enum", "```python", python_enum(_class_name(e.name), e.values), "```", ""]
    where = ", ".join(f"`{u}`" for u in used_by) or "no column"
    out.append(
        f"**Database:** PostgreSQL ENUM type `{_display(schema, e.qualified_name)}` (used by {where})"
    )
    if e.comment:
        out += ["", escape_markdown(e.comment)]
    out.append("")
    return out


def _constraints(schema: Schema) -> list[str]:
    tables = [t for t in schema.tables if t.partition_of is None]
    out = ["## Constraints and Validation", "", "### Unique Constraints", "```sql"]
    uniques = [
        f"ALTER TABLE {sql_name(t.qualified_name)} ADD CONSTRAINT {quote_ident(c.name)} {c.definition};"
        for t in tables
        for c in t.unique_constraints
    ]
    uniques += [
        f"{_index_sql(i.definition)};"
        for t in tables
        for i in t.indexes
        if i.unique and i.constraint is None
    ]
    out += (uniques or ["-- none"]) + ["```", "", "### Check Constraints", "```sql"]
    checks = [
        f"ALTER TABLE {sql_name(t.qualified_name)} ADD CONSTRAINT {quote_ident(c.name)}\n  {c.definition};"
        for t in tables
        for c in t.check_constraints
    ]
    out += (checks or ["-- none"]) + ["```", "", "### Not Null Constraints", "```sql"]
    nn = []
    for t in tables:
        pk = set(t.primary_key.columns) if t.primary_key else set()
        for c in t.columns:
            if not c.nullable and c.name not in pk:
                nn.append(
                    f"ALTER TABLE {sql_name(t.qualified_name)} ALTER COLUMN {quote_ident(c.name)} SET NOT NULL;"
                )
    out += (nn or ["-- none"]) + ["```", ""]
    return out


def _defaults(schema: Schema) -> list[str]:
    out = ["## Default Values", "", "```sql"]
    common: Counter[str] = Counter()
    lines = []
    for t in schema.tables:
        if t.partition_of:
            continue
        for c in t.columns:
            if c.default is not None:
                lines.append(
                    f"ALTER TABLE {sql_name(t.qualified_name)} ALTER COLUMN {quote_ident(c.name)} SET DEFAULT {c.default};"
                )
                common[f"{c.name} DEFAULT {c.default}"] += 1
    out += (lines or ["-- no column defaults"]) + ["```", ""]
    if common:
        out += ["**Common Defaults:**"]
        out += [
            f"- `{d}` ({n}×)" for d, n in sorted(common.items(), key=lambda kv: (-kv[1], kv[0]))[:8]
        ]
        out.append("")
    return out


def _triggers(schema: Schema) -> list[str]:
    out = ["## Triggers", ""]
    by_function: dict[str, list[Any]] = {}
    for tr in schema.triggers:
        by_function.setdefault(tr.function, []).append(tr)
    functions = {f.qualified_name: f for f in schema.functions}
    for fname, triggers in by_function.items():
        func = functions.get(fname)
        sets_updated_at = func is not None and re.search(
            r"NEW\.updated_at\s*(:=|=)", func.definition
        )
        title = "Auto-update `updated_at`" if sets_updated_at else f"`{_display(schema, fname)}()`"
        out += [f"### {title}"]
        if func is not None and func.comment:
            out += ["", escape_markdown(func.comment)]
        out += ["```sql"]
        if func is not None:
            out += [func.definition.strip().rstrip(";") + ";", ""]
        out += [tr.definition.replace(" ON public.", " ON ") + ";" for tr in triggers]
        out += ["```", ""]
    if not by_function:
        out += ["No triggers.", ""]
    return out


def _lines(text: str) -> str:
    return _plural(len(text.strip().splitlines()), "line")


def _missing(x: DocExtras, artifact: str, what: str) -> str:
    """Why ``what`` is not in the document: the recorded failure, else how to get it."""
    failed = _failure(x, artifact)
    if failed is not None:
        return f"{what[:1].upper()}{what[1:]} could not be generated ({_cell(failed.reason)})."
    return f"Run `workbench export` to generate {what}."


def _first_block(text: str, start: re.Pattern[str]) -> str:
    """An excerpt: the first line of ``text`` matching ``start`` up to its end.

    The end is the closing ``)`` at the start line's indentation (Alembic writes a
    ``op.create_table(`` call's columns at its own indentation), else the next line
    indented no deeper than the start (a class body).
    """
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if not start.search(line):
            continue
        indent = len(line) - len(line.lstrip())
        call = line.count("(") > line.count(")")  # an open call: ends at its ")"
        block = [line]
        for nxt in lines[i + 1 :]:
            depth = len(nxt) - len(nxt.lstrip())
            if call and nxt.strip() == ")" and depth == indent:
                block.append(nxt)
                break
            if not call and nxt.strip() and depth <= indent:
                break
            block.append(nxt)
        return "\n".join(block).rstrip()
    return ""


def _migrations(schema: Schema, o: DocOptions, x: DocExtras) -> list[str]:
    ini = f"{o.migrations_dir}/alembic.ini"
    out = ["## Migrations", "", "### Initial Schema", ""]
    if x.ddl.strip():
        out += [
            f"The complete DDL ({_lines(x.ddl)}) is [schema.sql](./schema.sql), written beside this "
            "document by `workbench export` from the same schema. Load it into an empty database with:",
            "",
            "```bash",
            'psql --single-transaction -v ON_ERROR_STOP=1 -f schema.sql "$DATABASE_URL"',
            "```",
            "",
        ]
    else:
        out += [_missing(x, "schema.sql", "`schema.sql`"), ""]
    out += [
        "### Migration Workflow",
        f'1. Create migration file: `alembic -c {ini} revision -m "describe the change"` '
        f"(writes `{o.migrations_dir}/versions/<revision>_describe_the_change.py`)",
        f'2. Apply up migration: `alembic -c {ini} -x url="$DATABASE_URL" upgrade head`',
        f'3. Rollback (if needed): `alembic -c {ini} -x url="$DATABASE_URL" downgrade -1`',
        "",
        "`$DATABASE_URL` is a SQLAlchemy URL such as `postgresql+psycopg://user@host/dbname`; "
        "the environment variable `WORKBENCH_DATABASE_URL` works instead of `-x url=...`.",
        "",
        "### Example Alembic Migration",
        "",
    ]
    revision = f"{o.migrations_dir}/versions/0001_initial.py"
    if x.alembic_revision:
        first = table_order(schema)[0].name if table_order(schema) else ""
        excerpt = _first_block(
            x.alembic_revision, re.compile(rf"^\s+op\.create_table\({re.escape(repr(first))},")
        )
        out += [
            f"[`{revision}`](./{revision}) ({_lines(x.alembic_revision)}), generated with "
            "Alembic's autogenerate API, is the initial revision: `upgrade head` creates the schema "
            "in an empty database, `downgrade base` removes it."
            + (" Its first table:" if excerpt else ""),
            "",
        ]
        if excerpt:
            out += ["```python", textwrap.dedent(excerpt), "```", ""]
    else:
        out += [_missing(x, "migrations/", "the initial revision"), ""]
    return out


#: Longest value shown in a Sample Data cell; longer ones are cut with an ellipsis.
SAMPLE_CELL_WIDTH = 40


def _sample_value(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    text = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else str(value)
    text = " ".join(text.split())
    return text if len(text) <= SAMPLE_CELL_WIDTH else text[: SAMPLE_CELL_WIDTH - 1] + "…"


def _sample_table(rows: list[dict[str, Any]]) -> list[str]:
    cols = list(rows[0])
    out = ["| " + " | ".join(_cell(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    out += ["| " + " | ".join(_cell(_sample_value(r.get(c))) for c in cols) + " |" for r in rows]
    return out


def _sample_data(schema: Schema, x: DocExtras) -> list[str]:
    out = ["## Sample Data (Development)", ""]
    if x.sample_note:
        out += [escape_markdown(x.sample_note), ""]
    failed = _failure(x, "schema.md: Sample Data")
    if failed is not None:
        out += [f"The sample data could not be gathered ({_cell(failed.reason)}).", ""]
    if x.sample_rows:
        empty = []
        for table in table_order(schema):
            rows = x.sample_rows.get(table.qualified_name)
            if rows is None:
                continue
            if not rows:
                empty.append(_display(schema, table.qualified_name))
                continue
            out += [
                f"**{escape_markdown(_display(schema, table.qualified_name))}** (first {_plural(len(rows), 'row')} by primary key):",
                "",
                *_sample_table(rows),
                "",
            ]
        if empty:
            out += [
                "The seeded data holds no rows of: " + ", ".join(f"`{n}`" for n in empty) + ".",
                "",
            ]
    out += ["### Seed Script", ""]
    if x.seed_script.strip():
        out += [
            "<details>",
            f"<summary>Seed script ({_lines(x.seed_script)} of SQL: the first rows of each table, "
            "parents first)</summary>",
            "",
            "```sql",
            x.seed_script.strip(),
            "```",
            "",
            "</details>",
            "",
        ]
    else:
        out += ["No seeded data available.", ""]
    return out


def _performance(schema: Schema, x: DocExtras) -> list[str]:
    out = ["## Performance Considerations", "", "### Indexes"]
    out += list(x.performance_notes)
    if not x.performance_notes:
        failed = _failure(x, "schema.md: Performance Considerations (lint)")
        out.append(
            f"- The index checks could not run ({_cell(failed.reason)})."
            if failed
            else "- The index checks (`workbench lint`) were not run for this document."
        )
    out += [""]
    failed = _failure(x, "schema.md: Performance Considerations (index advice)")
    if x.advice is not None:
        out += _advice_section(x.advice, _failure(x, "advice/"))
    elif failed:
        out += [
            "### Index advice",
            "",
            f"The index advice could not be summarised ({_cell(failed.reason)}).",
            "",
        ]
    out += ["### Query Optimization"]
    if x.experiments:
        for number, e in enumerate(x.experiments, start=1):
            out += _experiment_section(e, number if len(x.experiments) > 1 else None)
    else:
        out += [
            "- No EXPLAIN experiments were recorded for this document; run them in the workbench "
            "(`workbench.explain`) to include their results here.",
            "- Use `EXPLAIN (ANALYZE, BUFFERS)` to profile queries; avoid `SELECT *`; paginate large result sets.",
            "",
        ]
    out += [
        "### Connection Pooling",
        "```python",
        "# SQLModel/SQLAlchemy example",
        "engine = create_engine(",
        "    DATABASE_URL,",
        "    pool_size=10,",
        "    max_overflow=20,",
        "    pool_pre_ping=True",
        ")",
        "```",
        "",
    ]
    return out


def _ratio(value: float) -> str:
    return "-" if value != value else f"{value:.2f}×"  # NaN: no timings (estimated only)


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    return f"{n / 1024**2:.1f} MB" if n >= 1024**2 else f"{n / 1024:.0f} kB"


def _write_ratio(ratio: float | None, ci: tuple[float, float] | None) -> str:
    if ratio is None:
        return "not measured"
    return f"{ratio:.2f}×" + (f" ({ci[0]:.2f}× – {ci[1]:.2f}×)" if ci else "")


def _advice_section(a: AdviceDigest, written: ArtifactFailure | None) -> list[str]:
    """The session's last ``wb.advise``: what to build, its measured proof, what not and why.

    ``written`` is the failure of the ``advice/`` files, if writing them failed (the
    section then says so instead of linking to a file that is not there).
    """
    largest = a.scales[-1] if a.scales else 0
    level = f"{a.confidence:.0%} CI"
    server = f" on PostgreSQL {a.server_version}" if a.server_version else ""
    out = [
        "### Index advice",
        "",
        f"Measured by `wb.advise`{server} on a workload of {_plural(a.queries, 'query', 'queries')}, "
        f"seeded at {', '.join(f'{s:,}' for s in a.scales)} rows per table (candidates pruned "
        f"by {_cell(a.method)}, then every survivor built and timed). Workload time, the sum "
        f"of per-query medians at {largest:,} rows: {a.before_ms:.1f} ms before, "
        f"{a.after_ms:.1f} ms with the recommended indexes, {a.estimate_only_ms:.1f} ms with "
        f"the {_plural(a.estimate_only_count, 'index', 'indexes')} an estimate-only advisor "
        "would pick.",
        "",
    ]
    if written is not None:
        files = f"The migration file could not be written ({_cell(written.reason)})."
    else:
        files = (
            f"Migration: [`{a.migration}`](./{a.migration}) (`CREATE INDEX CONCURRENTLY`, run it "
            f"outside a transaction); full evidence: [`{a.report}`](./{a.report})."
        )
    if a.recommended:
        out += [f"**Recommended** (speed-ups at {largest:,} rows with their {level}). {files}", ""]
        head = ["Index", f"Queries served: speed-up ({level})", "Pays from", "Size", "Build"]
        head += ["INSERT time (with / without)", "UPDATE time (with / without)"]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for r in a.recommended:
            served = "; ".join(
                f"`{q}` {_ratio(s)} ({_ratio(lo)} – {_ratio(hi)})" for q, s, lo, hi in r.serves
            )
            insert = _write_ratio(r.insert_ratio, r.insert_ci)
            if r.insert_ratio is None and r.write_note:
                insert = r.write_note  # says why, e.g. "INSERT not measured: … UNIQUE …"
            cells = [
                f"`{r.label}`",
                served,
                f"{r.pays_from:,} rows" if r.pays_from is not None else "-",
                _size(r.size_bytes),
                f"{r.build_ms:.1f} ms" if r.build_ms is not None else "-",
                insert,
                _write_ratio(r.update_ratio, r.update_ci),
            ]
            out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out.append("")
    else:
        out += [
            f"**Recommended:** nothing; no candidate's measured {level} at {largest:,} rows "
            "excludes 1.0.",
            "",
        ]
    if a.rejected:
        out += ["**Not recommended**, with the reason the measurement gave:", ""]
        out += [f"- `{label}`: {_cell(reason)}" for label, reason in a.rejected]
        out.append("")
    return out


def _experiment_section(e: ExperimentDigest, number: int | None) -> list[str]:
    title = "EXPLAIN experiment" + (f" {number}" if number is not None else "")
    server = f" on PostgreSQL {e.server_version}" if e.server_version else ""
    runs = f", {e.repetitions} timed runs per variant" if e.repetitions else ""
    out = [f"#### {title}", "", f"Measured with EXPLAIN ANALYZE{server}{runs}. Variants:", ""]
    out += [f"- `{name}`: {_cell(what)}" for name, what in e.variants]
    out.append("")
    if e.comparisons:
        scaled = any(c.scale for c in e.comparisons)
        conditioned = any(c.condition for c in e.comparisons)
        head = ["Query"] + (["Rows"] if scaled else []) + (["Condition"] if conditioned else [])
        level = f"{e.confidence:.0%} CI"
        head += ["Variant vs baseline", "Speed-up", level, "Verdict"]
        out += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        for c in e.comparisons:
            cells = [f"`{c.query}`"] + ([c.scale] if scaled else [])
            cells += [c.condition or "-"] if conditioned else []
            cells += [
                f"`{c.variant}` vs `{c.baseline}`",
                _ratio(c.speedup),
                f"{_ratio(c.ci_low)} – {_ratio(c.ci_high)}",
                c.verdict,
            ]
            out.append("| " + " | ".join(_cell(v) for v in cells) + " |")
        out.append("")
    else:
        out += ["No timed comparison (a single variant, or estimated-only plans).", ""]
    if e.findings:
        out += ["**Findings:**", *[f"- {_cell(f)}" for f in e.findings], ""]
    out += [f"_{_cell(n)}_" for n in e.notes]
    if e.notes:
        out.append("")
    return out


def _security(schema: Schema, x: DocExtras) -> list[str]:
    out = ["## Security", "", "### Row-Level Security (RLS)"]
    rls = [t for t in schema.tables if t.rls_enabled]
    if not rls:
        out += ["", "No table has row-level security enabled.", ""]
    demos = {(d.table, d.policy): d for d in x.rls_demos}
    for t in rls:
        title = _display(schema, t.qualified_name)
        name = sql_name(t.qualified_name)
        forced = " (FORCE: applies to the owner too)" if t.rls_forced else ""
        out += [
            "",
            f"#### {escape_markdown(title)}{forced}",
            "```sql",
            "-- Enable RLS",
            f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;",
        ]
        if t.rls_forced:
            out.append(f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;")
        for p in t.policies:
            roles = ", ".join("PUBLIC" if r == "public" else quote_ident(r) for r in p.roles)
            out += ["", "-- Create policy", f"CREATE POLICY {quote_ident(p.name)} ON {name}"]
            if not p.permissive:
                out.append("  AS RESTRICTIVE")
            out += [f"  FOR {p.command}", f"  TO {roles}"]
            if p.using:
                out.append(f"  USING ({p.using})")
            if p.with_check:
                out.append(f"  WITH CHECK ({p.with_check})")
            out[-1] += ";"
        out += ["```"]
        for p in t.policies:
            if p.comment:
                out += ["", f"`{p.name}`: {escape_markdown(p.comment)}"]
            demo = demos.get((t.qualified_name, p.name))
            if demo is not None:
                out += ["", *_demo_table(demo)]
    if rls and not x.rls_demos:
        out += [
            "",
            "The policies were not demonstrated (no seeded database); run `workbench export`.",
        ]
    plain = [
        _display(schema, t.qualified_name)
        for t in schema.tables
        if not t.rls_enabled and t.partition_of is None
    ]
    if rls and plain:
        out += [
            "",
            "Tables without row-level security: " + ", ".join(f"`{n}`" for n in plain) + ".",
        ]
    out += ["", "### Sensitive Data"]
    found = [
        (t, c)
        for t in schema.tables
        if t.partition_of is None
        for c in t.columns
        if SENSITIVE.search(c.name)
    ]
    if found:
        out += [
            "",
            "| Table | Column | Type | Why it is sensitive |",
            "|-------|--------|------|---------------------|",
        ]
        for t, c in found:
            kind = "secret (store hashed)" if _SECRET.search(c.name) else "personal data"
            out.append(
                f"| {_display(schema, t.qualified_name)} | {c.name} | {_cell(display_type(c))} | {_cell(c.comment or kind)} |"
            )
    out += [
        "",
        "- **Passwords:** Hash with bcrypt/argon2 before storing",
        "- **Tokens:** Store hashed, never plain text",
        "- **PII:** Encrypt at application level if required",
        "",
    ]
    return out


def _demo_table(demo: RlsDemo) -> list[str]:
    setting = demo.settings[0] if demo.settings else "(no setting)"
    out = [
        f"Demonstration on seeded data, run for real (`SET ROLE {demo.role}`, `{setting}` "
        "set per tenant; shown: the tenants that see the most rows):",
        "",
        f"| Tenant (`{setting}`) | Rows visible | Total rows |",
        "|---|---|---|",
    ]
    for c in demo.counts:
        tenant = f"`{c.tenant}`" if c.tenant is not None else "(not set)"
        out.append(f"| {tenant} | {c.visible} | {c.total} |")
    if demo.note:
        out += ["", f"Note: {escape_markdown(demo.note)}."]
    return out


def _backup(o: DocOptions) -> list[str]:
    db = re.sub(r"[^a-z0-9]+", "_", o.project_name.lower()).strip("_") or "app"
    return [
        "## Backup and Recovery",
        "",
        "**Backup Strategy:** logical dumps with `pg_dump` in custom format (restorable table by table), "
        "in addition to whatever physical backups the hosting provides",
        "- Automated daily backups",
        "- Point-in-time recovery enabled where the hosting supports it",
        "- Retention: decided by the team operating the database (not recorded in the schema)",
        "",
        "**Backup Command:**",
        "```bash",
        f'pg_dump --format=custom --no-owner --file={db}.dump "$DATABASE_URL"',
        "```",
        "",
        "**Restore Command:**",
        "```bash",
        f"createdb {db}",
        f"pg_restore --no-owner --exit-on-error -d {db} {db}.dump",
        "```",
        "",
    ]


def _references(schema: Schema, x: DocExtras) -> list[str]:
    version = (x.server_version or schema.server_version).split(".")[0]
    docs = (
        f"https://www.postgresql.org/docs/{version}/"
        if version.isdigit()
        else "https://www.postgresql.org/docs/"
    )
    return [
        "## References",
        "",
        "- [Initial schema SQL](./schema.sql) - the DDL this document describes",
        "- [SQLModel classes](./models.py) - generated with sqlacodegen",
        "- [Alembic migrations](./migrations/) - `alembic upgrade head` builds the schema",
        f"- PostgreSQL Documentation: {docs}",
        "",
    ]


def _models(schema: Schema, x: DocExtras) -> list[str]:
    out = ["## Model Definitions (SQLModel)", ""]
    if not x.models.strip():
        return [*out, _missing(x, "models.py", "`models.py`"), ""]
    excerpt = ""
    for table in table_order(schema)[:1]:  # the table the document starts with
        block = re.search(
            rf"^class {_class_name(table.name)}\(SQLModel, table=True\):\n"
            rf"|^class \w+\(SQLModel, table=True\):\n    __tablename__ = {re.escape(repr(table.name))}\n",
            x.models,
            re.M,
        )
        if block:
            excerpt = _first_block(x.models[block.start() :], re.compile(r"^class "))
    out += [
        f"[`models.py`](./models.py) ({_lines(x.models)}) holds one SQLModel class per table, "
        "generated with sqlacodegen from the live schema (junction tables become link models)."
        + (" The first table model:" if excerpt else ""),
        "",
    ]
    if excerpt:
        out += ["```python", excerpt, "```", ""]
    return out


def _changelog(schema: Schema, o: DocOptions, x: DocExtras) -> list[str]:
    out = [
        "## Changelog",
        "",
        "| Version | Date | Changes | Author |",
        "|---------|------|---------|--------|",
    ]
    entries = x.changelog or (
        ChangelogEntry(
            o.version, o.date, "Initial schema design (generated from the live schema)", o.owner
        ),
    )
    out += [f"| {e.version} | {e.date} | {_cell(e.changes)} | {_cell(e.author)} |" for e in entries]
    return out


def render_markdown(schema: Schema, *, options: DocOptions, extras: DocExtras | None = None) -> str:
    """Return ``schema.md`` for ``schema``: the shared template filled in, section by section."""
    x = extras or DocExtras()
    lines = [
        *_front_matter(schema, options),
        *_overview(schema, options, x),
        *_diagram(schema, options, x),
        *_tables(schema, x),
        *_relationships(schema),
        *_data_types(schema),
        *_enums(schema),
        *_constraints(schema),
        *_defaults(schema),
        *_triggers(schema),
        *_migrations(schema, options, x),
        *_sample_data(schema, x),
        *_performance(schema, x),
        *_security(schema, x),
        *_backup(options),
        *_references(schema, x),
        *_models(schema, x),
        *_changelog(schema, options, x),
    ]
    return "\n".join(lines).rstrip() + "\n"


def render_markdown_offline(schema: Schema) -> str:
    """The registry form ``(schema) -> str``: options from pyproject.toml, no database extras."""
    return render_markdown(schema, options=load_doc_options(date=dt.date.today().isoformat()))


__all__ = [
    "AdviceDigest",
    "AdvisedIndex",
    "ChangelogEntry",
    "DocExtras",
    "DocOptions",
    "ExperimentComparison",
    "ExperimentDigest",
    "display_type",
    "escape_markdown",
    "load_doc_options",
    "python_enum",
    "render_markdown",
    "render_markdown_offline",
]

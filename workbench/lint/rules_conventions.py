"""Rules about conventions: audit columns, naming, identifiers and documentation."""

from __future__ import annotations

import re
from collections.abc import Iterator

from workbench.lint._core import Finding, column_name, own_tables, quote_ident, rule, sql_table
from workbench.lint.config import LintConfig
from workbench.lint.keywords import KEYWORDS, is_reserved
from workbench.model import Schema, Table
from workbench.relations import junction_tables

CREATED_NAMES = (
    "created_at",
    "created_on",
    "created",
    "inserted_at",
    "creation_date",
    "create_date",
)
UPDATED_NAMES = (
    "updated_at",
    "updated_on",
    "updated",
    "modified_at",
    "modified",
    "last_update",
    "last_updated",
    "last_modified",
)


@rule(
    "missing-timestamp-columns",
    severity="info",
    family="conventions",
    summary="Table lacks created_at or updated_at.",
    explanation="""
    When a row was created and last changed is the first question in every
    incident, data repair and sync job, and it cannot be recovered after the fact.
    A ``created_at timestamptz NOT NULL DEFAULT now()`` and an ``updated_at``
    maintained by a trigger cost 16 bytes a row. Junction tables only need
    created_at (their rows are inserted and deleted, never updated); append-only
    tables need no updated_at either: say so in the table's comment ("append-only",
    "insert-only", "immutable", "never updated") and the rule takes it into account. Common synonyms
    (``created_on``, ``inserted_at``, ``modified_at``, ``last_update``, ...) count.
    Fix: add the missing column(s) with a default of ``now()``, and for updated_at the
    BEFORE UPDATE trigger that keeps it current.
    """,
)
def missing_timestamp_columns(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    junctions = {j.junction for j in junction_tables(schema)}
    for table in own_tables(schema):
        names = set(table.column_names)
        missing = []
        if not names & set(CREATED_NAMES):
            missing.append("created_at")
        if (
            not names & set(UPDATED_NAMES)
            and table.qualified_name not in junctions
            and not _append_only(table)
        ):
            missing.append("updated_at")
        if not missing:
            continue
        adds = ", ".join(f"ADD COLUMN {m} timestamptz NOT NULL DEFAULT now()" for m in missing)
        yield missing_timestamp_columns.finding(
            "table",
            table.qualified_name,
            f"table {table.qualified_name} has no {' or '.join(missing)} column",
            f"ALTER TABLE {sql_table(table)} {adds};",
            table=table.qualified_name,
        )


_APPEND_ONLY = re.compile(
    r"\b(append|insert)[- ]only\b|\bimmutable\b|\bnever updated\b", re.IGNORECASE
)


def _append_only(table: Table) -> bool:
    """The table's comment says its rows are never updated, so updated_at has nothing to record."""
    return bool(table.comment and _APPEND_ONLY.search(table.comment))


def _maintains(schema: Schema, table: Table, column: str) -> bool:
    """True when a BEFORE UPDATE row trigger on ``table`` sets ``column`` (as far as the model tells)."""
    functions = {f.qualified_name: f for f in schema.functions}
    word = re.compile(rf"\b{re.escape(column)}\b")
    for trig in table.triggers:
        if (
            not trig.enabled
            or trig.timing != "BEFORE"
            or trig.level != "ROW"
            or "UPDATE" not in trig.events
        ):
            continue
        func = functions.get(trig.function)
        # A function outside the model (an extension's moddatetime(col)) is taken on trust.
        if func is None or word.search(func.definition) or word.search(trig.definition):
            return True
    return False


@rule(
    "updated-at-without-trigger",
    severity="warning",
    family="conventions",
    summary="updated_at column that no BEFORE UPDATE trigger maintains.",
    explanation="""
    An ``updated_at`` column that relies on every application code path to set it
    will be wrong: bulk updates, admin fixes in psql, other services and ORMs'
    partial updates forget it, and the column then lies (it keeps the insert time).
    A BEFORE UPDATE ... FOR EACH ROW trigger that sets ``NEW.updated_at = now()``
    makes it true by construction. The rule looks for an enabled BEFORE UPDATE row
    trigger whose function (or arguments) mentions the column. Fix: create the
    trigger function once and attach it to each table
    (``CREATE TRIGGER ... BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION ...``).
    """,
)
def updated_at_without_trigger(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in own_tables(schema):
        for col in table.columns:
            if col.name not in UPDATED_NAMES or not col.type.startswith(("timestamp", "date")):
                continue
            if _maintains(schema, table, col.name):
                continue
            yield updated_at_without_trigger.finding(
                "column",
                column_name(table, col.name),
                f"{table.qualified_name}.{col.name} is not maintained by a BEFORE UPDATE trigger",
                f"CREATE TRIGGER set_{table.name}_{col.name} BEFORE UPDATE ON {sql_table(table)} "
                f"FOR EACH ROW EXECUTE FUNCTION <function setting NEW.{col.name} = now()>;",
                table=table.qualified_name,
                column=col.name,
            )


# -- naming ---------------------------------------------------------------------

_UNCOUNTABLE = frozenset(
    {
        "staff",
        "data",
        "metadata",
        "media",
        "news",
        "series",
        "information",
        "equipment",
        "feedback",
        "inventory",
        "software",
        "audit",
        "history",
        "analytics",
        "settings",
    }
)
_IRREGULAR_PLURALS = {
    "people": "person",
    "children": "child",
    "men": "man",
    "women": "woman",
    "indices": "index",
}


def singular(word: str) -> str:
    """A good-enough English singular for table names (``categories`` -> ``category``)."""
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word]
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def number(name: str) -> str | None:
    """'plural', 'singular' or None (uncountable, or no way to tell) for a table name."""
    last = name.lower().rsplit("_", 1)[-1]
    if last in _UNCOUNTABLE or not last.isalpha():
        return None
    if last in _IRREGULAR_PLURALS:
        return "plural"
    return "plural" if singular(last) != last else "singular"


@rule(
    "table-name-number-drift",
    severity="info",
    family="naming",
    summary="Singular and plural table names are mixed in one schema.",
    explanation="""
    Whether tables are named ``user`` or ``users`` matters less than choosing one:
    with both, everyone writing a query has to remember which table is which, ORMs'
    naming conventions break on half the tables, and generated code mixes styles.
    The rule counts singular and plural table names per schema (by the last word of
    the name; uncountable words such as ``staff`` or ``inventory`` do not vote) and
    reports the tables in the minority. Fix: rename them
    (``ALTER TABLE ... RENAME TO ...``, with a view under the old name while clients
    migrate), or exclude a deliberate exception in the configuration.
    """,
)
def table_name_number_drift(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    by_schema: dict[str, dict[str, list[Table]]] = {}
    for table in own_tables(schema):
        kind = number(table.name)
        if kind:
            by_schema.setdefault(table.schema, {"singular": [], "plural": []})[kind].append(table)
    for groups in by_schema.values():
        sing, plur = groups["singular"], groups["plural"]
        if not sing or not plur or len(sing) == len(plur):
            continue
        minority, majority, kind = (
            (sing, plur, "singular") if len(sing) < len(plur) else (plur, sing, "plural")
        )
        other = "plural" if kind == "singular" else "singular"
        for table in minority:
            yield table_name_number_drift.finding(
                "table",
                table.qualified_name,
                f"table {table.qualified_name} is named in the {kind} while {len(majority)} of "
                f"{len(majority) + len(minority)} tables in {table.schema} are {other}",
                f"ALTER TABLE {sql_table(table)} RENAME TO {_renamed(table.name, other)};",
                table=table.qualified_name,
            )


def _renamed(name: str, to: str) -> str:
    head, _, last = name.rpartition("_")
    if to == "singular":
        new = singular(last)
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        new = last[:-1] + "ies"
    elif last.endswith(("s", "x", "ch", "sh")):
        new = last + "es"
    else:
        new = last + "s"
    return f"{head}_{new}" if head else new


@rule(
    "fk-column-naming",
    severity="info",
    family="naming",
    summary="Foreign key column not named after the table it references.",
    explanation="""
    A reader should know from ``tasks.project_id`` alone what it points to. A foreign
    key column is reported when its name does not end in ``_id`` (or ``_`` plus the
    referenced column) at all, such as ``reports_to``, or when its name is built from
    a different table of the schema than the one it references (``owner_project_id``
    referencing ``users``). Role names (``owner_id``, ``assignee_id``,
    ``parent_task_id`` referencing ``users``/``tasks``) are fine: the stem names the
    role, the suffix the key; so is a column ending in the referenced column's own
    name (``cost_domain_id`` referencing ``domain (domain_id)``). The proposed rename
    is ``<referenced table in the singular>_id`` (or the referenced column's name when
    it already names its table, ``employee_id``), and none at all when that name is
    taken in the table or no better than the current one. Fix: rename the column to
    ``<referenced table in the singular>_id`` or ``<role>_id``.
    """,
)
def fk_column_naming(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    tables = own_tables(schema)
    # Every spelling of every table name (as is, and in the singular) -> the table.
    named_after: dict[str, str] = {}
    for t in tables:
        for word in (t.name.lower(), singular(t.name.lower())):
            named_after.setdefault(word, t.qualified_name)
    for table in tables:
        for fk in table.foreign_keys:
            if len(fk.columns) != 1 or fk.columns[0] == fk.ref_columns[0]:
                continue
            col, ref_col = fk.columns[0], fk.ref_columns[0]
            ref_name = fk.ref_table.partition(".")[2].lower()
            rename = _better_name(table, col, singular(ref_name), ref_col)
            fix = (
                f"ALTER TABLE {sql_table(table)} RENAME COLUMN {quote_ident(col)} TO {rename};"
                if rename
                else ""
            )
            stem = _stem(col.lower(), ref_col.lower())
            if stem is None:
                yield fk_column_naming.finding(
                    "column",
                    column_name(table, col),
                    f"{table.qualified_name}.{col} references {fk.ref_table} but its name does not end in "
                    f"_id or _{ref_col}",
                    f"{fix} (or <role>_{ref_col})" if fix else f"name it <role>_{ref_col}",
                    table=table.qualified_name,
                    column=col,
                )
                continue
            if ref_col.lower() != "id" and col.lower().endswith(f"_{ref_col.lower()}"):
                # The column carries the referenced key's own name (cost_domain_id ->
                # domain.domain_id): what it points to is plain, the stem is a role.
                continue
            # The stem and each of its endings ("parent_task", "task"): the first that names a
            # table decides. Named after the referenced table, or after no table (a role), passes.
            words = stem.split("_")
            for i in range(len(words)):
                other = named_after.get("_".join(words[i:]))
                if other is None:
                    continue
                if other != fk.ref_table and "_".join(words[i:]) not in (
                    ref_name,
                    singular(ref_name),
                ):
                    yield fk_column_naming.finding(
                        "column",
                        column_name(table, col),
                        f"{table.qualified_name}.{col} looks named after {other} but references {fk.ref_table}",
                        fix or "rename it after the role it plays or the table it references",
                        table=table.qualified_name,
                        column=col,
                    )
                break


def _better_name(table: Table, column: str, ref_singular: str, ref_column: str) -> str | None:
    """The name to propose for a foreign key column, or None when none is clearly better.

    ``<referenced table in the singular>_id`` for a key named ``id``; the referenced
    column's own name when it already names its table (``domain_id`` in ``domain``),
    else ``<table>_<column>`` (``country_code``). Nothing when that is the column's
    name already or another column of the table has it.
    """
    ref_column = ref_column.lower()
    if ref_column == "id":
        name = f"{ref_singular}_id"
    elif ref_column == ref_singular or ref_column.startswith(f"{ref_singular}_"):
        name = ref_column
    else:
        name = f"{ref_singular}_{ref_column}"
    if name == column.lower() or name in {c.lower() for c in table.column_names}:
        return None
    return name


def _stem(column: str, ref_column: str) -> str | None:
    """The column name without its key suffix (``_id`` or ``_<referenced column>``), or None."""
    for suffix in (f"_{ref_column}", "_id"):
        if column.endswith(suffix) and len(column) > len(suffix):
            return column[: -len(suffix)]
    return None


# -- identifiers -------------------------------------------------------------------


def _identifiers(schema: Schema) -> Iterator[tuple[str, str, str, str | None, str | None]]:
    """(name, kind, object_name, table, column) for every identifier people type in queries."""
    for ns in schema.namespaces:
        yield ns.name, "schema", ns.name, None, None
    for table in own_tables(schema):
        yield table.name, "table", table.qualified_name, table.qualified_name, None
        for col in table.columns:
            yield col.name, "column", column_name(table, col.name), table.qualified_name, col.name
    for view in schema.views:
        yield view.name, "view", view.qualified_name, None, None
        for col in view.columns:
            yield (
                col.name,
                "column",
                f"{view.qualified_name}.{col.name}",
                view.qualified_name,
                col.name,
            )
    for enum in schema.enums:
        yield enum.name, "enum", enum.qualified_name, None, None
    for domain in schema.domains:
        yield domain.name, "domain", domain.qualified_name, None, None


@rule(
    "reserved-word-identifier",
    severity="warning",
    family="naming",
    summary="Identifier is a reserved SQL keyword.",
    explanation="""
    A table, column or type named after a reserved keyword (``user``, ``order``,
    ``group``, ``check``, ``left``, ...) must be double-quoted in every query,
    forever; forgetting the quotes gives syntax errors or, worse, valid SQL that
    means something else (``SELECT user FROM t`` returns the current role). The
    list is PostgreSQL's own (``pg_get_keywords()``, categories reserved and
    reserved-but-usable-as-function-or-type). Fix: rename (``users``, ``orders``,
    ``group_name``); a view with the old name can bridge clients while they move.
    """,
)
def reserved_word_identifier(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for name, kind, obj, table, column in _identifiers(schema):
        if is_reserved(name):
            category = (
                "reserved"
                if KEYWORDS[name] == "R"
                else "reserved (except as a function or type name)"
            )
            yield reserved_word_identifier.finding(
                kind,
                obj,
                f"{kind} {obj} is named {name!r}, a {category} keyword in PostgreSQL: every query must quote it",
                f"rename the {kind} (e.g. {name}s or {name}_name)",
                table=table,
                column=column,
            )


@rule(
    "quoted-identifier",
    severity="warning",
    family="naming",
    summary="Identifier needs double quotes (upper case, spaces, punctuation, leading digit).",
    explanation="""
    PostgreSQL folds unquoted names to lower case, so a table created as
    ``"Album"`` or a column ``"First Name"`` can only be reached with the exact
    quoted spelling; ``SELECT * FROM Album`` fails. Every query, ORM mapping and BI
    tool then has to carry the quotes, and case-only differences (``"Id"`` vs
    ``id``) become possible. Fix: rename to lower-case snake_case
    (``ALTER TABLE "Album" RENAME TO album``).
    """,
)
def quoted_identifier(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    from workbench.lint.keywords import needs_quoting

    for name, kind, obj, table, column in _identifiers(schema):
        if needs_quoting(name) and not is_reserved(name):
            yield quoted_identifier.finding(
                kind,
                obj,
                f"{kind} {obj} needs double quotes ({quote_ident(name)}) in every query",
                f"rename the {kind} to {_snake(name)}",
                table=table,
                column=column,
            )


def _snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    s = re.sub(r"[^0-9A-Za-z_\u0080-\U0010ffff]+", "_", s).strip("_").lower()
    return ("_" + s) if s[:1].isdigit() else (s or "renamed")


@rule(
    "identifier-maybe-truncated",
    severity="info",
    family="naming",
    summary="Identifier is exactly 63 bytes long: PostgreSQL may have truncated it.",
    explanation="""
    PostgreSQL silently truncates identifiers longer than 63 bytes (NAMEDATALEN-1)
    with only a NOTICE, so a name of exactly 63 bytes is usually the truncated form
    of a longer one: the object is not called what the migration says, and two
    long names sharing their first 63 bytes collide. Fix: choose a shorter name and
    rename the object.
    """,
)
def identifier_maybe_truncated(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for name, kind, obj, table_name, column in _identifiers(schema):
        if len(name.encode("utf-8")) == 63:
            yield identifier_maybe_truncated.finding(
                kind,
                obj,
                f"{kind} {obj} is 63 bytes long, the limit PostgreSQL truncates to",
                "rename it to something shorter",
                table=table_name,
                column=column,
            )
    for table in own_tables(schema):
        for obj_name in (
            [i.name for i in table.indexes]
            + [c.name for c in table.constraints]
            + [f.name for f in table.foreign_keys]
        ):
            if len(obj_name.encode("utf-8")) == 63:
                kind = "index" if obj_name in {i.name for i in table.indexes} else "constraint"
                full = (
                    f"{table.schema}.{obj_name}"
                    if kind == "index"
                    else f"{table.qualified_name}.{obj_name}"
                )
                yield identifier_maybe_truncated.finding(
                    kind,
                    full,
                    f"{kind} {obj_name} on {table.qualified_name} is 63 bytes long, the limit "
                    "PostgreSQL truncates to",
                    "rename it to something shorter",
                    table=table.qualified_name,
                )


# -- documentation (opt-in, like tbls' requireTableComment / requireColumnComment) -----


@rule(
    "table-comment-required",
    severity="warning",
    family="documentation",
    default_enabled=False,
    summary="Table has no COMMENT (opt-in).",
    explanation="""
    A comment on a table is the one piece of documentation that travels with the
    schema: it shows in psql's ``\\d+``, in generated documents and diagrams, and in
    every database tool. Teams that document in the schema turn this rule on so a
    new table cannot arrive undocumented. Fix: ``COMMENT ON TABLE t IS '...'``
    saying what one row means.
    """,
)
def table_comment_required(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in own_tables(schema):
        if not (table.comment or "").strip():
            yield table_comment_required.finding(
                "table",
                table.qualified_name,
                f"table {table.qualified_name} has no comment",
                f"COMMENT ON TABLE {sql_table(table)} IS '<what one row means>';",
                table=table.qualified_name,
            )


@rule(
    "column-comment-required",
    severity="warning",
    family="documentation",
    default_enabled=False,
    summary="Column has no COMMENT (opt-in).",
    explanation="""
    Column comments carry what names cannot: units, allowed values, who writes the
    column and when it may be NULL. Like the table rule, this is opt-in; combine
    it with exclusions for self-explanatory columns (``*.id``, ``*.created_at``).
    Fix: ``COMMENT ON COLUMN t.c IS '...'``.
    """,
)
def column_comment_required(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in own_tables(schema):
        for col in table.columns:
            if not (col.comment or "").strip():
                yield column_comment_required.finding(
                    "column",
                    column_name(table, col.name),
                    f"column {table.qualified_name}.{col.name} has no comment",
                    f"COMMENT ON COLUMN {sql_table(table)}.{quote_ident(col.name)} IS '...';",
                    table=table.qualified_name,
                    column=col.name,
                )

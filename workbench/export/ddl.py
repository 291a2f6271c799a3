"""Render a :class:`~workbench.model.Schema` as SQL DDL that loads into an empty database.

The output is meant to be read by people and proven by machines: the round-trip
test loads it into an empty database, introspects that database and requires
the model to be equal to the one it came from. Layout (see docs/ddl-export.md):

1. session settings (``check_function_bodies = off`` and ``search_path``,
   the same settings introspection pins, so unqualified names resolve alike);
2. roles named by policies and grants (created only when missing: roles live
   outside the database, but an "empty database" on a fresh server would
   otherwise fail);
3. extensions, schemas, collations, text-search dictionaries and configurations;
4. types (enum, range, domain, composite), sequences, functions, operators,
   casts, tables and views in one dependency order: a stable topological sort
   with ties broken by kind then name, each table followed by its comments,
   indexes, triggers, RLS and policies, each view by its triggers;
5. rules, policies that read tables created later, all foreign keys, and
   privileges (REVOKE then GRANT), as pg_dump orders them.

Foreign keys come last, all of them, as pg_dump does: then no FK cycle or
creation order can ever break the load, and each FK is one readable ALTER.
The function is pure and deterministic: equal models give byte-identical text.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.export._sql import quote_ident, quote_literal, quote_qualified
from workbench.model import (
    Cast,
    Collation,
    Column,
    CompositeType,
    Domain,
    Enum,
    Function,
    Grant,
    Index,
    Operator,
    Policy,
    RangeType,
    Rule,
    Schema,
    Sequence,
    Table,
    TextSearchConfig,
    TextSearchDictionary,
    Trigger,
    View,
)

#: Settings at the top of every export (what introspection pins, plus bodies unchecked).
PREAMBLE = (
    "SET check_function_bodies = off;\n"
    "SET client_min_messages = warning;\n"
    "SET search_path = public;\n"
)

_RANK = {
    "enum": 10,
    "range": 15,
    "domain": 20,
    "composite": 25,
    "sequence": 30,
    "function": 40,
    "operator": 43,
    "cast": 46,
    "table": 50,
    "view": 60,
}
_SIMPLE_OPTION = re.compile(r"[A-Za-z0-9_.+-]+")
_TOKEN = re.compile(
    r'(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))?'
    r"(\s*\()?"
)
_STRING = re.compile(r"'(?:[^']|'')*'")
_IDENT = r'(?:[A-Za-z_][A-Za-z0-9_$]*|"(?:[^"]|"")+")'
_VARCHAR_ITEM = r"'(?:[^']|'')*'::character varying"
_VARCHAR_IN_LIST = re.compile(
    rf"\(\((?P<col>{_IDENT}(?:\.{_IDENT})?)\)::text (?P<op>= ANY|<> ALL) "
    rf"\(\(ARRAY\[(?P<items>{_VARCHAR_ITEM}(?:, {_VARCHAR_ITEM})*)\]\)::text\[\]\)\)"
)


def stable_sql(text: str) -> str:
    """Rewrite expressions PostgreSQL does not print in a re-parseable-to-itself form.

    ``varchar_col IN ('a', 'b')`` is stored as a relabelled varchar array and
    printed as ``((col)::text = ANY ((ARRAY['a'::character varying, ...])::text[]))``;
    parsing that text back builds a different tree (the cast is pushed into each
    element), so a plain pg_dump-style reload does not reproduce the original.
    Writing it back as ``col IN (...)`` does. Known pg_dump behaviour; the
    round-trip test catches any other such form.
    """
    if "::text[]" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        op = "IN" if m.group("op") == "= ANY" else "NOT IN"
        return f"({m.group('col')} {op} ({m.group('items')}))"

    return _VARCHAR_IN_LIST.sub(repl, text)


def render_ddl(schema: Schema) -> str:
    """Return the DDL for ``schema`` (pure; byte-identical for equal models)."""
    parts = [_header(), PREAMBLE]
    roles = sorted(
        {r for p in schema.policies for r in p.roles if r != "public"}
        | {g.grantee for g in schema.grants if g.grantee != "PUBLIC"}
    )
    if roles:
        parts.append(_roles(roles))
    if schema.extensions:
        parts.append(_section("Extensions"))
        parts.extend(
            f"CREATE EXTENSION IF NOT EXISTS {quote_ident(e.name)} WITH SCHEMA {quote_ident(e.schema)};\n"
            for e in schema.extensions
        )
    if schema.namespaces:
        parts.append(_section("Schemas"))
        for ns in schema.namespaces:
            if ns.name != "public":
                parts.append(f"CREATE SCHEMA IF NOT EXISTS {quote_ident(ns.name)};\n")
            if ns.comment is not None:
                parts.append(_comment("SCHEMA", quote_ident(ns.name), ns.comment))
    if schema.collations:
        parts.append(_section("Collations"))
        parts.extend(_collation(c) for c in schema.collations)
    if schema.ts_dictionaries or schema.ts_configs:
        parts.append(_section("Text search"))
        parts.extend(_ts_dictionary(d) for d in schema.ts_dictionaries)
        parts.extend(_ts_config(c) for c in schema.ts_configs)
    plan = _Plan(schema)
    for item in plan.ordered():
        parts.append(item.render(plan))
    if schema.rules:
        parts.append(_section("Rules"))
        parts.extend(_rule(r) for r in schema.rules)
    if plan.deferred_policies:
        parts.append(_section("Policies that read tables created after their own"))
        parts.extend(_policy(p) for p in plan.deferred_policies)
    fks = schema.foreign_keys
    if fks:
        parts.append(_section("Foreign keys"))
        for fk in fks:
            parts.append(
                f"ALTER TABLE {quote_qualified(fk.table)}\n"
                f"    ADD CONSTRAINT {quote_ident(fk.name)} {fk.definition};\n"
            )
            if fk.comment is not None:
                parts.append(
                    _comment(
                        "CONSTRAINT",
                        f"{quote_ident(fk.name)} ON {quote_qualified(fk.table)}",
                        fk.comment,
                    )
                )
    if schema.grants:
        parts.append(_section("Privileges"))
        revokes = "".join(_grant(g) for g in schema.grants if g.revoked)
        parts.append(revokes + "".join(_grant(g) for g in schema.grants if not g.revoked))
    return "\n".join(p.rstrip("\n") + "\n" for p in parts if p)


# --- ordering -------------------------------------------------------------------------------


@dataclass
class _Item:
    kind: str
    key: str  # qualified name (functions: signature)
    obj: object
    deps: set[str] = field(default_factory=set)

    @property
    def sort_key(self) -> tuple[int, str]:
        return (_RANK[self.kind], self.key)

    def render(self, plan: _Plan) -> str:
        obj = self.obj
        if isinstance(obj, Enum):
            return _enum(obj)
        if isinstance(obj, Domain):
            return _domain(obj)
        if isinstance(obj, Sequence):
            return _sequence(obj)
        if isinstance(obj, Function):
            return _function(obj)
        if isinstance(obj, Table):
            return _table(obj, plan)
        if isinstance(obj, CompositeType):
            return _composite(obj)
        if isinstance(obj, RangeType):
            return _range(obj)
        if isinstance(obj, Operator):
            return _operator(obj)
        if isinstance(obj, Cast):
            return _cast(obj)
        assert isinstance(obj, View)
        return _view(obj)


class _Plan:
    """Dependency graph over types, sequences, functions, tables and views."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.tables = {t.qualified_name: t for t in schema.tables}
        self.items: dict[str, _Item] = {}
        self.functions_by_name: dict[str, list[str]] = {}
        self.relations: set[str] = set()
        for e in schema.enums:
            self._add(_Item("enum", "type:" + e.qualified_name, e))
        for d in schema.domains:
            self._add(_Item("domain", "type:" + d.qualified_name, d))
        for c in schema.composites:
            self._add(_Item("composite", "type:" + c.qualified_name, c))
        for r in schema.ranges:
            self._add(_Item("range", "type:" + r.qualified_name, r))
        for o in schema.operators:
            self._add(_Item("operator", "op:" + o.signature, o))
        for cast in schema.casts:
            self._add(_Item("cast", "cast:" + cast.key, cast))
        for s in schema.sequences:
            self._add(_Item("sequence", "rel:" + s.qualified_name, s))
        for f in schema.functions:
            self._add(_Item("function", "fn:" + f.signature, f))
            self.functions_by_name.setdefault(f.qualified_name, []).append("fn:" + f.signature)
        for t in schema.tables:
            self._add(_Item("table", "rel:" + t.qualified_name, t))
        for v in schema.views:
            self._add(_Item("view", "rel:" + v.qualified_name, v))
        self.types = {k for k in self.items if k.startswith("type:")}
        self.relations = {k for k in self.items if k.startswith("rel:")}
        for item in self.items.values():
            item.deps = self._deps(item) - {item.key}
        self.emitted: set[str] = set()
        self.deferred_policies: list[Policy] = []

    def _add(self, item: _Item) -> None:
        self.items[item.key] = item

    def _refs(self, texts: Iterable[str | None], *, calls_only: bool = False) -> set[str]:
        """Keys of model objects named in SQL texts (unqualified names resolve to public)."""
        found: set[str] = set()
        for text in texts:
            if not text:
                continue
            for m in _TOKEN.finditer(_STRING.sub("''", text)):
                name = _qualify(m.group(0).split("(")[0].strip())
                if m.group(1):
                    found.update(self.functions_by_name.get(name, ()))
                if calls_only:
                    continue
                for prefix in ("rel:", "type:"):
                    if prefix + name in self.items:
                        found.add(prefix + name)
        return found

    def _deps(self, item: _Item) -> set[str]:
        obj = item.obj
        if isinstance(obj, Domain):
            return self._refs(
                [obj.base_type, obj.default, *(c.definition for c in obj.checks)], calls_only=False
            ) & (self.types | self._fn_keys())
        if isinstance(obj, Function):
            deps = self._refs([obj.arguments, obj.returns])
            if _has_sql_body(obj):
                deps |= self._refs([obj.definition.split("\n", 1)[-1]])
            return deps - {k for k in deps if k.startswith("rel:") and self._is_sequence(k)}
        if isinstance(obj, Table):
            texts: list[str | None] = []
            for c in obj.columns:
                texts += [c.default, c.generated]
                if c.type_ref:
                    texts.append(c.type_ref)
            texts += [c.definition for c in obj.constraints]
            texts += [i.definition for i in obj.indexes]
            deps = self._refs(texts, calls_only=True)
            deps |= {"type:" + c.type_ref for c in obj.columns if c.type_ref} & self.types
            deps |= {"rel:" + c.type_ref for c in obj.columns if c.type_ref} & self.relations
            for tr in obj.triggers:
                deps.update(self.functions_by_name.get(tr.function, ()))
            if obj.partition_of:
                deps.add("rel:" + obj.partition_of)
            deps |= {"rel:" + p for p in obj.inherits} & self.relations
            return deps
        if isinstance(obj, CompositeType):
            deps = {"type:" + c.type_ref for c in obj.attributes if c.type_ref} & self.types
            return (
                deps | {"rel:" + c.type_ref for c in obj.attributes if c.type_ref} & self.relations
            )
        if isinstance(obj, RangeType):
            fns = [f"{f}()" for f in (obj.canonical, obj.subtype_diff) if f]
            return self._refs([obj.subtype, *fns]) & (self.types | self._fn_keys())
        if isinstance(obj, Operator):
            return self._refs([obj.left, obj.right, obj.result, obj.function + "()"]) & (
                self.types | self._fn_keys()
            )
        if isinstance(obj, Cast):
            return self._refs([obj.source, obj.target, obj.function]) & (
                self.types | self._fn_keys()
            )
        if isinstance(obj, View):
            deps = {"rel:" + d for d in obj.depends_on} & self.relations
            deps |= self._refs([obj.definition], calls_only=True)
            deps |= {"type:" + c.type_ref for c in obj.columns if c.type_ref} & self.types
            for tr in obj.triggers:
                deps.update(self.functions_by_name.get(tr.function, ()))
            return deps
        return set()

    def _fn_keys(self) -> set[str]:
        return {k for k in self.items if k.startswith("fn:")}

    def _is_sequence(self, key: str) -> bool:
        return isinstance(self.items[key].obj, Sequence)

    def ordered(self) -> list[_Item]:
        """Stable topological order; a cycle is broken at its smallest item."""
        pending = {k: set(i.deps) for k, i in self.items.items()}
        users: dict[str, set[str]] = {}
        for k, deps in pending.items():
            for d in deps:
                users.setdefault(d, set()).add(k)
        ready = [(self.items[k].sort_key, k) for k, deps in pending.items() if not deps]
        heapq.heapify(ready)
        out: list[_Item] = []
        while pending:
            if not ready:  # cycle: take the smallest remaining item
                k = min(pending, key=lambda key: self.items[key].sort_key)
                ready.append((self.items[k].sort_key, k))
            _, k = heapq.heappop(ready)
            if k not in pending:
                continue
            del pending[k]
            out.append(self.items[k])
            for user in sorted(users.get(k, ())):
                if user in pending:
                    pending[user].discard(k)
                    if not pending[user]:
                        heapq.heappush(ready, (self.items[user].sort_key, user))
        return out

    def mark_emitted(self, key: str) -> None:
        self.emitted.add(key)

    def policy_ready(self, policy: Policy) -> bool:
        """Whether every relation/function a policy reads already exists at this point."""
        refs = self._refs([policy.using, policy.with_check])
        refs.discard("rel:" + policy.table)
        return refs <= self.emitted


def _has_sql_body(fn: Function) -> bool:
    """SQL-standard bodies (BEGIN ATOMIC / RETURN) are parsed at creation, unlike $$ bodies."""
    return fn.language == "sql" and " AS $" not in fn.definition and "\nAS $" not in fn.definition


def _qualify(name: str) -> str:
    schema, dot, rest = name.partition(".")
    if not dot:
        schema, rest = "public", name
    return f"{_unquote(schema)}.{_unquote(rest)}"


def _unquote(part: str) -> str:
    if part.startswith('"') and part.endswith('"'):
        return part[1:-1].replace('""', '"')
    return part.lower()


# --- rendering ------------------------------------------------------------------------------


def _header() -> str:
    return (
        "--\n"
        "-- Schema DDL exported by Schema Workbench (workbench.export.ddl.render_ddl).\n"
        "-- Deterministic: equal schemas give byte-identical files. No ownership; privileges\n"
        "-- as GRANT/REVOKE against PostgreSQL's defaults.\n"
        "--\n"
    )


def _section(title: str) -> str:
    return f"\n-- {title}\n"


def _comment(kind: str, target: str, text: str) -> str:
    return f"COMMENT ON {kind} {target} IS {quote_literal(text)};\n"


def _roles(roles: list[str]) -> str:
    lines = [
        _section("Roles named by policies and grants (created only when missing; cluster-wide)"),
        "DO $roles$\nBEGIN\n",
    ]
    for role in roles:
        lines.append(
            f"    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = {quote_literal(role)}) THEN\n"
            f"        CREATE ROLE {quote_ident(role)} NOLOGIN;\n"
            "    END IF;\n"
        )
    lines.append("EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;\nEND\n$roles$;\n")
    return "".join(lines)


def _enum(e: Enum) -> str:
    values = ",\n".join(f"    {quote_literal(v)}" for v in e.values)
    out = f"CREATE TYPE {quote_qualified(e.qualified_name)} AS ENUM (\n{values}\n);\n"
    if e.comment is not None:
        out += _comment("TYPE", quote_qualified(e.qualified_name), e.comment)
    return out


def _domain(d: Domain) -> str:
    name = quote_qualified(d.qualified_name)
    out = f"CREATE DOMAIN {name} AS {d.base_type}"
    if d.collation:
        out += f" COLLATE {d.collation}"
    if d.default is not None:
        out += f" DEFAULT {d.default}"
    if d.not_null:
        out += " NOT NULL"
    later = []
    for c in d.checks:
        if c.validated:
            out += f"\n    CONSTRAINT {quote_ident(c.name)} {stable_sql(c.definition)}"
        else:
            later.append(
                f"ALTER DOMAIN {name} ADD CONSTRAINT {quote_ident(c.name)} {stable_sql(c.definition)};\n"
            )
    out += ";\n" + "".join(later)
    if d.comment is not None:
        out += _comment("DOMAIN", name, d.comment)
    for c in d.checks:
        if c.comment is not None:
            out += _comment("CONSTRAINT", f"{quote_ident(c.name)} ON DOMAIN {name}", c.comment)
    return out


def _sequence(s: Sequence) -> str:
    name = quote_qualified(s.qualified_name)
    lines = [
        f"CREATE SEQUENCE {name}",
        f"    AS {s.data_type}",
        f"    START WITH {s.start}",
        f"    INCREMENT BY {s.increment}",
        f"    MINVALUE {s.min_value}" if s.min_value is not None else "    NO MINVALUE",
        f"    MAXVALUE {s.max_value}" if s.max_value is not None else "    NO MAXVALUE",
        f"    CACHE {s.cache}",
    ]
    if s.cycle:
        lines.append("    CYCLE")
    out = "\n".join(lines) + ";\n"
    if s.comment is not None:
        out += _comment("SEQUENCE", name, s.comment)
    return out


def _function(f: Function) -> str:
    out = f.definition.rstrip().rstrip(";") + ";\n"
    if f.comment is not None:
        kind = {"procedure": "PROCEDURE", "aggregate": "AGGREGATE"}.get(f.kind, "FUNCTION")
        out += _comment(kind, f"{quote_qualified(f.qualified_name)}({f.arguments})", f.comment)
    return out


def _column(c: Column, *, inherited: Column | None = None) -> str:
    parts = [quote_ident(c.name), c.type]
    if c.collation:
        parts.append(f"COLLATE {c.collation}")
    if c.generated is not None:
        kind = "VIRTUAL" if c.generated_virtual else "STORED"
        parts.append(f"GENERATED ALWAYS AS ({stable_sql(c.generated)}) {kind}")
    elif c.identity:
        ident = f"GENERATED {c.identity} AS IDENTITY"
        if c.identity_options:
            ident += f" ({c.identity_options})"
        parts.append(ident)
    elif c.default is not None:
        parts.append(f"DEFAULT {stable_sql(c.default)}")
    if not c.nullable:
        parts.append("NOT NULL")
    return " ".join(parts)


def _table(t: Table, plan: _Plan) -> str:
    name = quote_qualified(t.qualified_name)
    unlogged = "UNLOGGED " if t.unlogged else ""
    inline = [c for c in t.constraints if c.validated]
    constraint_lines = [
        f"CONSTRAINT {quote_ident(c.name)} {stable_sql(c.definition)}" for c in inline
    ]
    after: list[str] = []
    parent = plan.tables.get(t.partition_of) if t.partition_of else None
    if parent is not None and parent.column_names == t.column_names:
        body = ""
        if constraint_lines:
            body = " (\n" + ",\n".join(f"    {line}" for line in constraint_lines) + "\n)"
        out = f"CREATE {unlogged}TABLE {name} PARTITION OF {quote_qualified(parent.qualified_name)}{body}\n"
        out += f"    {t.partition_bound}"
        if t.partition_key:
            out += f"\nPARTITION BY {t.partition_key}"
        for col in t.columns:
            after += _partition_column_fixes(name, col, parent.column(col.name))
        out += _with(t.options, prefix="\n")
    else:
        parents = [plan.tables[p] for p in t.inherits if p in plan.tables]
        local = [c for c in t.columns if not any(c.name in p.column_names for p in parents)]
        for col in t.columns:
            inherited = next(
                (p.column(col.name) for p in parents if col.name in p.column_names), None
            )
            if inherited is not None:
                after += _partition_column_fixes(name, col, inherited)
        lines = [_column(c) for c in local] + constraint_lines
        body = ",\n".join(f"    {line}" for line in lines)
        out = (
            f"CREATE {unlogged}TABLE {name} (\n{body}\n)"
            if lines
            else f"CREATE {unlogged}TABLE {name} ()"
        )
        if t.inherits:
            out += "\nINHERITS (" + ", ".join(quote_qualified(p) for p in t.inherits) + ")"
        if t.partition_key:
            out += f"\nPARTITION BY {t.partition_key}"
        out += _with(t.options, prefix="\n")
        if parent is not None or t.partition_of:
            after.append(
                f"ALTER TABLE {quote_qualified(t.partition_of or '')} ATTACH PARTITION {name} "
                f"{t.partition_bound};\n"
            )
    out += ";\n"
    plan.mark_emitted("rel:" + t.qualified_name)
    out += "".join(after)
    for c in t.constraints:
        if not c.validated:
            out += f"ALTER TABLE {name} ADD CONSTRAINT {quote_ident(c.name)} {stable_sql(c.definition)};\n"
    for s in plan.schema.sequences:
        if s.owned_by and s.owned_by.rsplit(".", 1)[0] == t.qualified_name:
            column = s.owned_by.rsplit(".", 1)[1]
            out += (
                f"ALTER SEQUENCE {quote_qualified(s.qualified_name)} OWNED BY "
                f"{name}.{quote_ident(column)};\n"
            )
    out += _relation_comments("TABLE", name, t.comment, t.columns)
    for c in t.constraints:
        if c.comment is not None:
            out += _comment("CONSTRAINT", f"{quote_ident(c.name)} ON {name}", c.comment)
    out += _indexes(t.indexes, partitioned=t.kind == "partitioned", schema=t.schema)
    out += _triggers(name, t.triggers)
    if t.rls_enabled:
        out += f"ALTER TABLE {name} ENABLE ROW LEVEL SECURITY;\n"
    if t.rls_forced:
        out += f"ALTER TABLE {name} FORCE ROW LEVEL SECURITY;\n"
    for p in t.policies:
        if plan.policy_ready(p):
            out += _policy(p)
        else:
            plan.deferred_policies.append(p)
    return f"\n-- Table {t.qualified_name}\n" + out


def _triggers(name: str, triggers: Iterable[Trigger]) -> str:
    out = ""
    for tr in triggers:
        out += tr.definition + ";\n"
        if not tr.enabled:
            out += f"ALTER TABLE {name} DISABLE TRIGGER {quote_ident(tr.name)};\n"
        if tr.comment is not None:
            out += _comment("TRIGGER", f"{quote_ident(tr.name)} ON {name}", tr.comment)
    return out


def option_list(options: Iterable[str]) -> str:
    """``(fillfactor=70, ...)`` for reloptions as PostgreSQL stores them (values quoted when needed)."""
    items = []
    for option in options:
        key, _, value = option.partition("=")
        items.append(f"{key}={value if _SIMPLE_OPTION.fullmatch(value) else quote_literal(value)}")
    return f"({', '.join(items)})"


def _with(options: tuple[str, ...], *, prefix: str = " ") -> str:
    """`` WITH (...)`` for a relation's storage parameters, '' when it has none."""
    return f"{prefix}WITH {option_list(options)}" if options else ""


def _partition_column_fixes(table: str, col: Column, parent: Column) -> list[str]:
    """ALTERs for what a partition's column does differently from its parent's."""
    fixes = []
    if col.default != parent.default and col.identity is None and col.generated is None:
        if col.default is None:
            fixes.append(
                f"ALTER TABLE {table} ALTER COLUMN {quote_ident(col.name)} DROP DEFAULT;\n"
            )
        else:
            fixes.append(
                f"ALTER TABLE {table} ALTER COLUMN {quote_ident(col.name)} SET DEFAULT {col.default};\n"
            )
    if not col.nullable and parent.nullable:
        fixes.append(f"ALTER TABLE {table} ALTER COLUMN {quote_ident(col.name)} SET NOT NULL;\n")
    return fixes


def _relation_comments(kind: str, name: str, comment: str | None, columns: Iterable[Column]) -> str:
    out = ""
    if comment is not None:
        out += _comment(kind, name, comment)
    for c in columns:
        if c.comment is not None:
            out += _comment("COLUMN", f"{name}.{quote_ident(c.name)}", c.comment)
    return out


def _indexes(indexes: Iterable[Index], *, partitioned: bool, schema: str) -> str:
    out = ""
    for i in indexes:
        if i.constraint is None:
            definition = stable_sql(i.definition)
            if partitioned:
                definition = definition.replace(" ON ONLY ", " ON ", 1)
            out += definition + ";\n"
        if i.comment is not None:
            out += _comment("INDEX", f"{quote_ident(schema)}.{quote_ident(i.name)}", i.comment)
    return out


def _policy(p: Policy) -> str:
    roles = ", ".join("PUBLIC" if r == "public" else quote_ident(r) for r in p.roles)
    out = (
        f"CREATE POLICY {quote_ident(p.name)} ON {quote_qualified(p.table)}\n"
        f"    AS {'PERMISSIVE' if p.permissive else 'RESTRICTIVE'}\n"
        f"    FOR {p.command}\n"
        f"    TO {roles}"
    )
    if p.using is not None:
        out += f"\n    USING ({stable_sql(p.using)})"
    if p.with_check is not None:
        out += f"\n    WITH CHECK ({stable_sql(p.with_check)})"
    out += ";\n"
    if p.comment is not None:
        out += _comment("POLICY", f"{quote_ident(p.name)} ON {quote_qualified(p.table)}", p.comment)
    return out


def _view(v: View) -> str:
    name = quote_qualified(v.qualified_name)
    body = stable_sql(v.definition).rstrip().rstrip(";")
    options = _with(v.options)
    if v.materialized:
        out = f"\n-- Materialized view {v.qualified_name}\nCREATE MATERIALIZED VIEW {name}{options} AS\n{body}\nWITH NO DATA;\n"
    else:
        out = f"\n-- View {v.qualified_name}\nCREATE VIEW {name}{options} AS\n{body};\n"
    for c in v.columns:
        if c.default is not None:
            out += (
                f"ALTER VIEW {name} ALTER COLUMN {quote_ident(c.name)} SET DEFAULT {c.default};\n"
            )
    kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
    out += _relation_comments(kind, name, v.comment, v.columns)
    out += _indexes(v.indexes, partitioned=False, schema=v.schema)
    out += _triggers(name, v.triggers)
    return out


def _collation(c: Collation) -> str:
    name = quote_qualified(c.qualified_name)
    opts = [f"provider = {c.provider}"]
    if c.provider == "libc":
        opts += [f"lc_collate = {quote_literal(c.lc_collate or '')}"]
        opts += [f"lc_ctype = {quote_literal(c.lc_ctype or '')}"]
    else:
        opts.append(f"locale = {quote_literal(c.locale or '')}")
    if not c.deterministic:
        opts.append("deterministic = false")
    if c.rules is not None:
        opts.append(f"rules = {quote_literal(c.rules)}")
    out = f"CREATE COLLATION {name} ({', '.join(opts)});\n"
    if c.comment is not None:
        out += _comment("COLLATION", name, c.comment)
    return out


def _ts_dictionary(d: TextSearchDictionary) -> str:
    name = quote_qualified(d.qualified_name)
    opts = f"TEMPLATE = {d.template}" + (f", {d.options}" if d.options else "")
    out = f"CREATE TEXT SEARCH DICTIONARY {name} (\n    {opts}\n);\n"
    if d.comment is not None:
        out += _comment("TEXT SEARCH DICTIONARY", name, d.comment)
    return out


def _ts_config(c: TextSearchConfig) -> str:
    name = quote_qualified(c.qualified_name)
    out = f"CREATE TEXT SEARCH CONFIGURATION {name} (\n    PARSER = {c.parser}\n);\n"
    for m in c.mappings:
        out += (
            f"ALTER TEXT SEARCH CONFIGURATION {name}\n"
            f"    ADD MAPPING FOR {m.token} WITH {', '.join(m.dictionaries)};\n"
        )
    if c.comment is not None:
        out += _comment("TEXT SEARCH CONFIGURATION", name, c.comment)
    return out


def _composite(c: CompositeType) -> str:
    name = quote_qualified(c.qualified_name)
    attrs = [
        f"    {quote_ident(a.name)} {a.type}" + (f" COLLATE {a.collation}" if a.collation else "")
        for a in c.attributes
    ]
    body = "(\n" + ",\n".join(attrs) + "\n)" if attrs else "()"
    out = f"CREATE TYPE {name} AS {body};\n"
    if c.comment is not None:
        out += _comment("TYPE", name, c.comment)
    for a in c.attributes:
        if a.comment is not None:
            out += _comment("COLUMN", f"{name}.{quote_ident(a.name)}", a.comment)
    return out


def _range(r: RangeType) -> str:
    name = quote_qualified(r.qualified_name)
    opts = [f"SUBTYPE = {r.subtype}"]
    if r.subtype_opclass:
        opts.append(f"SUBTYPE_OPCLASS = {r.subtype_opclass}")
    if r.collation:
        opts.append(f"COLLATION = {r.collation}")
    if r.canonical:
        opts.append(f"CANONICAL = {r.canonical}")
    if r.subtype_diff:
        opts.append(f"SUBTYPE_DIFF = {r.subtype_diff}")
    if r.multirange:
        opts.append(f"MULTIRANGE_TYPE_NAME = {quote_qualified(r.multirange)}")
    body = ",\n".join(f"    {o}" for o in opts)
    out = f"CREATE TYPE {name} AS RANGE (\n{body}\n);\n"
    if r.comment is not None:
        out += _comment("TYPE", name, r.comment)
    return out


def operator_target(o: Operator) -> str:
    """``public.=== (integer, integer)``: how COMMENT ON / DROP OPERATOR name an operator."""
    return f"{quote_ident(o.schema)}.{o.name} ({o.left or 'NONE'}, {o.right})"


def _operator_ref(qualified: str) -> str:
    schema, _, symbol = qualified.partition(".")
    return f"OPERATOR({quote_ident(schema)}.{symbol})"


def _operator(o: Operator) -> str:
    opts = [f"FUNCTION = {o.function}"]
    if o.left is not None:
        opts.append(f"LEFTARG = {o.left}")
    opts.append(f"RIGHTARG = {o.right}")
    if o.commutator:
        opts.append(f"COMMUTATOR = {_operator_ref(o.commutator)}")
    if o.negator:
        opts.append(f"NEGATOR = {_operator_ref(o.negator)}")
    if o.restrict:
        opts.append(f"RESTRICT = {o.restrict}")
    if o.join:
        opts.append(f"JOIN = {o.join}")
    if o.hashes:
        opts.append("HASHES")
    if o.merges:
        opts.append("MERGES")
    body = ",\n".join(f"    {x}" for x in opts)
    out = f"CREATE OPERATOR {quote_ident(o.schema)}.{o.name} (\n{body}\n);\n"
    if o.comment is not None:
        out += _comment("OPERATOR", operator_target(o), o.comment)
    return out


def _cast(c: Cast) -> str:
    how = {
        "function": f"WITH FUNCTION {c.function}",
        "inout": "WITH INOUT",
        "binary": "WITHOUT FUNCTION",
    }[c.method]
    context = {"explicit": "", "assignment": " AS ASSIGNMENT", "implicit": " AS IMPLICIT"}
    out = f"CREATE CAST {c.key}\n    {how}{context[c.context]};\n"
    if c.comment is not None:
        out += _comment("CAST", c.key, c.comment)
    return out


def _rule(r: Rule) -> str:
    out = r.definition.rstrip().rstrip(";") + ";\n"
    table = quote_qualified(r.table)
    if not r.enabled:
        out += f"ALTER TABLE {table} DISABLE RULE {quote_ident(r.name)};\n"
    if r.comment is not None:
        out += _comment("RULE", f"{quote_ident(r.name)} ON {table}", r.comment)
    return out


def grant_target(g: Grant) -> str:
    """``TABLE public.t`` / ``FUNCTION public.f(integer)`` / ``SCHEMA app``: a GRANT's object."""
    if g.object_type == "SCHEMA":
        return f"SCHEMA {quote_ident(g.object)}"
    if g.object_type in ("FUNCTION", "PROCEDURE"):
        name, _, args = g.object.partition("(")
        return f"{g.object_type} {quote_qualified(name)}({args}"
    return f"{g.object_type} {quote_qualified(g.object)}"


def _grant(g: Grant) -> str:
    column = f" ({quote_ident(g.column)})" if g.column is not None else ""
    privileges = ", ".join(p + column for p in g.privileges)
    grantee = "PUBLIC" if g.grantee == "PUBLIC" else quote_ident(g.grantee)
    if g.revoked:
        return f"REVOKE {privileges} ON {grant_target(g)} FROM {grantee};\n"
    option = " WITH GRANT OPTION" if g.grantable else ""
    return f"GRANT {privileges} ON {grant_target(g)} TO {grantee}{option};\n"


__all__ = ["PREAMBLE", "render_ddl"]

"""Render a :class:`~workbench.model.Schema` as SQL DDL that loads into an empty database.

The output is meant to be read by people and proven by machines: the round-trip
test loads it into an empty database, introspects that database and requires
the model to be equal to the one it came from. Layout (see docs/ddl-export.md):

1. session settings (``check_function_bodies = off`` and ``search_path``,
   the same settings introspection pins, so unqualified names resolve alike);
2. roles named by policies (created only when missing: roles live outside the
   database, but an "empty database" on a fresh server would otherwise fail);
3. extensions, schemas;
4. types, domains, sequences, functions, tables and views in one dependency
   order: a stable topological sort with ties broken by kind then name, each
   table followed by its comments, indexes, triggers, RLS and policies;
5. policies that read tables created later, then all foreign keys.

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
    Column,
    Domain,
    Enum,
    Function,
    Index,
    Policy,
    Schema,
    Sequence,
    Table,
    View,
)

#: Settings at the top of every export (what introspection pins, plus bodies unchecked).
PREAMBLE = (
    "SET check_function_bodies = off;\n"
    "SET client_min_messages = warning;\n"
    "SET search_path = public;\n"
)

_RANK = {"enum": 1, "domain": 2, "sequence": 3, "function": 4, "table": 5, "view": 6}
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
    roles = sorted({r for p in schema.policies for r in p.roles if r != "public"})
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
    plan = _Plan(schema)
    for item in plan.ordered():
        parts.append(item.render(plan))
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
            return deps
        if isinstance(obj, View):
            deps = {"rel:" + d for d in obj.depends_on} & self.relations
            deps |= self._refs([obj.definition], calls_only=True)
            deps |= {"type:" + c.type_ref for c in obj.columns if c.type_ref} & self.types
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
        "-- Deterministic: equal schemas give byte-identical files. No ownership or privileges.\n"
        "--\n"
    )


def _section(title: str) -> str:
    return f"\n-- {title}\n"


def _comment(kind: str, target: str, text: str) -> str:
    return f"COMMENT ON {kind} {target} IS {quote_literal(text)};\n"


def _roles(roles: list[str]) -> str:
    lines = [
        _section("Roles named by policies (created only when missing; cluster-wide)"),
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
        for col in t.columns:
            after += _partition_column_fixes(name, col, parent.column(col.name))
    else:
        lines = [_column(c) for c in t.columns] + constraint_lines
        body = ",\n".join(f"    {line}" for line in lines)
        out = f"CREATE {unlogged}TABLE {name} (\n{body}\n)"
        if parent is not None or t.partition_of:
            after.append(
                f"ALTER TABLE {quote_qualified(t.partition_of or '')} ATTACH PARTITION {name} "
                f"{t.partition_bound};\n"
            )
    if t.partition_key:
        out += f"\nPARTITION BY {t.partition_key}"
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
    for tr in t.triggers:
        out += tr.definition + ";\n"
        if not tr.enabled:
            out += f"ALTER TABLE {name} DISABLE TRIGGER {quote_ident(tr.name)};\n"
        if tr.comment is not None:
            out += _comment("TRIGGER", f"{quote_ident(tr.name)} ON {name}", tr.comment)
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
    if v.materialized:
        out = f"\n-- Materialized view {v.qualified_name}\nCREATE MATERIALIZED VIEW {name} AS\n{body}\nWITH NO DATA;\n"
    else:
        out = f"\n-- View {v.qualified_name}\nCREATE VIEW {name} AS\n{body};\n"
    for c in v.columns:
        if c.default is not None:
            out += (
                f"ALTER VIEW {name} ALTER COLUMN {quote_ident(c.name)} SET DEFAULT {c.default};\n"
            )
    kind = "MATERIALIZED VIEW" if v.materialized else "VIEW"
    out += _relation_comments(kind, name, v.comment, v.columns)
    out += _indexes(v.indexes, partitioned=False, schema=v.schema)
    return out


__all__ = ["PREAMBLE", "render_ddl"]

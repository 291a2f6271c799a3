"""Structured differences between two schema models, and the SQL that migrates one to the other.

Why our own differ instead of a library (see docs/ddl-export.md, "Diffs"):
Alembic's ``compare_metadata`` works on SQLAlchemy metadata and does not see
enum values, domains, views, functions, triggers, policies or RLS, and never
detects renames; ``results`` (migra's successor) diffs two *live* databases,
is not a dependency of this project, and also turns a rename into drop + add,
i.e. data loss. Our model already holds everything both sides need, and the
DDL renderer already knows how to write each object, so the differ is a
comparison of frozen dataclasses plus a few ALTER templates.

Renames: explicit hints (``{"public.users.name": "full_name",
"public.old_table": "new_table"}``) win; otherwise a removed and an added
table with identical columns (names and types) is a table rename, and in one
table a single removed and a single added column of the same type at the same
position is a column rename. Renames become ``ALTER ... RENAME`` so rows
survive. Every statement that can destroy data is preceded by a
``-- DESTRUCTIVE:`` line and flagged in :meth:`SchemaDiff.to_frame`.

Changes are made in place wherever PostgreSQL can: a changed sequence is
``ALTER SEQUENCE`` (drop + create would restart it below values rows already
hold), ``OWNED BY`` moves with ``ALTER SEQUENCE``, and a change that touches
only a comment is ``COMMENT ON`` (rebuilding a materialised view for a comment
would empty it). Objects rebuilt for other reasons carry their new comments.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, overload

from workbench import safety as _safety
from workbench.export import ddl as _ddl
from workbench.export._sql import quote_ident, quote_literal, quote_qualified
from workbench.model import (
    Column,
    CompositeType,
    Grant,
    Schema,
    Sequence,
    Table,
    TextSearchConfig,
    View,
    qualify,
    split_qualified,
)
from workbench.sqlsplit import split_sql

#: Order in which the phases of a migration run (drops of dependants first, creates last).
_PHASES = (
    "extension",
    "enum",
    "domain",
    "kind",
    "sequence",
    "drop_rule",
    "drop_fk",
    "drop_dependant",
    "drop_view",
    "rename",
    "drop_constraint",
    "function",
    "operator",
    "table",
    "copy",
    "column",
    "constraint",
    "merge",
    "drop_table",
    "view",
    "dependant",
    "rule",
    "fk",
    "comment",
    "grant",
    "drop_operator",
    "drop_type",
)


@dataclass(frozen=True, slots=True)
class Change:
    """One difference: what kind of object, which one, how it changed, and the SQL for it."""

    kind: str  # 'table' | 'column' | 'constraint' | 'index' | 'foreign_key' | 'enum' | ...
    name: str  # qualified: 'public.users', 'public.users.email', 'public.users.users_pkey'
    change: str  # 'added' | 'removed' | 'altered' | 'renamed'
    details: str = ""
    before: Any = None
    after: Any = None
    destructive: bool = False
    sql: tuple[str, ...] = ()
    phase: str = "table"


@dataclass(frozen=True, slots=True)
class SchemaDiff:
    """The changes that take ``old`` to ``new``, in migration order."""

    changes: tuple[Change, ...] = ()
    #: Tables the migration creates, and partitioned tables (unquoted qualified names):
    #: statements on them keep their plain form.
    new_tables: frozenset[str] = frozenset()
    partitioned: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    @property
    def destructive(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.destructive)

    def to_frame(self) -> Any:
        """A pandas DataFrame: kind, name, change, details, destructive (one row per change)."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "kind": c.kind,
                    "name": c.name,
                    "change": c.change,
                    "details": c.details,
                    "destructive": c.destructive,
                }
                for c in self.changes
            ],
            columns=["kind", "name", "change", "details", "destructive"],
        )

    def __str__(self) -> str:
        if not self.changes:
            return "No differences."
        marks = {"added": "+", "removed": "-", "altered": "~", "renamed": ">"}
        lines = []
        for c in self.changes:
            flag = "  [DESTRUCTIVE]" if c.destructive else ""
            detail = f": {c.details}" if c.details else ""
            lines.append(f"{marks.get(c.change, '?')} {c.kind} {c.name}{detail}{flag}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        if not self.changes:
            return "<p>No differences.</p>"
        from workbench.htmltable import code, table

        rows = [
            [
                html.escape(c.kind),
                code(c.name),
                html.escape(c.change),
                html.escape(c.details),
                "<b style='color:#b00'>yes</b>" if c.destructive else "",
            ]
            for c in self.changes
        ]
        return table(["kind", "name", "change", "details", "destructive"], rows, align="nnn")

    def steps(self, *, safe: bool = True) -> tuple[Step, ...]:
        """Every statement of the migration, in order, with its change and documented cost.

        ``safe`` (the default) rewrites statements into the forms that hold weaker or
        shorter locks (see :mod:`workbench.safety`); ``safe=False`` is the plain form.
        """
        out: list[Step] = []
        for c in self.changes:
            old_type = _old_type(c)
            for text in c.sql:
                if all(ln.lstrip().startswith("--") for ln in text.strip().splitlines()):
                    out.append(Step(c, text.strip(), _safety.classify(text)))
                    continue
                for stmt in split_sql(text):
                    if stmt.kind != "sql":
                        continue
                    forms = (
                        _safety.safe_statements(
                            stmt.text, new_tables=self.new_tables, partitioned=self.partitioned
                        )
                        if safe
                        else [stmt.text.strip()]
                    )
                    proven = False  # a validated CHECK (col IS NOT NULL) came first
                    for form in forms:
                        cost = _safety.classify(form, old_type=old_type)
                        if "VALIDATE CONSTRAINT wb_not_null_" in form:
                            proven = True
                        elif proven and form.endswith(" SET NOT NULL;"):
                            cost = replace(
                                cost, scan=False, note="no scan: the valid CHECK proves it"
                            )
                        out.append(Step(c, form, cost))
        return tuple(out)

    def to_steps_frame(self, *, safe: bool = True) -> Any:
        """A DataFrame of :meth:`steps`: change, statement, category, lock, table, blocks."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "change": f"{s.change.change} {s.change.kind} {s.change.name}",
                    "statement": s.sql,
                    "category": s.cost.category,
                    "rewrite": s.cost.rewrite,
                    "lock": s.cost.lock,
                    "table": s.cost.table,
                    "blocks": s.cost.blocks if s.cost.lock else "",
                    "outside_transaction": s.cost.outside_transaction,
                }
                for s in self.steps(safe=safe)
            ]
        )

    def migration_sql(
        self,
        *,
        safe: bool = True,
        lock_timeout: str = _safety.LOCK_TIMEOUT,
        statement_timeout: str = _safety.STATEMENT_TIMEOUT,
    ) -> str:
        """SQL that takes the old schema to the new one, every statement classified.

        Each statement is preceded by a comment with its category (metadata-only,
        table rewrite, full scan, destructive) and the lock it takes; statements
        that can lose data also get a ``-- DESTRUCTIVE:`` line. With ``safe`` (the
        default) the safe forms of :mod:`workbench.safety` are written, and every
        statement whose lock blocks writes is wrapped in ``SET lock_timeout`` /
        ``statement_timeout`` and ``RESET``; ``safe=False`` writes the plain form.
        """
        out = [_ddl.PREAMBLE]
        current: Change | None = None
        marked = False
        before, after = _safety.timeouts(lock_timeout, statement_timeout)
        steps = self.steps(safe=safe)
        for i, step in enumerate(steps):
            c = step.change
            if c is not current:
                current, marked = c, False
                out.append(f"-- {c.change} {c.kind} {c.name}")
                # A destructive change without a destructive statement: mark its first one.
                rest = [s for s in steps[i:] if s.change is c]
                lossy = any(s.cost.destructive for s in rest)
            cost = step.cost
            if step.sql.startswith("--"):
                if c.destructive and not marked:
                    out.append(f"-- DESTRUCTIVE: {c.details or 'drops data'}")
                    marked = True
                out.append(step.sql)
                continue
            if cost.lock or cost.destructive or cost.outside_transaction:
                out.append(cost.comment())
            wrap = safe and _safety.needs_timeouts(cost)
            if wrap:
                out.append(before)
            if c.destructive and (cost.destructive or (not lossy and not marked)):
                out.append(f"-- DESTRUCTIVE: {c.details or cost.note or 'drops data'}")
                marked = True
            out.append(step.sql.rstrip("\n"))
            if wrap:
                out.append(after)
        return "\n".join(out) + "\n"


@dataclass(frozen=True, slots=True)
class Step:
    """One statement of a migration: the change it belongs to, its SQL and its cost."""

    change: Change
    sql: str
    cost: _safety.Cost


def _old_type(c: Change) -> str | None:
    if c.kind == "column" and isinstance(c.before, Column) and isinstance(c.after, Column):
        return c.before.type
    return None


def diff(old: Schema, new: Schema, *, renames: Mapping[str, str] | None = None) -> SchemaDiff:
    """Compare two models; ``renames`` maps old names to new ones (see the module docstring)."""
    return _Differ(old, new, dict(renames or {})).run()


def reverse_renames(renames: dict[str, str]) -> dict[str, str]:
    """Hints for B → A: ``public.users.name=full_name`` becomes ``public.users.full_name=name``."""
    reversed_: dict[str, str] = {}
    for old, new in renames.items():
        parent, _, old_name = old.rpartition(".")
        reversed_[f"{parent}.{new}" if parent else new] = old_name
    return reversed_


# --- the differ ---------------------------------------------------------------------------


@dataclass
class _Differ:
    old: Schema
    new: Schema
    hints: dict[str, str]
    changes: list[Change] = field(default_factory=list)
    table_renames: dict[str, str] = field(default_factory=dict)  # old qualified → new qualified
    column_renames: dict[str, dict[str, str]] = field(default_factory=dict)  # new table → old→new
    # new table → constraints dropped and added again (their indexes lose their comments)
    recreated_constraints: dict[str, set[str]] = field(default_factory=dict)
    recreated_views: set[str] = field(default_factory=set)  # dropped and created again
    recreated_functions: set[str] = field(default_factory=set)  # signatures, likewise

    def add(self, phase: str, kind: str, name: str, change: str, *sql: str, **kw: Any) -> None:
        self.changes.append(Change(kind, name, change, sql=tuple(sql), phase=phase, **kw))

    def run(self) -> SchemaDiff:
        self._extensions()
        self._enums()
        self._domains()
        self._sequences()
        self._functions()
        self._tables()
        self._splits()
        self._sequence_owners()
        self._views()
        self._kinds()
        self._grants()
        order = {p: i for i, p in enumerate(_PHASES)}
        ordered = sorted(enumerate(self.changes), key=lambda ic: (order[ic[1].phase], ic[0]))
        created = {c.name for c in self.changes if c.kind == "table" and c.change == "added"}
        partitioned = {t.qualified_name for t in self.new.tables if t.kind == "partitioned"}
        partitioned |= {t.qualified_name for t in self.old.tables if t.kind == "partitioned"}
        partitioned |= {t.qualified_name for t in self.new.tables if t.partition_of}
        return SchemaDiff(tuple(c for _, c in ordered), frozenset(created), frozenset(partitioned))

    # -- simple object kinds -----------------------------------------------------------
    def _extensions(self) -> None:
        old = {e.name: e for e in self.old.extensions}
        new = {e.name: e for e in self.new.extensions}
        for name in sorted(new.keys() - old.keys()):
            e = new[name]
            self.add("extension", "extension", name, "added",
                     f"CREATE EXTENSION IF NOT EXISTS {quote_ident(name)} WITH SCHEMA {quote_ident(e.schema)};")  # fmt: skip
        for name in sorted(old.keys() - new.keys()):
            self.add("drop_type", "extension", name, "removed",
                     f"DROP EXTENSION {quote_ident(name)};", destructive=True,
                     details="drops the extension and its objects")  # fmt: skip
        old_ns = {n.name: n for n in self.old.namespaces}
        for ns in sorted(self.new.namespaces, key=lambda n: n.name):
            q = quote_ident(ns.name)
            if ns.name not in old_ns:
                sql = [f"CREATE SCHEMA IF NOT EXISTS {q};"]
                if ns.comment is not None:
                    sql.append(_comment_sql("SCHEMA", q, ns.comment))
                self.add("extension", "schema", ns.name, "added", *sql)
            elif old_ns[ns.name].comment != ns.comment:
                self.add("comment", "schema", ns.name, "altered",
                         _comment_sql("SCHEMA", q, ns.comment), details="comment")  # fmt: skip

    def _enums(self) -> None:
        old = {e.qualified_name: e for e in self.old.enums}
        new = {e.qualified_name: e for e in self.new.enums}
        for name in sorted(new.keys() - old.keys()):
            self.add("enum", "enum", name, "added", _ddl._enum(new[name]), after=new[name])
        for name in sorted(old.keys() - new.keys()):
            self.add("drop_type", "enum", name, "removed", f"DROP TYPE {quote_qualified(name)};",
                     before=old[name], destructive=True, details="type dropped")  # fmt: skip
        for name in sorted(old.keys() & new.keys()):
            a, b = old[name], new[name]
            if a.values == b.values and a.comment == b.comment:
                continue
            sql: list[str] = []
            added = [v for v in b.values if v not in a.values]
            removed = [v for v in a.values if v not in b.values]
            for v in added:
                pos = b.values.index(v)
                where = ""
                if pos + 1 < len(b.values) and b.values[pos + 1] in a.values:
                    where = f" BEFORE {quote_literal(b.values[pos + 1])}"
                elif pos > 0:
                    where = f" AFTER {quote_literal(b.values[pos - 1])}"
                sql.append(
                    f"ALTER TYPE {quote_qualified(name)} ADD VALUE {quote_literal(v)}{where};"
                )
            if removed:
                sql.append(
                    f"-- MANUAL: values {removed} cannot be dropped from an enum; rebuild the type"
                )
            if a.comment != b.comment:
                sql.append(_comment_sql("TYPE", quote_qualified(name), b.comment))
            details = ", ".join([f"+{v}" for v in added] + [f"-{v}" for v in removed])
            self.add("enum", "enum", name, "altered", *sql, before=a, after=b,
                     details=details, destructive=bool(removed))  # fmt: skip

    def _domains(self) -> None:
        old = {d.qualified_name: d for d in self.old.domains}
        new = {d.qualified_name: d for d in self.new.domains}
        for name in sorted(new.keys() - old.keys()):
            self.add("domain", "domain", name, "added", _ddl._domain(new[name]), after=new[name])
        for name in sorted(old.keys() - new.keys()):
            self.add("drop_type", "domain", name, "removed", f"DROP DOMAIN {quote_qualified(name)};",
                     before=old[name], destructive=True, details="domain dropped")  # fmt: skip
        for name in sorted(old.keys() & new.keys()):
            a, b = old[name], new[name]
            if a == b:
                continue
            q = quote_qualified(name)
            sql = []
            if a.default != b.default:
                sql.append(
                    f"ALTER DOMAIN {q} "
                    + (f"SET DEFAULT {b.default};" if b.default else "DROP DEFAULT;")
                )
            if a.not_null != b.not_null:
                sql.append(f"ALTER DOMAIN {q} {'SET' if b.not_null else 'DROP'} NOT NULL;")
            old_checks = {c.name: replace(c, comment=None) for c in a.checks}
            new_checks = {c.name: replace(c, comment=None) for c in b.checks}
            old_comments = {c.name: c.comment for c in a.checks}
            for cname, c in old_checks.items():
                if new_checks.get(cname) != c:
                    sql.append(f"ALTER DOMAIN {q} DROP CONSTRAINT {quote_ident(cname)};")
            for check in b.checks:
                cname, target = check.name, f"{quote_ident(check.name)} ON DOMAIN {q}"
                if old_checks.get(cname) != new_checks[cname]:
                    sql.append(
                        f"ALTER DOMAIN {q} ADD CONSTRAINT {quote_ident(cname)} {check.definition};"
                    )
                    if check.comment is not None:
                        sql.append(_comment_sql("CONSTRAINT", target, check.comment))
                elif old_comments.get(cname) != check.comment:
                    sql.append(_comment_sql("CONSTRAINT", target, check.comment))
            if a.comment != b.comment:
                sql.append(_comment_sql("DOMAIN", q, b.comment))
            if a.base_type != b.base_type:
                sql.append(
                    f"-- MANUAL: base type {a.base_type} -> {b.base_type} needs a new domain"
                )
            self.add("domain", "domain", name, "altered", *sql, before=a, after=b,
                     destructive=a.base_type != b.base_type)  # fmt: skip

    def _sequences(self) -> None:
        old = {s.qualified_name: s for s in self.old.sequences}
        new = {s.qualified_name: s for s in self.new.sequences}
        for name in sorted(new.keys() - old.keys()):
            self.add(
                "sequence", "sequence", name, "added", _ddl._sequence(new[name]), after=new[name]
            )
        for name in sorted(old.keys() - new.keys()):
            self.add("drop_type", "sequence", name, "removed",
                     f"DROP SEQUENCE IF EXISTS {quote_qualified(name)};", before=old[name],
                     destructive=True, details="drops the sequence and its current value")  # fmt: skip
        for name in sorted(old.keys() & new.keys()):
            a, b = old[name], new[name]
            # ALTER, never drop + create: a recreated sequence restarts and hands out
            # values that rows already hold. Without RESTART the current value is kept.
            options = _sequence_options(a, b)
            head = f"ALTER SEQUENCE {quote_qualified(name)}\n    "
            sql = [head + "\n    ".join(options) + ";"] if options else []
            if a.comment != b.comment:
                sql.append(_comment_sql("SEQUENCE", quote_qualified(name), b.comment))
            if sql:
                fields = ("data_type", "start", "increment", "min_value", "max_value", "cache",
                          "cycle", "comment")  # fmt: skip
                details = ", ".join(
                    f"{f} {getattr(a, f)} -> {getattr(b, f)}" if f != "comment" else f
                    for f in fields
                    if getattr(a, f) != getattr(b, f)
                )
                self.add("sequence", "sequence", name, "altered", *sql, before=a, after=b,
                         details=details)  # fmt: skip

    def _sequence_owners(self) -> None:
        """``OWNED BY`` changes, once table and column renames are known.

        Released early (``OWNED BY NONE``, before a dropped column or table would take
        the sequence with it), set late (after the new owner column exists). Renamed
        owners need nothing: PostgreSQL's dependency follows the rename.
        """
        old = {s.qualified_name: s for s in self.old.sequences}
        created = {c.name for c in self.changes if c.kind == "table" and c.change == "added"}
        for s in self.new.sequences:
            a = old.get(s.qualified_name)
            before = self._renamed_column(a.owned_by) if a is not None else None
            if before == s.owned_by:
                continue
            q = quote_qualified(s.qualified_name)
            if a is not None and a.owned_by is not None:
                self.add("sequence", "sequence", s.qualified_name, "altered",
                         f"ALTER SEQUENCE {q} OWNED BY NONE;", before=a, after=s,
                         details=f"owned by {a.owned_by} -> released")  # fmt: skip
            if s.owned_by is not None and s.owned_by.rsplit(".", 1)[0] not in created:
                table, column = s.owned_by.rsplit(".", 1)
                self.add("dependant", "sequence", s.qualified_name, "altered",
                         f"ALTER SEQUENCE {q} OWNED BY {quote_qualified(table)}.{quote_ident(column)};",
                         before=a, after=s, details=f"owned by {s.owned_by}")  # fmt: skip

    def _renamed_column(self, qualified: str | None) -> str | None:
        """Map ``schema.table.column`` of the old schema through the detected renames."""
        if qualified is None:
            return None
        table, column = qualified.rsplit(".", 1)
        table = self.table_renames.get(table, table)
        return f"{table}.{self.column_renames.get(table, {}).get(column, column)}"

    def _functions(self) -> None:
        old = {f.signature: f for f in self.old.functions}
        new = {f.signature: f for f in self.new.functions}
        for sig in sorted(new.keys() - old.keys()):
            self.add("function", "function", sig, "added", _ddl._function(new[sig]), after=new[sig])
        for sig in sorted(old.keys() - new.keys()):
            f = old[sig]
            word = {"procedure": "PROCEDURE", "aggregate": "AGGREGATE"}.get(f.kind, "FUNCTION")
            self.add("drop_type", "function", sig, "removed",
                     f"DROP {word} {quote_qualified(f.qualified_name)}({f.arguments});", before=f)  # fmt: skip
        for sig in sorted(old.keys() & new.keys()):
            a, b = old[sig], new[sig]
            if a == b:
                continue
            word = {"procedure": "PROCEDURE", "aggregate": "AGGREGATE"}.get(b.kind, "FUNCTION")
            target = f"{quote_qualified(b.qualified_name)}({b.arguments})"
            if replace(a, comment=None) == replace(b, comment=None):
                self.add("comment", "function", sig, "altered", _comment_sql(word, target, b.comment),
                         before=a, after=b, details="comment")  # fmt: skip
                continue
            sql = []
            dropped = a.returns != b.returns or a.kind == "aggregate"
            if dropped:
                sql.append(f"DROP {word} {target} CASCADE;")
            sql.append(_ddl._function(b))
            if not dropped and b.comment is None and a.comment is not None:
                sql.append(_comment_sql(word, target, None))  # CREATE OR REPLACE keeps comments
            if dropped:  # DROP took the function's privileges: grant what it holds now
                self.recreated_functions.add(sig)
                sql += [
                    _ddl._grant(g).rstrip("\n")
                    for g in self.new.grants
                    if g.object_type in ("FUNCTION", "PROCEDURE") and g.object == sig
                ]
            self.add("function", "function", sig, "altered", *sql, before=a, after=b)

    # -- tables ------------------------------------------------------------------------
    def _tables(self) -> None:
        old = {t.qualified_name: t for t in self.old.tables}
        new = {t.qualified_name: t for t in self.new.tables}
        removed = sorted(old.keys() - new.keys())
        added = sorted(new.keys() - old.keys())
        for src, dst in self.hints.items():
            if src.count(".") == 1 and src in old:
                target = dst if "." in dst else qualify(split_qualified(src)[0], dst)
                if target in new and target not in old:
                    self.table_renames[src] = target
        for src in removed:
            if src in self.table_renames:
                continue
            sig = _column_signature(old[src])
            for dst in added:
                if (
                    dst in self.table_renames.values()
                    or split_qualified(dst)[0] != split_qualified(src)[0]
                ):
                    continue
                if _column_signature(new[dst]) == sig:
                    self.table_renames[src] = dst
                    break
        for src, dst in sorted(self.table_renames.items()):
            self.add("rename", "table", src, "renamed",
                     f"ALTER TABLE {quote_qualified(src)} RENAME TO {quote_ident(split_qualified(dst)[1])};",
                     details=f"-> {dst}")  # fmt: skip
        plan = _ddl._Plan(self.new)
        plan.emitted = set(plan.items)  # every relation exists by the time policies run
        created = set(added) - set(self.table_renames.values())
        for item in plan.ordered():
            if isinstance(item.obj, Table) and item.obj.qualified_name in created:
                t = item.obj
                sql = _ddl._table(t, plan)
                self.add("table", "table", t.qualified_name, "added", sql, after=t)
                for fk in t.foreign_keys:
                    self._add_fk(fk)
        for name in removed:
            if name in self.table_renames:
                continue
            t = old[name]
            self.add("drop_table", "table", name, "removed",
                     f"DROP TABLE {quote_qualified(name)} CASCADE;", before=t,
                     destructive=True, details=f"drops table with {len(t.columns)} columns")  # fmt: skip
        pairs = [(old[n], new[n]) for n in sorted(old.keys() & new.keys())]
        pairs += [(old[s], new[d]) for s, d in sorted(self.table_renames.items())]
        for a, b in pairs:
            self._table(a, b)

    def _splits(self) -> None:
        """Rows follow columns that move to a new table (a split) or back (a merge).

        A split: a created table whose foreign key references an existing table's
        primary key, and whose other columns were dropped from that table (same
        names and types). Its rows are copied (``INSERT ... SELECT``) after the
        table exists and before the columns are dropped. A merge is the reverse:
        a dropped table referencing an existing one whose other columns are added
        to it; ``UPDATE ... FROM`` fills them before the table is dropped.
        """
        old = {t.qualified_name: t for t in self.old.tables}
        new = {t.qualified_name: t for t in self.new.tables}
        created = [n for n in new if n not in old and n not in self.table_renames.values()]
        dropped = [n for n in old if n not in new and n not in self.table_renames]
        for name in created:
            for moved, source, fk in _moved_columns(new[name], old, new):
                cols = [*fk.columns, *moved]
                src = [*fk.ref_columns, *moved]
                self.add("copy", "data", name, "added",
                         f"INSERT INTO {quote_qualified(name)} ({', '.join(map(quote_ident, cols))})\n"
                         f"    SELECT {', '.join(map(quote_ident, src))} FROM {quote_qualified(source)};",
                         before=(source, tuple(moved)), after=(name, tuple(moved)),
                         details=f"rows of {', '.join(moved)} copied from {source}")  # fmt: skip
        for name in dropped:
            for moved, target, fk in _moved_columns(old[name], new, old):
                q = quote_qualified(target)
                sets = ", ".join(f"{quote_ident(c)} = s.{quote_ident(c)}" for c in moved)
                on = " AND ".join(
                    f"s.{quote_ident(a)} = {q}.{quote_ident(b)}"
                    for a, b in zip(fk.columns, fk.ref_columns, strict=True)
                )
                self.add("merge", "data", target, "altered",
                         f"UPDATE {q} SET {sets}\n    FROM {quote_qualified(name)} AS s WHERE {on};",
                         before=(name, tuple(moved)), after=(target, tuple(moved)),
                         details=f"rows of {', '.join(moved)} copied back from {name}")  # fmt: skip

    def _table(self, a: Table, b: Table) -> None:
        tname = b.qualified_name
        q = quote_qualified(tname)
        renames = self._column_rename_map(a, b)
        self.column_renames[tname] = renames
        for src, dst in renames.items():
            self.add("rename", "column", f"{tname}.{src}", "renamed",
                     f"ALTER TABLE {q} RENAME COLUMN {quote_ident(src)} TO {quote_ident(dst)};",
                     details=f"-> {dst}")  # fmt: skip
        old_cols = {renames.get(c.name, c.name): c for c in a.columns}
        new_cols = {c.name: c for c in b.columns}
        gained, lost = self._parent_columns(a, b)
        for c in b.columns:
            if c.name not in old_cols:
                sql = [f"ALTER TABLE {q} ADD COLUMN {_ddl._column(c)};"]
                if c.comment is not None:
                    sql.append(_comment_sql("COLUMN", f"{q}.{quote_ident(c.name)}", c.comment))
                if c.name in gained:  # the parent's ADD COLUMN reaches this child
                    sql = sql[1:]
                self.add("column", "column", f"{tname}.{c.name}", "added", *sql, after=c,
                         details="from its parent" if c.name in gained else "")  # fmt: skip
        for name, c in old_cols.items():
            if name not in new_cols:
                sql = [] if name in lost else [f"ALTER TABLE {q} DROP COLUMN {quote_ident(name)};"]
                # Dropped with the parent's column: that change carries the DESTRUCTIVE mark.
                details = "column and its data dropped" if sql else "dropped with its parent's"
                self.add("column", "column", f"{tname}.{name}", "removed", *sql, before=c,
                         destructive=bool(sql), details=details)  # fmt: skip
        for name in [c.name for c in b.columns if c.name in old_cols]:
            self._column(q, tname, replace(old_cols[name], name=name), new_cols[name])
        for parent in a.inherits:
            parent = self.table_renames.get(parent, parent)
            if parent not in b.inherits:
                self.add("constraint", "table", tname, "altered",
                         f"ALTER TABLE {q} NO INHERIT {quote_qualified(parent)};",
                         details=f"no longer inherits {parent}")  # fmt: skip
        renamed_parents = {self.table_renames.get(p, p) for p in a.inherits}
        for parent in b.inherits:
            if parent not in renamed_parents:
                self.add("constraint", "table", tname, "altered",
                         f"ALTER TABLE {q} INHERIT {quote_qualified(parent)};",
                         details=f"inherits {parent}")  # fmt: skip
        if a.options != b.options:
            sql = []
            keys = {o.partition("=")[0] for o in b.options}
            gone = [o.partition("=")[0] for o in a.options if o.partition("=")[0] not in keys]
            if gone:
                sql.append(f"ALTER TABLE {q} RESET ({', '.join(gone)});")
            if b.options:
                sql.append(f"ALTER TABLE {q} SET {_ddl.option_list(b.options)};")
            self.add("column", "table", tname, "altered", *sql,
                     details="storage parameters: " + (", ".join(b.options) or "defaults"))  # fmt: skip
        if a.unlogged != b.unlogged:
            self.add("column", "table", tname, "altered",
                     f"ALTER TABLE {q} SET {'UNLOGGED' if b.unlogged else 'LOGGED'};",
                     details="unlogged" if b.unlogged else "logged")  # fmt: skip
        part = ("kind", "partition_key", "partition_of", "partition_bound")
        if [getattr(a, f) for f in part] != [getattr(b, f) for f in part]:
            # Changing the partitioning means a new table and moving the rows: not automatic.
            self.add("column", "table", tname, "altered",
                     f"-- MANUAL: partitioning of {tname} changed; rebuild the table and move its rows",
                     destructive=True, details="partitioning changed")  # fmt: skip
        if a.comment != b.comment:
            self.add("comment", "table", tname, "altered", _comment_sql("TABLE", q, b.comment),
                     details="comment")  # fmt: skip
        self._constraints(a, b, renames)
        self._indexes(a, b, renames)
        self._fks(a, b, renames)
        self._dependants(a, b)

    def _parent_columns(self, a: Table, b: Table) -> tuple[set[str], set[str]]:
        """Columns a parent (INHERITS or partitioned) adds and drops: PostgreSQL passes both on.

        Only parents the table has on both sides count (a new parent's columns come
        from ``INHERIT``, which needs them to exist already).
        """
        old_tables = {t.qualified_name: t for t in self.old.tables}
        new_tables = {t.qualified_name: t for t in self.new.tables}
        back = {dst: src for src, dst in self.table_renames.items()}
        parents = [p for p in (*b.inherits, b.partition_of) if p]
        before = {self.table_renames.get(p, p) for p in (*a.inherits, a.partition_of) if p}
        gained: set[str] = set()
        lost: set[str] = set()
        for p in parents:
            if p not in before or p not in new_tables or back.get(p, p) not in old_tables:
                continue
            was = set(old_tables[back.get(p, p)].column_names)
            now = set(new_tables[p].column_names)
            gained |= now - was
            lost |= was - now
        return gained, lost

    def _column_rename_map(self, a: Table, b: Table) -> dict[str, str]:
        renames: dict[str, str] = {}
        for src, dst in self.hints.items():
            if src.count(".") == 2:
                table, col = src.rsplit(".", 1)
                if table == a.qualified_name and col in a.column_names and dst in b.column_names:
                    renames[col] = dst
        gone = [c for c in a.columns if c.name not in b.column_names and c.name not in renames]
        new = [
            c for c in b.columns if c.name not in a.column_names and c.name not in renames.values()
        ]
        if len(gone) == 1 and len(new) == 1:
            g, n = gone[0], new[0]
            if g.type == n.type and a.columns.index(g) == b.columns.index(n):
                renames[g.name] = n.name
        return renames

    def _column(self, q: str, tname: str, a: Column, b: Column) -> None:
        if a == b:
            return
        col = quote_ident(b.name)
        sql, details, destructive = [], [], False
        if (
            a.generated != b.generated
            or a.generated_virtual != b.generated_virtual
            or (a.identity is None) != (b.identity is None)
        ):
            # Generated/identity changes: simplest faithful path is drop + add (data lost).
            sql += [
                f"ALTER TABLE {q} DROP COLUMN {col};",
                f"ALTER TABLE {q} ADD COLUMN {_ddl._column(b)};",
            ]
            if b.comment is not None:
                sql.append(_comment_sql("COLUMN", f"{q}.{col}", b.comment))
            self.add("column", "column", f"{tname}.{b.name}", "altered", *sql, before=a, after=b,
                     details="generated/identity changed: column recreated", destructive=True)  # fmt: skip
            return
        if a.type != b.type or a.collation != b.collation:
            collate = f" COLLATE {b.collation}" if b.collation else ""
            _, lossy, why = _safety.type_change(a.type, b.type)
            # A widening needs no USING (an explicit cast could defeat PostgreSQL's
            # no-rewrite path); other changes cast explicitly, as before.
            using = "" if not lossy and a.collation == b.collation else f" USING {col}::{b.type}"
            sql.append(f"ALTER TABLE {q} ALTER COLUMN {col} TYPE {b.type}{collate}{using};")
            details.append(f"type {a.type} -> {b.type} ({why})")
            destructive = lossy or a.collation != b.collation
        if a.default != b.default:
            sql.append(f"ALTER TABLE {q} ALTER COLUMN {col} "
                       + (f"SET DEFAULT {b.default};" if b.default is not None else "DROP DEFAULT;"))  # fmt: skip
            details.append("default")
        if a.nullable != b.nullable:
            sql.append(
                f"ALTER TABLE {q} ALTER COLUMN {col} {'DROP' if b.nullable else 'SET'} NOT NULL;"
            )
            details.append("nullable" if b.nullable else "NOT NULL")
        if a.identity != b.identity or a.identity_options != b.identity_options:
            sql.append(f"ALTER TABLE {q} ALTER COLUMN {col} SET GENERATED {b.identity};")
            details.append("identity")
        if a.comment != b.comment:
            sql.append(_comment_sql("COLUMN", f"{q}.{col}", b.comment))
            details.append("comment")
        self.add("column", "column", f"{tname}.{b.name}", "altered", *sql, before=a, after=b,
                 details=", ".join(details), destructive=destructive)  # fmt: skip

    def _constraints(self, a: Table, b: Table, renames: dict[str, str]) -> None:
        q = quote_qualified(b.qualified_name)
        old = {c.name: replace(c, columns=tuple(renames.get(x, x) for x in c.columns),
                               definition=_rename_tokens(c.definition, renames),
                               expression=_rename_tokens(c.expression, renames))
               for c in a.constraints}  # fmt: skip
        new = {c.name: c for c in b.constraints}
        recreated = self.recreated_constraints.setdefault(b.qualified_name, set())

        def comment(n: str) -> str:
            return _comment_sql("CONSTRAINT", f"{quote_ident(n)} ON {q}", new[n].comment)

        gone = [n for n in old if n not in new]
        for n in [n for n in new if n not in old]:
            twin = next((g for g in gone if _bare(old[g], name=n) == _bare(new[n])), None)
            if twin is not None:
                gone.remove(twin)
                sql = [
                    f"ALTER TABLE {q} RENAME CONSTRAINT {quote_ident(twin)} TO {quote_ident(n)};"
                ]
                if old[twin].comment != new[n].comment:
                    sql.append(comment(n))
                self.add("rename", "constraint", f"{b.qualified_name}.{twin}", "renamed", *sql,
                         details=f"-> {n}")  # fmt: skip
                continue
            c = new[n]
            recreated.add(n)
            sql = [
                f"ALTER TABLE {q} ADD CONSTRAINT {quote_ident(n)} {_ddl.stable_sql(c.definition)};"
            ]
            if c.comment is not None:
                sql.append(comment(n))
            self.add("constraint", "constraint", f"{b.qualified_name}.{n}", "added", *sql,
                     after=c)  # fmt: skip
        for n in gone:
            self.add("drop_constraint", "constraint", f"{b.qualified_name}.{n}", "removed",
                     f"ALTER TABLE {q} DROP CONSTRAINT {quote_ident(n)};", before=old[n])  # fmt: skip
        for n in sorted(old.keys() & new.keys()):
            if _bare(old[n]) != _bare(new[n]):
                recreated.add(n)
                sql = [
                    f"ALTER TABLE {q} ADD CONSTRAINT {quote_ident(n)} {_ddl.stable_sql(new[n].definition)};"
                ]
                if new[n].comment is not None:
                    sql.append(comment(n))
                # Dropped early, added after new columns exist (the definition may use them).
                self.add("drop_constraint", "constraint", f"{b.qualified_name}.{n}", "altered",
                         f"ALTER TABLE {q} DROP CONSTRAINT {quote_ident(n)};",
                         before=old[n], details="dropped, added again below")  # fmt: skip
                self.add("constraint", "constraint", f"{b.qualified_name}.{n}", "altered", *sql,
                         before=old[n], after=new[n], details=new[n].definition)  # fmt: skip
            elif old[n].comment != new[n].comment:
                self.add("comment", "constraint", f"{b.qualified_name}.{n}", "altered", comment(n),
                         before=old[n], after=new[n], details="comment")  # fmt: skip

    def _indexes(self, a: Table, b: Table, renames: dict[str, str]) -> None:
        def key(i: Any) -> Any:
            return replace(i, name="", table="", constraint=None, comment=None,
                           definition=re.sub(r"INDEX \S+ ON (ONLY )?\S+", "INDEX ON", i.definition))  # fmt: skip

        old = {i.name: replace(i, table=b.qualified_name, keys=tuple(_rename_tokens(k, renames) for k in i.keys),
                               columns=tuple(renames.get(x, x) if x else x for x in i.columns),
                               include=tuple(renames.get(x, x) for x in i.include),
                               predicate=_rename_tokens(i.predicate, renames),
                               definition=_rename_tokens(i.definition, renames))
               for i in a.indexes if i.constraint is None}  # fmt: skip
        new = {i.name: i for i in b.indexes if i.constraint is None}
        gone = [n for n in old if n not in new]
        schema = quote_ident(b.schema)

        def comment(i: Any) -> str:
            return _comment_sql("INDEX", f"{schema}.{quote_ident(i.name)}", i.comment)

        for n in [n for n in new if n not in old]:
            twin = next((g for g in gone if key(old[g]) == key(new[n])), None)
            if twin is not None:
                gone.remove(twin)
                sql = [f"ALTER INDEX {schema}.{quote_ident(twin)} RENAME TO {quote_ident(n)};"]
                if old[twin].comment != new[n].comment:
                    sql.append(comment(new[n]))
                self.add("rename", "index", f"{b.schema}.{twin}", "renamed", *sql,
                         details=f"-> {n}")  # fmt: skip
                continue
            self.add("dependant", "index", f"{b.schema}.{n}", "added",
                     _ddl._indexes([new[n]], partitioned=b.kind == "partitioned", schema=b.schema),
                     after=new[n])  # fmt: skip
        for n in gone:
            self.add("drop_constraint", "index", f"{b.schema}.{n}", "removed",
                     f"DROP INDEX {schema}.{quote_ident(n)};", before=old[n])  # fmt: skip
        for n in sorted(old.keys() & new.keys()):
            if key(old[n]) != key(new[n]):
                # Dropped early, built after new columns exist (the keys may use them).
                self.add("drop_constraint", "index", f"{b.schema}.{n}", "altered",
                         f"DROP INDEX {schema}.{quote_ident(n)};", before=old[n],
                         details="dropped, created again below")  # fmt: skip
                self.add("dependant", "index", f"{b.schema}.{n}", "altered",
                         _ddl._indexes([new[n]], partitioned=b.kind == "partitioned", schema=b.schema),
                         before=old[n], after=new[n], details=new[n].definition)  # fmt: skip
            elif old[n].comment != new[n].comment:
                self.add("comment", "index", f"{b.schema}.{n}", "altered", comment(new[n]),
                         before=old[n], after=new[n], details="comment")  # fmt: skip
        # Indexes behind PRIMARY KEY / UNIQUE / EXCLUDE: only their comments are theirs.
        backing = {i.name: i for i in a.indexes if i.constraint is not None}
        recreated = self.recreated_constraints.get(b.qualified_name, set())
        for i in b.indexes:
            if i.constraint is None:
                continue
            before = backing.get(i.name)
            was = before.comment if before is not None and i.constraint not in recreated else None
            if was != i.comment:
                self.add("comment", "index", f"{b.schema}.{i.name}", "altered", comment(i),
                         before=before, after=i, details="comment")  # fmt: skip

    def _fks(self, a: Table, b: Table, renames: dict[str, str]) -> None:
        old = {fk.name: fk for fk in a.foreign_keys}
        new = {fk.name: fk for fk in b.foreign_keys}
        for n in sorted(new.keys() - old.keys()):
            self._add_fk(new[n])
        for n in sorted(old.keys() - new.keys()):
            self.add("drop_fk", "foreign_key", f"{b.qualified_name}.{n}", "removed",
                     f"ALTER TABLE {quote_qualified(a.qualified_name)} DROP CONSTRAINT {quote_ident(n)};",
                     before=old[n])  # fmt: skip
        for n in sorted(old.keys() & new.keys()):
            before = self._mapped_fk(old[n], renames)
            if _bare(before) == _bare(new[n]) and before.comment != new[n].comment:
                target = f"{quote_ident(n)} ON {quote_qualified(b.qualified_name)}"
                self.add("comment", "foreign_key", f"{b.qualified_name}.{n}", "altered",
                         _comment_sql("CONSTRAINT", target, new[n].comment),
                         before=old[n], after=new[n], details="comment")  # fmt: skip
            elif before != new[n]:
                self.add("drop_fk", "foreign_key", f"{b.qualified_name}.{n}", "altered",
                         f"ALTER TABLE {quote_qualified(a.qualified_name)} DROP CONSTRAINT {quote_ident(n)};",
                         before=old[n], after=new[n], details=new[n].definition)  # fmt: skip
                self._add_fk(new[n], change="altered")

    def _mapped_fk(self, fk: Any, renames: dict[str, str]) -> Any:
        ref = self.table_renames.get(fk.ref_table, fk.ref_table)
        ref_renames = (
            self.column_renames.get(ref, {})
            if ref != self.table_renames.get(fk.table, fk.table)
            else renames
        )
        mapping = {**renames, **ref_renames}
        for src, dst in self.table_renames.items():
            mapping[split_qualified(src)[1]] = split_qualified(dst)[1]
        return replace(
            fk,
            table=self.table_renames.get(fk.table, fk.table),
            ref_table=ref,
            columns=tuple(renames.get(c, c) for c in fk.columns),
            ref_columns=tuple(ref_renames.get(c, c) for c in fk.ref_columns),
            definition=_rename_tokens(fk.definition, mapping),
        )

    def _add_fk(self, fk: Any, change: str = "added") -> None:
        sql = [
            f"ALTER TABLE {quote_qualified(fk.table)}\n"
            f"    ADD CONSTRAINT {quote_ident(fk.name)} {fk.definition};"
        ]
        if fk.comment is not None:
            target = f"{quote_ident(fk.name)} ON {quote_qualified(fk.table)}"
            sql.append(_comment_sql("CONSTRAINT", target, fk.comment))
        self.add("fk", "foreign_key", f"{fk.table}.{fk.name}", change, *sql, after=fk)

    def _dependants(self, a: Table, b: Table) -> None:
        """Triggers, RLS and policies: drop what changed early, create it late."""
        q = quote_qualified(b.qualified_name)
        tname = b.qualified_name
        old_tr = {t.name: t for t in a.triggers}
        new_tr = {t.name: t for t in b.triggers}
        for n in sorted(old_tr.keys() | new_tr.keys()):
            before, after = old_tr.get(n), new_tr.get(n)
            if (
                before is not None
                and after is not None
                and _bare(before, table=tname, definition="") == _bare(after, definition="")
                and _same_def(before.definition, after.definition, a, b)
            ):
                if before.comment != after.comment:
                    self.add("comment", "trigger", f"{tname}.{n}", "altered",
                             _comment_sql("TRIGGER", f"{quote_ident(n)} ON {q}", after.comment),
                             before=before, after=after, details="comment")  # fmt: skip
                continue
            if before is not None:
                self.add("drop_dependant", "trigger", f"{tname}.{n}", "removed" if after is None else "altered",
                         f"DROP TRIGGER {quote_ident(n)} ON {quote_qualified(a.qualified_name)};", before=before)  # fmt: skip
            if after is not None:
                sql = after.definition + ";"
                if not after.enabled:
                    sql += f"\nALTER TABLE {q} DISABLE TRIGGER {quote_ident(n)};"
                if after.comment is not None:
                    sql += "\n" + _comment_sql("TRIGGER", f"{quote_ident(n)} ON {q}", after.comment)
                self.add("dependant", "trigger", f"{tname}.{n}", "added" if before is None else "altered",
                         sql, after=after)  # fmt: skip
        if (a.rls_enabled, a.rls_forced) != (b.rls_enabled, b.rls_forced):
            rls_sql = [f"ALTER TABLE {q} {'ENABLE' if b.rls_enabled else 'DISABLE'} ROW LEVEL SECURITY;",
                   f"ALTER TABLE {q} {'FORCE' if b.rls_forced else 'NO FORCE'} ROW LEVEL SECURITY;"]  # fmt: skip
            self.add("dependant", "rls", tname, "altered", *rls_sql,
                     details=f"enabled={b.rls_enabled}, forced={b.rls_forced}")  # fmt: skip
        old_p = {p.name: replace(p, table=tname) for p in a.policies}
        new_p = {p.name: p for p in b.policies}
        for n in sorted(old_p.keys() | new_p.keys()):
            old_policy, new_policy = old_p.get(n), new_p.get(n)
            if old_policy == new_policy:
                continue
            if (
                old_policy is not None
                and new_policy is not None
                and _bare(old_policy) == _bare(new_policy)
            ):
                self.add("comment", "policy", f"{tname}.{n}", "altered",
                         _comment_sql("POLICY", f"{quote_ident(n)} ON {q}", new_policy.comment),
                         before=old_policy, after=new_policy, details="comment")  # fmt: skip
                continue
            if old_policy is not None:
                self.add("drop_dependant", "policy", f"{tname}.{n}", "removed" if new_policy is None else "altered",
                         f"DROP POLICY {quote_ident(n)} ON {quote_qualified(a.qualified_name)};", before=old_policy)  # fmt: skip
            if new_policy is not None:
                self.add("dependant", "policy", f"{tname}.{n}", "added" if old_policy is None else "altered",
                         _ddl._policy(new_policy), after=new_policy)  # fmt: skip

    # -- views -------------------------------------------------------------------------
    def _views(self) -> None:
        old = {v.qualified_name: v for v in self.old.views}
        new = {v.qualified_name: v for v in self.new.views}
        changed = {n for n in old.keys() & new.keys() if _bare_view(old[n]) != _bare_view(new[n])}
        # A view that reads a changed view must be recreated too (DROP ... CASCADE would take it).
        grew = True
        while grew:
            extra = {
                n
                for n in old.keys() & new.keys()
                if n not in changed and set(old[n].depends_on) & changed
            }
            changed |= extra
            grew = bool(extra)
        for n in sorted((old.keys() - new.keys()) | changed):
            v = old[n]
            word = "MATERIALIZED VIEW" if v.materialized else "VIEW"
            self.add("drop_view", "view", n, "removed" if n not in new else "altered",
                     f"DROP {word} IF EXISTS {quote_qualified(n)} CASCADE;", before=v,
                     destructive=v.materialized and n not in new, details=word.lower())  # fmt: skip
        plan = _ddl._Plan(self.new)
        for item in plan.ordered():
            if isinstance(item.obj, View) and (
                item.obj.qualified_name not in old or item.obj.qualified_name in changed
            ):
                v = item.obj
                was = old.get(v.qualified_name)
                details = ""
                if was is not None:
                    a_, b_ = _bare_view(was), _bare_view(v)
                    details = (
                        ", ".join(
                            f.name for f in fields(a_) if getattr(a_, f.name) != getattr(b_, f.name)
                        )
                        or "reads a changed view"
                    )
                # DROP VIEW took the view's privileges with it: all of them come back here.
                regrant = []
                if was is not None:
                    self.recreated_views.add(v.qualified_name)
                    regrant = [
                        _ddl._grant(g).rstrip("\n")
                        for g in self.new.grants
                        if g.object_type == "TABLE" and g.object == v.qualified_name
                    ]
                    # ... and its rules (a view's rules are dropped with it).
                    regrant += [
                        _ddl._rule(r).rstrip("\n")
                        for r in self.new.rules
                        if r.table == v.qualified_name
                    ]
                self.add("view", "view", v.qualified_name, "added" if was is None else "altered",
                         _ddl._view(v), *regrant, before=was, after=v, details=details)  # fmt: skip
        # Only comments differ: COMMENT ON, never a rebuild (a matview would lose its rows).
        for n in sorted(old.keys() & new.keys() - changed):
            a, b = old[n], new[n]
            if a == b:
                continue
            q = quote_qualified(n)
            sql = []
            if a.comment != b.comment:
                sql.append(
                    _comment_sql("MATERIALIZED VIEW" if b.materialized else "VIEW", q, b.comment)
                )
            for ca, cb in zip(a.columns, b.columns, strict=True):
                if ca.comment != cb.comment:
                    sql.append(_comment_sql("COLUMN", f"{q}.{quote_ident(cb.name)}", cb.comment))
            for ia, ib in zip(a.indexes, b.indexes, strict=True):
                if ia.comment != ib.comment:
                    target = f"{quote_ident(b.schema)}.{quote_ident(ib.name)}"
                    sql.append(_comment_sql("INDEX", target, ib.comment))
            self.add("comment", "view", n, "altered", *sql, before=a, after=b, details="comment")

    # -- object kinds without ALTER paths of their own: created, dropped, or both ---------
    def _kinds(self) -> None:
        """Collations, text search, composite and range types, operators, casts and rules.

        A changed object is dropped and created again (in the creation phase, so
        what depends on it fails loudly rather than being dropped by CASCADE);
        a change of its comment alone is ``COMMENT ON``.
        """
        kinds: list[tuple[str, Any, Any, Any, str, str]] = [
            # (kind, objects→key, render, drop/comment target, create phase, drop phase)
            ("collation", lambda s: {c.qualified_name: c for c in s.collations}, _ddl._collation,
             lambda c: ("COLLATION", quote_qualified(c.qualified_name)), "kind", "drop_type"),
            ("text_search_dictionary", lambda s: {d.qualified_name: d for d in s.ts_dictionaries},
             _ddl._ts_dictionary,
             lambda d: ("TEXT SEARCH DICTIONARY", quote_qualified(d.qualified_name)), "kind", "drop_type"),
            ("text_search_configuration", lambda s: {c.qualified_name: c for c in s.ts_configs},
             _ddl._ts_config,
             lambda c: ("TEXT SEARCH CONFIGURATION", quote_qualified(c.qualified_name)), "kind", "drop_type"),
            ("composite_type", lambda s: {c.qualified_name: c for c in s.composites}, _ddl._composite,
             lambda c: ("TYPE", quote_qualified(c.qualified_name)), "kind", "drop_type"),
            ("range_type", lambda s: {r.qualified_name: r for r in s.ranges}, _ddl._range,
             lambda r: ("TYPE", quote_qualified(r.qualified_name)), "kind", "drop_type"),
            ("operator", lambda s: {o.signature: o for o in s.operators}, _ddl._operator,
             lambda o: ("OPERATOR", _ddl.operator_target(o)), "operator", "drop_operator"),
            ("cast", lambda s: {c.key: c for c in s.casts}, _ddl._cast,
             lambda c: ("CAST", c.key), "operator", "drop_operator"),
            ("rule", lambda s: {r.qualified_name: r for r in s.rules}, _ddl._rule,
             lambda r: ("RULE", f"{quote_ident(r.name)} ON {quote_qualified(r.table)}"), "rule", "drop_rule"),
        ]  # fmt: skip
        gone_tables = {t.qualified_name for t in self.old.tables} - {
            t.qualified_name for t in self.new.tables
        }
        for kind, index, render, target, create, drop in kinds:
            old, new = index(self.old), index(self.new)

            def rebuilt(obj: Any, kind: str = kind) -> bool:
                """A rule on a view that is dropped and created again: the rebuild writes it."""
                return kind == "rule" and obj.table in self.recreated_views

            for key in sorted(new.keys() - old.keys()):
                sql = [] if rebuilt(new[key]) else [render(new[key])]
                self.add(create, kind, key, "added", *sql, after=new[key])
            for key in sorted(old.keys() - new.keys()):
                word, what = target(old[key])
                # A rule goes with its table; dropping it first would fail once the table is gone.
                went = kind == "rule" and (old[key].table in gone_tables or rebuilt(old[key]))
                drop_sql = [] if went else [f"DROP {word} {what};"]
                self.add(drop, kind, key, "removed", *drop_sql, before=old[key])
            for key in sorted(old.keys() & new.keys()):
                a, b = old[key], new[key]
                if a == b:
                    continue
                word, what = target(b)
                if rebuilt(b):
                    self.add(
                        create, kind, key, "altered", before=a, after=b, details="with its view"
                    )
                    continue
                if _bare(a) == _bare(b):
                    self.add("comment", kind, key, "altered", _comment_sql(word, what, b.comment),
                             before=a, after=b, details="comment")  # fmt: skip
                    continue
                changed = [f.name for f in fields(a) if getattr(a, f.name) != getattr(b, f.name)]
                sql = _alter_in_place(a, b) or [f"DROP {word} {what};", render(b)]
                # Dropping or retyping a composite type's attribute rewrites the columns using it.
                lossy = any(" DROP ATTRIBUTE " in q or " ALTER ATTRIBUTE " in q for q in sql)
                self.add(create, kind, key, "altered", *sql, before=a, after=b,
                         details=", ".join(changed), destructive=lossy)  # fmt: skip

    def _grants(self) -> None:
        """GRANT what the new schema grants beyond the old, REVOKE what it no longer does."""

        def key(g: Grant) -> tuple[Any, ...]:
            return (g.object_type, g.object, g.column, g.grantee, g.grantable, g.revoked)

        def label(g: Grant) -> str:
            column = f".{g.column}" if g.column else ""
            option = " (with grant option)" if g.grantable else ""
            return f"{g.object}{column} {'from' if g.revoked else 'to'} {g.grantee}{option}"

        old = {key(g): g for g in self.old.grants}
        new = {key(g): g for g in self.new.grants}
        existing = _grantable_objects(self.new)
        # A renamed or dropped column takes its privileges along: no REVOKE naming it.
        columns = {t.qualified_name: t.column_names for t in self.new.tables}
        columns |= {v.qualified_name: tuple(c.name for c in v.columns) for v in self.new.views}
        for k in sorted(old.keys() | new.keys(), key=lambda k: tuple(str(x) for x in k)):
            a, b = old.get(k), new.get(k)
            before, after = set(a.privileges if a else ()), set(b.privileges if b else ())
            if before == after:
                continue
            base = a or b
            assert base is not None
            # A rebuilt view's or function's privileges come back with it: listed, no SQL here.
            rebuilt = (base.object_type == "TABLE" and base.object in self.recreated_views) or (
                base.object_type in ("FUNCTION", "PROCEDURE")
                and base.object in self.recreated_functions
            )
            sql = []
            # A revoked default that is no longer revoked is granted back, and the reverse.
            take = sorted(before - after)
            give = sorted(after - before)
            gone = (base.object_type, base.object) not in existing or (
                base.column is not None and base.column not in columns.get(base.object, ())
            )
            for privileges, undo in ((take, True), (give, False)):
                if not privileges or (undo and gone) or rebuilt:
                    continue
                grant = replace(base, privileges=tuple(privileges), grantable=False)
                if base.revoked:
                    undo = not undo
                grant = replace(grant, revoked=undo, grantable=base.grantable and not undo)
                sql.append(_ddl._grant(grant).rstrip("\n"))
            change = "added" if a is None else "removed" if b is None else "altered"
            details = ", ".join([f"+{p}" for p in give] + [f"-{p}" for p in take])
            self.add("grant", "privilege", label(base), change, *sql, before=a, after=b,
                     details=details)  # fmt: skip


def _alter_in_place(a: Any, b: Any) -> list[str] | None:
    """ALTERs for a changed text-search configuration or composite type; None: drop + create.

    Both are often in use (a generated column naming the configuration, a column
    of the composite type), so dropping them would fail; PostgreSQL alters both.
    """
    if isinstance(a, TextSearchConfig) and isinstance(b, TextSearchConfig):
        if a.parser != b.parser:
            return None
        q = quote_qualified(b.qualified_name)
        old = {m.token: m.dictionaries for m in a.mappings}
        new = {m.token: m.dictionaries for m in b.mappings}
        head = f"ALTER TEXT SEARCH CONFIGURATION {q}"
        sql = [f"{head} DROP MAPPING FOR {t};" for t in old if t not in new]
        for t, dicts in new.items():
            if old.get(t) != dicts:
                verb = "ALTER" if t in old else "ADD"
                sql.append(f"{head} {verb} MAPPING FOR {t} WITH {', '.join(dicts)};")
        if a.comment != b.comment:
            sql.append(_comment_sql("TEXT SEARCH CONFIGURATION", q, b.comment))
        return sql
    if isinstance(a, CompositeType) and isinstance(b, CompositeType):
        q = quote_qualified(b.qualified_name)
        old_attrs = {c.name: c for c in a.attributes}
        new_attrs = {c.name: c for c in b.attributes}
        sql = [
            f"ALTER TYPE {q} DROP ATTRIBUTE {quote_ident(n)};"
            for n in old_attrs
            if n not in new_attrs
        ]
        for c in b.attributes:
            collate = f" COLLATE {c.collation}" if c.collation else ""
            was = old_attrs.get(c.name)
            if was is None:
                sql.append(f"ALTER TYPE {q} ADD ATTRIBUTE {quote_ident(c.name)} {c.type}{collate};")
            elif (was.type, was.collation) != (c.type, c.collation):
                sql.append(
                    f"ALTER TYPE {q} ALTER ATTRIBUTE {quote_ident(c.name)} TYPE {c.type}{collate};"
                )
            if (was.comment if was else None) != c.comment:
                sql.append(_comment_sql("COLUMN", f"{q}.{quote_ident(c.name)}", c.comment))
        if a.comment != b.comment:
            sql.append(_comment_sql("TYPE", q, b.comment))
        return sql
    return None


def _moved_columns(
    table: Table, here: Mapping[str, Table], there: Mapping[str, Table]
) -> list[tuple[list[str], str, Any]]:
    """Columns of ``table`` (only in one version) that the other version keeps in the table
    its foreign key references: ``(columns, referenced table, fk)`` per such key."""
    out = []
    for fk in table.foreign_keys:
        ref_here, ref_there = here.get(fk.ref_table), there.get(fk.ref_table)
        if ref_here is None or ref_there is None:
            continue
        pk = ref_here.primary_key
        if pk is None or tuple(fk.ref_columns) != tuple(pk.columns):
            continue
        rest = [c for c in table.columns if c.name not in fk.columns]
        have = {c.name: c.type for c in ref_here.columns}
        had = {c.name for c in ref_there.columns}
        if rest and all(have.get(c.name) == c.type and c.name not in had for c in rest):
            out.append(([c.name for c in rest], fk.ref_table, fk))
    return out


def _grantable_objects(schema: Schema) -> set[tuple[str, str]]:
    """(object type, name) of everything a Grant may name, as the model spells it."""
    out = {("SCHEMA", n.name) for n in schema.namespaces}
    out |= {("TABLE", t.qualified_name) for t in schema.tables}
    out |= {("TABLE", v.qualified_name) for v in schema.views}
    out |= {("SEQUENCE", s.qualified_name) for s in schema.sequences}
    for f in schema.functions:
        word = "PROCEDURE" if f.kind == "procedure" else "FUNCTION"
        out.add((word, f.signature))
    out |= {("TYPE", e.qualified_name) for e in schema.enums}
    out |= {("TYPE", c.qualified_name) for c in schema.composites}
    out |= {("TYPE", r.qualified_name) for r in schema.ranges}
    out |= {("DOMAIN", d.qualified_name) for d in schema.domains}
    return out


def _sequence_options(a: Sequence, b: Sequence) -> list[str]:
    """The ``ALTER SEQUENCE`` clauses that take ``a``'s options to ``b``'s (no RESTART)."""
    out = []
    if a.data_type != b.data_type:
        out.append(f"AS {b.data_type}")
    if a.increment != b.increment:
        out.append(f"INCREMENT BY {b.increment}")
    # After AS or INCREMENT changes, PostgreSQL may move defaulted bounds; restate them.
    retype = a.data_type != b.data_type or (a.increment > 0) != (b.increment > 0)
    if a.min_value != b.min_value or retype:
        out.append(f"MINVALUE {b.min_value}" if b.min_value is not None else "NO MINVALUE")
    if a.max_value != b.max_value or retype:
        out.append(f"MAXVALUE {b.max_value}" if b.max_value is not None else "NO MAXVALUE")
    if a.start != b.start or retype:
        out.append(f"START WITH {b.start}")
    if a.cache != b.cache:
        out.append(f"CACHE {b.cache}")
    if a.cycle != b.cycle:
        out.append("CYCLE" if b.cycle else "NO CYCLE")
    return out


def _bare_view(v: View) -> View:
    """A view without any comment (its own, its columns', its indexes')."""
    return replace(
        v,
        comment=None,
        columns=tuple(replace(c, comment=None) for c in v.columns),
        indexes=tuple(replace(i, comment=None) for i in v.indexes),
    )


def _bare(obj: Any, **changes: Any) -> Any:
    """``obj`` without its comment (a comment alone changes with COMMENT ON, not a rebuild)."""
    return replace(obj, comment=None, **changes)


def _same_def(a: str, b: str, ta: Table, tb: Table) -> bool:
    return (
        a.replace(
            f" ON {quote_qualified(ta.qualified_name)} ",
            f" ON {quote_qualified(tb.qualified_name)} ",
        )
        == b
    )


def _column_signature(t: Table) -> tuple[tuple[str, str], ...]:
    return tuple((c.name, c.type) for c in t.columns)


@overload
def _rename_tokens(text: str, mapping: Mapping[str, str]) -> str: ...
@overload
def _rename_tokens(text: None, mapping: Mapping[str, str]) -> None: ...
def _rename_tokens(text: str | None, mapping: Mapping[str, str]) -> str | None:
    """Replace whole identifiers (old column/table names) in SQL text, outside string literals."""
    if not text or not mapping:
        return text
    pattern = re.compile(
        r"'(?:[^']|'')*'|\b("
        + "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True))
        + r")\b"
    )
    return pattern.sub(lambda m: mapping[m.group(1)] if m.group(1) else m.group(0), text)


def _comment_sql(kind: str, target: str, text: str | None) -> str:
    return f"COMMENT ON {kind} {target} IS {quote_literal(text) if text is not None else 'NULL'};"


__all__ = ["Change", "SchemaDiff", "Step", "diff", "reverse_renames"]

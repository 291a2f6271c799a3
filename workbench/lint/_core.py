"""The pieces every rule module shares: :class:`Finding`, :class:`Rule` and the registry.

Why a plain dict registry filled by a decorator: a rule is one function plus
its documentation (id, default severity, summary, the explanation with the
fix), and keeping them side by side in one place is what keeps the catalogue
in ``docs/lint-rules.md``, the SARIF rule metadata and the checks in step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.model import Schema, Table

if TYPE_CHECKING:
    from workbench.lint.config import LintConfig

SEVERITIES = ("error", "warning", "info")
#: Sort rank: errors first.
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a reviewer would point at.

    ``object_name`` is the name you would write in SQL: ``public.users`` for a
    table, ``public.users.email`` for a column, ``public.idx_users_email`` for an
    index (indexes live in a schema), ``public.users.users_email_key`` for the
    table-scoped objects (constraints, foreign keys, triggers, policies).
    ``table`` and ``column`` repeat the owning table and column when there is
    one, so exclusions, suppressions and the source locator need no parsing.
    """

    rule_id: str
    severity: str  # 'error' | 'warning' | 'info'
    object_kind: str  # 'table' | 'column' | 'index' | 'constraint' | 'foreign_key' | 'policy' | 'view' | 'enum' | 'domain' | 'trigger' | 'schema'
    object_name: str
    message: str
    fix: str = ""
    table: str | None = None
    column: str | None = None


CheckFn = Callable[[Schema, "LintConfig"], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """A lint rule: its documentation and its check."""

    id: str  # kebab-case, stable: configs and suppressions refer to it
    severity: str  # default severity
    summary: str  # one line
    explanation: str  # one paragraph: why it matters and how to fix it
    check: CheckFn
    family: str  # 'keys' | 'types' | 'conventions' | 'naming' | 'security' | 'relations' | 'documentation'
    default_enabled: bool = True

    def finding(
        self,
        object_kind: str,
        object_name: str,
        message: str,
        fix: str = "",
        *,
        table: str | None = None,
        column: str | None = None,
    ) -> Finding:
        """A finding of this rule at its default severity (``lint`` applies overrides)."""
        return Finding(
            self.id, self.severity, object_kind, object_name, message, fix, table, column
        )


#: Every rule, by id, in registration order (the order of the catalogue).
RULES: dict[str, Rule] = {}


def rule(
    id: str,
    *,
    severity: str,
    summary: str,
    explanation: str,
    family: str,
    default_enabled: bool = True,
) -> Callable[[CheckFn], Rule]:
    """Register the decorated check as a rule; the module-level name becomes the :class:`Rule`."""
    if severity not in SEVERITIES:
        raise ValueError(f"rule {id}: severity {severity!r} is not one of {SEVERITIES}")

    def register(check: CheckFn) -> Rule:
        if id in RULES:
            raise ValueError(f"rule {id} registered twice")
        r = Rule(
            id, severity, summary, " ".join(explanation.split()), check, family, default_enabled
        )
        RULES[id] = r
        return r

    return register


# Helpers the rule modules share ------------------------------------------------


def own_tables(schema: Schema) -> list[Table]:
    """Tables that carry their own definition: partitions inherit theirs from the parent,
    so table-level findings are reported once, on the partitioned table."""
    return [t for t in schema.tables if t.partition_of is None]


def column_name(table: Table, column: str) -> str:
    return f"{table.qualified_name}.{column}"


def scoped_name(table: Table, name: str) -> str:
    """Name of a table-scoped object (constraint, foreign key, trigger, policy)."""
    return f"{table.qualified_name}.{name}"


def index_name(table: Table, name: str) -> str:
    return f"{table.schema}.{name}"


def quote_ident(name: str) -> str:
    """Quote an identifier the way PostgreSQL's quote_ident() would."""
    from workbench.lint.keywords import needs_quoting

    return '"' + name.replace('"', '""') + '"' if needs_quoting(name) else name


def sql_table(table: Table) -> str:
    """``schema.table`` for a fix snippet, quoted where needed, schema omitted for public."""
    name = quote_ident(table.name)
    return name if table.schema == "public" else f"{quote_ident(table.schema)}.{name}"

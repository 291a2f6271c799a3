"""Row-level security shown working: which rows each tenant sees, measured on seeded data.

Why run it instead of printing the policy text: a policy that reads the wrong
setting, or a role that bypasses RLS, looks fine on paper. The document shows
counts measured with ``SET ROLE`` to the policy's role and the policy's
settings, and the tests compare them with a direct count.

How the tenants are found: the settings a policy reads are taken from its
``USING`` text (``current_setting('app.current_organisation_id', ...)``). A
setting named ``...current_<x>_id`` is taken to hold an ``<x>_id`` value: the
candidates are the values (in key order, up to :data:`CANDIDATES`) of the table
that ``<x>_id`` columns reference, or else the distinct ``<x>_id`` values of the
policy's table. Each candidate is measured and the two that see the most rows
are shown (in key order): with randomly seeded data the first two keys often
own nothing, and "tenant A sees 0 rows" demonstrates nothing. Superusers and table owners bypass RLS, so the count runs as
the policy's role; a policy for PUBLIC runs as a throwaway NOLOGIN role that
gets SELECT on the schema's tables (in the throwaway clone only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg
from psycopg import sql

from workbench.model import Policy, Schema, Table

#: Role created (in the clone) when a policy applies to PUBLIC.
DEMO_ROLE = "wb_rls_demo"
#: Tenant values measured per policy before the busiest ones are picked.
CANDIDATES = 50
_SETTING = re.compile(r"current_setting\('([^']+)'")


@dataclass(frozen=True, slots=True)
class TenantCount:
    """What one tenant sees: ``visible`` rows of ``total`` (``tenant`` None = setting unset)."""

    tenant: str | None
    visible: int
    total: int


@dataclass(frozen=True, slots=True)
class RlsDemo:
    """The measured effect of one policy."""

    table: str
    policy: str
    role: str
    settings: tuple[str, ...]
    counts: tuple[TenantCount, ...]
    note: str = ""


def policy_settings(policy: Policy) -> tuple[str, ...]:
    """Custom settings the policy reads, in order of first appearance."""
    text = (policy.using or "") + " " + (policy.with_check or "")
    return tuple(dict.fromkeys(_SETTING.findall(text)))


def _tenant_column(setting: str) -> str:
    name = setting.rsplit(".", 1)[-1]
    return name.removeprefix("current_")


def tenant_values(
    conn: psycopg.Connection, schema: Schema, table: Table, setting: str, *, limit: int = 2
) -> list[str]:
    """Up to ``limit`` tenant values for ``setting`` (see the module docstring)."""
    column = _tenant_column(setting)
    refs = sorted(
        {
            (fk.ref_table, fk.ref_columns[0])
            for fk in schema.foreign_keys
            if fk.columns == (column,) and len(fk.ref_columns) == 1
        }
    )
    if refs:
        ref_table, ref_column = refs[0]
        target = schema.table(ref_table)
    elif column in table.column_names:
        target, ref_column = table, column
    else:
        return []
    stmt = sql.SQL(
        "SELECT DISTINCT {c}::text FROM {t} WHERE {c} IS NOT NULL ORDER BY 1 LIMIT {n}"
    ).format(
        c=sql.Identifier(ref_column),
        t=sql.Identifier(target.schema, target.name),
        n=sql.Literal(limit),
    )
    return [r[0] for r in conn.execute(stmt).fetchall()]


def _ensure_demo_role(conn: psycopg.Connection, schema: Schema) -> str:
    exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [DEMO_ROLE]).fetchone()
    if not exists:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(DEMO_ROLE)))
        except psycopg.errors.DuplicateObject:
            pass  # created concurrently by another clone on the same server
    for ns in sorted({t.schema for t in schema.tables}):
        conn.execute(
            sql.SQL(
                "GRANT USAGE ON SCHEMA {s} TO {r}; GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {r}"
            ).format(s=sql.Identifier(ns), r=sql.Identifier(DEMO_ROLE))
        )
    return DEMO_ROLE


def _count(conn: psycopg.Connection, table: Table) -> int:
    stmt = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table.schema, table.name))
    row = conn.execute(stmt).fetchone()
    return int(row[0]) if row else 0


def demonstrate(
    conn: psycopg.Connection, schema: Schema, *, tenants_per_policy: int = 2
) -> tuple[RlsDemo, ...]:
    """Measure every SELECT-relevant policy of ``schema`` in the database behind ``conn``.

    ``conn`` must be a superuser (or owner) connection to a throwaway clone
    holding seeded rows: GRANTs may be added for the demonstration role.
    Each measurement runs in its own transaction with ``SET LOCAL``, so
    nothing leaks into the session.
    """
    demos = []
    for table in schema.tables:
        if not table.rls_enabled:
            continue
        for policy in table.policies:
            if policy.command not in ("ALL", "SELECT"):
                continue
            demos.append(_demonstrate_one(conn, schema, table, policy, tenants_per_policy))
    return tuple(demos)


def _demonstrate_one(
    conn: psycopg.Connection, schema: Schema, table: Table, policy: Policy, n: int
) -> RlsDemo:
    settings = policy_settings(policy)
    roles = [r for r in policy.roles if r != "public"]
    role = roles[0] if roles else _ensure_demo_role(conn, schema)
    if roles:
        conn.execute(
            sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(
                sql.Identifier(table.schema), sql.Identifier(role)
            )
        )
        has_select = conn.execute(
            "SELECT has_table_privilege(%s, %s, 'SELECT')",
            [role, f'"{table.schema}"."{table.name}"'],
        ).fetchone()
        if not (has_select and has_select[0]):
            conn.execute(
                sql.SQL("GRANT SELECT ON {} TO {}").format(
                    sql.Identifier(table.schema, table.name), sql.Identifier(role)
                )
            )
    total = _count(conn, table)
    if not settings:
        return RlsDemo(
            table.qualified_name,
            policy.name,
            role,
            settings,
            (TenantCount(None, _measure(conn, table, role, {}), total),),
            note="the policy reads no custom setting",
        )
    setting = settings[0]
    candidates = tenant_values(conn, schema, table, setting, limit=max(n, CANDIDATES))
    measured = [
        TenantCount(tenant, _measure(conn, table, role, {setting: tenant}), total)
        for tenant in candidates
    ]
    busiest = sorted(range(len(measured)), key=lambda i: (-measured[i].visible, i))[:n]
    counts = [TenantCount(None, _measure(conn, table, role, {}), total)]
    counts += [measured[i] for i in sorted(busiest)]
    note = "" if candidates else f"no values found for {setting}"
    return RlsDemo(table.qualified_name, policy.name, role, settings, tuple(counts), note)


def _measure(conn: psycopg.Connection, table: Table, role: str, settings: dict[str, str]) -> int:
    with conn.transaction(force_rollback=True):
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)))
        for name, value in settings.items():
            conn.execute("SELECT set_config(%s, %s, true)", [name, value])
        return _count(conn, table)


__all__ = [
    "CANDIDATES",
    "DEMO_ROLE",
    "RlsDemo",
    "TenantCount",
    "demonstrate",
    "policy_settings",
    "tenant_values",
]

"""Rules about security: tenant isolation with row-level security, policies, secrets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pglast
from pglast import ast

from workbench.lint._core import (
    Finding,
    column_name,
    own_tables,
    quote_ident,
    rule,
    scoped_name,
    sql_table,
)
from workbench.lint.config import LintConfig
from workbench.model import Policy, Schema, Table

#: Columns that say "this row belongs to a tenant or an owner".
TENANT_COLUMNS = (
    "tenant_id",
    "organisation_id",
    "organization_id",
    "org_id",
    "workspace_id",
    "owner_id",
)


@rule(
    "rls-disabled-on-tenant-table",
    severity="warning",
    family="security",
    summary="Table carries a tenant or owner column but row-level security is off.",
    explanation="""
    A column such as ``organisation_id``, ``tenant_id`` or ``owner_id`` says each row
    belongs to someone; without row-level security the only thing keeping one
    tenant from reading another's rows is every query remembering its WHERE clause.
    With RLS enabled and a policy comparing the column with the session's tenant
    (``current_setting('app.tenant_id')``), a forgotten filter returns nothing
    instead of someone else's data. Tables meant to be shared across tenants can be
    excluded in the configuration. Fix: ``ALTER TABLE t ENABLE ROW LEVEL SECURITY``
    and ``CREATE POLICY tenant_isolation ON t USING (organisation_id = ...)``
    (``FORCE ROW LEVEL SECURITY`` too if the owner role runs the application).
    """,
)
def rls_disabled_on_tenant_table(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    protected = [t.qualified_name for t in schema.tables if t.rls_enabled]
    for table in own_tables(schema):
        if table.rls_enabled:
            continue
        cols = [c for c in TENANT_COLUMNS if c in table.column_names]
        if not cols:
            continue
        also = (
            f" (row-level security is on for {', '.join(protected[:3])}{'...' if len(protected) > 3 else ''})"
            if protected
            else ""
        )
        yield rls_disabled_on_tenant_table.finding(
            "table",
            table.qualified_name,
            f"table {table.qualified_name} has {cols[0]} but row-level security is disabled{also}",
            f"ALTER TABLE {sql_table(table)} ENABLE ROW LEVEL SECURITY; CREATE POLICY tenant_isolation ON "
            f"{sql_table(table)} USING ({cols[0]} = <current tenant>);",
            table=table.qualified_name,
        )


@rule(
    "rls-enabled-without-policy",
    severity="warning",
    family="security",
    summary="Row-level security is enabled on a table that has no policy.",
    explanation="""
    With row-level security enabled and no policy, PostgreSQL applies default deny:
    every role subject to RLS sees no rows and can write none, while the owner and
    superusers (who bypass RLS) see everything, so the table seems to work in
    development and is empty in production. Fix: add the policies
    (``CREATE POLICY ... USING (...) WITH CHECK (...)``), or disable RLS if the table
    is not meant to be protected.
    """,
)
def rls_enabled_without_policy(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in own_tables(schema):
        if table.rls_enabled and not table.policies:
            yield rls_enabled_without_policy.finding(
                "table",
                table.qualified_name,
                f"row-level security is enabled on {table.qualified_name} but it has no policy: "
                "every non-owner role sees no rows",
                f"CREATE POLICY ... ON {sql_table(table)} USING (...);",
                table=table.qualified_name,
            )


def policy_column_refs(expression: str, table: str) -> list[str]:
    """Columns of ``table`` (bare name) that a policy expression reads.

    Unqualified references count only outside sub-queries (inside one they may
    belong to the sub-query's own tables); references qualified with the table's
    name count everywhere.
    """
    try:
        stmt = pglast.parse_sql(f"SELECT {expression}")[0].stmt
    except pglast.parser.ParseError:
        return []
    if not isinstance(stmt, ast.SelectStmt) or not stmt.targetList:
        return []
    node = stmt.targetList[0].val
    found: list[str] = []
    _walk(node, table, found, in_subquery=False)
    return found


def _walk(node: Any, table: str, found: list[str], *, in_subquery: bool) -> None:
    if isinstance(node, (list, tuple)):
        for item in node:
            _walk(item, table, found, in_subquery=in_subquery)
        return
    if not isinstance(node, ast.Node):
        return
    if isinstance(node, ast.ColumnRef):
        names = [f.sval for f in node.fields or () if isinstance(f, ast.String) and f.sval]
        if len(names) == 1 and not in_subquery:
            found.append(names[0])
        elif len(names) >= 2 and names[-2] == table:
            found.append(names[-1])
        return
    sub = in_subquery or isinstance(node, (ast.SubLink, ast.SelectStmt))
    # pglast declares each node class's fields in its __slots__ (absent from its stubs)
    for slot in getattr(type(node), "__slots__", ()):
        _walk(getattr(node, slot, None), table, found, in_subquery=sub)


@rule(
    "policy-unknown-column",
    severity="error",
    family="security",
    summary="A row-level-security policy references a column the table lacks.",
    explanation="""
    PostgreSQL checks a policy's expressions when the policy is created, but a
    model edited by hand, assembled from migrations or carried over from another
    version of the schema can hold a policy whose USING or WITH CHECK names a
    column that is not (or no longer) on the table; loading it fails, or, where the
    name resolves to something else (a column of a joined table, a function), the
    policy silently filters on the wrong thing. Fix: correct the column name in the
    policy (``ALTER POLICY ... USING (...)``) or add the column.
    """,
)
def policy_unknown_column(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in schema.tables:
        for policy in table.policies:
            for missing in _unknown_columns(table, policy):
                yield policy_unknown_column.finding(
                    "policy",
                    scoped_name(table, policy.name),
                    f"policy {policy.name} on {table.qualified_name} references {missing!r}, "
                    f"which is not a column of {table.qualified_name}",
                    f"ALTER POLICY {quote_ident(policy.name)} ON {sql_table(table)} USING (...);",
                    table=table.qualified_name,
                )


def _unknown_columns(table: Table, policy: Policy) -> list[str]:
    names = set(table.column_names)
    seen: list[str] = []
    for expr in (policy.using, policy.with_check):
        for ref in policy_column_refs(expr, table.name) if expr else ():
            if ref not in names and ref not in seen:
                seen.append(ref)
    return seen


#: Words that name a secret when they end a column name (``password``, ``reset_token``).
SECRET_NOUNS = frozenset(
    {
        "password",
        "passwords",
        "passwd",
        "pwd",
        "passphrase",
        "secret",
        "secrets",
        "token",
        "tokens",
        "apikey",
        "credential",
        "credentials",
    }
)
#: Two-word endings that name a secret (``stripe_api_key``, ``aws_secret_access_key``).
SECRET_PAIRS = frozenset(
    {
        ("api", "key"),
        ("api", "keys"),
        ("private", "key"),
        ("access", "key"),
        ("secret", "key"),
        ("signing", "key"),
        ("encryption", "key"),
        ("master", "key"),
    }
)
#: Words after the secret that still mean "the secret itself" (``password_plain``, ``token_value``).
PLAIN_MARKERS = frozenset({"plain", "plaintext", "cleartext", "clear", "raw", "value", "text"})
#: Words anywhere in the name that say the value is protected: ``encrypted_password``,
#: ``crypted_password``, ``hashed_token``, ``password_digest``, ``api_key_enc``.
PROTECTED_WORDS = frozenset(
    {
        "hash",
        "hashed",
        "digest",
        "encrypted",
        "enc",
        "crypted",
        "ciphertext",
        "cipher",
        "sealed",
        "wrapped",
        "masked",
        "redacted",
        "bcrypt",
        "argon2",
        "scrypt",
        "sha256",
        "hmac",
    }
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def is_secret_name(name: str) -> bool:
    """True when a column name says it holds a secret itself, in the clear.

    The secret word must *end* the name (after dropping a trailing ``_plain`` or
    ``_value``): ``password``, ``reset_password_token``, ``stripe_api_key``. A word
    after it makes the column something about the secret, not the secret
    (``password_salt``, ``token_iv``, ``token_url``, ``secret_field``,
    ``api_key_prefix``, ``token_expires_at``), and a word anywhere that says it is
    protected (``encrypted_password``, ``hashed_token``, ``password_digest``) passes.
    """
    words = [w for w in _CAMEL.sub("_", name).lower().split("_") if w]
    if any(w in PROTECTED_WORDS for w in words):
        return False
    while len(words) > 1 and words[-1] in PLAIN_MARKERS:
        words.pop()
    if not words:
        return False
    return words[-1] in SECRET_NOUNS or tuple(words[-2:]) in SECRET_PAIRS


_TEXT_TYPES = ("text", "character varying", "character", "citext", "bpchar")


@rule(
    "plaintext-secret-column",
    severity="error",
    family="security",
    summary="Column looks like a secret (password, token, API key) stored as plain text.",
    explanation="""
    A column named ``password``, ``api_key``, ``token`` or ``secret`` with a text
    type is read as "the secret itself is stored": every backup, replica, log of a
    slow query and support session then exposes it, and one SQL injection leaks
    every credential. Passwords belong in a slow salted hash (argon2id, bcrypt,
    scrypt) and tokens in a fast hash (SHA-256) of a high-entropy value, with the
    column named for what it holds (``password_hash``, ``token_hash``); secrets the
    application must read back belong encrypted (``*_encrypted``, bytea) or in a
    secret store. Only a name that *ends* in the secret word counts (``password``,
    ``reset_password_token``, ``stripe_api_key``, also followed by ``_plain`` or
    ``_value``): a word after it names something about the secret, not the secret
    (``password_salt``, ``token_iv``, ``token_url``, ``secret_field``,
    ``api_key_prefix``, ``password_hint``), and a word anywhere in the name that says
    it is protected passes (``encrypted_password``, ``crypted_password``,
    ``hashed_token``, ``password_digest``, ``api_key_hash``), as do non-text types
    (bytea ciphertext). Fix: store a hash or ciphertext and rename the column to
    say so.
    """,
)
def plaintext_secret_column(schema: Schema, config: LintConfig) -> Iterator[Finding]:
    for table in own_tables(schema):
        for col in table.columns:
            name = col.name.lower()
            if not is_secret_name(col.name) or not col.type.startswith(_TEXT_TYPES):
                continue
            yield plaintext_secret_column.finding(
                "column",
                column_name(table, col.name),
                f"{table.qualified_name}.{col.name} ({col.type}) looks like a secret stored as plain text",
                f"store a hash (argon2id/bcrypt for passwords, SHA-256 for tokens) and "
                f"ALTER TABLE {sql_table(table)} RENAME COLUMN {quote_ident(col.name)} TO {name}_hash;",
                table=table.qualified_name,
                column=col.name,
            )

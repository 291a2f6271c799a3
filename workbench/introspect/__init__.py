"""Read a live database's catalog into the frozen :class:`~workbench.model.Schema`.

Why one set-based query per object kind (``queries/*.sql``) instead of a query
per table: introspecting a 1,000-table schema must stay well under two seconds,
and a fixed number of round trips is what makes that true whatever the size.

Why the session settings are pinned while reading: PostgreSQL prints
expressions, partition bounds and type names according to ``search_path``,
``TimeZone`` and ``DateStyle``. Pinning them (and restoring the caller's values
afterwards) makes two introspections of equal schemas byte-identical, whatever
the caller's session looks like. Names in ``public`` print unqualified, names in
other schemas qualified; the DDL export sets the same ``search_path``.

Objects owned by an extension (``pg_depend.deptype = 'e'``) never enter the
model, except as the :class:`~workbench.model.Extension` entry itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import resources
from typing import Any

import psycopg
from psycopg.rows import dict_row

from workbench.introspect import _build
from workbench.model import Schema

#: Session settings pinned during introspection (see the module docstring).
SESSION_SETTINGS: dict[str, str] = {
    "search_path": "public",
    "TimeZone": "UTC",
    "DateStyle": "ISO, MDY",
    "IntervalStyle": "postgres",
}

_KINDS = (
    "extensions",
    "enums",
    "domains",
    "sequences",
    "tables",
    "columns",
    "constraints",
    "foreign_keys",
    "indexes",
    "views",
    "functions",
    "triggers",
    "policies",
    "rules",
    "composites",
    "ranges",
    "collations",
    "operators",
    "ts_dictionaries",
    "ts_configs",
    "casts",
    "grants",
)


def query_text(kind: str) -> str:
    """Return the catalog query for one object kind (``queries/<kind>.sql``)."""
    return resources.files(__package__).joinpath("queries", f"{kind}.sql").read_text("utf-8")


def introspect(conn: psycopg.Connection, *, schemas: Sequence[str] | None = None) -> Schema:
    """Return the model of every user object reachable through ``conn``.

    ``schemas`` restricts the result to those namespaces (default: every user
    schema, i.e. not ``pg_catalog``/``information_schema``/``pg_toast*`` and not
    schemas created by extensions). Runs a fixed number of catalog queries in one
    transaction (a savepoint when the caller already has one open) and leaves the
    caller's session settings as they were.
    """
    params: dict[str, Any] = {"schemas": list(schemas) if schemas is not None else None}
    with conn.transaction(), conn.cursor(row_factory=dict_row) as cur:
        # On failure the (sub)transaction rolls back, which also undoes set_config.
        saved = _pin_settings(cur)
        namespaces = cur.execute(query_text("namespaces"), params).fetchall()
        params = {"ns": [row["oid"] for row in namespaces]}
        rows = {kind: cur.execute(query_text(kind), params).fetchall() for kind in _KINDS}
        version = cur.execute("SELECT current_setting('server_version') AS v").fetchone()
        _restore_settings(cur, saved)
    return _build.build_schema(namespaces, rows, server_version=version["v"] if version else "")


def _pin_settings(cur: psycopg.Cursor[dict[str, Any]]) -> dict[str, str]:
    saved: dict[str, str] = {}
    for name, value in SESSION_SETTINGS.items():
        row = cur.execute("SELECT current_setting(%s) AS v", (name,)).fetchone()
        saved[name] = row["v"] if row else ""
        cur.execute("SELECT set_config(%s, %s, false)", (name, value))
    return saved


def _restore_settings(cur: psycopg.Cursor[dict[str, Any]], saved: dict[str, str]) -> None:
    for name, value in saved.items():
        cur.execute("SELECT set_config(%s, %s, false)", (name, value))


__all__ = ["SESSION_SETTINGS", "introspect", "query_text"]

"""Count catalog objects by kind, and name the ones the model cannot hold.

Why count from the catalogs instead of from the model: the DDL round trip proves
``introspect(reload(render_ddl(model))) == model``, which says nothing about an
object kind the model does not know (it is missing on both sides). Counting
what ``pg_dump -s`` would restore straight from ``pg_class``, ``pg_constraint``,
``pg_type``, ``pg_operator``, ... on both databases makes such a kind show up as
a count the reload does not reproduce (see ``queries/census.sql``).

:func:`unexportable` lists, by name, the objects of kinds the model has no
place for (``queries/unexportable.sql``); ``workbench export`` warns with it.
"""

from __future__ import annotations

import psycopg

from workbench.introspect import query_text


def catalog_census(conn: psycopg.Connection) -> dict[str, int]:
    """``{kind: count}`` of every object kind in the user schemas (kinds with no objects left out)."""
    with conn.transaction():
        rows = conn.execute(query_text("census")).fetchall()
    return {kind: int(n) for kind, n in rows}


def census_difference(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """Readable lines for every kind whose count differs: ``'rule (enabled O): 2 -> 0'``."""
    return [
        f"{kind}: {before.get(kind, 0)} -> {after.get(kind, 0)}"
        for kind in sorted(before.keys() | after.keys())
        if before.get(kind, 0) != after.get(kind, 0)
    ]


def unexportable(conn: psycopg.Connection) -> list[str]:
    """Objects (and settings) of the user schemas that the model, hence every export, lacks."""
    with conn.transaction():
        # pg_describe_object qualifies what search_path does not show: show nothing
        # (then put the caller's search_path back, even inside an outer transaction).
        row = conn.execute("SELECT current_setting('search_path')").fetchone()
        conn.execute("SELECT set_config('search_path', 'pg_catalog', false)")
        rows = conn.execute(query_text("unexportable")).fetchall()
        conn.execute("SELECT set_config('search_path', %s, false)", (row[0] if row else "",))
    return [r[0] for r in rows]


__all__ = ["catalog_census", "census_difference", "unexportable"]

"""Production's optimizer statistics: export, restore, plan with them, seed like them.

* :func:`export_stats` runs the shipped read-only query (``export.sql``) on a
  database and returns the statistics document; :func:`anonymise` replaces the
  values of personal-data columns by stand-ins with the same frequencies.
* :func:`restore_stats` writes a document into a database with PostgreSQL 18's
  ``pg_restore_*_stats``; :func:`size_relations` makes an empty database's files
  as large as production's (sparse), because the planner scales the restored
  density by the physical size. ``wb.import_stats()`` / ``wb.planning_database()``
  wire both into a session.
* :func:`faithful_plan` turns a document into a seed shape whose data's own
  ANALYZE comes back close to it (``wb.seed(like=FILE, scale=...)``);
  :func:`column_distances` and :func:`plan_shape` say how close.
"""

from __future__ import annotations

from typing import Any

import psycopg

from workbench.stats.compare import column_distances, explain_shape, plan_shape
from workbench.stats.document import (
    FORMAT,
    StatsError,
    anonymise,
    array_literal,
    export_query,
    load_stats,
    parse_array,
    save_stats,
)
from workbench.stats.faithful import FaithfulPlan, faithful_plan
from workbench.stats.restore import RestoreReport, restore_stats, size_relations


def export_stats(
    conninfo: str | psycopg.Connection, *, anonymise_columns: tuple[str, ...] = ()
) -> dict[str, Any]:
    """The statistics document of a database, read in a READ ONLY transaction."""
    own = not isinstance(conninfo, psycopg.Connection)
    conn: psycopg.Connection = (
        conninfo if isinstance(conninfo, psycopg.Connection) else psycopg.connect(conninfo)
    )
    try:
        if conn.info.server_version < 150000:
            raise StatsError(
                f"statistics export supports PostgreSQL 15 and newer; this server is "
                f"{conn.info.server_version // 10000}"
            )
        with conn.transaction():
            conn.execute("SET TRANSACTION READ ONLY")
            row = conn.execute(export_query()).fetchone()
    finally:
        if own:
            conn.close()
    assert row is not None
    data = row[0]
    return anonymise(data, anonymise_columns) if anonymise_columns else data


__all__ = [
    "FORMAT",
    "FaithfulPlan",
    "RestoreReport",
    "StatsError",
    "anonymise",
    "array_literal",
    "column_distances",
    "explain_shape",
    "export_query",
    "export_stats",
    "faithful_plan",
    "load_stats",
    "parse_array",
    "plan_shape",
    "restore_stats",
    "save_stats",
    "size_relations",
]

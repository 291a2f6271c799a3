"""The seed's load pipeline: rows land frozen, no step waits on another's lock, a failed step
stops the others and says which table and constraint it was."""

from __future__ import annotations

import importlib
import threading
import time

import psycopg
import pytest

from tests.conftest import EXAMPLE_SQL
from workbench.introspect import introspect
from workbench.seed import SeedError, seed
from workbench.seed.pipeline import (
    ACCESS_EXCLUSIVE,
    ROW_SHARE,
    SHARE,
    SHARE_ROW_EXCLUSIVE,
    SHARE_UPDATE_EXCLUSIVE,
    conflicts,
)

# big enough that index builds, FK validations and VACUUM ANALYZE of different tables overlap
SHAPE = {
    "default": 300,
    "tables": {"users": 5000, "tasks": 20_000, "comments": 30_000, "audit_log": 15_000},
}

_VISIBILITY = """
SELECT c.relname, s.all_visible, s.all_frozen, pg_relation_size(c.oid) > 0
FROM pg_class c, pg_visibility_map_summary(c.oid) s
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
"""


def _schema(conninfo: str):
    with psycopg.connect(conninfo) as conn:
        return introspect(conn)


def _visibility(conninfo: str) -> list[tuple]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION pg_visibility")
        return conn.execute(_VISIBILITY).fetchall()


@pytest.mark.parametrize("vacuum", [False, True])
def test_rows_land_frozen_and_vacuum_leaves_every_page_frozen(vacuum, template_for, new_db):
    """COPY FREEZE: without VACUUM the pages are frozen already; after it, every page is."""
    conninfo = new_db(template=template_for(EXAMPLE_SQL))
    seed(conninfo, _schema(conninfo), SHAPE, progress=False, vacuum=vacuum)
    with psycopg.connect(conninfo) as conn:
        pages = dict(
            conn.execute(
                "SELECT relname, pg_relation_size(oid) / current_setting('block_size')::int"
                " FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'"
            ).fetchall()
        )
    rows = _visibility(conninfo)
    assert len(rows) == 13
    for name, visible, frozen, nonempty in rows:
        assert nonempty, name
        # nothing but COPY FREEZE sets the visibility map of a table never vacuumed
        assert frozen == visible > 0, name
        if vacuum:  # VACUUM also truncated the empty pages a bulk extension left at the end
            assert frozen == pages[name], name


def test_no_step_waits_for_another_steps_lock(template_for, new_db):
    """The scheduler starts a step only when no running step holds a conflicting lock."""
    conninfo = new_db(template=template_for(EXAMPLE_SQL))
    schema = _schema(conninfo)
    dbname = psycopg.conninfo.conninfo_to_dict(conninfo)["dbname"]
    seen: list[tuple] = []
    polls = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal polls
        with psycopg.connect(conninfo, autocommit=True) as conn:
            while not done.is_set():
                seen.extend(
                    conn.execute(
                        "SELECT wait_event, left(query, 80) FROM pg_stat_activity"
                        " WHERE datname = %s AND wait_event_type = 'Lock'",
                        [dbname],
                    ).fetchall()
                )
                polls += 1
                time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        summary = seed(conninfo, schema, SHAPE, progress=False)
    finally:
        done.set()
        watcher.join()
    assert polls > 50  # the watcher really watched the whole load
    assert seen == []
    # the steps did overlap: more busy seconds than wall seconds after generation
    assert sum(v for k, v in summary.phases.items() if k != "generate") > 0
    # the last row went in before the run ended: its rate is at least the whole run's
    assert summary.rows_written_per_second >= summary.rows_per_second > 0


def test_lock_conflicts_follow_postgresqls_table():
    assert conflicts(SHARE, SHARE) is False  # two CREATE INDEX on one table
    assert conflicts(SHARE, SHARE_UPDATE_EXCLUSIVE)  # CREATE INDEX vs VACUUM/ANALYZE/VALIDATE
    assert conflicts(SHARE_UPDATE_EXCLUSIVE, SHARE_UPDATE_EXCLUSIVE)
    assert conflicts(ROW_SHARE, SHARE_UPDATE_EXCLUSIVE) is False  # VALIDATE's parent side
    assert conflicts(ROW_SHARE, ACCESS_EXCLUSIVE)
    assert conflicts(SHARE_ROW_EXCLUSIVE, SHARE_ROW_EXCLUSIVE)
    for a in (ROW_SHARE, SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, ACCESS_EXCLUSIVE):
        for b in (ROW_SHARE, SHARE_UPDATE_EXCLUSIVE, SHARE, SHARE_ROW_EXCLUSIVE, ACCESS_EXCLUSIVE):
            assert conflicts(a, b) == conflicts(b, a), (a, b)


# The generator makes codes unique, but not their first letter: the unique index on
# an expression fails when it is rebuilt after the COPY, on a worker connection.
EXPRESSION_UNIQUE = """
CREATE TABLE items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code text NOT NULL UNIQUE,
    note text
);
CREATE UNIQUE INDEX items_code_initial_key ON items (left(code, 1));
CREATE TABLE item_notes (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    item_id bigint NOT NULL REFERENCES items (id),
    body text NOT NULL
);
"""


def test_a_failed_step_stops_the_load_and_names_table_and_index(db_holding):
    conninfo = db_holding(EXPRESSION_UNIQUE)
    schema = _schema(conninfo)
    with pytest.raises(SeedError) as err:
        seed(conninfo, schema, {"default": 20_000}, progress=False)
    text = str(err.value)
    assert "public.items" in text and "items_code_initial_key" in text
    assert "columns=" in text  # how to take the column over
    assert not [t for t in threading.enumerate() if t.name.startswith("seed-worker")]


def test_progress_bar_knows_its_total_before_the_first_row(template_for, new_db, monkeypatch):
    """The bar's total comes from the plan and the catalog, so it never runs backwards."""
    seed_mod = importlib.import_module("workbench.seed")
    seen: list[tuple[int, int]] = []
    finished = seed_mod._Bar.finished

    def record(bar, what):
        finished(bar, what)
        seen.append((bar._bar.n, bar._bar.total))

    monkeypatch.setattr(seed_mod._Bar, "finished", record)
    conninfo = new_db(template=template_for(EXAMPLE_SQL))
    seed(conninfo, _schema(conninfo), SHAPE, progress=True)
    totals = {total for _, total in seen}
    assert len(totals) == 1, totals  # fixed row counts: the estimate is exact
    assert seen[-1][0] == seen[-1][1] > 13 * 3  # generate, COPY and VACUUM per table, and more

"""Production's statistics: export, restore, plans as production's, faithful seeding.

A "production" database (tests/schemas/shop_stats: 312 k rows with heavy skew and
time-correlated physical order, built by production_data.sql) is exported with
the shipped read-only query; a fresh server gets only the file. The query set
(tests/schemas/shop_stats/queries.sql, 20 queries) is planned there and compared
by plan shape with production.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

import workbench
from benchmarks.bench_stats import SHOP, production, queries
from workbench.server.binaries import system_binaries
from workbench.stats import (
    StatsError,
    anonymise,
    array_literal,
    explain_shape,
    export_stats,
    load_stats,
    parse_array,
    save_stats,
)
from workbench.stats.report import statistics_report


@pytest.fixture(scope="module")
def prod(server):
    """(statistics, plain EXPLAIN shapes, EXPLAIN ANALYZE shapes) of the production database."""
    with workbench.open(SHOP / "schema.sql", server=server) as wb:
        yield production(wb, queries())


@pytest.fixture(scope="module")
def stats_file(prod, tmp_path_factory) -> Path:
    return save_stats(prod[0], tmp_path_factory.mktemp("stats") / "stats.json")


@pytest.fixture(scope="module")
def fresh(stats_file):
    """A fresh server that knows production only through the statistics file."""
    with workbench.open(SHOP / "schema.sql", stats=stats_file) as wb:
        yield wb


def test_array_literals_round_trip():
    values = ["a", "b,c", 'say "hi"', None, "NULL", "back\\slash", ""]
    assert parse_array(array_literal(values)) == values
    assert parse_array("{1,2,NULL}") == ["1", "2", None]
    assert parse_array("{{1,2},{3,4}}") == ["{1,2}", "{3,4}"]


def test_export_runs_read_only_and_covers_tables_indexes_columns(prod, server):
    stats = prod[0]
    assert stats["format"] == "workbench-stats/1"
    names = {(r["name"], r["kind"]) for r in stats["relations"]}
    assert {("orders", "r"), ("orders_status_idx", "i"), ("order_items_pkey", "i")} <= names
    orders = next(r for r in stats["relations"] if r["name"] == "orders")
    assert orders["reltuples"] == 100000 and orders["relpages"] > 0
    status = next(c for c in stats["columns"] if (c["table"], c["column"]) == ("orders", "status"))
    assert parse_array(status["most_common_vals"])[0] == "delivered"
    assert status["most_common_freqs"][0] > 0.9


def test_export_works_in_a_read_only_session(fresh):
    conninfo = fresh.conninfo + " options='-c default_transaction_read_only=on'"
    data = export_stats(conninfo)
    assert data["relations"]


def test_anonymise_keeps_frequencies_and_drops_values(prod):
    stats = prod[0]
    out = anonymise(stats, ["*.customers.country"])
    before = next(c for c in stats["columns"] if c["column"] == "country")
    after = next(c for c in out["columns"] if c["column"] == "country")
    assert after["most_common_freqs"] == before["most_common_freqs"]
    real = set(parse_array(before["most_common_vals"]))
    assert real and not real & set(parse_array(after["most_common_vals"]))
    assert len(parse_array(after["most_common_vals"])) == len(real)
    assert after["anonymised"] is True
    with pytest.raises(StatsError, match="no column matches"):
        anonymise(stats, ["*.nope.nothing"])


def test_bad_files_are_clear_errors(tmp_path):
    with pytest.raises(StatsError, match="no such statistics file"):
        load_stats(tmp_path / "missing.json")
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(StatsError, match="not a workbench statistics file"):
        load_stats(tmp_path / "x.json")


def test_mismatches_are_reported_not_fatal(prod, fresh):
    data = json.loads(json.dumps(prod[0]))
    data["relations"].append(dict(data["relations"][0], name="gone_table"))
    data["columns"].append(dict(data["columns"][0], column="gone_column"))
    report = fresh.import_stats(data)
    assert "public.gone_table" in report.missing_relations
    assert any(c.endswith(".gone_column") for c in report.missing_columns)
    assert report.relations >= 4 and report.columns >= 18
    assert "not in the schema" in str(report)


def test_restored_statistics_need_the_size_on_disk(fresh):
    """Why the planning database exists: an empty table plans as one row whatever its stats."""
    with psycopg.connect(fresh.conninfo) as conn:
        plan = conn.execute("EXPLAIN (FORMAT JSON) SELECT * FROM orders").fetchone()[0]
        reltuples = conn.execute(
            "SELECT reltuples FROM pg_class WHERE relname = 'orders'"
        ).fetchone()[0]
    assert reltuples == 100000  # restored ...
    assert plan[0]["Plan"]["Plan Rows"] == 1  # ... and ignored on an empty file
    planned = fresh.explain_imported("SELECT * FROM orders")
    assert planned[0]["Plan"]["Plan Rows"] == 100000


def test_imported_statistics_plan_as_production(prod, fresh):
    _, planned, _ = prod
    qs = queries()
    assert len(qs) >= 15
    with fresh.planning_database().connect() as conn:
        shapes = [explain_shape(conn, q) for q in qs]
    mismatched = [(q, p, s) for q, p, s in zip(qs, planned, shapes, strict=True) if p != s]
    assert not mismatched


def test_faithful_seed_reproduces_plans_and_statistics(prod, fresh):
    _, _, analysed = prod
    report = statistics_report(fresh, queries(), production=analysed)
    agreement = report.agreement()
    print(f"plan agreement: {agreement}")
    assert agreement["faithful"] >= 0.9
    assert agreement["faithful"] > agreement["plain"]
    cols = report.columns
    generated = cols[~cols["column"].isin(["id", "customer_id", "order_id", "product_id", "line"])]
    assert generated["null_frac_diff"].max() < 0.02
    assert generated["mcv_overlap"].median() > 0.9
    assert generated["n_distinct_ratio"].between(0.8, 1.25).mean() >= 0.8


def _pg15() -> bool:
    try:
        system_binaries(major=15)
    except workbench.WorkbenchError:
        return False
    return True


@pytest.mark.skipif(
    not _pg15(), reason="Debian's postgresql-15 is not installed (.ci/run installs it)"
)
def test_postgresql_15_exports_but_cannot_restore(stats_file):
    with workbench.open(SHOP / "schema.sql", backend="system", major=15) as wb:
        data = export_stats(wb.conninfo)
        assert data["server_version_num"] < 160000 and data["relations"]
        with pytest.raises(StatsError, match="needs PostgreSQL 18"):
            wb.import_stats(stats_file)


def test_cli_export_and_anonymise(fresh, tmp_path):
    from workbench.cli import main

    out = tmp_path / "s.json"
    assert (
        main(
            [
                "stats",
                "export",
                "--url",
                fresh.conninfo,
                "-o",
                str(out),
                "--anonymise",
                "*.orders.status",
            ]
        )
        == 0
    )
    data = load_stats(out)
    status = next(c for c in data["columns"] if c["column"] == "status")
    assert "delivered" not in (status.get("most_common_vals") or "")

"""EXPLAIN experiments on a real server: the index proof, plan parsing, stats, store, report, CLI."""

from __future__ import annotations

import argparse
import base64
import json

import numpy as np
import pytest

from tests.conftest import EXAMPLE_SQL, ROOT
from tests.explain_seed import RARE_AUTHOR_COMMENTS, seed_comments
from workbench.explain import (
    Experiment,
    ExperimentResult,
    ExplainError,
    Plan,
    Query,
    Variant,
    VariantError,
    find,
    fk_facts_from_schema,
    plan_diff,
    plan_graph,
    run_experiment,
    speedup,
    summarize,
    write_report,
)
from workbench.explain.plots import render_dot
from workbench.model import Column, ForeignKey, Index, Schema, Table

QUERY = ROOT / "queries" / "comments_by_author.sql"
WITH_INDEX = Variant("with_index", ddl="CREATE INDEX ON comments (author_id)")
SMALL, LARGE = 150, 100_000


def scans_on(plan: Plan, relation: str) -> set[str]:
    df = plan.nodes
    return set(df.loc[df["relation"] == relation, "node_type"])


# -- the proof: an unindexed foreign key with and without its index -------------------------
@pytest.fixture(scope="module")
def index_result(server, template_for) -> ExperimentResult:
    experiment = Experiment(
        QUERY,
        [Variant("baseline"), WITH_INDEX],
        scales=[SMALL, LARGE],
        repetitions=8,
        warmup=1,
        explain_runs=1,
    )
    return run_experiment(
        server,
        experiment,
        base_db=template_for(EXAMPLE_SQL),
        seed_fn=seed_comments,
        progress=False,
    )


def test_index_turns_seq_scan_into_index_scan(index_result):
    baseline = index_result.plan("baseline", scale=LARGE)
    indexed = index_result.plan("with_index", scale=LARGE)
    assert "Seq Scan" in scans_on(baseline, "comments")
    assert scans_on(indexed, "comments") & {"Index Scan", "Bitmap Heap Scan"}
    comments = baseline.nodes[baseline.nodes["relation"] == "comments"].iloc[0]
    assert comments["actual_rows_total"] == RARE_AUTHOR_COMMENTS
    assert comments["rows_removed_by_filter"] == LARGE - RARE_AUTHOR_COMMENTS


def test_speedup_interval_excludes_one_at_scale(index_result):
    s = index_result.speedup("with_index", scale=LARGE)
    assert s.low > 1.0, str(s)
    assert s.clear and "faster" in s.verdict
    table = index_result.comparisons()
    assert set(table["scale"]) == {str(SMALL), str(LARGE)}


def test_plan_shape_change_across_scales(index_result):
    changes = [c for c in index_result.shape_changes() if c.variant == "with_index"]
    assert changes, "the tiny table should be read sequentially, the large one through the index"
    change = changes[0]
    assert (change.scale_from, change.scale_to) == (str(SMALL), str(LARGE))
    assert "comments: Seq Scan" in change.diff.headline()
    assert any(tag != "equal" for tag, _, _ in change.diff.rows)
    assert "<table>" in change.diff._repr_html_()


def test_findings_point_at_the_scan(index_result):
    findings = index_result.findings()
    baseline = findings[(str(LARGE), "comments_by_author", "default", "baseline")]
    rules = {f.rule: f for f in baseline}
    assert {"seq_scan_selective", "fk_without_index"} <= set(rules)
    assert rules["fk_without_index"].node == "Seq Scan on comments"
    assert "CREATE INDEX ON public.comments (author_id)" in rules["fk_without_index"].message
    indexed = findings.get((str(LARGE), "comments_by_author", "default", "with_index"), [])
    assert not [f for f in indexed if f.rule in ("fk_without_index", "seq_scan_selective")]


def test_timings_run_in_randomised_complete_blocks(index_result):
    t = index_result.timings
    large = t[t["scale"] == str(LARGE)]
    arms = {("baseline", 0), ("baseline", 1), ("with_index", 0), ("with_index", 1)}
    orders = set()
    for _, block in large.groupby("repetition"):
        block = block.sort_values("position")
        assert set(zip(block["variant"], block["clone"], strict=True)) == arms
        assert list(block["position"]) == [0, 1, 2, 3]
        orders.add(tuple(zip(block["variant"], block["clone"], strict=True)))
    assert len(orders) > 1, "the order within blocks is drawn afresh per block"
    summary = index_result.summary()
    assert (summary["n"] == 16).all()  # 8 blocks x 2 clones per variant
    assert (summary["median_ms"] > 0).all()
    assert summary["explain_timing_off_ms"].notna().all()


def test_result_round_trips_through_json_and_parquet(index_result, tmp_path):
    index_result.save(tmp_path / "run.json")
    again = ExperimentResult.load(tmp_path / "run.json")
    assert again.comparisons().equals(index_result.comparisons())
    assert again.meta["server_version"] == index_result.meta["server_version"]
    assert again.meta["shape"][str(LARGE)]
    assert again.plan("baseline").shape() == index_result.plan("baseline").shape()
    index_result.save(tmp_path / "dir")
    assert (tmp_path / "dir" / "nodes.parquet").stat().st_size > 0
    assert (tmp_path / "dir" / "timings.parquet").stat().st_size > 0
    assert ExperimentResult.load(tmp_path / "dir").timings.shape == index_result.timings.shape


def test_report_writes_markdown_and_pictures(index_result, tmp_path):
    report = write_report(index_result, tmp_path)
    text = report.read_text()
    assert "faster" in text and "Plan changes across data scales" in text
    assert (tmp_path / "scaling.png").read_bytes()[:4] == b"\x89PNG"
    svgs = list(tmp_path.glob("plan_*.svg"))
    assert len(svgs) == 4 and all("<svg" in p.read_text() for p in svgs)
    for name in (p.name for p in tmp_path.glob("*.png")):
        assert name in text or name.startswith("plan_")


def test_timing_pictures_keep_the_experiments_variant_order(index_result):
    """Baseline first in every panel, whatever order the randomised blocks timed them in."""
    fig = index_result.plot_distributions()
    for ax in fig.axes:
        labels = [t.get_text() for t in ax.get_xticklabels()]
        assert labels == index_result.variants, labels


def test_html_views(index_result):
    plan = index_result.plan("baseline")
    # the table as HTML, the tree as an image beside it: no SVG inside HTML, which an
    # untrusted notebook's sanitiser would turn into text
    assert "<table" in plan._repr_html_() and "<svg" not in plan._repr_html_()
    tree = plan.tree()._repr_mimebundle_()
    assert "<svg" in tree["image/svg+xml"] and "text/html" not in tree
    assert base64.b64decode(tree["image/png"])[:4] == b"\x89PNG"
    assert "faster" in index_result._repr_html_()


# -- conditions: prepared statements, parameters, cold cache, settings, HypoPG fallback ------
@pytest.fixture(scope="module")
def conditions_result(server, template_for) -> ExperimentResult:
    query = Query(
        "by_author",
        "SELECT id FROM comments WHERE author_id = %s ORDER BY created_at",
        params=("10000000-0000-0000-0000-000000000001",),
    )
    experiment = Experiment(
        [query],
        [
            Variant("baseline"),
            Variant("no_seqscan", settings={"enable_seqscan": "off"}),
            Variant("hypo", hypothetical_indexes=["CREATE INDEX ON comments (author_id)"]),
        ],
        scales=[3_000],
        repetitions=3,
        warmup=0,
        explain_runs=1,
        # cold needs pg_buffercache_evict_relation (PostgreSQL 18); the system backend may be older
        cache="cold" if server.version_num >= 180000 else "warm",
        plan_cache="both",
    )
    return run_experiment(
        server,
        experiment,
        base_db=template_for(EXAMPLE_SQL),
        seed_fn=seed_comments,
        progress=False,
    )


def test_generic_and_custom_plans(conditions_result):
    generic = conditions_result.plan("baseline", condition="generic")
    custom = conditions_result.plan("baseline", condition="custom")
    assert "$1" in " ".join(generic.nodes["conditions"])
    assert "10000000-0000-0000-0000-000000000001" in " ".join(custom.nodes["conditions"])
    assert set(conditions_result.timings["condition"]) == {"generic", "custom"}


def test_cold_cache_reads_blocks(conditions_result):
    if conditions_result.experiment["cache"] != "cold":
        pytest.skip("cold cache needs pg_buffercache_evict_relation (PostgreSQL 18)")
    plan = conditions_result.plan("baseline", condition="custom")
    assert plan.nodes["shared_read"].iloc[0] > 0


def test_variant_settings_do_not_leak(conditions_result):
    assert conditions_result.plan("no_seqscan").settings.get("enable_seqscan") == "off"
    assert "enable_seqscan" not in conditions_result.plan("baseline").settings


def test_hypothetical_indexes(conditions_result):
    plan = conditions_result.plan("hypo", condition="custom")
    if conditions_result.meta["hypopg_available"]:
        assert not plan.analyzed
        assert conditions_result.summary().set_index("variant").loc["hypo", "estimated_only"].all()
    else:
        assert any("HypoPG is not installed" in n for n in conditions_result.notes)
        assert plan.analyzed
        assert scans_on(plan, "comments") & {"Index Scan", "Bitmap Heap Scan"}


def test_bad_variant_ddl_names_the_variant(server, template_for):
    experiment = Experiment(
        "SELECT 1", [Variant("baseline"), Variant("broken", ddl="CREATE INDEX ON nope (x)")]
    )
    with pytest.raises(VariantError, match=r"broken.*nope"):
        run_experiment(server, experiment, base_db=template_for(EXAMPLE_SQL), progress=False)


def test_scales_need_a_seed_function(server, template_for):
    with pytest.raises(ExplainError, match="seed_fn"):
        run_experiment(
            server,
            Experiment("SELECT 1", scales=[10]),
            base_db=template_for(EXAMPLE_SQL),
            progress=False,
        )


# -- plan parsing on hand-written EXPLAIN documents --------------------------------------
def _node(kind: str, **fields) -> dict:
    base = {
        "Node Type": kind,
        "Plan Rows": 100,
        "Startup Cost": 0.0,
        "Total Cost": 10.0,
        "Actual Rows": 100.0,
        "Actual Loops": 1,
        "Actual Startup Time": 0.0,
        "Actual Total Time": 1.0,
        "Shared Hit Blocks": 0,
        "Shared Read Blocks": 0,
    }
    base.update(fields)
    return base


def test_parallel_nodes_show_raw_and_per_worker_time():
    scan = _node(
        "Seq Scan",
        **{"Relation Name": "t", "Actual Loops": 3, "Actual Total Time": 30.0},
        **{"Parent Relationship": "Outer", "Parallel Aware": True},
    )
    gather = _node("Gather", **{"Workers Launched": 2, "Actual Total Time": 32.0, "Plans": [scan]})
    plan = Plan.from_json([{"Plan": gather, "Planning Time": 0.1, "Execution Time": 32.5}])
    seq = plan.nodes.iloc[1]
    assert seq["parallel"] and seq["processes"] == 3
    assert seq["inclusive_ms_raw"] == pytest.approx(90.0)
    assert seq["inclusive_ms"] == pytest.approx(30.0)
    assert plan.nodes.iloc[0]["exclusive_ms"] == pytest.approx(2.0)
    assert seq["actual_rows_total"] == 300


def test_nested_loop_rows_times_loops_and_finding():
    inner = _node(
        "Index Scan",
        **{"Relation Name": "b", "Index Name": "b_pkey", "Parent Relationship": "Inner"},
        **{"Actual Loops": 5000, "Actual Rows": 1.0, "Plan Rows": 1, "Actual Total Time": 0.01},
    )
    outer = _node("Seq Scan", **{"Relation Name": "a", "Parent Relationship": "Outer"})
    outer.update({"Actual Rows": 5000.0, "Plan Rows": 5000})
    loop = _node("Nested Loop", **{"Actual Rows": 5000.0, "Plan Rows": 5000})
    loop["Plans"] = [outer, inner]
    plan = Plan.from_json({"Plan": loop, "Planning Time": 0.1, "Execution Time": 60.0})
    idx = plan.nodes.iloc[2]
    assert idx["actual_rows_total"] == 5000 and idx["inclusive_ms"] == pytest.approx(50.0)
    rules = [f.rule for f in find(plan)]
    assert "nested_loop_inner" in rules


def test_sort_spill_and_misestimate_findings():
    scan = _node(
        "Seq Scan",
        **{"Relation Name": "big", "Parent Relationship": "Outer"},
        **{"Plan Rows": 1000, "Actual Rows": 200000.0},
    )
    sort = _node(
        "Sort",
        **{"Sort Method": "external merge", "Sort Space Used": 9000, "Sort Space Type": "Disk"},
        **{"Plan Rows": 1000, "Actual Rows": 200000.0, "Plans": [scan]},
    )
    plan = Plan.from_json({"Plan": sort, "Planning Time": 0.1, "Execution Time": 99.0})
    found = find(plan)
    spill = [f for f in found if f.rule == "spill"]
    assert spill and spill[0].node == "Sort" and "Disk" in spill[0].message
    mis = [f for f in found if f.rule == "misestimate"]
    # reported once, where it starts (the scan), not again on the sort that inherits it
    assert [f.node for f in mis] == ["Seq Scan on big"]
    assert plan.nodes.iloc[0]["spilled"]


def test_estimated_only_and_timing_off_plans():
    est = Plan.from_json(
        {"Plan": {"Node Type": "Seq Scan", "Relation Name": "t", "Plan Rows": 5, "Total Cost": 1}}
    )
    assert not est.analyzed and np.isnan(est.nodes["actual_rows"].iloc[0])
    assert "estimated only" in est.table_html()
    off = _node("Seq Scan", **{"Relation Name": "t"})
    del off["Actual Total Time"], off["Actual Startup Time"]
    plan = Plan.from_json({"Plan": off, "Planning Time": 0.1, "Execution Time": 1.0})
    assert plan.analyzed and not plan.timed
    assert plan.nodes["actual_rows_total"].iloc[0] == 100


def test_bad_explain_input_is_a_clear_error():
    with pytest.raises(ExplainError, match="FORMAT JSON"):
        Plan.from_json("Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)")
    with pytest.raises(ExplainError, match="'Plan'"):
        Plan.from_json({"Query": 1})


def test_plan_graph_shades_and_sizes():
    scan = _node("Seq Scan", **{"Relation Name": "t", "Parent Relationship": "Outer"})
    scan.update({"Actual Rows": 100000.0, "Actual Total Time": 9.0})
    agg = _node("Aggregate", **{"Actual Rows": 1.0, "Actual Total Time": 10.0, "Plans": [scan]})
    plan = Plan.from_json({"Plan": agg, "Planning Time": 0.1, "Execution Time": 10.0})
    dot = plan_graph(plan)
    assert "n1 -> n0" in dot and "penwidth=6.00" in dot  # biggest edge is the widest
    assert 'fillcolor="#ff' in dot
    assert b"<svg" in render_dot(dot, "svg")


def test_plan_diff_headline():
    a = Plan.from_json({"Plan": _node("Seq Scan", **{"Relation Name": "t"})})
    b = Plan.from_json(
        {"Plan": _node("Index Scan", **{"Relation Name": "t", "Index Name": "t_x_idx"})}
    )
    diff = plan_diff(a, b)
    assert diff.headline() == "t: Seq Scan → Index Scan (t_x_idx)"
    assert not diff.same_shape
    assert plan_diff(a, a).same_shape


# -- statistics -------------------------------------------------------------------------
def test_bootstrap_interval_is_seeded_and_honest():
    rng = np.random.default_rng(1)
    slow = rng.normal(10.0, 0.5, 20)
    fast = rng.normal(5.0, 0.5, 20)
    same = rng.normal(10.0, 0.5, 20)
    s = speedup(slow, fast)
    assert s.low > 1.5 and s.clear and s.verdict.endswith("faster")
    assert speedup(slow, fast) == s  # same seed, same interval
    aa = speedup(slow, same)
    assert not aa.claims
    # an interval within ±5 % shows the difference is small: negligible, not "unknown"
    assert aa.verdict == (
        "negligible difference (within ±5%)" if aa.within_negligible else "no clear difference"
    )
    wide = speedup(slow, rng.normal(10.0, 3.0, 20))
    assert not wide.clear and wide.verdict == "no clear difference"
    assert speedup(fast, slow).verdict.endswith("slower")
    # identical plans: a clear but modest difference earns no verdict, a large one does
    modest = speedup(slow, slow / 1.15, same_plan=True)
    assert modest.clear and not modest.claims
    assert modest.verdict == "same plan, no clear difference"
    big = speedup(slow, fast, same_plan=True)
    assert big.claims and big.verdict == f"same plan, {big.ratio:.2f}× faster"
    other = speedup(slow, same, untouched=("tasks", "users"))
    assert "DDL touches none of the query's relations (tasks, users)" in other.verdict
    # clones: a difference between the two clones of a variant widens the interval
    c1, c2 = rng.normal(10.0, 0.2, 15), rng.normal(12.0, 0.2, 15)
    pooled = np.r_[c1, c2]
    flat = speedup(pooled, pooled[::-1] * 1.0)
    nested = speedup(
        pooled, pooled, baseline_groups=[0] * 15 + [1] * 15, variant_groups=[0] * 15 + [1] * 15
    )
    assert nested.high - nested.low > flat.high - flat.low
    # a clear but tiny difference (2 %) is not sold as a speed-up
    tight = rng.normal(10.0, 0.01, 30)
    tiny = speedup(tight, tight / 1.02)
    assert tiny.clear and tiny.verdict.startswith("negligible difference")
    with pytest.raises(ValueError, match="at least 2"):
        speedup([1.0], [1.0, 2.0])
    summary = summarize([1.0, 2.0, 3.0, 4.0, 100.0])
    assert summary.median == 3.0 and summary.iqr == 2.0


# -- experiment definition --------------------------------------------------------------
def test_experiment_validation(tmp_path):
    with pytest.raises(ExplainError, match="unique"):
        Experiment("SELECT 1", [Variant("a"), Variant("a")])
    with pytest.raises(ExplainError, match="cache"):
        Experiment("SELECT 1", cache="lukewarm")
    with pytest.raises(ExplainError, match="variant name"):
        Variant("two words")
    twice = tmp_path / "two.sql"
    twice.write_text("SELECT 1; SELECT 2;")
    with pytest.raises(ExplainError, match=r"two\.sql.*exactly one that returns rows"):
        Experiment(twice)
    with pytest.raises(ExplainError, match="no query files"):
        Experiment(str(tmp_path / "missing" / "*.sql"))
    q = Query("p", "SELECT %(a)s, %s", params={"a": 1})
    with pytest.raises(ExplainError, match="mapping"):
        q.dollar_sql()
    assert Query("p", "SELECT %(a)s + %(a)s, '%%'", params={"a": 1}).dollar_sql() == (
        "SELECT $1 + $1, '%'",
        [1],
    )
    exp = Experiment(str(ROOT / "queries" / "*.sql"))
    assert [q.name for q in exp.queries] == sorted(q.name for q in exp.queries)
    assert json.dumps(exp.describe())


def test_fk_facts_from_schema():
    comments = Table(
        "public",
        "comments",
        columns=(Column("id", "uuid"), Column("author_id", "uuid"), Column("task_id", "uuid")),
        foreign_keys=(
            ForeignKey("c_author_fk", "public.comments", ("author_id",), "public.users", ("id",)),
            ForeignKey("c_task_fk", "public.comments", ("task_id",), "public.tasks", ("id",)),
        ),
        indexes=(Index("c_task_idx", "public.comments", ("task_id",), ("task_id",)),),
    )
    facts = {f.name: f.indexed for f in fk_facts_from_schema(Schema(tables=(comments,)))}
    assert facts == {"c_author_fk": False, "c_task_fk": True}


# -- the command ------------------------------------------------------------------------
def test_explain_command_writes_report(tmp_path, capsys):
    from workbench.commands import explain_cmd

    parser = argparse.ArgumentParser()
    explain_cmd.add_arguments(parser)
    args = parser.parse_args(
        [
            "--sql",
            str(EXAMPLE_SQL),
            "--query",
            str(QUERY),
            "--variant",
            "with_index=CREATE INDEX ON comments (author_id)",
            "--set",
            "baseline:work_mem=8MB",
            "--repetitions",
            "3",
            "--warmup",
            "0",
            "--out",
            str(tmp_path),
        ]
    )
    assert explain_cmd.run(args) == 0
    out = capsys.readouterr().out
    assert "with_index vs baseline" in out and "report:" in out
    report = (tmp_path / "report.md").read_text()
    assert "CREATE INDEX ON comments (author_id)" in report
    assert (tmp_path / "result.json").exists()
    with pytest.raises(ExplainError, match="NAME=DDL"):
        explain_cmd.run(parser.parse_args(["--query", str(QUERY), "--variant", "oops"]))


# -- system PostgreSQL 15: HypoPG (Debian's postgresql-15-hypopg) and JIT ---------------------
def _system_pg15() -> bool:
    from workbench.errors import ServerError
    from workbench.server import system_binaries

    try:
        system_binaries(major=15)
    except ServerError:
        return False
    return True


@pytest.mark.system_pg
@pytest.mark.skipif(not _system_pg15(), reason="Debian's postgresql-15 server is not installed")
def test_hypopg_and_jit_on_system_pg15():
    import workbench

    with workbench.open(EXAMPLE_SQL, backend="system", major=15) as wb:
        experiment = Experiment(
            QUERY,
            [Variant("baseline"), Variant("hypo", hypothetical_indexes=[WITH_INDEX.ddl[0]])],
            scales=[20_000],
            repetitions=3,
            warmup=0,
            explain_runs=1,
            jit="both",
        )
        result = run_experiment(wb, experiment, seed_fn=seed_comments, progress=False)
    if not result.meta["hypopg_available"]:
        pytest.skip("postgresql-15-hypopg is not installed")
    hypo = result.plan("hypo", condition="jit=off")
    assert not hypo.analyzed and "Estimated only" in hypo.text()
    assert scans_on(hypo, "comments") & {"Index Scan", "Bitmap Heap Scan"}
    assert result.comparisons().empty  # estimated-only variants are never timed or compared
    if result.meta["jit_available"]:
        assert result.plan("baseline", condition="jit=on").jit is not None
        assert result.plan("baseline", condition="jit=off").jit is None

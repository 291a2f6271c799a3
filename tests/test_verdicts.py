"""Issue 14: plans read right and verdicts that follow the evidence, on a real server.

One small experiment (seeded with tests/explain_seed.py) holds every case: a
query under an InitPlan, a LIMIT query, a query that returns nothing, a query
measured with two parameter sets, a multi-statement query file, and a variant
whose DDL touches a table none of the queries reads.
"""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLE_SQL, ROOT
from tests.explain_seed import RARE_AUTHOR_COMMENTS, seed_comments
from workbench.explain import (
    Experiment,
    ExperimentResult,
    ExplainError,
    Query,
    QueryError,
    Variant,
    run_experiment,
    write_report,
)
from workbench.explain.experiment import load_queries
from workbench.explain.plots import plan_graph

RARE = "10000000-0000-0000-0000-000000000001"  # the first user: a handful of comments
POPULAR = "10000000-0000-0000-0000-000000000002"
ROWS = 3000


@pytest.fixture(scope="module")
def result(server, template_for, tmp_path_factory) -> ExperimentResult:
    qdir = tmp_path_factory.mktemp("queries")
    (qdir / "via_view.sql").write_text(
        "-- a script: a view created, used, dropped\n"
        "CREATE TEMP VIEW recent AS SELECT id, author_id FROM comments;\n"
        "SELECT count(*) FROM recent;\n"
        "DROP VIEW recent;\n"
    )
    (qdir / "two_selects.sql").write_text("SELECT 1;\nSELECT 2;\n")
    queries = [
        ROOT / "queries" / "tasks_by_assignee.sql",
        Query("first_comments", "SELECT id FROM comments ORDER BY id LIMIT 5"),
        Query("nothing", "SELECT id FROM comments WHERE body = 'no comment has this body'"),
        Query(
            "by_author",
            "SELECT id, created_at FROM comments WHERE author_id = %s",
            param_sets={"rare": (RARE,), "popular": (POPULAR,)},
        ),
        str(qdir / "*.sql"),
    ]
    experiment = Experiment(
        queries,
        [Variant("baseline"), Variant("audit", ddl="CREATE INDEX ON audit_log (action)")],
        scales=[ROWS],
        repetitions=3,
        warmup=0,
        explain_runs=1,
    )
    return run_experiment(
        server, experiment, base_db=template_for(EXAMPLE_SQL), seed_fn=seed_comments, progress=False
    )


def test_initplan_is_a_labelled_subplan_in_table_text_and_tree(result):
    plan = result.plan("baseline", query="tasks_by_assignee")
    nodes = plan.nodes
    sub = nodes[nodes["subplan"].notna()]
    assert len(sub) == 1 and sub["subplan"].iloc[0] == "InitPlan 1"
    root = sub.iloc[0]
    assert root["parent_relationship"] == "InitPlan"
    inside = nodes[nodes["in_subplan"] == "InitPlan 1"]
    assert "users" in set(inside["relation"].dropna())
    assert "<i>InitPlan 1 →</i>" in plan.table_html()
    assert "[InitPlan 1]" in plan.text()
    dot = plan_graph(plan)
    edge = next(line for line in dot.splitlines() if f"n{root['node_id']} -> " in line)
    assert "style=dashed" in edge and "InitPlan 1" in edge
    ordinary = next(
        line for line in dot.splitlines() if " -> " in line and "style=dashed" not in line
    )
    assert "InitPlan" not in ordinary


def test_limit_query_is_not_flagged_as_misestimate(result):
    plan = result.plan("baseline", query="first_comments")
    scan = plan.nodes[plan.nodes["relation"] == "comments"].iloc[0]
    assert scan["misestimate"] > 10  # estimated all comments, read five
    assert bool(scan["limited"])
    assert "(limit)" in plan.table_html()
    found = result.findings().get((str(ROWS), "first_comments", "default", "baseline"), [])
    assert not [f for f in found if f.rule == "misestimate"]


def test_zero_row_query_is_warned(result):
    warnings = result.warnings()
    assert any(w.startswith(f"nothing returns 0 rows at {ROWS} rows") for w in warnings)
    assert not any(w.startswith("first_comments returns 0 rows") for w in warnings)
    assert (
        result.summary().set_index(["query", "variant"]).loc[("nothing", "baseline"), "rows"] == 0
    )


def test_parameter_sets_are_measured_and_mapped_per_set(result, tmp_path):
    comp = result.comparisons()
    assert {"by_author[rare]", "by_author[popular]"} <= set(comp["query"])
    rare = result.plan("baseline", query="by_author[rare]")
    popular = result.plan("baseline", query="by_author[popular]")
    assert rare.nodes["actual_rows_total"].iloc[0] == RARE_AUTHOR_COMMENTS
    assert popular.nodes["actual_rows_total"].iloc[0] != RARE_AUTHOR_COMMENTS
    assert result.param_sets() == {"by_author": ["rare", "popular"]}
    shape_map = result.shape_map("by_author")
    assert list(shape_map.columns) == ["rare", "popular"]
    assert list(shape_map.index) == [str(ROWS)]
    assert set(shape_map.iloc[0]) <= set(shape_map.attrs["shapes"])
    assert "comments" in " ".join(shape_map.attrs["shapes"].values())
    text = write_report(result, tmp_path).read_text()
    assert "Plan shapes of `by_author` per parameter set" in text
    assert "fsync = off" in text


def test_multi_statement_file_runs_as_a_script_and_bad_file_is_skipped(result):
    view = result.plan("baseline", query="via_view")
    assert view.nodes["actual_rows_total"].iloc[0] == 1
    assert any("two_selects.sql" in n and "skipped" in n for n in result.notes)
    assert "two_selects" not in set(result.comparisons()["query"])


def test_untouched_relations_and_same_plan_in_the_verdict(result):
    comp = result.comparisons().set_index("query")
    row = comp.loc["tasks_by_assignee"]
    assert bool(row["same_plan"])
    assert "DDL touches none of the query's relations (tasks, users)" in row["verdict"]
    assert result.meta["ddl_touched"][str(ROWS)]["audit"] == ["public.audit_log"]
    assert result.meta["ddl_touched"][str(ROWS)]["baseline"] == []


def test_timing_overhead_is_never_negative(result):
    overhead = result.summary()["timing_overhead"].dropna()
    assert len(overhead) and (overhead >= 0).all()


def test_query_error_is_located_like_a_load_error(server, template_for, tmp_path):
    bad = tmp_path / "bad.sql"
    bad.write_text("-- which tasks?\nSELECT t.id\nFROM tasks AS t WHERE t.nope = 1;\n")
    experiment = Experiment(bad, repetitions=2, warmup=0, explain_runs=1, clones=1)
    with pytest.raises(QueryError) as caught:
        run_experiment(server, experiment, base_db=template_for(EXAMPLE_SQL), progress=False)
    text = str(caught.value)
    assert text.startswith(f"{bad}:3:23: ERROR: column t.nope does not exist")
    lines = text.splitlines()
    assert lines[1] == "    FROM tasks AS t WHERE t.nope = 1;"
    assert lines[2] == "    " + " " * 22 + "^"
    assert "SQLSTATE: 42703" in text


def test_statement_timeout_is_set_and_changeable(server, template_for):
    experiment = Experiment(
        "SELECT pg_sleep(0.3)",
        repetitions=2,
        warmup=0,
        explain_runs=1,
        clones=1,
        statement_timeout="50ms",
    )
    with pytest.raises(QueryError, match="statement timeout") as caught:
        run_experiment(server, experiment, base_db=template_for(EXAMPLE_SQL), progress=False)
    assert "statement_timeout" in str(caught.value)
    assert Experiment("SELECT 1").statement_timeout == "2min"


def test_a_glob_of_only_unmeasurable_files_is_a_clear_error(tmp_path):
    (tmp_path / "a.sql").write_text("CREATE TABLE x (id int); DROP TABLE x;")
    with pytest.raises(ExplainError, match=r"at least one query \(skipped: skipped .*a\.sql"):
        load_queries(str(tmp_path / "*.sql"))


def test_explain_command_takes_a_shape_file_and_warns(tmp_path, capsys):
    import argparse

    from workbench.commands import explain_cmd

    shape = tmp_path / "shape.json"
    shape.write_text('{"default": 40, "tables": {"organisations": 3}}')
    parser = argparse.ArgumentParser()
    explain_cmd.add_arguments(parser)
    args = parser.parse_args(
        [
            "--sql",
            str(EXAMPLE_SQL),
            "--query",
            str(ROOT / "queries" / "project_overview.sql"),
            "--query",
            str(ROOT / "queries" / "tasks_by_assignee.sql"),
            "--shape",
            str(shape),
            "--repetitions",
            "2",
            "--warmup",
            "0",
            "--clones",
            "1",
            "--statement-timeout",
            "30s",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert explain_cmd.run(args) == 0
    result = ExperimentResult.load(tmp_path / "out" / "result.json")
    shapes = {t["table"]: t["rows"] for t in result.meta["shape"]["base"]}
    assert shapes["public.organisations"] == 3
    assert result.experiment["statement_timeout"] == "30s"
    assert "report:" in capsys.readouterr().out
    with pytest.raises(ExplainError, match="not JSON"):
        shape.write_text("{oops")
        explain_cmd.run(args)

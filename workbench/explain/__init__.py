"""EXPLAIN ANALYZE experiments: does this index pay for itself, which design is faster?

from workbench.explain import Experiment, Variant, run_experiment
exp = Experiment("queries/comments_by_author.sql",
                 [Variant("baseline"),
                  Variant("with_index", ddl="CREATE INDEX ON comments (author_id)")],
                 scales=[1_000, 100_000])
result = run_experiment(wb, exp, seed_fn=my_seed)
result.comparisons()          # speed-ups with bootstrap intervals, in words
result.plan("with_index")     # parsed plan: .nodes DataFrame, tree + SVG in notebooks
result.shape_changes()        # where the plan changes shape across scales
result.findings()             # plain-word findings pointing at plan nodes
result.save("runs/idx.json")  # reload later with ExperimentResult.load
"""

from __future__ import annotations

from workbench.explain.errors import ExplainError, QueryError, VariantError
from workbench.explain.experiment import Condition, Experiment, Query, Variant, load_queries
from workbench.explain.findings import Finding, FkFact, find, fk_facts_from_schema
from workbench.explain.plan import Plan
from workbench.explain.plandiff import PlanDiff, plan_diff
from workbench.explain.plots import plan_graph, plan_svg
from workbench.explain.report import write_report
from workbench.explain.result import ExperimentResult, ShapeChange
from workbench.explain.runner import run_experiment, seed_with
from workbench.explain.stats import SpeedUp, Summary, speedup, summarize
from workbench.explain.store import load, save

__all__ = [
    "Condition",
    "Experiment",
    "ExperimentResult",
    "ExplainError",
    "Finding",
    "FkFact",
    "Plan",
    "PlanDiff",
    "Query",
    "QueryError",
    "ShapeChange",
    "SpeedUp",
    "Summary",
    "Variant",
    "VariantError",
    "find",
    "fk_facts_from_schema",
    "load",
    "load_queries",
    "plan_diff",
    "plan_graph",
    "plan_svg",
    "run_experiment",
    "save",
    "seed_with",
    "speedup",
    "summarize",
    "write_report",
]

"""One EXPLAIN plan, parsed from ``FORMAT JSON`` into a table people can read.

PostgreSQL reports a node's rows and times *per loop* (averaged over loops and
over the processes of a parallel section). That is what makes raw plans easy to
misread: a Nested Loop's inner Index Scan showing "0.02 ms" may have run 50 000
times. :class:`Plan` multiplies back out and labels each figure:

* ``actual_rows_total`` = rows per loop × loops; ``est_rows_total`` likewise;
* ``inclusive_ms_raw`` = time per loop × loops, i.e. summed over every loop and
  every parallel process ("all workers");
* ``inclusive_ms`` = the raw figure divided by the processes of its parallel
  section (workers launched + the leader), a wall-clock estimate "per worker";
  outside parallel sections the two are equal;
* ``exclusive_ms`` = ``inclusive_ms`` minus the children's, clipped at 0 (what
  the node itself cost), and ``time_share`` its share of the plan's total;
* ``subplan``: on the root of an InitPlan, SubPlan or CTE, its label
  ("InitPlan 1", "SubPlan 2", "CTE recent"): that node is not an ordinary input
  of its parent but a sub-plan the parent runs once (InitPlan, CTE) or per row
  (SubPlan); ``in_subplan`` names the nearest such sub-plan above any node;
* ``limited``: the node produced fewer rows than estimated because something
  above it stopped early (a Limit, an InitPlan needing one row, a semi/anti
  join): its ``misestimate`` is an artefact, not a statistics problem.

The raw JSON is kept (``Plan.raw``): it is what gets saved, and everything else
is recomputed from it on load.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from workbench.explain.errors import ExplainError

# Keys of a plan node that carry the condition a node evaluates, in display order.
_CONDITION_KEYS = (
    "Index Cond",
    "Recheck Cond",
    "Hash Cond",
    "Merge Cond",
    "Join Filter",
    "Filter",
    "One-Time Filter",
)
NODE_COLUMNS = (
    "node_id",
    "parent_id",
    "depth",
    "node_type",
    "label",
    "parent_relationship",
    "subplan_name",
    "subplan",
    "in_subplan",
    "relation",
    "schema",
    "alias",
    "index",
    "parallel",
    "processes",
    "startup_cost",
    "total_cost",
    "est_rows",
    "est_rows_total",
    "actual_rows",
    "actual_rows_total",
    "loops",
    "row_ratio",
    "misestimate",
    "limited",
    "inclusive_ms_raw",
    "inclusive_ms",
    "exclusive_ms",
    "time_share",
    "shared_hit",
    "shared_read",
    "shared_dirtied",
    "shared_written",
    "temp_read",
    "temp_written",
    "rows_removed_by_filter",
    "rows_removed_by_join_filter",
    "rows_removed_by_recheck",
    "sort_method",
    "sort_space_kb",
    "sort_space_type",
    "hash_batches",
    "hash_original_batches",
    "peak_memory_kb",
    "disk_usage_kb",
    "spilled",
    "conditions",
    "filter",
)


def _label(node: dict[str, Any]) -> str:
    """The node type with what distinguishes it: join type, strategy, scan direction."""
    kind = node.get("Node Type", "?")
    extras = []
    if node.get("Join Type") and node.get("Join Type") != "Inner":
        extras.append(node["Join Type"])
    if kind == "Aggregate" and node.get("Strategy") not in (None, "Plain"):
        extras.append(node["Strategy"])
    if node.get("Partial Mode") not in (None, "Simple"):
        extras.append(node["Partial Mode"])
    if node.get("Scan Direction") == "Backward":
        extras.append("Backward")
    return f"{kind} ({', '.join(extras)})" if extras else kind


def _spilled(node: dict[str, Any]) -> bool:
    """True when the node itself wrote to disk because work_mem was too small."""
    if node.get("Sort Space Type") == "Disk" or str(node.get("Sort Method", "")).startswith(
        "external"
    ):
        return True
    if (node.get("Hash Batches") or 0) > 1 or (node.get("HashAgg Batches") or 0) > 1:
        return True
    if (node.get("Disk Usage") or 0) > 0 or node.get("Storage") == "Disk":
        return True
    for groups in ("Full-sort Groups", "Pre-sorted Groups"):
        if "Sort Space Disk" in (node.get(groups) or {}):
            return True
    return False


def _num(value: Any) -> float:
    return float("nan") if value is None else float(value)


@dataclass(frozen=True)
class Plan:
    """A parsed EXPLAIN plan: ``nodes`` (one row per node), timings, JIT, settings.

    Build it with :meth:`Plan.from_json` from what ``EXPLAIN (FORMAT JSON)``
    returns (the list, its single element, or the JSON text).
    """

    raw: dict[str, Any]
    nodes: pd.DataFrame = field(repr=False, compare=False)

    # -- building ----------------------------------------------------------------------
    @classmethod
    def from_json(cls, explain: Any) -> Plan:
        """Parse EXPLAIN's JSON output (text, list of one document, or the document)."""
        doc = explain
        if isinstance(doc, (str, bytes)):
            try:
                doc = json.loads(doc)
            except json.JSONDecodeError as exc:
                raise ExplainError(
                    f"EXPLAIN output is not JSON ({exc}); run EXPLAIN with FORMAT JSON"
                ) from exc
        if isinstance(doc, list):
            if len(doc) != 1:
                raise ExplainError(f"expected one EXPLAIN document, got {len(doc)}")
            doc = doc[0]
        if not isinstance(doc, dict) or "Plan" not in doc:
            raise ExplainError(
                "EXPLAIN output has no 'Plan' key; pass the result of EXPLAIN (FORMAT JSON)"
            )
        return cls(raw=doc, nodes=_nodes_frame(doc))

    # -- figures -----------------------------------------------------------------------
    @property
    def planning_ms(self) -> float:
        return _num(self.raw.get("Planning Time"))

    @property
    def execution_ms(self) -> float:
        """Execution time EXPLAIN ANALYZE measured (NaN for an estimated-only plan)."""
        return _num(self.raw.get("Execution Time"))

    @property
    def analyzed(self) -> bool:
        """False for a plan that was only estimated (EXPLAIN without ANALYZE, HypoPG)."""
        return "Execution Time" in self.raw

    @property
    def timed(self) -> bool:
        """False when EXPLAIN ran with TIMING OFF (no per-node times)."""
        return "Actual Total Time" in self.raw["Plan"]

    @property
    def jit(self) -> dict[str, Any] | None:
        """JIT details (functions, options, timing) or None when JIT did not run."""
        return self.raw.get("JIT")

    @property
    def jit_ms(self) -> float:
        jit = self.jit or {}
        return _num((jit.get("Timing") or {}).get("Total")) if jit else 0.0

    @property
    def settings(self) -> dict[str, str]:
        """Planner settings that differ from the built-in defaults (EXPLAIN SETTINGS)."""
        return dict(self.raw.get("Settings") or {})

    @property
    def total_cost(self) -> float:
        return float(self.raw["Plan"].get("Total Cost", float("nan")))

    @property
    def root(self) -> dict[str, Any]:
        return self.raw["Plan"]

    def shape(self) -> tuple[tuple[int, str, str | None], ...]:
        """The plan's shape: (depth, node type, relation) per node, ignoring numbers.

        Two plans with the same shape did the same work in the same way; a change
        of shape across data scales is what :func:`workbench.explain.plan_diff`
        reports.
        """
        df = self.nodes
        return tuple(
            (int(d), str(lab), None if pd.isna(r) else str(r))
            for d, lab, r in zip(df["depth"], df["label"], df["relation"], strict=True)
        )

    # -- display -----------------------------------------------------------------------
    def text(self) -> str:
        """An indented one-line-per-node summary, the way EXPLAIN prints, with totals."""
        lines = []
        for row in self.nodes.itertuples(index=False):
            on = f" on {row.relation}" if isinstance(row.relation, str) else ""
            using = f" using {row.index}" if isinstance(row.index, str) else ""
            figures = f"est {row.est_rows_total:.0f} rows"
            if self.analyzed:
                figures += f", actual {row.actual_rows_total:.0f} rows"
                if self.timed:
                    figures += f", {row.exclusive_ms:.3f} ms self"
            edge = f"[{row.subplan}] " if isinstance(row.subplan, str) else ""
            lines.append(f"{'  ' * row.depth}-> {edge}{row.label}{using}{on} ({figures})")
        tail = "Estimated only (not executed)"
        if self.analyzed:
            tail = f"Planning {self.planning_ms:.3f} ms, execution {self.execution_ms:.3f} ms"
        return "\n".join([*lines, tail])

    def __str__(self) -> str:
        return self.text()

    def table_html(self) -> str:
        """The node table as HTML, indented like the tree, with the figures people look at.

        Inline styles only (an untrusted notebook drops ``<style>``): names and
        conditions left-aligned, figures right-aligned, row counts as integers.
        """
        from workbench.htmltable import CAPTION, LEFT, RIGHT, TABLE

        rows = []
        for row in self.nodes.itertuples(index=False):
            name = html.escape(row.label)
            if isinstance(row.subplan, str):
                name = f"<i>{html.escape(row.subplan)} →</i> {name}"
            if isinstance(row.index, str):
                name += f" using <i>{html.escape(row.index)}</i>"
            if isinstance(row.relation, str):
                name += f" on <b>{html.escape(row.relation)}</b>"
            pad = f"{LEFT};white-space:nowrap;padding-left:{0.4 + 1.2 * row.depth:.1f}em"
            figures = [
                f"{row.est_rows_total:,.0f}",
                _fmt(row.actual_rows_total, "{:,.0f}"),
                "(limit)" if row.limited else _fmt(row.misestimate, "{:.1f}×"),
                _fmt(row.loops, "{:,.0f}"),
                _fmt(row.exclusive_ms, "{:.3f}"),
                _fmt(row.time_share, "{:.0%}"),
                f"{_fmt(row.shared_hit, '{:,.0f}')}/{_fmt(row.shared_read, '{:,.0f}')}",
            ]
            figure_cells = [f"<td style='{RIGHT}'>{f}</td>" for f in figures]
            if row.limited:  # a word, not a figure: reads left like every text
                figure_cells[2] = (
                    f"<td style='{LEFT}' title='fewer rows because a node above stopped early'>"
                    "(limit)</td>"
                )
            cells = [
                f"<td style='{pad}'>{name}</td>",
                *figure_cells,
                f"<td style='{LEFT};min-width:16em'>{html.escape(row.conditions or '')}</td>",
            ]
            rows.append("<tr>" + "".join(cells) + "</tr>")
        head = "".join(
            f"<th style='{RIGHT if 0 < i < 8 else LEFT}'>{h}</th>"
            for i, h in enumerate(
                [
                    "node",
                    "est rows",
                    "actual rows",
                    "misestimate",
                    "loops",
                    "self ms",
                    "share",
                    "buffers hit/read",
                    "condition",
                ]
            )
        )
        if self.analyzed:
            caption = f"planning {self.planning_ms:.3f} ms, execution {self.execution_ms:.3f} ms"
        else:
            caption = "estimated only (not executed)"
        if self.jit:
            caption += f", JIT {self.jit_ms:.3f} ms"
        return (
            f"<table style='{TABLE}'><caption style='{CAPTION}'>{caption}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )

    def tree(self, *, title: str | None = None) -> Any:
        """The plan graph as a picture (:class:`workbench.explain.plots.PlanTree`)."""
        from workbench.explain.plots import PlanTree

        return PlanTree(self, title=title)

    def _repr_html_(self) -> str:
        """The node table alone; :meth:`_ipython_display_` shows the tree beside it."""
        return self.table_html()

    def _ipython_display_(self) -> None:
        """Two outputs: the node table (HTML) and the tree as an image (SVG with a PNG).

        Not one HTML output with the SVG inside: an untrusted notebook's sanitiser
        removes the ``<svg>`` element and shows its text instead.
        """
        from IPython.display import display

        display({"text/html": self.table_html(), "text/plain": self.text()}, raw=True)
        display(self.tree())


def _fmt(value: Any, pattern: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return pattern.format(value)


def _walk(
    node: dict[str, Any], parent: int | None, depth: int, processes: int, out: list[dict]
) -> float:
    """Flatten the plan tree depth-first into rows; return the node's inclusive time."""
    node_id = len(out)
    row: dict[str, Any] = {"node_id": node_id, "parent_id": parent, "depth": depth}
    out.append(row)
    kind = node.get("Node Type", "?")
    if kind in ("Gather", "Gather Merge"):
        launched = node.get("Workers Launched", node.get("Workers Planned", 0))
        child_processes = int(launched or 0) + 1
    else:
        child_processes = processes
    loops = node.get("Actual Loops")
    per_loop_rows = node.get("Actual Rows")
    per_loop_ms = node.get("Actual Total Time")
    est = float(node.get("Plan Rows", float("nan")))
    loops_f = float(loops) if loops is not None else float("nan")
    actual_total = _num(per_loop_rows) * (loops_f if loops is not None else 1.0)
    ratio = float("nan")
    if per_loop_rows is not None:
        ratio = max(float(per_loop_rows), 1.0) / max(est, 1.0)
    raw_ms = _num(per_loop_ms) * loops_f if per_loop_ms is not None else float("nan")
    inclusive = raw_ms / processes if processes > 1 else raw_ms
    conditions = "; ".join(f"{k}: {node[k]}" for k in _CONDITION_KEYS if k in node)
    row.update(
        node_type=kind,
        label=_label(node),
        parent_relationship=node.get("Parent Relationship"),
        subplan_name=node.get("Subplan Name"),
        subplan=subplan_label(node),
        join_type=node.get("Join Type"),
        relation=node.get("Relation Name"),
        schema=node.get("Schema"),
        alias=node.get("Alias"),
        index=node.get("Index Name"),
        parallel=processes > 1,
        processes=processes,
        startup_cost=_num(node.get("Startup Cost")),
        total_cost=_num(node.get("Total Cost")),
        est_rows=est,
        est_rows_total=est * (loops_f if loops is not None else 1.0),
        actual_rows=_num(per_loop_rows),
        actual_rows_total=actual_total,
        loops=loops_f,
        row_ratio=ratio,
        misestimate=max(ratio, 1 / ratio) if ratio == ratio else float("nan"),
        inclusive_ms_raw=raw_ms,
        inclusive_ms=inclusive,
        shared_hit=_num(node.get("Shared Hit Blocks")),
        shared_read=_num(node.get("Shared Read Blocks")),
        shared_dirtied=_num(node.get("Shared Dirtied Blocks")),
        shared_written=_num(node.get("Shared Written Blocks")),
        temp_read=_num(node.get("Temp Read Blocks")),
        temp_written=_num(node.get("Temp Written Blocks")),
        rows_removed_by_filter=_num(node.get("Rows Removed by Filter")) * (loops_f or 1.0),
        rows_removed_by_join_filter=_num(node.get("Rows Removed by Join Filter"))
        * (loops_f or 1.0),
        rows_removed_by_recheck=_num(node.get("Rows Removed by Index Recheck")) * (loops_f or 1.0),
        sort_method=node.get("Sort Method"),
        sort_space_kb=_num(node.get("Sort Space Used")),
        sort_space_type=node.get("Sort Space Type"),
        hash_batches=_num(node.get("Hash Batches", node.get("HashAgg Batches"))),
        hash_original_batches=_num(node.get("Original Hash Batches")),
        peak_memory_kb=_num(node.get("Peak Memory Usage")),
        disk_usage_kb=_num(node.get("Disk Usage")),
        spilled=_spilled(node),
        conditions=conditions,
        filter=node.get("Filter"),
    )
    children_ms = 0.0
    for child in node.get("Plans", ()):
        child_ms = _walk(child, node_id, depth + 1, child_processes, out)
        if child_ms == child_ms:
            children_ms += child_ms
    row["exclusive_ms"] = max(inclusive - children_ms, 0.0) if inclusive == inclusive else inclusive
    return inclusive


_SUBPLAN_EDGES = ("InitPlan", "SubPlan")


def subplan_label(node: dict[str, Any]) -> str | None:
    """ "InitPlan 1", "SubPlan 2", "CTE name" for a sub-plan's root; None for other nodes."""
    relationship = node.get("Parent Relationship")
    if relationship not in _SUBPLAN_EDGES:
        return None
    name = node.get("Subplan Name") or relationship
    return str(name).split(" (returns")[0]


def _stops_early(row: dict[str, Any]) -> bool:
    """A node that may stop pulling rows from its inputs before they are exhausted."""
    return (
        row["node_type"] == "Limit"
        or (row.get("subplan") is not None and str(row.get("subplan")).startswith("InitPlan"))
        or row.get("join_type") in ("Semi", "Anti")
    )


def _mark_context(rows: list[dict[str, Any]]) -> None:
    by_id = {r["node_id"]: r for r in rows}
    for r in rows:
        r["in_subplan"] = r["subplan"]
        parent = r["parent_id"]
        early = False
        while parent is not None:
            p = by_id[parent]
            if r["in_subplan"] is None and p["subplan"] is not None:
                r["in_subplan"] = p["subplan"]
            early = early or _stops_early(p) or p["subplan"] is not None
            parent = p["parent_id"]
        ratio = r["row_ratio"]
        r["limited"] = bool(early and ratio == ratio and ratio < 1)


def _nodes_frame(doc: dict[str, Any]) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    _walk(doc["Plan"], None, 0, 1, rows)
    _mark_context(rows)
    df = pd.DataFrame(rows)
    total = df["exclusive_ms"].sum()
    df["time_share"] = df["exclusive_ms"] / total if total and total == total else float("nan")
    df["parent_id"] = df["parent_id"].astype("Int64")
    return df.reindex(columns=list(NODE_COLUMNS))

"""How close two sets of statistics, and two plans, are.

``plan_shape`` reduces an ``EXPLAIN (FORMAT JSON)`` plan to what decides its
shape (node types, relations, indexes, join types, aggregate strategies, and
how each child hangs below its parent), leaving out costs, rows and timings, so
"the same plan as production" is a comparison of two strings.
``column_distances`` lines up imported and achieved ``pg_stats`` per column.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import psycopg

from workbench.stats.document import parse_array

_SHAPE_KEYS = ("Relation Name", "Index Name", "Join Type", "Strategy", "Scan Direction")


def plan_shape(plan: dict[str, Any] | list[Any]) -> str:
    """A canonical one-line text of a plan's shape, e.g. ``Hash Join[Inner](Seq Scan[orders], ...)``."""
    top: dict[str, Any] = plan[0] if isinstance(plan, list) else plan
    if "Plan" in top:
        top = top["Plan"]

    def node(n: dict[str, Any]) -> str:
        attrs = [str(n[k]) for k in _SHAPE_KEYS if k in n and n[k] not in ("Forward",)]
        label = n["Node Type"] + (f"[{','.join(attrs)}]" if attrs else "")
        rel = n.get("Parent Relationship")
        if rel in ("InitPlan", "SubPlan"):
            label = f"{rel}:{label}"
        kids = n.get("Plans") or []
        return label + (f"({', '.join(node(k) for k in kids)})" if kids else "")

    return node(top)


def explain_shape(conn: psycopg.Connection, sql: str, *, analyze: bool = False) -> str:
    """The plan shape of ``sql`` on ``conn`` (EXPLAIN, or EXPLAIN ANALYZE in a rolled-back transaction)."""
    options = "ANALYZE, TIMING OFF, FORMAT JSON" if analyze else "FORMAT JSON"
    with conn.transaction(force_rollback=True):
        row = conn.execute(f"EXPLAIN ({options}) {sql}").fetchone()
    assert row is not None
    return plan_shape(row[0])


def _n_distinct(nd: float | None, rows: float) -> float:
    if nd is None:
        return float("nan")
    return -nd * rows if nd < 0 else nd


def _mcv_overlap(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Share of rows both agree on among the common values: sum of min(freq) over shared values."""
    av = dict(
        zip(parse_array(a.get("most_common_vals")), a.get("most_common_freqs") or [], strict=False)
    )
    bv = dict(
        zip(parse_array(b.get("most_common_vals")), b.get("most_common_freqs") or [], strict=False)
    )
    if not av and not bv:
        return 1.0
    total = max(sum(av.values()), sum(bv.values()))
    shared = sum(min(f, bv[v]) for v, f in av.items() if v in bv)
    return shared / total if total else 1.0


def column_distances(
    imported: dict[str, Any], achieved: dict[str, Any], *, scale: float = 1.0
) -> pd.DataFrame:
    """Per column: null fraction difference, n_distinct ratio (scaled), common-value overlap."""
    rows_of = {f"{r['schema']}.{r['name']}": float(r["reltuples"]) for r in imported["relations"]}
    got_rows = {f"{r['schema']}.{r['name']}": float(r["reltuples"]) for r in achieved["relations"]}
    got = {
        (c["schema"], c["table"], c["column"], bool(c.get("inherited"))): c
        for c in achieved["columns"]
    }
    out = []
    for c in imported["columns"]:
        key = (c["schema"], c["table"], c["column"], bool(c.get("inherited")))
        other = got.get(key)
        if other is None:
            continue
        name = f"{c['schema']}.{c['table']}"
        want_nd = _n_distinct(c.get("n_distinct"), rows_of.get(name, 0) * scale)
        got_nd = _n_distinct(other.get("n_distinct"), got_rows.get(name, 0))
        out.append(
            {
                "table": name,
                "column": c["column"],
                "null_frac": c.get("null_frac"),
                "null_frac_achieved": other.get("null_frac"),
                "null_frac_diff": abs((other.get("null_frac") or 0) - (c.get("null_frac") or 0)),
                "n_distinct": round(want_nd, 1),
                "n_distinct_achieved": round(got_nd, 1),
                "n_distinct_ratio": (got_nd / want_nd) if want_nd else float("nan"),
                "mcv_overlap": round(_mcv_overlap(c, other), 3),
                "correlation": c.get("correlation"),
                "correlation_achieved": other.get("correlation"),
            }
        )
    return pd.DataFrame(out)

"""Findings in plain words, each pointing at the plan node it is about.

The rules are the ones people apply by eye when reading a plan; thresholds are
keyword arguments so a notebook can tighten or relax them:

* ``seq_scan_selective``: a sequential scan read many rows to keep few;
* ``misestimate``: the planner's row estimate is off by more than 10×;
* ``spill``: a sort, hash or aggregate went to disk (work_mem too small);
* ``nested_loop_inner``: a nested loop ran its inner side many times;
* ``fk_without_index``: a scan filters or joins on a foreign-key column that
  has no index starting with it (needs foreign-key facts: from the variant's
  catalog, which the runner records, or from a schema model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workbench.explain.plan import Plan

if TYPE_CHECKING:
    from workbench.model import Schema


@dataclass(frozen=True)
class Finding:
    """One thing worth fixing, with the node it is about."""

    rule: str
    node_id: int
    node: str  # the node's label and relation, e.g. "Seq Scan on comments"
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] node {self.node_id} ({self.node}): {self.message}"


@dataclass(frozen=True)
class FkFact:
    """A foreign key and whether some index starts with its columns."""

    name: str
    table: str  # qualified: schema.table
    columns: tuple[str, ...]
    indexed: bool


def fk_facts_from_schema(schema: Schema) -> list[FkFact]:
    """Foreign-key index facts derived from the schema model."""
    out = []
    for table in schema.tables:
        leading = [tuple(c for c in ix.columns) for ix in table.indexes]
        for fk in table.foreign_keys:
            n = len(fk.columns)
            indexed = any(len(cols) >= n and set(cols[:n]) == set(fk.columns) for cols in leading)
            out.append(FkFact(fk.name, table.qualified_name, tuple(fk.columns), indexed))
    return out


def _node_name(row: Any) -> str:
    name = row.label
    where = getattr(row, "in_subplan", None)
    if isinstance(row.index, str):
        name += f" using {row.index}"
    if isinstance(row.relation, str):
        name += f" on {row.relation}"
    if isinstance(where, str):
        name += f" (in {where})"
    return name


def find(
    plan: Plan,
    *,
    fks: list[FkFact] | None = None,
    schema: Schema | None = None,
    min_scan_rows: int = 10_000,
    max_selectivity: float = 0.05,
    misestimate_factor: float = 10.0,
    misestimate_min_rows: float = 100.0,
    nested_loop_min_loops: int = 1_000,
    fresh_statistics: bool = False,
) -> list[Finding]:
    """Apply every rule to ``plan``; findings come in plan order.

    ``fresh_statistics``: ANALYZE ran just before the plan (the experiment
    runner does), so a misestimate is not blamed on stale statistics.
    """
    if fks is None and schema is not None:
        fks = fk_facts_from_schema(schema)
    # parent_id as float: NaN for the root compares False instead of raising like pd.NA
    df = plan.nodes.assign(parent_id=plan.nodes["parent_id"].astype("float"))
    rows = list(df.itertuples(index=False))
    by_id = {r.node_id: r for r in rows}
    out: list[Finding] = []
    for r in rows:
        name = _node_name(r)

        def add(rule: str, message: str, r: Any = r, name: str = name) -> None:
            out.append(Finding(rule, int(r.node_id), name, message))

        scanned = r.actual_rows_total + (
            r.rows_removed_by_filter if r.rows_removed_by_filter == r.rows_removed_by_filter else 0
        )
        if (
            r.node_type == "Seq Scan"
            and plan.analyzed
            and scanned >= min_scan_rows
            and isinstance(r.filter, str)
            and r.actual_rows_total <= max_selectivity * scanned
        ):
            add(
                "seq_scan_selective",
                f"reads {scanned:,.0f} rows of {r.relation} to keep {r.actual_rows_total:,.0f} "
                f"({r.actual_rows_total / scanned:.2%}) with filter {r.filter}; an index on the "
                "filtered column(s) would avoid reading the whole table",
            )
        if plan.analyzed and r.misestimate > misestimate_factor:
            big = max(r.actual_rows_total, r.est_rows_total)
            if big >= misestimate_min_rows and _misestimate_starts_here(
                r, rows, misestimate_factor
            ):
                way = "under" if r.row_ratio > 1 else "over"
                if fresh_statistics:
                    why = (
                        "statistics are fresh (ANALYZE ran just before), so look at correlated "
                        "columns or an opaque expression: extended statistics (CREATE "
                        "STATISTICS), a higher statistics target, or a simpler predicate"
                    )
                else:
                    why = (
                        "stale statistics, correlated columns or an opaque expression: try "
                        "ANALYZE, extended statistics (CREATE STATISTICS) or a higher "
                        "statistics target"
                    )
                add(
                    "misestimate",
                    f"estimated {r.est_rows_total:,.0f} rows, got {r.actual_rows_total:,.0f} "
                    f"({r.misestimate:.0f}× {way}estimate); {why}",
                )
        if r.spilled:
            if isinstance(r.sort_space_type, str) or isinstance(r.sort_method, str):
                what = f"sort ({r.sort_method}, {r.sort_space_kb:,.0f} kB on {r.sort_space_type})"
            elif r.hash_batches == r.hash_batches and r.hash_batches > 1:
                what = f"hash in {r.hash_batches:.0f} batches"
            else:
                what = "operation"
            add(
                "spill",
                f"the {what} spilled to disk: raise work_mem for this query or reduce the rows "
                "reaching it",
            )
        if r.node_type == "Nested Loop":
            inner = next(
                (c for c in rows if c.parent_id == r.node_id and c.parent_relationship == "Inner"),
                None,
            )
            if inner is not None:
                loops = inner.loops if plan.analyzed else _outer_rows(rows, r.node_id)
                if loops == loops and loops >= nested_loop_min_loops:
                    add(
                        "nested_loop_inner",
                        f"runs its inner side ({_node_name(inner)}) {loops:,.0f} times; a hash "
                        "or merge join, or an index that makes each inner loop cheap, may do "
                        "better",
                    )
        if fks and r.node_type == "Seq Scan" and isinstance(r.relation, str):
            for fk, col_text in _unindexed_fk_use(r, by_id, fks):
                cols = ", ".join(fk.columns)
                add(
                    "fk_without_index",
                    f"{col_text}, the column of foreign key {fk.name}, which has no index: "
                    f"CREATE INDEX ON {fk.table} ({cols})",
                )
    return out


def _misestimate_starts_here(row: Any, rows: list[Any], factor: float) -> bool:
    """True unless the misestimate is inherited or is an artefact of stopping early.

    A node above a misestimated child usually inherits the error (one finding
    at its origin is enough), and a node under a Limit (or an InitPlan that
    needs one row) stops before producing all the rows it was estimated to,
    which is not a misestimate at all.
    """
    children = [c for c in rows if c.parent_id == row.node_id]
    if any(c.misestimate > factor and not getattr(c, "limited", False) for c in children):
        return False
    if getattr(row, "limited", False):
        return False
    if row.row_ratio < 1:  # overestimate: fine if an ancestor stops early
        by_id = {c.node_id: c for c in rows}
        parent = row.parent_id
        while parent == parent and int(parent) in by_id:
            p = by_id[int(parent)]
            if p.node_type == "Limit" or p.parent_relationship in ("InitPlan", "SubPlan"):
                return False
            parent = p.parent_id
    return True


def _outer_rows(rows: list[Any], node_id: int) -> float:
    outer = next(
        (c for c in rows if c.parent_id == node_id and c.parent_relationship == "Outer"), None
    )
    return float("nan") if outer is None else outer.est_rows_total


def _unindexed_fk_use(
    row: Any, by_id: dict[int, Any], fks: list[FkFact]
) -> list[tuple[FkFact, str]]:
    """Unindexed FKs of the scanned table whose columns its filter or an ancestor join uses."""
    schema = row.schema if isinstance(row.schema, str) else None
    table_names = {row.relation} | ({f"{schema}.{row.relation}"} if schema else set())
    candidates = [
        fk
        for fk in fks
        if not fk.indexed
        and (
            fk.table in table_names or (schema is None and fk.table.split(".")[-1] == row.relation)
        )
    ]
    if not candidates:
        return []
    alias = row.alias if isinstance(row.alias, str) else row.relation
    own = row.conditions or ""
    joins = []
    parent = row.parent_id
    while parent == parent and int(parent) in by_id:
        p = by_id[int(parent)]
        if p.conditions:
            joins.append(p.conditions)
        parent = p.parent_id
    out = []
    for fk in candidates:
        col = fk.columns[0]
        if re.search(
            rf"(?<![\w.]){re.escape(col)}\b|\b{re.escape(alias)}\.{re.escape(col)}\b", own
        ):
            out.append((fk, f"filters on {col}"))
        elif any(re.search(rf"\b{re.escape(alias)}\.{re.escape(col)}\b", j) for j in joins):
            out.append((fk, f"joins on {col}"))
    return out

"""Index candidates from the workload: what the SQL names, kept where the plan shows a need.

From each query's :class:`~workbench.advise.workload.Access` per table:

* single-column: every equality, range, join, ``ORDER BY`` and constant-predicate column;
* multi-column in a useful order: equality columns first, then one range column
  or the ``ORDER BY`` columns (the order a B-tree can serve);
* partial: the ordering / range / join columns ``WHERE`` the query's constant predicate;
* covering: the key columns ``INCLUDE`` the other columns the query reads there.

Existing indexes count: a candidate whose key is a prefix of an existing index
(same predicate or none, its INCLUDE columns held) is not proposed, and is
listed as served. A (query, table) whose baseline plan shows no need (no
sequential scan filtering most rows, no sort on its columns, no nested-loop
inner scan, no aggregate over a full scan) is already served: it gets nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

from workbench.advise.workload import Access

_EXISTING = """
SELECT c.relname, i.relname,
       array(SELECT a.attname FROM unnest(x.indkey[0:x.indnkeyatts - 1]) AS k(n)
             JOIN pg_attribute AS a ON a.attrelid = x.indrelid AND a.attnum = k.n)::text[],
       array(SELECT a.attname FROM unnest(x.indkey[x.indnkeyatts:]) AS k(n)
             JOIN pg_attribute AS a ON a.attrelid = x.indrelid AND a.attnum = k.n)::text[],
       pg_get_expr(x.indpred, x.indrelid)
FROM pg_index AS x
JOIN pg_class AS c ON c.oid = x.indrelid
JOIN pg_class AS i ON i.oid = x.indexrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND x.indexprs IS NULL
ORDER BY 1, 2
"""


@dataclass(frozen=True)
class Existing:
    table: str
    name: str
    key: tuple[str, ...]
    include: tuple[str, ...]
    where: str | None


@dataclass(frozen=True)
class Candidate:
    """A proposed B-tree index; ``name`` is stable (derived from its definition)."""

    table: str
    key: tuple[str, ...]
    include: tuple[str, ...] = ()
    where: str | None = None
    desc: tuple[bool, ...] = ()
    kind: str = "single"  # single, multi, partial, covering

    @property
    def name(self) -> str:
        base = "_".join((self.table, *self.key))
        if self.include:
            base += "_incl"
        if self.where:
            base += "_" + re.sub(r"[^a-z0-9]+", "_", self.where.lower()).strip("_")
        base = f"adv_{base}"
        if len(base) > 55:
            digest = hashlib.sha1(self.definition("x").encode()).hexdigest()[:6]
            base = f"{base[:48]}_{digest}"
        return base

    def _key_sql(self) -> str:
        desc = self.desc or (False,) * len(self.key)
        return ", ".join(f"{c} DESC" if d else c for c, d in zip(self.key, desc, strict=True))

    def definition(self, name: str | None = None, *, concurrently: bool = False) -> str:
        """The CREATE INDEX statement (``concurrently`` for the migration file)."""
        parts = ["CREATE INDEX"]
        if concurrently:
            parts.append("CONCURRENTLY")
        parts.append(f"{name or self.name} ON {self.table} ({self._key_sql()})")
        text = " ".join(parts)
        if self.include:
            text += f" INCLUDE ({', '.join(self.include)})"
        if self.where:
            text += f" WHERE {self.where}"
        return text

    @property
    def label(self) -> str:
        """Short human form: ``comments (author_id, created_at DESC) WHERE …``."""
        text = f"{self.table} ({self._key_sql()})"
        if self.include:
            text += f" INCLUDE ({', '.join(self.include)})"
        if self.where:
            text += f" WHERE {self.where}"
        return text


@dataclass
class CandidateSet:
    """Candidates with the queries they were drawn from, and what was not proposed and why."""

    candidates: dict[str, Candidate] = field(default_factory=dict)
    queries: dict[str, set[str]] = field(default_factory=dict)  # candidate name -> queries
    needs: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (query, table)
    served: list[dict[str, Any]] = field(default_factory=list)  # not proposed, with reason
    existing: list[Existing] = field(default_factory=list)

    def add(self, cand: Candidate, query: str) -> None:
        self.candidates.setdefault(cand.name, cand)
        self.queries.setdefault(cand.name, set()).add(query)


def existing_indexes(conn: Any) -> list[Existing]:
    return [
        Existing(t, n, tuple(k), tuple(inc or ()), w) for t, n, k, inc, w in conn.execute(_EXISTING)
    ]


def _norm(where: str | None) -> str | None:
    return None if where is None else re.sub(r"[\s()]+", "", where.lower())


def served_by(cand: Candidate, existing: list[Existing]) -> Existing | None:
    """The existing index that already does what ``cand`` would, if any."""
    for e in existing:
        if e.table != cand.table or e.key[: len(cand.key)] != cand.key:
            continue
        if e.where is not None and _norm(e.where) != _norm(cand.where):
            continue
        if cand.where is not None and e.where is None:
            continue
        if set(cand.include) <= set(e.key) | set(e.include):
            return e
    return None


def propose(access: Access) -> list[Candidate]:
    """Every candidate one (query, table) access suggests."""
    t = access.table
    out: list[Candidate] = []
    const_cols = [c for c, _ in access.constant]
    order_cols = tuple(c for c, _ in access.order)
    order_desc = tuple(d for _, d in access.order)
    for col in dict.fromkeys(
        [*access.equality, *access.ranges, *access.joins, *order_cols, *const_cols]
    ):
        out.append(Candidate(t, (col,), desc=(dict(access.order).get(col, False),)))
    eq = list(dict.fromkeys([*access.equality, *const_cols]))
    tails: list[tuple[tuple[str, ...], tuple[bool, ...]]] = []
    if access.ranges:
        tails.append(((access.ranges[0],), (False,)))
    if order_cols:
        tails.append((order_cols, order_desc))
    if access.group and not eq:
        tails.append((tuple(access.group), (False,) * len(access.group)))
    for tail, tdesc in tails or [((), ())]:
        key = tuple(dict.fromkeys([*eq, *tail]))
        if len(key) > 1:
            desc = tuple(False for _ in eq) + tdesc
            out.append(Candidate(t, key, desc=desc[: len(key)], kind="multi"))
    if access.constant:
        where = " AND ".join(p for _, p in access.constant)
        pkey: tuple[str, ...] = ()
        pdesc: tuple[bool, ...] = ()
        if access.equality or access.ranges:
            pkey = tuple(dict.fromkeys([*access.equality, *access.ranges]))
            pdesc = (False,) * len(pkey)
        elif order_cols:
            pkey, pdesc = order_cols, order_desc
        elif access.joins:
            pkey = (access.joins[0],)
            pdesc = (False,)
        if pkey:
            out.append(Candidate(t, pkey, where=where, desc=pdesc, kind="partial"))
    key = tuple(dict.fromkeys([*access.equality, *access.ranges])) or tuple(access.group)
    if key:
        include = tuple(c for c in access.read if c not in key and c not in const_cols)
        if include and len(include) <= 3:
            out.append(Candidate(t, key, include=include, kind="covering"))
    return out


def plan_needs(plan: Any, table: str) -> list[str]:
    """Plan nodes on ``table`` that show an index could help (empty: the plan is served).

    ``plan`` is a :class:`workbench.explain.Plan` of the query at the largest scale.
    """
    nodes = plan.nodes
    needs: list[str] = []
    for row in nodes.itertuples(index=False):
        rel = row.relation if isinstance(row.relation, str) else None
        kind = row.node_type
        if rel == table and kind == "Seq Scan":
            removed = row.rows_removed_by_filter or 0
            kept = row.actual_rows_total or 0
            if isinstance(row.filter, str) and removed > kept:
                needs.append(f"Seq Scan on {table} keeps {kept:.0f} of {removed + kept:.0f} rows")
            parent = nodes[nodes["node_id"] == row.parent_id]
            if len(parent):
                ptype = parent.iloc[0]["node_type"]
                if ptype in ("Aggregate", "Sort", "Incremental Sort"):
                    needs.append(f"{ptype} over a full Seq Scan on {table}")
                if ptype == "Nested Loop" and row.parent_relationship == "Inner":
                    needs.append(f"Seq Scan on {table} as a nested loop's inner side")
        if rel == table and kind in ("Index Scan", "Bitmap Heap Scan", "Index Only Scan"):
            removed = row.rows_removed_by_filter or 0
            if removed > (row.actual_rows_total or 0) and removed > 100:
                needs.append(f"{kind} on {table} filters out {removed:.0f} rows")
    for row in nodes.itertuples(index=False):
        if row.node_type in ("Sort", "Incremental Sort") and table in _relations_below(
            nodes, row.node_id
        ):
            needs.append(f"{row.node_type} above a scan of {table}")
    return list(dict.fromkeys(needs))


def _relations_below(nodes: Any, node_id: Any) -> set[str]:
    out: set[str] = set()
    frontier = [node_id]
    while frontier:
        current = frontier.pop()
        children = nodes[nodes["parent_id"] == current]
        for child in children.itertuples(index=False):
            if isinstance(child.relation, str):
                out.add(child.relation)
            frontier.append(child.node_id)
    return out

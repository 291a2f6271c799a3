"""Cheap pruning by the planner's estimate, before anything is timed.

Per data scale, on one clone of the seeded database: the baseline plan of each
query (its estimated cost), then for each candidate the plans of the queries it
was drawn from with the candidate present, either as a HypoPG hypothetical
index (when the server has the extension: no build at all) or, without HypoPG,
built for real and dropped again (``EXPLAIN`` without ``ANALYZE`` after a real
build). A candidate the planner picks at no scale is rejected here ("not used
by the planner"); the estimated costs are also what an estimate-only advisor
would choose from (:func:`workbench.advise.recommend.estimate_only`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import psycopg

from workbench.advise.candidates import Candidate
from workbench.advise.errors import AdviseError
from workbench.explain import Plan, Query


@dataclass
class Estimate:
    """Estimated costs per (scale, query), baseline and with each candidate."""

    method: str  # "hypopg" or "explain after a real build"
    baseline: dict[tuple[int, str], float] = field(default_factory=dict)
    with_index: dict[tuple[int, str, str], float] = field(default_factory=dict)
    used: dict[tuple[int, str, str], bool] = field(default_factory=dict)

    def used_anywhere(self, cand: str) -> bool:
        return any(v for (_, _, c), v in self.used.items() if c == cand)

    def used_at(self, cand: str) -> list[int]:
        return sorted({s for (s, _, c), v in self.used.items() if c == cand and v})


def explain_doc(conn: psycopg.Connection, query: Query, *, analyze: bool = False) -> dict[str, Any]:
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    try:
        row = conn.execute(
            f"EXPLAIN ({options}) {query.sql}", query.params, prepare=False
        ).fetchone()
    except psycopg.Error as exc:
        raise AdviseError(
            f"{query.path or query.name}: {exc.diag.message_primary or exc}"
            + (f" (HINT: {exc.diag.message_hint})" if exc.diag.message_hint else "")
        ) from None
    assert row is not None
    doc = row[0]
    return doc[0] if isinstance(doc, list) else doc


def baseline_plan(conn: psycopg.Connection, query: Query) -> Plan:
    """The query's plan as it runs now (EXPLAIN ANALYZE), for the need signals."""
    return Plan.from_json(explain_doc(conn, query, analyze=True))


def _cost(doc: dict[str, Any]) -> float:
    return float(doc["Plan"]["Total Cost"])


def estimate(
    conn: psycopg.Connection,
    scale: int,
    queries: dict[str, Query],
    candidates: dict[str, Candidate],
    drawn_from: dict[str, set[str]],
    est: Estimate,
) -> None:
    """Fill ``est`` for one scale on ``conn`` (a clone that may be changed)."""
    for name, q in queries.items():
        est.baseline[(scale, name)] = _cost(explain_doc(conn, q))
    for cname, cand in candidates.items():
        qnames = sorted(drawn_from.get(cname, ()))
        if est.method == "hypopg":
            row = conn.execute(
                "SELECT indexname FROM hypopg_create_index(%s)", (cand.definition(),)
            ).fetchone()
            assert row is not None
            marker = str(row[0])
        else:
            conn.execute(cand.definition())
            marker = cand.name
        try:
            for qn in qnames:
                doc = explain_doc(conn, queries[qn])
                est.with_index[(scale, qn, cname)] = _cost(doc)
                est.used[(scale, qn, cname)] = marker in json.dumps(doc)
        finally:
            if est.method == "hypopg":
                conn.execute("SELECT hypopg_reset()")
            else:
                conn.execute(f"DROP INDEX {cand.name}")

"""Choosing a set of indexes for the whole workload, from measured evidence only.

A candidate's *gain* on a query is the median time it saves at the largest
scale, counted only when the speed-up's interval lies wholly above 1.0 there;
its *loss* on a query is the median time it adds where the planner takes it and
the interval lies wholly below 1.0 (the planner's estimate was wrong: the plan
it chose with the index is slower than the one without). Losses count against
the candidate everywhere gains count for it: an index is built for the whole
workload, so the query it slows pays as surely as the query it speeds up. Its
*cost* is the measured extra write time per row times the rows written per
workload run (``writes``, per table; 0 when not given). The set is chosen
greedily by marginal gain net of losses and write cost: the candidate saving
the most time over the queries not yet served as well by an already chosen
index goes first, so an index serving three queries beats three serving one
each. What is left is rejected with the first reason that applies:

1. ``not used by the planner`` (at no scale, by estimate or in the measured plans);
2. ``slower: <query> 0.62x [0.55, 0.70]`` (its clear losses outweigh its clear
   gains; each slowed query with its speed-up and interval, the worst first);
3. ``interval spans 1`` (no query's interval at the largest scale excludes 1.0);
4. ``write cost above gain`` (gain net of losses);
5. ``redundant with <index>`` (a chosen index already gets most of its gain);
6. ``over budget`` (count or total size).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

from workbench.advise.errors import AdviseError

#: A candidate whose marginal gain is below this share of its own gain adds nothing new.
REDUNDANT_SHARE = 0.2


def parse_budget(budget: int | str | None) -> tuple[int | None, int | None]:
    """``budget``: None, a count of indexes (int) or a total size ("50MB", "2 GB")."""
    if budget is None:
        return None, None
    if isinstance(budget, int):
        if budget < 0:
            raise AdviseError(f"budget must be >= 0 indexes, got {budget}")
        return budget, None
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kKmMgG]?)[bB]?\s*", str(budget))
    if not m:
        raise AdviseError(f"budget {budget!r}: give a number of indexes or a size like '50MB'")
    factor = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}[m.group(2).lower()]
    return None, int(float(m.group(1)) * factor)


class Loss(NamedTuple):
    """A clear slow-down: the planner took the index and the interval lies wholly below 1.0."""

    ms: float  # median time added at the largest scale
    speedup: float
    ci_low: float
    ci_high: float


def slower_reason(losses: dict[str, Loss]) -> str:
    """``slower: q 0.62x [0.55, 0.70]``, every slowed query, the most time lost first."""
    worst = sorted(losses.items(), key=lambda kv: (-kv[1].ms, kv[0]))
    return "slower: " + "; ".join(
        f"{q} {x.speedup:.2f}x [{x.ci_low:.2f}, {x.ci_high:.2f}]" for q, x in worst
    )


@dataclass
class Choice:
    chosen: list[str]
    rejected: dict[str, str]
    gain_ms: dict[str, float]  # marginal gain at selection


def choose(
    candidates: list[str],
    gains: dict[str, dict[str, float]],  # candidate -> query -> gain ms (0 unless clear)
    *,
    unused: set[str],
    unclear: set[str],
    write_ms: dict[str, float],
    sizes: dict[str, int],
    budget: int | str | None = None,
    losses: dict[str, dict[str, Loss]] | None = None,  # candidate -> query -> clear loss
) -> Choice:
    """The greedy whole-workload choice described in the module docstring."""
    max_count, max_bytes = parse_budget(budget)
    losses = losses or {}
    rejected: dict[str, str] = {}

    def lost(c: str) -> float:
        return sum(x.ms for x in losses.get(c, {}).values())

    for c in candidates:
        gained = sum(gains.get(c, {}).values())
        if c in unused:
            rejected[c] = "not used by the planner"
        elif losses.get(c) and lost(c) >= gained:
            rejected[c] = slower_reason(losses[c])
        elif c in unclear:
            rejected[c] = "interval spans 1"
        elif gained - lost(c) <= write_ms.get(c, 0.0):
            slowed = f", {lost(c):.2f} ms lost" if losses.get(c) else ""
            rejected[c] = (
                f"write cost above gain ({write_ms.get(c, 0.0):.2f} ms of writes per workload "
                f"run vs {gained:.2f} ms saved{slowed})"
            )
    pool = [c for c in candidates if c not in rejected]
    served: dict[str, tuple[float, str]] = {}
    chosen: list[str] = []
    marginal_at: dict[str, float] = {}
    total_bytes = 0

    def marginal(c: str) -> float:
        g = sum(max(0.0, v - served.get(q, (0.0, ""))[0]) for q, v in gains.get(c, {}).items())
        return g - lost(c) - write_ms.get(c, 0.0)

    while pool:
        # ties: more queries served, then smaller
        pool.sort(
            key=lambda c: (
                -marginal(c),
                -sum(1 for v in gains[c].values() if v > 0),
                sizes.get(c, 0),
            )
        )
        best = pool.pop(0)
        own = sum(gains[best].values()) - lost(best) - write_ms.get(best, 0.0)
        m = marginal(best)
        if m <= REDUNDANT_SHARE * own:
            by = (
                sorted({served[q][1] for q, v in gains[best].items() if v > 0 and q in served})
                or chosen[:1]
            )
            rejected[best] = f"redundant with {', '.join(by)}"
            continue
        if max_count is not None and len(chosen) >= max_count:
            rejected[best] = f"over budget ({max_count} indexes)"
            continue
        if max_bytes is not None and total_bytes + sizes.get(best, 0) > max_bytes:
            rejected[best] = f"over budget ({max_bytes} bytes)"
            continue
        chosen.append(best)
        marginal_at[best] = m
        total_bytes += sizes.get(best, 0)
        for q, v in gains[best].items():
            if v > served.get(q, (0.0, ""))[0]:
                served[q] = (v, best)
    return Choice(chosen, rejected, marginal_at)


def estimate_only(
    candidates: list[str],
    est_gain: dict[str, dict[str, float]],  # candidate -> query -> estimated cost saved
    base_cost: dict[str, float],
    *,
    min_saving: float = 0.1,
) -> list[str]:
    """What an estimate-only advisor picks: the same greedy, on planner cost alone.

    A candidate counts for a query when the planner uses it and the estimated
    cost drops by at least ``min_saving`` (a share of the query's cost), which
    is how HypoPG-based advisors decide; nothing is timed.
    """
    gains = {
        c: {
            q: g
            for q, g in est_gain.get(c, {}).items()
            if base_cost.get(q) and g >= min_saving * base_cost[q]
        }
        for c in candidates
    }
    pool = [c for c in candidates if gains[c]]
    if not pool:
        return []
    result = choose(pool, gains, unused=set(), unclear=set(), write_ms={}, sizes={}, budget=None)
    return result.chosen


def _fmt(x: Any) -> str:
    return f"{x:.2f}" if isinstance(x, float) else str(x)

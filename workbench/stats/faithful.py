"""Seed shapes that reproduce exported statistics: ``wb.seed(like=FILE, scale=0.01)``.

The seeder keeps doing what it does (keys, foreign keys, CHECKs, uniques, COPY);
this module only decides, from the statistics document, how many rows each
table gets (``reltuples * scale``) and, per plain column, a generator that draws
values the way production holds them:

* NULLs at ``null_frac``;
* the most common values at their frequencies;
* the rest from a pool of ``n_distinct`` minus the common values, spread over
  the histogram's equal-depth buckets (numbers, dates and timestamps
  interpolated inside a bucket; text extends a bound so it sorts inside it);
* physical order following ``correlation``: values are placed by a key that
  correlates with their rank by that amount.

Columns the generator must own stay the seeder's: keys, foreign keys, unique,
identity and generated columns, domains, arrays, and columns a CHECK constrains
(a drawn value could break it). Foreign-key fan-out follows the seeder's skew;
the comparison report shows how close each column came.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from workbench.model import Column, Schema, Table
from workbench.stats.document import parse_array

_INTS = {"smallint", "integer", "bigint"}
_FLOATS = {"real", "double precision"}
_TEXT = {"text", "character varying", "character", "citext"}
_TIMES = {"date", "timestamp with time zone", "timestamp without time zone"}


def _base(type_: str) -> str:
    return type_.split("(")[0].strip()


@dataclass
class FaithfulPlan:
    """Row counts and column generators for the seeder, and what was left to it (and why)."""

    rows: dict[str, int] = field(default_factory=dict)
    nulls: dict[str, dict[str, float]] = field(
        default_factory=dict
    )  # generated here: no extra NULLs
    columns: dict[str, Callable[[np.random.Generator, int], Any]] = field(default_factory=dict)
    left_to_seeder: dict[str, str] = field(default_factory=dict)  # column -> reason

    def shape(self) -> dict[str, Any]:
        tables = {
            name: {"rows": rows, "nulls": self.nulls.get(name, {})}
            for name, rows in self.rows.items()
        }
        return {"tables": tables, "columns": dict(self.columns)}


def _owned_by_seeder(table: Table, col: Column) -> str | None:
    keys = {c for k in table.constraints if k.kind in ("primary_key", "unique") for c in k.columns}
    keys |= {c for i in table.indexes if i.unique for c in i.columns if c}
    if col.name in keys:
        return "key or unique"
    if col.name in {c for fk in table.foreign_keys for c in fk.columns}:
        return "foreign key (fan-out follows the seeder's skew)"
    if col.identity or col.generated:
        return "identity or generated"
    if col.is_array or col.type_kind not in ("base", "enum"):
        return f"{col.type_kind if not col.is_array else 'array'} type"
    for k in table.constraints:
        if k.kind == "check" and col.name in k.columns:
            return f"CHECK {k.name}"
    base = _base(col.type)
    if col.type_kind == "base" and base not in _INTS | _FLOATS | _TEXT | _TIMES | {"numeric"}:
        return f"type {col.type}"
    return None


def _distinct(stat: dict[str, Any], rows: int) -> int:
    nd = float(stat.get("n_distinct") or 0)
    d = -nd * rows if nd < 0 else nd
    return max(1, min(rows, round(d)))


def _pool(stat: dict[str, Any], col: Column, size: int, rng: np.random.Generator) -> list[Any]:
    """``size`` values spread over the histogram's buckets (equal depth: equal shares)."""
    bounds = [b for b in parse_array(stat.get("histogram_bounds")) if b is not None]
    base = _base(col.type)
    if len(bounds) < 2:
        if bounds:
            return [bounds[0]] * size
        return [f"v{i}" for i in range(size)] if base in _TEXT else [str(i) for i in range(size)]
    buckets = len(bounds) - 1
    which = np.minimum((np.arange(size) + rng.random(size)) * buckets / size, buckets - 1e-9)
    lo_idx = which.astype(int)
    frac = which - lo_idx
    if base in _INTS | _FLOATS | {"numeric"}:
        b = np.array([float(x) for x in bounds])
        vals = b[lo_idx] + (b[lo_idx + 1] - b[lo_idx]) * frac
        if base in _INTS:
            return [int(v) for v in np.round(vals)]
        scale = col.numeric_scale if col.numeric_scale is not None else 2
        return [f"{v:.{scale}f}" for v in vals] if base == "numeric" else [float(v) for v in vals]
    if base in _TIMES:
        t = pd.to_datetime(pd.Series(bounds), utc=True, format="mixed").astype("int64").to_numpy()
        us = (t[lo_idx] + (t[lo_idx + 1] - t[lo_idx]) * frac).astype("int64")
        stamps = pd.to_datetime(us, utc=True)
        if base == "date":
            return [s.strftime("%Y-%m-%d") for s in stamps]
        return [s.isoformat() for s in stamps]
    # text, enums: a bound, extended so that it sorts inside its bucket (enums: the bound)
    if col.type_kind == "enum":
        return [bounds[i] for i in lo_idx]
    limit = col.max_length
    out = []
    for i, (idx, f) in enumerate(zip(lo_idx, frac, strict=True)):
        v = f"{bounds[idx]} {int(f * 1e6):06d}{i % 1000:03d}"
        out.append(v[:limit] if limit else v)
    return out


def pg_correlation(ranks: np.ndarray) -> float:
    """The correlation ANALYZE reports for values in this physical order.

    ``ranks`` are the values' sort ranks (ties equal) in physical order. ANALYZE sorts
    the sample by value, breaking ties by physical position, and correlates sorted
    position with physical position, so ties alone already correlate.
    """
    n = len(ranks)
    if n < 2:
        return 1.0
    order = np.lexsort((np.arange(n), ranks))  # by value, then by position
    sorted_pos = np.empty(n)
    sorted_pos[order] = np.arange(n)
    return float(np.corrcoef(np.arange(n), sorted_pos)[0, 1])


def _order(values: list[Any], corr: float, rng: np.random.Generator) -> list[Any]:
    """The values placed so that ANALYZE's correlation comes out near ``corr``.

    Values go where a key mixing their rank with noise sorts them: ``alpha * rank +
    (1 - alpha) * noise``. ``alpha`` is found by bisection against
    :func:`pg_correlation` on a sample, since ties make the relation nonlinear.
    """
    n = len(values)
    if n < 3:
        return values
    keys = [_sort_key(v) for v in values]
    distinct = sorted(set(keys))
    index = {k: i for i, k in enumerate(distinct)}
    ranks = np.array([index[k] for k in keys], dtype=float)
    span = max(ranks.max(), 1.0)
    sign = -1.0 if corr < 0 else 1.0
    target = abs(corr)
    sample = rng.choice(n, min(n, 20000), replace=False)
    noise = rng.random(n)

    def arrange(alpha: float, idx: np.ndarray) -> np.ndarray:
        key = alpha * sign * ranks[idx] / span + (1 - alpha) * noise[idx]
        return idx[np.argsort(key, kind="stable")]

    lo, hi = 0.0, 1.0
    for _ in range(14):
        mid = (lo + hi) / 2
        got = sign * pg_correlation(ranks[arrange(mid, sample)])
        if got < target:
            lo = mid
        else:
            hi = mid
    placed = arrange((lo + hi) / 2, np.arange(n))
    return [values[i] for i in placed]


def _sort_key(v: Any) -> Any:
    if v is None:
        return (1, "")
    if isinstance(v, int | float):
        return (0, v)
    try:
        return (0, float(v))
    except (TypeError, ValueError):
        return (0, str(v))


def _generator(stat: dict[str, Any], col: Column) -> Callable[[np.random.Generator, int], Any]:
    mcv = parse_array(stat.get("most_common_vals"))
    freqs = [float(f) for f in (stat.get("most_common_freqs") or [])][: len(mcv)]
    null_frac = float(stat.get("null_frac") or 0.0) if col.nullable else 0.0
    corr = stat.get("correlation")
    base = _base(col.type)

    def typed(v: str | None) -> Any:
        if v is None:
            return None
        if base in _INTS:
            return int(v)
        if base in _FLOATS:
            return float(v)
        return v

    common = [typed(v) for v in mcv]

    def draw(rng: np.random.Generator, n: int) -> list[Any]:
        d = _distinct(stat, n)
        rest_size = max(1, d - len(common))
        pool = _pool(stat, col, min(rest_size, n), rng)
        kind = rng.random(n)
        values: list[Any] = [None] * n
        p_common = sum(freqs)
        cum = np.cumsum(freqs) if freqs else np.array([])
        rest = [i for i in range(n) if kind[i] >= null_frac + (p_common if common else 0)]
        # every pool value once before any repeats: a near-unique column stays near-unique
        picks = np.concatenate([rng.permutation(len(pool))] * (len(rest) // len(pool) + 1))[
            : len(rest)
        ]
        for i in range(n):
            u = kind[i]
            if u < null_frac:
                continue
            u -= null_frac
            if common and u < p_common:
                values[i] = common[min(len(common) - 1, int(np.searchsorted(cum, u, side="right")))]
        for i, p in zip(rest, picks, strict=True):
            values[i] = pool[int(p)]
        if corr is not None and abs(float(corr)) > 0.05:
            present = [v for v in values if v is not None]
            placed = iter(_order(present, float(corr), rng))
            values = [next(placed) if v is not None else None for v in values]
        return values

    return draw


def faithful_plan(data: dict[str, Any], schema: Schema, *, scale: float = 1.0) -> FaithfulPlan:
    """Row counts (``reltuples * scale``) and column generators that follow ``data``."""
    if scale <= 0:
        from workbench.stats.document import StatsError

        raise StatsError(f"scale must be positive, got {scale}")
    plan = FaithfulPlan()
    tables = {t.qualified_name: t for t in schema.tables}
    for rel in data["relations"]:
        name = f"{rel['schema']}.{rel['name']}"
        table = tables.get(name)
        if rel["kind"] not in ("r", "p") or table is None or table.partition_of:
            continue
        tuples = float(rel["reltuples"])
        plan.rows[name] = max(1, round(max(tuples, 0) * scale))
    for stat in data["columns"]:
        name = f"{stat['schema']}.{stat['table']}"
        table = tables.get(name)
        if table is None or stat.get("inherited") or name not in plan.rows:
            continue
        col = next((c for c in table.columns if c.name == stat["column"]), None)
        if col is None:
            continue
        key = f"{name}.{col.name}"
        reason = _owned_by_seeder(table, col)
        if reason:
            plan.left_to_seeder[key] = reason
            continue
        plan.columns[key] = _generator(stat, col)
        plan.nulls.setdefault(name, {})[col.name] = 0.0  # NULLs come from null_frac alone
    return plan


def match_index_sizes(
    conn: Any, data: dict[str, Any], *, scale: float = 1.0, tolerance: float = 0.05
) -> list[str]:
    """Rebuild indexes whose size differs from production's (scaled) by more than ``tolerance``.

    The seeder builds every index in one pass, packed; production's indexes grew by
    page splits and are larger, and the planner weighs index pages (an index-only
    scan of most of a table flips to a sequential scan over a 10 % difference). A
    B-tree (hash, GiST, SP-GiST) index is rebuilt at the fill factor that gives
    production's page count, then the option is reset: the catalog keeps the
    schema's definition, the pages keep production's density. Returns the indexes rebuilt.
    """
    wanted = {
        f"{r['schema']}.{r['name']}": float(r["relpages"]) * scale
        for r in data["relations"]
        if r["kind"] == "i"
    }
    rows = conn.execute(
        """SELECT n.nspname || '.' || c.relname, quote_ident(n.nspname) || '.' || quote_ident(c.relname),
                  c.relpages, am.amname
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             JOIN pg_am am ON am.oid = c.relam
            WHERE c.relkind = 'i'"""
    ).fetchall()
    rebuilt = []
    defaults = {"btree": 90, "hash": 75, "gist": 90, "spgist": 80}
    for name, quoted, pages, method in rows:
        target = wanted.get(name)
        if not target or target < 8 or method not in defaults or not pages:
            continue
        ratio = pages / target
        if abs(ratio - 1) <= tolerance:
            continue
        fill = int(max(10, min(100, round(defaults[method] * ratio))))
        conn.execute(f"ALTER INDEX {quoted} SET (fillfactor = {fill})")
        conn.execute(f"REINDEX INDEX {quoted}")
        conn.execute(f"ALTER INDEX {quoted} RESET (fillfactor)")
        rebuilt.append(name)
    return rebuilt

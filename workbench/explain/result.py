"""What an experiment found: timings, plans, statistics, plan changes and findings.

Everything here is computed from two stored things, the raw timings (one row
per timed execution) and the raw EXPLAIN JSON per (scale, query, condition,
variant), so a result reloaded from disk (:mod:`workbench.explain.store`)
answers exactly like the one just measured.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from workbench.explain.errors import ExplainError
from workbench.explain.findings import Finding, FkFact, find
from workbench.explain.plan import Plan
from workbench.explain.plandiff import PlanDiff, plan_diff
from workbench.explain.stats import SpeedUp, speedup, summarize

Key = tuple[str, str, str, str]  # scale, query, condition, variant
TIMING_COLUMNS = (
    "scale",
    "query",
    "condition",
    "variant",
    "repetition",
    "position",
    "ms",
    "clone",
)


def plan_signature(plan: Plan) -> str:
    """A plan in a few words: its scans and joins in plan order ("Seq Scan on comments")."""
    parts = []
    for r in plan.nodes.itertuples(index=False):
        if isinstance(r.relation, str) or "Join" in r.label or r.label == "Nested Loop":
            on = f" on {r.relation}" if isinstance(r.relation, str) else ""
            parts.append(f"{r.label}{on}")
    return ", ".join(parts) or plan.nodes["label"].iloc[0]


def _median(values: list[float] | None, fallback: float) -> float:
    clean = [float(v) for v in values or () if v is not None]
    return float(np.median(clean)) if clean else fallback


@dataclass(frozen=True)
class ShapeChange:
    """Where a variant's plan for a query changes shape between two data scales."""

    query: str
    condition: str
    variant: str
    scale_from: str
    scale_to: str
    diff: PlanDiff

    def __str__(self) -> str:
        return (
            f"{self.query} [{self.variant}]: plan changes between {self.scale_from} and "
            f"{self.scale_to} rows: {self.diff.headline()}"
        )


@dataclass
class ExperimentResult:
    """Measured timings and plans of one experiment, with the analysis on top.

    * ``timings``: one row per timed execution (``ms``), tidy for pandas/plots;
    * ``plans``: :class:`Plan` per (scale, query, condition, variant);
    * ``meta``: server version, settings, data shape per scale, FK index facts;
    * ``summary()``, ``speedups()``, ``shape_changes()``, ``findings()``: the answers.
    """

    experiment: dict[str, Any]
    meta: dict[str, Any]
    timings: pd.DataFrame
    raw_plans: dict[Key, dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        *,
        experiment: dict[str, Any],
        meta: dict[str, Any],
        samples: list[tuple[Any, ...]],
        plans: dict[tuple[Any, ...], dict[str, Any]],
        notes: list[str],
    ) -> ExperimentResult:
        frame = pd.DataFrame(samples, columns=list(TIMING_COLUMNS))
        frame["ms"] = frame["ms"] / 1e6
        return cls(experiment, meta, frame, {tuple(k): v for k, v in plans.items()}, notes)  # type: ignore[misc]

    # -- plans -------------------------------------------------------------------------
    @cached_property
    def plans(self) -> dict[Key, Plan]:
        return {k: Plan.from_json(v["plan"]) for k, v in self.raw_plans.items()}

    def plan(
        self,
        variant: str | None = None,
        *,
        query: str | None = None,
        scale: str | int | None = None,
        condition: str | None = None,
    ) -> Plan:
        """One plan; each omitted coordinate defaults to the only (or last) value there is."""
        key = self._key(variant=variant, query=query, scale=scale, condition=condition)
        return self.plans[key]

    def _key(self, **given: Any) -> Key:
        keys = list(self.raw_plans)
        for i, name in enumerate(("scale", "query", "condition", "variant")):
            value = given.get(name)
            if value is None:
                values = list(dict.fromkeys(k[i] for k in keys))
                value = values[-1] if name == "scale" else values[0]
            keys = [k for k in keys if k[i] == str(value)]
            if not keys:
                raise ExplainError(f"no plan for {name}={value!r} in this result")
        return keys[0]

    @property
    def variants(self) -> list[str]:
        return [v["name"] for v in self.experiment["variants"]]

    @property
    def baseline(self) -> str:
        return self.variants[0]

    @property
    def scales(self) -> list[str]:
        return list(dict.fromkeys(k[0] for k in self.raw_plans))

    def nodes(self) -> pd.DataFrame:
        """Every plan's nodes in one frame, keyed by scale, query, condition and variant."""
        frames = []
        for (scale, query, condition, variant), plan in self.plans.items():
            df = plan.nodes.copy()
            df.insert(0, "variant", variant)
            df.insert(0, "condition", condition)
            df.insert(0, "query", query)
            df.insert(0, "scale", scale)
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    # -- statistics --------------------------------------------------------------------
    def summary(self) -> pd.DataFrame:
        """Median and spread of the query's own time per group, with EXPLAIN's figures beside."""
        rows = []
        grouped = self.timings.groupby(["scale", "query", "condition", "variant"], sort=False)
        timed = {k: g["ms"].to_numpy() for k, g in grouped}
        for key, entry in self.raw_plans.items():
            s = summarize(timed.get(key, []))
            plan = self.plans[key]
            on_ms = _median(entry.get("plan_ms"), plan.execution_ms)
            off = entry.get("plan_timing_off")
            off_ms = _median(
                entry.get("plan_timing_off_ms"),
                Plan.from_json(off).execution_ms if off else float("nan"),
            )
            rows.append(
                {
                    "scale": key[0],
                    "query": key[1],
                    "condition": key[2],
                    "variant": key[3],
                    "n": s.n,
                    "median_ms": s.median,
                    "q1_ms": s.q1,
                    "q3_ms": s.q3,
                    "iqr_ms": s.iqr,
                    "min_ms": s.minimum,
                    "max_ms": s.maximum,
                    "planning_ms": plan.planning_ms,
                    "explain_ms": on_ms,
                    "explain_timing_off_ms": off_ms,
                    # EXPLAIN with and without per-node timing are separate runs: on a
                    # cheap plan noise can make the timed ones faster; that is "no
                    # measurable overhead", clamped at 0 (the raw figure is kept beside)
                    "timing_overhead": max(on_ms / off_ms - 1, 0.0)
                    if plan.timed and off_ms
                    else float("nan"),
                    "timing_overhead_raw": on_ms / off_ms - 1
                    if plan.timed and off_ms
                    else float("nan"),
                    "rows": plan.nodes["actual_rows_total"].iloc[0],
                    "jit_ms": plan.jit_ms,
                    "estimated_only": bool(entry.get("hypothetical")),
                    "root": plan.nodes["label"].iloc[0],
                    "total_cost": plan.total_cost,
                }
            )
        return pd.DataFrame(rows)

    def speedups(self) -> list[SpeedUp | None]:
        """Speed-up of each variant over the baseline, per scale/query/condition."""
        return [s for _, s in self._speedups()]

    def _speedups(self) -> list[tuple[tuple[str, str, str], SpeedUp]]:
        out = []
        t = self.timings
        if "clone" not in t:
            t = t.assign(clone=0)
        groups = {k: g for k, g in t.groupby(["scale", "query", "condition"], sort=False)}
        for (scale, query, condition), g in groups.items():
            base = g[g["variant"] == self.baseline]
            if len(base) < 2:
                continue
            for variant in self.variants[1:]:
                other = g[g["variant"] == variant]
                if len(other) < 2:
                    continue
                out.append(
                    (
                        (scale, query, condition),
                        speedup(
                            base["ms"].to_numpy(),
                            other["ms"].to_numpy(),
                            baseline_name=self.baseline,
                            variant_name=variant,
                            confidence=self.experiment.get("confidence", 0.95),
                            seed=self.experiment.get("seed", 0),
                            baseline_groups=base["clone"].to_numpy(),
                            variant_groups=other["clone"].to_numpy(),
                            same_plan=self._same_plan((scale, query, condition), variant),
                            untouched=self._untouched((scale, query, condition), variant),
                        ),
                    )
                )
        return out

    def _same_plan(self, where: tuple[str, str, str], variant: str) -> bool | None:
        a = self.plans.get((*where, self.baseline))
        b = self.plans.get((*where, variant))
        if a is None or b is None:
            return None
        return a.shape() == b.shape()

    def query_relations(self, where: tuple[str, str, str]) -> set[str]:
        """Relations any variant's plan of this query reads (unqualified names)."""
        out: set[str] = set()
        for v in self.variants:
            plan = self.plans.get((*where, v))
            if plan is not None:
                out.update(r for r in plan.nodes["relation"].dropna().astype(str))
        return out

    def _untouched(self, where: tuple[str, str, str], variant: str) -> tuple[str, ...] | None:
        """The query's relations when neither variant's DDL touched any of them, else None."""
        touched_meta = (self.meta.get("ddl_touched") or {}).get(where[0])
        if touched_meta is None:
            return None
        spec = {v["name"]: v for v in self.experiment["variants"]}
        base, other = spec.get(self.baseline, {}), spec.get(variant, {})
        if base.get("settings") != other.get("settings"):
            return None
        if not (other.get("ddl") or other.get("hypothetical_indexes")):
            return None
        touched = {
            t.split(".")[-1]
            for name in (self.baseline, variant)
            for t in touched_meta.get(name, [])
        }
        relations = self.query_relations(where)
        if touched & relations:
            return None
        return tuple(sorted(relations))

    def warnings(self) -> list[str]:
        """What makes a timing mean less than it seems: empty results, skipped files."""
        out = []
        empty = []
        total = 0
        for key, plan in self.plans.items():
            if key[3] != self.baseline or not plan.analyzed:
                continue
            total += 1
            rows = plan.nodes["actual_rows_total"].iloc[0]
            if rows == 0:
                empty.append(key)
                where = f" at {key[0]} rows" if key[0] != "base" else ""
                out.append(
                    f"{key[1]} returns 0 rows{where}: its timing measures an empty result "
                    "(check the data shape or the literals it filters on)"
                )
        if total >= 3 and len(empty) > total / 2:
            out.append(
                f"{len(empty)} of {total} queries return nothing: the seeded data probably does "
                "not match the queries' literals; give the seeder a shape file (--shape) with "
                "realistic row counts and value lists"
            )
        return out

    def comparisons(self) -> pd.DataFrame:
        """The speed-ups as a table, with the verdict in words."""
        rows = []
        for (scale, query, condition), s in self._speedups():
            rows.append(
                {
                    "scale": scale,
                    "query": query,
                    "condition": condition,
                    "baseline": s.baseline,
                    "variant": s.variant,
                    "speedup": s.ratio,
                    "ci_low": s.low,
                    "ci_high": s.high,
                    "same_plan": s.same_plan,
                    "claims": s.claims,
                    "verdict": s.verdict,
                }
            )
        return pd.DataFrame(
            rows,
            columns=[
                "scale",
                "query",
                "condition",
                "baseline",
                "variant",
                "speedup",
                "ci_low",
                "ci_high",
                "same_plan",
                "claims",
                "verdict",
            ],
        )

    def speedup(
        self,
        variant: str,
        *,
        query: str | None = None,
        scale: str | int | None = None,
        condition: str | None = None,
    ) -> SpeedUp:
        """The speed-up of one variant over the baseline (defaults as in :meth:`plan`)."""
        key = self._key(variant=variant, query=query, scale=scale, condition=condition)
        for (sc, q, c), s in self._speedups():
            if (sc, q, c) == key[:3] and s.variant == variant:
                return s
        raise ExplainError(
            f"no timings to compare {variant!r} with {self.baseline!r} at {key[:3]} "
            "(estimated-only variants have no timings)"
        )

    # -- plan changes across scales -----------------------------------------------------
    def shape_changes(self) -> list[ShapeChange]:
        """Where a plan changes shape from one data scale to the next."""
        scales = self.scales
        out = []
        for key in self.raw_plans:
            scale, query, condition, variant = key
            i = scales.index(scale)
            if i == 0:
                continue
            prev = (scales[i - 1], query, condition, variant)
            if prev not in self.raw_plans:
                continue
            a, b = self.plans[prev], self.plans[key]
            if a.shape() != b.shape():
                out.append(
                    ShapeChange(
                        query,
                        condition,
                        variant,
                        scales[i - 1],
                        scale,
                        plan_diff(a, b, left=f"{scales[i - 1]} rows", right=f"{scale} rows"),
                    )
                )
        return out

    # -- parameter sets ----------------------------------------------------------------
    def param_sets(self) -> dict[str, list[str]]:
        """Query family → its parameter-set names, for queries measured with ``param_sets``."""
        out: dict[str, list[str]] = {}
        for q in self.experiment["queries"]:
            if q.get("family"):
                out.setdefault(q["family"], []).append(q["param_set"])
        return out

    def shape_map(
        self, family: str, *, variant: str | None = None, condition: str | None = None
    ) -> pd.DataFrame:
        """Which plan shape each (scale, parameter set) got: a letter per distinct shape.

        Rows are scales, columns parameter sets; ``.attrs["shapes"]`` maps each
        letter to the plan's scans and joins, so a flip ("popular user → Seq Scan,
        rare user → Index Scan") reads at a glance.
        """
        sets = self.param_sets().get(family)
        if not sets:
            raise ExplainError(f"query {family!r} was not measured with parameter sets")
        variant = variant or self.baseline
        condition = condition or self.experiment_conditions()[0]
        letters: dict[tuple[Any, ...], str] = {}
        legend: dict[str, str] = {}
        table: dict[str, dict[str, str]] = {}
        for scale in self.scales:
            for ps in sets:
                plan = self.plans.get((scale, f"{family}[{ps}]", condition, variant))
                if plan is None:
                    continue
                shape = plan.shape()
                if shape not in letters:
                    letter = chr(ord("A") + len(letters))
                    letters[shape] = letter
                    legend[letter] = plan_signature(plan)
                table.setdefault(ps, {})[scale] = letters[shape]
        frame = pd.DataFrame(table).reindex(index=self.scales, columns=sets)
        frame.index.name = "scale"
        frame.attrs["shapes"] = legend
        return frame

    def experiment_conditions(self) -> list[str]:
        return list(dict.fromkeys(k[2] for k in self.raw_plans))

    def plot_shape_map(self, family: str, **kwargs: Any) -> Any:
        from workbench.explain.plots import shape_map

        return shape_map(self, family, **kwargs)

    # -- findings ----------------------------------------------------------------------
    def fk_facts(self, scale: str, variant: str) -> list[FkFact]:
        facts = (self.meta.get("fk_indexes") or {}).get(scale, {}).get(variant, [])
        return [FkFact(f["name"], f["table"], tuple(f["columns"]), f["indexed"]) for f in facts]

    def findings(self) -> dict[Key, list[Finding]]:
        """Plain-word findings per plan (only plans that have some)."""
        out = {}
        for key, plan in self.plans.items():
            found = find(
                plan,
                fks=self.fk_facts(key[0], key[3]),
                fresh_statistics=bool(self.meta.get("analyzed_by_runner")),
            )
            if found:
                out[key] = found
        return out

    # -- pictures ----------------------------------------------------------------------
    def plot_distributions(self, **kwargs: Any) -> Any:
        from workbench.explain.plots import distributions

        return distributions(self, **kwargs)

    def plot_scaling(self, **kwargs: Any) -> Any:
        from workbench.explain.plots import scaling

        return scaling(self, **kwargs)

    # -- saving ------------------------------------------------------------------------
    def save(self, path: Any, **kwargs: Any) -> Any:
        from workbench.explain.store import save

        return save(self, path, **kwargs)

    @classmethod
    def load(cls, path: Any) -> ExperimentResult:
        from workbench.explain.store import load

        return load(path)

    # -- display -----------------------------------------------------------------------
    def _repr_html_(self) -> str:
        # tables with inline styles (rounded figures, text left): they survive the sanitiser
        # of an untrusted notebook, which pandas' <style>-based HTML does not
        from workbench.htmltable import frame_html

        parts = [
            f"<p><b>EXPLAIN experiment</b> on PostgreSQL {html.escape(str(self.meta.get('server_version')))}"
            f" — {len(self.variants)} variant(s), scales {', '.join(self.scales)}, "
            f"cache {html.escape(self.experiment.get('cache', ''))}</p>"
        ]
        comp = self.comparisons()
        if not comp.empty:
            parts.append(frame_html(comp.reset_index(drop=True)))
        cols = ["scale", "query", "condition", "variant", "n", "median_ms", "iqr_ms", "root"]
        parts.append(frame_html(self.summary()[cols].reset_index(drop=True)))
        for change in self.shape_changes():
            parts.append(f"<p>{html.escape(str(change))}</p>")
        for key, found in self.findings().items():
            items = "".join(f"<li>{html.escape(f.message)}</li>" for f in found)
            parts.append(f"<p>{html.escape(' / '.join(key))}:</p><ul>{items}</ul>")
        for warning in self.warnings():
            parts.append(f"<p><b>warning:</b> {html.escape(warning)}</p>")
        for note in self.notes:
            parts.append(f"<p><i>{html.escape(note)}</i></p>")
        return "".join(parts)

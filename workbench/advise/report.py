"""The advisor's result: the chosen indexes with their evidence, the rejected with the reason.

``Advice.frame()`` is one row per candidate (DataFrame), ``evidence()`` one row
per (candidate, query, scale) with speed-up and interval, ``migration()`` the
``CREATE INDEX CONCURRENTLY`` file, ``markdown()`` the report, ``write(dir)``
all of it (atomically, through :mod:`workbench.files`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.files import write_atomic


@dataclass
class Advice:
    scales: tuple[int, ...]
    queries: list[str]
    candidates: Any  # CandidateSet
    estimate: Any  # Estimate
    reads: Any  # ReadResult
    write_costs: dict[str, Any]
    writes: dict[str, int]
    choice: Any  # Choice
    estimate_pick: list[str]
    totals: dict[tuple[int, str, str], float]
    final: list[Any]
    advise_seconds: float
    total_seconds: float
    notes: list[str] = field(default_factory=list)

    # -- what was chosen ------------------------------------------------------------------
    @property
    def chosen(self) -> list[Any]:
        """The recommended :class:`~workbench.advise.candidates.Candidate` objects, in order."""
        return [self.candidates.candidates[n] for n in self.choice.chosen]

    @property
    def rejected(self) -> dict[str, str]:
        """Candidate name -> reason."""
        return dict(self.choice.rejected)

    @property
    def largest(self) -> int:
        return self.scales[-1]

    def workload_ms(self, variant: str = "baseline", scale: int | None = None) -> float:
        """Sum over queries of the median time with ``variant`` ("baseline", "advised",
        "estimate_only") at ``scale`` (default: the largest)."""
        scale = self.largest if scale is None else scale
        return sum(self.totals[(scale, variant, q)] for q in self.queries)

    def evidence(self) -> pd.DataFrame:
        """Per (candidate, query, scale): speed-up, interval, medians, whether the plan used it."""
        return pd.DataFrame(self.reads.rows)

    def pays_from(self, name: str) -> int | None:
        """The smallest scale from which the candidate's interval lies above 1.0 and stays there."""
        df = self.evidence()
        if df.empty:
            return None
        df = df[df["candidate"] == name]
        ok = df.groupby("scale")["ci_low"].max() > 1.0
        pays = None
        for scale in sorted(ok.index, reverse=True):
            if not ok[scale]:
                break
            pays = int(scale)
        return pays

    def frame(self) -> pd.DataFrame:
        """One row per candidate: definition, status, reason, best speed-up at the largest scale,
        queries served, queries it slows (the plan took it and the interval lies below 1.0),
        size, build time, write overhead."""
        ev = self.evidence()
        rows = []
        for name, cand in self.candidates.candidates.items():
            mine = ev[(ev["candidate"] == name) & (ev["scale"] == self.largest)] if len(ev) else ev
            best = mine.sort_values("speedup").iloc[-1] if len(mine) else None
            wc = self.write_costs.get(name)
            served = sorted(mine[mine["ci_low"] > 1.0]["query"]) if len(mine) else []
            slower = (
                sorted(mine[(mine["ci_high"] < 1.0) & mine["used"]]["query"]) if len(mine) else []
            )
            rows.append(
                {
                    "index": name,
                    "definition": cand.label,
                    "kind": cand.kind,
                    "status": "recommended" if name in self.choice.chosen else "rejected",
                    "reason": self.choice.rejected.get(name, ""),
                    "queries": ", ".join(sorted(self.candidates.queries[name])),
                    "serves": ", ".join(served),
                    "slower": ", ".join(slower),
                    "best_speedup": float(best["speedup"]) if best is not None else float("nan"),
                    "ci_low": float(best["ci_low"]) if best is not None else float("nan"),
                    "ci_high": float(best["ci_high"]) if best is not None else float("nan"),
                    "planner_uses_at": ", ".join(map(str, self.estimate.used_at(name))),
                    "pays_from": self.pays_from(name),
                    "size_bytes": wc.size_bytes if wc else None,
                    "build_ms": wc.build_ms if wc else None,
                    "insert_slowdown": wc.insert_ratio if wc else None,
                    "update_slowdown": wc.update_ratio if wc else None,
                }
            )
        df = pd.DataFrame(rows)
        if len(df):
            df = df.sort_values(["status", "index"])  # "recommended" before "rejected"
        return df.reset_index(drop=True)

    def verification(self) -> pd.DataFrame:
        """The before/after run: per scale and query, the advised set (and the estimate-only
        pick) against no new index, with the engine's speed-up, interval and verdict."""
        frames = []
        for scale, result in zip(self.scales, self.final, strict=False):
            df = result.comparisons().copy()
            df["scale"] = scale
            frames.append(df)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    def served(self) -> pd.DataFrame:
        """Candidates never proposed: already served by an existing index, or no need in the plan."""
        return pd.DataFrame(self.candidates.served, columns=["query", "candidate", "reason"])

    # -- outputs -------------------------------------------------------------------------
    def migration(self) -> str:
        """The recommended indexes as a migration (CONCURRENTLY: no write lock while building;
        run it outside a transaction)."""
        lines = [
            "-- Indexes recommended by `workbench advise`, each with measured evidence",
            "-- (see report.md). CREATE INDEX CONCURRENTLY cannot run inside a transaction.",
        ]
        for cand in self.chosen:
            lines.append(f"{cand.definition(concurrently=True)};")
        return "\n".join(lines) + "\n"

    def markdown(self) -> str:
        out = ["# Index advice", ""]
        b, a = self.workload_ms("baseline"), self.workload_ms("advised")
        e = self.workload_ms("estimate_only")
        out.append(
            f"Workload of {len(self.queries)} queries, scales {', '.join(map(str, self.scales))} "
            f"rows; estimates by {self.estimate.method}. Workload time (sum of medians at "
            f"{self.largest} rows): before {b:.2f} ms, after the advice {a:.2f} ms, after the "
            f"estimate-only pick ({len(self.estimate_pick)} indexes) {e:.2f} ms."
        )
        out += ["", "## Recommended", ""]
        if not self.chosen:
            out.append("Nothing: no candidate's measured interval excludes 1.0.")
        ev = self.evidence()
        for cand in self.chosen:
            wc = self.write_costs.get(cand.name)
            out.append(f"- `{cand.definition()}`")
            mine = ev[(ev["candidate"] == cand.name)]
            for r in mine.sort_values(["query", "scale"]).itertuples(index=False):
                out.append(
                    f"  - {r.query} @ {r.scale}: {r.speedup:.2f}× "
                    f"(95% CI {r.ci_low:.2f}–{r.ci_high:.2f}), {r.baseline_ms:.3f} → "
                    f"{r.with_ms:.3f} ms{'' if r.used else ' (plan does not use it)'}"
                )
            if wc:
                ins = f"{wc.insert_ratio:.2f}×" if wc.insert_ratio else "not measured"
                upd = f"{wc.update_ratio:.2f}×" if wc.update_ratio else "not measured"
                out.append(
                    f"  - cost: {wc.size_bytes / 1024:.0f} kB, built in {wc.build_ms:.1f} ms at "
                    f"{self.largest} rows; INSERT time {ins}, UPDATE time {upd} "
                    f"(with / without){'; ' + wc.note if wc.note else ''}"
                )
            pays = self.pays_from(cand.name)
            if pays is not None:
                out.append(f"  - pays from {pays} rows on")
        ver = self.verification()
        if len(ver):
            top = ver[(ver["scale"] == self.largest) & (ver["variant"] == "advised")]
            out += ["", f"## The advised set together, at {self.largest} rows", ""]
            for r in top.itertuples(index=False):
                out.append(
                    f"- {r.query}: {r.speedup:.2f}× (95% CI {r.ci_low:.2f}–{r.ci_high:.2f}), "
                    f"{r.verdict}"
                )
        out += ["", "## Rejected", ""]
        for name, reason in sorted(self.choice.rejected.items()):
            out.append(f"- `{self.candidates.candidates[name].label}`: {reason}")
        served = self.served()
        if len(served):
            out += ["", "## Not proposed", ""]
            for r in served.drop_duplicates(["query", "reason"]).itertuples(index=False):
                out.append(f"- {r.query}: {r.reason}")
        if self.notes:
            out += ["", "## Notes", ""] + [f"- {n}" for n in self.notes]
        return "\n".join(out) + "\n"

    def write(self, out: str | Path) -> Path:
        """report.md, migration.sql, candidates.csv and evidence.csv into ``out``."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / "report.md", self.markdown())
        write_atomic(out / "migration.sql", self.migration())
        write_atomic(out / "candidates.csv", self.frame().to_csv(index=False))
        write_atomic(out / "evidence.csv", self.evidence().to_csv(index=False))
        return out / "report.md"

    def _repr_markdown_(self) -> str:
        return self.markdown()

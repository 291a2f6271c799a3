"""The rehearsal's report: a DataFrame, a Markdown file, a lock timeline picture.

The growth with rows is a least-squares line ``seconds = a + b * rows`` per
statement and direction over the rehearsed scales; ``at(rows)`` reads it at any
size. With three or more scales the slope carries a 95% interval (t
distribution of the residuals); with two it is exact through both points and
says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.diff import SchemaDiff
from workbench.rehearse.runner import Run


@dataclass(frozen=True, slots=True)
class Row:
    direction: str
    rows: int
    index: int
    change: str
    statement: str
    category: str
    documented_lock: str
    measured_lock: str
    held_s: float
    rewrite_documented: bool
    rewrite_measured: bool
    rewritten: str
    probes: int
    probes_blocked: int
    blocked_max_s: float
    blocked_total_s: float
    safe_form: bool

    @staticmethod
    def from_run(direction: str, n: int, run: Run) -> list[Row]:
        out = []
        for m in run.statements:
            during = [p for p in run.probes if p.started < m.ended and p.ended > m.started]
            blocked = [p for p in during if p.blocked]
            out.append(
                Row(
                    direction=direction,
                    rows=n,
                    index=m.index + 1,
                    change=f"{m.step.change.change} {m.step.change.kind} {m.step.change.name}",
                    statement=" ".join(m.step.sql.split()),
                    category=m.step.cost.category,
                    documented_lock=m.step.cost.lock,
                    measured_lock=m.lock,
                    held_s=m.seconds,
                    rewrite_documented=m.step.cost.rewrite,
                    rewrite_measured=m.rewrite,
                    rewritten=", ".join(m.rewritten),
                    probes=len(during),
                    probes_blocked=len(blocked),
                    blocked_max_s=max((p.seconds for p in blocked), default=0.0),
                    blocked_total_s=sum(p.seconds for p in blocked),
                    safe_form=_is_safe_form(m.step.sql),
                )
            )
        return out


def _is_safe_form(sql: str) -> bool:
    u = " ".join(sql.upper().split())
    return any(
        w in u for w in (" CONCURRENTLY ", " NOT VALID", " VALIDATE CONSTRAINT ", " USING INDEX ")
    )


@dataclass(frozen=True, slots=True)
class Check:
    direction: str
    rows: int
    what: str
    ok: bool
    details: str = ""


@dataclass(frozen=True, slots=True)
class Fit:
    """``seconds = intercept + slope * rows`` for one statement, with the slope's interval."""

    intercept: float
    slope: float  # seconds per row
    slope_low: float | None
    slope_high: float | None
    points: int

    def at(self, rows: float) -> float:
        return max(0.0, self.intercept + self.slope * rows)


def fit(xs: list[float], ys: list[float]) -> Fit:
    n = len(xs)
    if n == 1:
        return Fit(0.0, ys[0] / xs[0] if xs[0] else 0.0, None, None, 1)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    intercept = my - slope * mx
    if n < 3 or not sxx:
        return Fit(intercept, slope, None, None, n)
    resid = sum((y - intercept - slope * x) ** 2 for x, y in zip(xs, ys, strict=True))
    se = math.sqrt(resid / (n - 2) / sxx)
    t = _T975[n - 3] if n - 3 < len(_T975) else 1.96
    return Fit(intercept, slope, slope - t * se, slope + t * se, n)


#: Two-sided 95% quantiles of Student's t for 1..10 degrees of freedom.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228)


@dataclass
class Rehearsal:
    """Everything a rehearsal measured; ``frame``, ``to_markdown()``, ``plot()``, ``write()``."""

    up: SchemaDiff
    down: SchemaDiff
    safe: bool = True
    rows: list[Row] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    runs: dict[tuple[str, int], Run] = field(default_factory=dict)

    @property
    def proven(self) -> bool:
        """Both directions ran and every check (models, rows, checksums) passed."""
        return bool(self.checks) and all(c.ok for c in self.checks)

    @property
    def frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame([{f: getattr(r, f) for f in Row.__slots__} for r in self.rows])

    def fits(self) -> dict[tuple[str, int], Fit]:
        """(direction, statement index) → the fitted time held against rows."""
        groups: dict[tuple[str, int], list[Row]] = {}
        for r in self.rows:
            groups.setdefault((r.direction, r.index), []).append(r)
        return {
            k: fit([float(r.rows) for r in v], [r.held_s for r in v]) for k, v in groups.items()
        }

    def summary(self, extrapolate: int = 50_000_000) -> Any:
        """One row per statement: lock, time held at each scale, fitted slope, extrapolation."""
        import pandas as pd

        fits = self.fits()
        scales = sorted({r.rows for r in self.rows})
        out = []
        seen: set[tuple[str, int]] = set()
        for r in self.rows:
            key = (r.direction, r.index)
            if key in seen:
                continue
            seen.add(key)
            f = fits[key]
            entry: dict[str, Any] = {
                "direction": r.direction,
                "index": r.index,
                "statement": r.statement[:90],
                "category": r.category,
                "lock": r.measured_lock or r.documented_lock,
                "rewrite": r.rewrite_measured,
            }
            for n in scales:
                held = [x.held_s for x in self.rows if (x.direction, x.index, x.rows) == (*key, n)]
                entry[f"held_ms@{n}"] = round(held[0] * 1000, 2) if held else None
            entry["ms_per_M_rows"] = round(f.slope * 1e9, 1)
            entry["slope_95%"] = (
                f"[{f.slope_low * 1e9:.1f}, {f.slope_high * 1e9:.1f}]"
                if f.slope_low is not None and f.slope_high is not None
                else f"({f.points} points, no interval)"
            )
            entry[f"est_s@{extrapolate:,}"] = round(f.at(extrapolate), 1)
            entry["probes_blocked"] = sum(
                x.probes_blocked for x in self.rows if (x.direction, x.index) == key
            )
            out.append(entry)
        return pd.DataFrame(out)

    def sentences(self, extrapolate: int = 50_000_000) -> list[str]:
        """Readable extrapolations for statements that block reads or writes."""
        out = []
        fits = self.fits()
        seen: set[tuple[str, int]] = set()
        for r in self.rows:
            key = (r.direction, r.index)
            lock = r.measured_lock or r.documented_lock
            if key in seen or lock not in _BLOCKING:
                continue
            seen.add(key)
            f = fits[key]
            held = [x.held_s * 1000 for x in self.rows if (x.direction, x.index) == key]
            if r.category == "metadata" and not any(
                x.rewrite_measured for x in self.rows if (x.direction, x.index) == key
            ):
                # A catalog change: its time is the lock wait and noise, not a function of rows.
                out.append(
                    f"{r.direction} #{r.index} `{r.statement[:70]}`: holds {lock} for "
                    f"{min(held):.1f}–{max(held):.1f} ms at every scale rehearsed (metadata-only, "
                    "no rewrite measured: not expected to grow with rows)"
                )
                continue
            interval = (
                f" (slope 95% interval {f.slope_low * 1e9:.1f}–{f.slope_high * 1e9:.1f} ms per M rows)"
                if f.slope_low is not None and f.slope_high is not None
                else f" (line through {f.points} scales, no interval)"
            )
            out.append(
                f"{r.direction} #{r.index} `{r.statement[:70]}`: at {extrapolate:,} rows this holds "
                f"{lock} for about {f.at(extrapolate):.1f} s{interval}"
            )
        return out

    def to_markdown(self, extrapolate: int = 50_000_000) -> str:
        lines = [
            "# Migration rehearsal",
            "",
            f"Form: {'safe' if self.safe else 'unsafe (plain)'}; scales: "
            + ", ".join(f"{n:,}" for n in sorted({r.rows for r in self.rows}))
            + " rows per table.",
            "",
            "## Checks",
            "",
        ]
        for c in self.checks:
            mark = "ok" if c.ok else "FAILED"
            extra = f" — {c.details}" if c.details else ""
            lines.append(f"- {c.direction} at {c.rows:,} rows: {c.what}: {mark}{extra}")
        lines += ["", "## Per statement", "", _markdown_table(self.summary(extrapolate))]
        lines += ["", "## Extrapolation", ""]
        lines += [f"- {s}" for s in self.sentences(extrapolate)] or ["- nothing blocks"]
        lines += ["", "## Every measurement", "", _markdown_table(self.frame), ""]
        return "\n".join(lines)

    def plot(self, rows: int | None = None) -> Any:
        """Lock timeline per statement (largest scale unless ``rows``), with blocked probes."""
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt

        n = rows or max(r for _, r in self.runs)
        most = max((len(r.statements) for r in self.runs.values()), default=1)
        fig, axes = plt.subplots(2, 1, figsize=(12, 2.0 + 0.6 * max(most, 4)))
        colors = {"ACCESS EXCLUSIVE": "#c0392b", "SHARE ROW EXCLUSIVE": "#e67e22",
                  "SHARE": "#f1c40f", "SHARE UPDATE EXCLUSIVE": "#27ae60"}  # fmt: skip
        for ax, direction in zip(axes, ("up", "down"), strict=True):
            run = self.runs.get((direction, n))
            if run is None:
                continue
            labels = []
            for y, m in enumerate(run.statements):
                lock = m.lock or m.step.cost.lock
                ax.barh(y, max((m.ended - m.started) * 1000, 0.05),
                        left=(m.started - run.t0) * 1000, color=colors.get(lock, "#95a5a6"),
                        edgecolor="black" if m.rewrite else "none")  # fmt: skip
                blocked = [
                    p
                    for p in run.probes
                    if p.blocked and p.started < m.ended and p.ended > m.started
                ]
                for p in blocked:
                    ax.plot([(p.started - run.t0) * 1000, (p.ended - run.t0) * 1000], [y + 0.3] * 2,
                            color="black", lw=1)  # fmt: skip
                short = " ".join(m.step.sql.split())[:38]
                labels.append(
                    f"{m.index + 1} {short}… [{lock or '-'}{', rewrite' if m.rewrite else ''}]"
                )
            ax.set_yticks(range(len(labels)), labels, fontsize=7)
            ax.invert_yaxis()
            ax.set_xlabel("ms since start")
            ax.set_title(f"{direction} at {n:,} rows (black lines: blocked probes)", fontsize=9)
        from matplotlib.patches import Patch

        handles = [Patch(color=c, label=m) for m, c in colors.items()]
        handles.append(Patch(facecolor="white", edgecolor="black", label="rewrite (outlined)"))
        fig.legend(handles=handles, loc="lower center", ncol=len(handles), fontsize=7)
        fig.tight_layout(rect=(0, 0.06, 1, 1))
        return fig

    def write(self, directory: str | Path, *, stem: str = "rehearsal") -> tuple[Path, Path]:
        """Write ``<stem>.md`` and ``<stem>.png`` into ``directory`` (atomically)."""
        import io

        import matplotlib.pyplot as plt

        from workbench.files import write_atomic

        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        md = write_atomic(out / f"{stem}.md", self.to_markdown())
        fig = self.plot()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        png = write_atomic(out / f"{stem}.png", buf.getvalue())
        return Path(md), Path(png)

    def _repr_html_(self) -> str:
        checks = "".join(
            f"<li>{c.direction} @ {c.rows:,}: {c.what}: {'ok' if c.ok else '<b>FAILED</b>'}</li>"
            for c in self.checks
        )
        return f"<ul>{checks}</ul>" + self.summary().to_html(index=False)


def _markdown_table(frame: Any) -> str:
    """A pipe table (pandas' ``to_markdown`` needs tabulate, which is not a dependency)."""

    def cell(v: Any) -> str:
        text = f"{v:.4f}" if isinstance(v, float) else str(v)
        return text.replace("|", "\\|").replace("\n", " ")

    head = "| " + " | ".join(str(c) for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([head, rule, *body])


_BLOCKING = {"SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE", "ACCESS EXCLUSIVE"}

__all__ = ["Check", "Fit", "Rehearsal", "Row", "fit"]

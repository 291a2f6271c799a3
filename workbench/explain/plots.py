"""Pictures of an experiment: timing distributions, time against scale, the plan tree.

Matplotlib figures are returned (not shown) so notebooks display them and the
CLI saves them; the plan tree is Graphviz DOT, rendered by the Graphviz binary
(system ``dot`` if on PATH, else the venv's ``graphviz-pure``, the same CLI).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import pandas as pd

from workbench.explain.errors import ExplainError
from workbench.explain.plan import Plan

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from workbench.explain.result import ExperimentResult


# -- timing pictures -------------------------------------------------------------------
def distributions(
    result: ExperimentResult, *, scale: str | None = None, condition: str | None = None
) -> Figure:
    """Every timed run per variant (strip) over its box plot, one panel per query.

    Points, not just boxes: with 15-30 runs the individual timings show
    bimodality and outliers that a box would hide. Log time axis when the
    variants differ by more than 10×.
    """
    from matplotlib.figure import Figure

    t = result.timings
    scale = scale or result.scales[-1]
    t = t[t["scale"] == str(scale)]
    if condition is not None:
        t = t[t["condition"] == condition]
    queries = list(dict.fromkeys(t["query"])) or ["(no timings)"]
    fig = Figure(figsize=(max(4.0, 1.6 * len(result.variants) + 2), 3.2 * len(queries)))
    axes = fig.subplots(len(queries), 1, squeeze=False)[:, 0]
    for ax, query in zip(axes, queries, strict=True):
        q = t[t["query"] == query]
        # the experiment's own variant order (baseline first), not the order the
        # randomised blocks happened to time them in
        rank = {name: i for i, name in enumerate(result.variants)}
        grouped = sorted(
            q.groupby(["condition", "variant"], sort=False),
            key=lambda item: (str(item[0][0]), rank.get(str(item[0][1]), len(rank))),
        )
        groups = [
            (f"{v}\n{c}" if q["condition"].nunique() > 1 else v, g["ms"].to_numpy())
            for (c, v), g in grouped
        ]
        if not groups:
            ax.set_title(f"{query}: no timings (estimated-only variants)")
            continue
        data = [g for _, g in groups]
        ax.boxplot(data, showfliers=False, widths=0.5)
        for i, values in enumerate(data, start=1):
            jitter = [i + 0.12 * math.sin(k * 2.39996) for k in range(len(values))]
            ax.plot(jitter, values, "o", alpha=0.45, markersize=3.5, color="tab:blue")
        ax.set_xticks(range(1, len(groups) + 1), [name for name, _ in groups])
        lo = min(min(d) for d in data if len(d))
        hi = max(max(d) for d in data if len(d))
        if lo > 0 and hi / lo > 10:
            ax.set_yscale("log")
        ax.set_ylabel("ms per execution")
        ax.set_title(f"{query} at {scale} rows" if scale != "base" else query)
        ax.grid(axis="y", alpha=0.3)
    _fixed_margins(fig, len(queries))
    return fig


def scaling(result: ExperimentResult, *, condition: str | None = None) -> Figure:
    """Median time against data scale on log-log axes, a line per variant, IQR as bars."""
    from matplotlib.figure import Figure

    s = result.summary()
    s = s[s["scale"] != "base"]
    if condition is not None:
        s = s[s["condition"] == condition]
    queries = list(dict.fromkeys(s["query"])) or ["(no scales)"]
    fig = Figure(figsize=(6, 3.6 * len(queries)))
    axes = fig.subplots(len(queries), 1, squeeze=False)[:, 0]
    for ax, query in zip(axes, queries, strict=True):
        q = s[(s["query"] == query) & (s["n"] > 0)]
        for (cond, variant), g in q.groupby(["condition", "variant"], sort=False):
            x = g["scale"].astype(float).clip(lower=1)
            label = variant if q["condition"].nunique() == 1 else f"{variant} ({cond})"
            ax.errorbar(
                x,
                g["median_ms"],
                yerr=[g["median_ms"] - g["q1_ms"], g["q3_ms"] - g["median_ms"]],
                marker="o",
                capsize=3,
                label=label,
            )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("rows (seeded scale)")
        ax.set_ylabel("median ms (IQR bars)")
        ax.set_title(query)
        ax.grid(True, which="both", alpha=0.3)
        if len(q):
            ax.legend()
    _fixed_margins(fig, len(queries))
    return fig


def shape_map(result: ExperimentResult, family: str, **kwargs: object) -> Figure:
    """A small grid: data scale × parameter set, each cell the letter of its plan shape."""
    from matplotlib.figure import Figure

    frame = result.shape_map(family, **kwargs)  # type: ignore[arg-type]
    legend = frame.attrs.get("shapes", {})
    letters = sorted(legend)
    fig = Figure(
        figsize=(1.4 + 1.1 * len(frame.columns), 1.2 + 0.45 * len(frame.index) + 0.3 * len(letters))
    )
    ax = fig.subplots()
    codes = frame.apply(lambda col: col.map(lambda v: letters.index(v) if v in letters else -1))
    ax.imshow(codes.to_numpy(dtype=float), cmap="Pastel1", vmin=0, vmax=8, aspect="auto")
    for i in range(len(frame.index)):
        for j in range(len(frame.columns)):
            value = frame.iat[i, j]
            ax.text(j, i, value if isinstance(value, str) else "–", ha="center", va="center")
    ax.set_xticks(range(len(frame.columns)), [str(c) for c in frame.columns])
    ax.set_yticks(range(len(frame.index)), [str(i) for i in frame.index])
    ax.set_xlabel("parameter set")
    ax.set_ylabel("rows (scale)")
    ax.set_title(f"{family}: plan shape per scale and parameter set", fontsize=9)
    text = "\n".join(f"{k}: {legend[k][:90]}" for k in letters)
    fig.text(0.01, 0.01, text, fontsize=7, va="bottom")
    fig.subplots_adjust(bottom=0.18 + 0.08 * len(letters), top=0.85)
    return fig


def _fixed_margins(fig: Figure, panels: int) -> None:
    # Fixed margins instead of tight_layout: measuring every tick label of log axes
    # costs about a second per figure and the layout is the same every time.
    per = 1.0 / panels
    fig.subplots_adjust(left=0.14, right=0.97, top=1 - 0.1 * per, bottom=0.16 * per, hspace=0.55)


# -- the plan as a graph -----------------------------------------------------------------
def _shade(share: float) -> str:
    """White → red by share of exclusive time."""
    if share != share:
        return "#ffffff"
    share = min(max(share, 0.0), 1.0)
    g = round(255 - 190 * share)
    return f"#ff{g:02x}{g:02x}"


def plan_graph(plan: Plan, *, title: str | None = None) -> str:
    """The plan as Graphviz DOT: nodes shaded by share of exclusive time, edges sized by rows.

    Edges point from a node to its parent (the way rows flow) and their width
    grows with the log of the rows passed, so a join fed by millions of rows
    stands out from one fed by ten.
    """
    df = plan.nodes
    rows_col = "actual_rows_total" if plan.analyzed else "est_rows_total"
    max_rows = max(float(df[rows_col].max() or 1.0), 1.0)
    lines = [
        "digraph plan {",
        "  rankdir=BT;",
        '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10];',
        '  edge [arrowsize=0.6, fontname="Helvetica", fontsize=9, color="#555555"];',
    ]
    if title:
        lines.append(f'  label="{_esc(title)}"; labelloc=t; fontname="Helvetica";')
    for r in df.itertuples(index=False):
        text = [r.label]
        if isinstance(r.relation, str):
            text.append(f"on {r.relation}")
        if isinstance(r.index, str):
            text.append(f"using {r.index}")
        if plan.analyzed and r.exclusive_ms == r.exclusive_ms:
            text.append(f"{r.exclusive_ms:.3f} ms self ({r.time_share:.0%})")
        rows = r.actual_rows_total if plan.analyzed else r.est_rows_total
        text.append(f"{rows:,.0f} rows" + ("" if plan.analyzed else " (est.)"))
        if r.misestimate == r.misestimate and r.misestimate > 10 and not r.limited:
            text.append(f"misestimate {r.misestimate:.0f}×")
        label = "\\n".join(_esc(t) for t in text)
        lines.append(
            f'  n{r.node_id} [label="{label}", fillcolor="{_shade(r.time_share)}"'
            + (', color="#c92a2a", penwidth=2' if r.spilled else "")
            + "];"
        )
    for r in df.itertuples(index=False):
        if pd.isna(r.parent_id):
            continue
        rows = getattr(r, rows_col)
        rows = 0.0 if rows != rows else float(rows)
        width = 0.5 + 5.5 * math.log10(rows + 1) / math.log10(max_rows + 1)
        if isinstance(r.subplan, str):  # a sub-plan the parent runs, not an ordinary input
            lines.append(
                f"  n{r.node_id} -> n{int(r.parent_id)} [penwidth={width:.2f}, style=dashed, "
                f'color="#1c7ed6", fontcolor="#1c7ed6", label="{_esc(r.subplan)}\\n{rows:,.0f}"];'
            )
            continue
        lines.append(
            f'  n{r.node_id} -> n{int(r.parent_id)} [penwidth={width:.2f}, label="{rows:,.0f}"];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _esc(text: str) -> str:
    return str(text).replace("\\", "\\\\").replace('"', '\\"')


def render_dot(dot: str, fmt: str = "svg", *, dpi: int | None = None) -> bytes:
    """Render DOT text to ``svg`` or ``png`` bytes with the shared Graphviz binary lookup
    (``dpi`` sets a PNG's resolution; Graphviz's default is 96)."""
    from workbench.diagram.errors import DiagramError
    from workbench.diagram.graphviz_bin import run_dot

    if fmt not in ("svg", "png"):
        raise ExplainError(f"cannot render plan graphs as {fmt!r}: use 'svg' or 'png'")
    try:
        extra = (f"-Gdpi={dpi}",) if dpi else ()
        return run_dot(dot, fmt, timeout=60, extra_args=extra)
    except DiagramError as exc:
        raise ExplainError(f"plan graph not rendered: {exc}") from exc


def plan_svg(plan: Plan, *, title: str | None = None) -> str:
    """The plan graph as inline SVG text (what notebooks display)."""
    svg = render_dot(plan_graph(plan, title=title), "svg").decode()
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


#: Resolution of the PNG stored beside the SVG in notebook outputs (the SVG's own size).
NOTEBOOK_PNG_DPI = 96


class PlanTree:
    """The plan graph as a picture: SVG for trusted notebooks, a PNG beside it for untrusted.

    An untrusted notebook (every freshly cloned one) sanitises ``text/html`` and will not
    render ``image/svg+xml``; the PNG is what it shows. Rendered once, on first display.
    """

    def __init__(self, plan: Plan, *, title: str | None = None) -> None:
        self.dot = plan_graph(plan, title=title)
        self._label = f"<PlanTree: {len(plan.nodes)} nodes>"
        self._svg: str | None = None

    def svg(self) -> str:
        if self._svg is None:
            svg = render_dot(self.dot, "svg").decode()
            start = svg.find("<svg")
            self._svg = svg[start:] if start >= 0 else svg
        return self._svg

    def png(self, *, dpi: int = NOTEBOOK_PNG_DPI) -> bytes:
        return render_dot(self.dot, "png", dpi=dpi)

    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        import base64

        try:
            svg, png = self.svg(), self.png()
        except ExplainError as exc:  # no Graphviz binary: say so instead of a picture
            return {"text/plain": f"{self._label}\n{exc}"}
        return {
            "image/svg+xml": svg,
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": self._label,
        }

    def __repr__(self) -> str:
        return self._label

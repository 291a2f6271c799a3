"""A Markdown report of an experiment, with its pictures saved beside it.

Written for the person who asked the question: the verdict first (speed-ups
with their intervals, in words), then where plans change shape, the findings,
the pictures, and the measurement conditions that make the numbers
trustworthy (server version, settings, data shape, what "cold" meant).
"""

from __future__ import annotations

from pathlib import Path

from workbench.explain import plots
from workbench.explain.errors import ExplainError
from workbench.explain.result import ExperimentResult
from workbench.explain.store import _atomic_write, save


def _md_table(frame, floatfmt: str = "{:.3f}") -> str:  # type: ignore[no-untyped-def]
    cols = list(frame.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame.itertuples(index=False):
        cells = [floatfmt.format(v) if isinstance(v, float) else str(v) for v in row]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)


def _save_figure(fig, path: Path) -> None:  # type: ignore[no-untyped-def]
    tmp = path.with_name(f".{path.name}.tmp{path.suffix}")
    fig.savefig(tmp, dpi=110)
    tmp.replace(path)


def write_report(result: ExperimentResult, out_dir: str | Path) -> Path:
    """Write ``report.md``, its PNG/SVG pictures and the saved result into ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta, exp = result.meta, result.experiment
    md: list[str] = ["# EXPLAIN experiment", ""]
    md.append(
        f"PostgreSQL {meta.get('server_version')} ({meta.get('backend')}), "
        f"{exp['repetitions']} timed runs per clone after {exp['warmup']} warm-up runs, "
        f"{exp.get('clones', 1)} clone(s) per variant interleaved in randomised blocks, "
        f"cache **{exp['cache']}**, started {meta.get('started_at')}."
    )
    md.append("")
    warnings = result.warnings()
    if warnings:
        md += ["## Warnings", ""]
        md += [f"- {w}" for w in warnings]
        md.append("")
    md.append("Queries: " + ", ".join(f"`{q['name']}`" for q in exp["queries"]) + ".")
    md.append("")
    md.append("Variants:")
    for v in exp["variants"]:
        what = "; ".join(
            [*v["ddl"], *(f"SET {k} = {val}" for k, val in v["settings"].items())]
            + [f"hypothetical: {h}" for h in v["hypothetical_indexes"]]
        )
        md.append(f"- **{v['name']}**: {what or 'the schema as it is (baseline)'}")
    md.append("")

    comp = result.comparisons()
    md += ["## Verdict", ""]
    if comp.empty:
        md.append("Only one variant with timings: nothing to compare.")
    else:
        for row in comp.itertuples(index=False):
            md.append(
                f"- `{row.query}` at {row.scale} rows ({row.condition}): **{row.variant}** vs "
                f"{row.baseline}: **{row.verdict}** (speed-up {row.speedup:.2f}, "
                f"{round(exp.get('confidence', 0.95) * 100)}% CI {row.ci_low:.2f}–{row.ci_high:.2f})"
            )
    md.append("")

    md += ["## Timings", ""]
    summary = result.summary()
    cols = [
        "scale",
        "query",
        "condition",
        "variant",
        "n",
        "median_ms",
        "iqr_ms",
        "planning_ms",
        "explain_ms",
        "explain_timing_off_ms",
        "timing_overhead",
        "root",
    ]
    md.append(_md_table(summary[cols]))
    md.append("")
    md.append(
        "`median_ms` is the query's own time (executed without EXPLAIN, fetched by psycopg); "
        "`explain_ms` is EXPLAIN ANALYZE's execution time with per-node timing, "
        "`explain_timing_off_ms` the same with TIMING OFF; `timing_overhead` is what per-node "
        "timing added."
    )
    md.append("")

    pictures: list[str] = []
    if not result.timings.empty:
        for scale in result.scales:
            fig = plots.distributions(result, scale=scale)
            name = f"distribution_{scale}.png"
            _save_figure(fig, out / name)
            pictures.append(f"![timings at {scale}]({name})")
        if len(result.scales) > 1 and "base" not in result.scales:
            _save_figure(plots.scaling(result), out / "scaling.png")
            pictures.append("![time against data scale](scaling.png)")
    for family in result.param_sets():
        frame = result.shape_map(family)
        md += [f"## Plan shapes of `{family}` per parameter set", ""]
        md.append(_md_table(frame.reset_index()))
        md.append("")
        md += [f"- **{k}**: {v}" for k, v in frame.attrs["shapes"].items()]
        md.append("")
        if len(frame.attrs["shapes"]) > 1:
            name = f"shape_map_{family}.png"
            _save_figure(plots.shape_map(result, family), out / name)
            pictures.append(f"![plan shapes of {family}]({name})")
    md += ["## Pictures", "", *pictures, ""]

    changes = result.shape_changes()
    if changes:
        md += ["## Plan changes across data scales", ""]
        for change in changes:
            md.append(f"- {change}")
            md.append("")
            md.append("```")
            md.append(change.diff.text())
            md.append("```")
        md.append("")

    findings = result.findings()
    md += ["## Findings", ""]
    if not findings:
        md.append("No findings.")
    for key, found in findings.items():
        md.append(f"**{key[1]}**, {key[3]}, {key[0]} rows ({key[2]}):")
        for f in found:
            md.append(f"- node {f.node_id} `{f.node}`: {f.message}")
        md.append("")

    md += ["## Plans", ""]
    for key, plan in result.plans.items():
        stem = "plan_" + "_".join(k.replace(" ", "-").replace("=", "-") for k in key)
        try:
            dot = plots.plan_graph(plan, title=" / ".join(key))
            _atomic_write(out / f"{stem}.svg", plots.render_dot(dot, "svg"))
            _atomic_write(out / f"{stem}.png", plots.render_dot(dot, "png"))
            picture = f"![plan]({stem}.svg)"
        except ExplainError as exc:
            picture = f"_(plan picture not rendered: {exc})_"
        estimated = " — estimated only (HypoPG)" if not plan.analyzed else ""
        md += [f"### {key[1]} · {key[3]} · {key[0]} rows · {key[2]}{estimated}", ""]
        md += ["```", plan.text(), "```", "", picture, ""]

    md += ["## Conditions", ""]
    md.append(
        f"Each variant ran in {exp.get('clones', 1)} database(s) cloned from the seeded one, "
        "which was frozen and analysed first (VACUUM (FREEZE, ANALYZE)); after a variant's DDL "
        "only the tables it changed were analysed again, so the others keep identical "
        "statistics in every clone. The confidence intervals resample clones, then runs."
    )
    touched = meta.get("ddl_touched") or {}
    for scale, per_variant in touched.items():
        for variant, tables in per_variant.items():
            if tables:
                md.append(f"- {variant} at {scale}: DDL changed {', '.join(tables)}")
    if exp["cache"] == "cold":
        md.append(
            "Cold means: before every timed run, DISCARD ALL and every user relation evicted "
            "from shared buffers (pg_buffercache_evict_relation). The operating system's page "
            "cache stays warm, so 'read' blocks mostly came from memory, not disk."
        )
    md.append("")
    for scale, tables in (meta.get("shape") or {}).items():
        busy = [t for t in tables if t["rows"] > 0]
        shown = ", ".join(f"{t['table']} {t['rows']:,}" for t in busy) or "all tables empty"
        md.append(f"- data at scale {scale}: {shown}")
    base_settings = (meta.get("settings") or {}).get(result.baseline, {})
    if base_settings:
        md.append("")
        md.append(
            "Server settings (baseline): "
            + ", ".join(f"{k}={v}" for k, v in sorted(base_settings.items()))
        )
    for note in result.notes:
        md += ["", f"> {note}"]
    md.append("")
    save(result, out / "result.json")
    report = out / "report.md"
    _atomic_write(report, "\n".join(md).encode())
    return report

"""Index advice, measured: the advisor against an estimate-only choice on the same workload.

    .venv/bin/python benchmarks/bench_advise.py [--rows 1000 --rows 20000] [--repetitions 7]

Runs ``wb.advise`` on ``queries/advise/*.sql`` (13 queries over the example
schema, with traps) at the given scales and prints: the advisor's own time, the
recommended and rejected indexes, and the workload's total time (sum over
queries of the median at the largest scale) before any new index, after the
advisor's recommendation, and after the pick an estimate-only advisor would
make from the same candidates (HypoPG, or plain EXPLAIN after a real build:
every candidate the planner uses and whose estimated cost saving is at least
10 % of a query's cost, chosen greedily by estimated saving). All three
workload times come from one experiment (baseline, advised, estimate-only as
variants, randomised blocks, several clones each). Last line, exactly:

    advised K indexes; workload before B ms, after A ms; estimate-only pick after E ms

Target: A < B and A <= E.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import workbench

ROOT = Path(__file__).resolve().parent.parent


def _ratio_interval(timings, num: str, den: str, resamples: int = 2000) -> tuple[float, ...]:
    """Ratio of workload times (sums of per-query medians) with a hierarchical bootstrap:
    per query and variant, clones are drawn with replacement, then runs within them."""
    rng = np.random.default_rng(0)
    groups = {
        key: [g["ms"].to_numpy() for _, g in df.groupby("clone")]
        for key, df in timings.groupby(["query", "variant"])
    }
    queries = sorted({q for q, _ in groups})

    def total(variant: str, draw: bool) -> float:
        out = 0.0
        for q in queries:
            clones = groups[(q, variant)]
            if draw:
                picked = [clones[i] for i in rng.integers(0, len(clones), len(clones))]
                runs = np.concatenate([c[rng.integers(0, len(c), len(c))] for c in picked])
            else:
                runs = np.concatenate(clones)
            out += float(np.median(runs))
        return out

    point = total(num, False) / total(den, False)
    ratios = [total(num, True) / total(den, True) for _ in range(resamples)]
    lo, hi = np.percentile(ratios, [2.5, 97.5])
    return float(lo), point, float(hi)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", action="append", type=int, default=[])
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument("--backend", default=None)
    args = parser.parse_args()
    scales = tuple(args.rows) or (1_000, 20_000)
    t0 = time.perf_counter()
    with workbench.open(ROOT / "sql", backend=args.backend) as wb:
        print(f"server: {wb.backend} {wb.server_version}; scales {scales}")
        advice = wb.advise(
            str(ROOT / "queries" / "advise" / "*.sql"),
            scales=scales,
            repetitions=args.repetitions,
        )
    print(f"estimates by: {advice.estimate.method}")
    print(
        f"advisor time: {advice.advise_seconds:.1f} s (seeding, candidates, pruning, "
        f"measurement, choice); with the before/after run {advice.total_seconds:.1f} s; "
        f"whole script {time.perf_counter() - t0:.1f} s"
    )
    frame = advice.frame()
    for row in frame.itertuples(index=False):
        if row.status == "recommended":
            print(
                f"  recommended {row.definition}: serves {row.serves}; best "
                f"{row.best_speedup:.2f}x (CI {row.ci_low:.2f}-{row.ci_high:.2f})"
            )
    for row in frame.itertuples(index=False):
        if row.status != "recommended":
            print(f"  rejected {row.definition}: {row.reason}")
    est = [advice.candidates.candidates[n].label for n in advice.estimate_pick]
    print(f"estimate-only pick ({len(est)}): {'; '.join(est) or 'nothing'}")
    for scale in advice.scales:
        print(
            f"  workload @ {scale}: before {advice.workload_ms('baseline', scale):.2f} ms, "
            f"advised {advice.workload_ms('advised', scale):.2f} ms, estimate-only "
            f"{advice.workload_ms('estimate_only', scale):.2f} ms"
        )
    largest = advice.largest
    for q in advice.queries:
        b = advice.totals[(largest, "baseline", q)]
        a = advice.totals[(largest, "advised", q)]
        e = advice.totals[(largest, "estimate_only", q)]
        print(f"  {q:28s} before {b:8.3f}  advised {a:8.3f}  estimate-only {e:8.3f} ms")
    lo, mid, hi = _ratio_interval(advice.final[-1].timings, "estimate_only", "advised")
    print(
        f"estimate-only / advised workload time at {largest}: {mid:.2f} "
        f"(95% CI {lo:.2f}-{hi:.2f}; clones then runs resampled per query)"
    )
    lo, mid, hi = _ratio_interval(advice.final[-1].timings, "baseline", "advised")
    print(f"before / advised workload time at {largest}: {mid:.2f} (95% CI {lo:.2f}-{hi:.2f})")
    b = advice.workload_ms("baseline")
    a = advice.workload_ms("advised")
    e = advice.workload_ms("estimate_only")
    print(
        f"advised {len(advice.chosen)} indexes; workload before {b:.1f} ms, after {a:.1f} ms; "
        f"estimate-only pick after {e:.1f} ms"
    )


if __name__ == "__main__":
    main()

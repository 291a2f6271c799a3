"""Benchmark: are the experiment's verdicts calibrated? A/A false verdicts and A/B power.

Issue 14. Two kinds of experiment on the example schema, each run exactly the
way ``wb.experiment`` runs one (``run_experiment`` on a seeded database: the
runner clones it, freezes and analyses the clone, makes ``clones`` databases per
variant, times in randomised blocks, bootstraps clones then runs), with the
default measuring settings (15 repetitions, 3 warm-ups, 3 EXPLAIN runs, 2 clones
per variant):

* A/A: the three queries of ``queries/``, variants ``a`` and ``b`` either
  identical or ``b`` adding ``CREATE INDEX ON audit_log (action)`` (a table none
  of them reads), at two data scales. Any "faster"/"slower" verdict is false.
* A/B: ``comments_by_author`` with and without the ``comments.author_id`` index
  at 100,000 comments, a real effect: a verdict "faster" is a detection.

It also prints, per query, how often ``b`` measured slower than ``a`` in the A/A
runs and the median ratio (the issue's systematic bias showed as ``b`` slower in
28 of 40 experiments on ``tasks_by_assignee``), and the share of A/A intervals
that exclude 1.0 (what the intervals alone claim, before the verdict rules).

Last line, exactly: ``false verdicts F/N (rate R), detected D/M (power P)``.
Targets: rate <= 0.05, power >= 0.95.

Run: ``.venv/bin/python benchmarks/bench_verdicts.py [--quick] [--aa 60] [--ab 20] [--clones 2]``
(about 17 minutes for the full run at load 5-12 on the shared 2-core machine, 3 with --quick).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import workbench
from workbench.explain import Experiment, Variant, load_queries, run_experiment
from workbench.seed import seed

ROOT = Path(__file__).resolve().parent.parent
QUERIES = str(ROOT / "queries" / "*.sql")
OTHER_TABLE = "CREATE INDEX ON audit_log (action)"
AUTHOR_INDEX = "CREATE INDEX ON comments (author_id)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aa", type=int, default=60, help="A/A experiments (split over scales)")
    parser.add_argument("--ab", type=int, default=20, help="A/B experiments")
    parser.add_argument(
        "--scales", type=int, nargs=2, default=(1_000, 5_000), help="rows per table, A/A"
    )
    parser.add_argument("--quick", action="store_true", help="12 A/A and 6 A/B experiments")
    parser.add_argument(
        "--clones", type=int, default=2, help="clones per variant (2, the default, is the design)"
    )
    args = parser.parse_args()
    if args.quick:
        args.aa, args.ab = 12, 6
    queries = load_queries(QUERIES)
    t_start = time.perf_counter()
    with workbench.open(ROOT / "sql") as wb:
        server = wb.server
        sources: dict[str, str] = {}
        try:
            for label, shape in (
                *((f"{s:,} rows", s) for s in args.scales),
                ("100,000 comments", {"default": 5_000, "tables": {"comments": 100_000}}),
            ):
                t = time.perf_counter()
                db = server.create_database(template=wb.template)
                sources[label] = db
                seed(server.conninfo(db), wb.schema, shape, seed=0, progress=False)
                print(f"seeded {label} in {time.perf_counter() - t:.1f} s", flush=True)

            false_claims = n_aa = clear_intervals = 0
            ratios: dict[tuple[str, str], list[float]] = defaultdict(list)
            aa_labels = [f"{s:,} rows" for s in args.scales]
            for i in range(args.aa):
                label = aa_labels[i % 2]
                kind = "identical" if (i // 2) % 2 == 0 else "other table"
                b_ddl = () if kind == "identical" else (OTHER_TABLE,)
                experiment = Experiment(
                    queries, (Variant("a"), Variant("b", ddl=b_ddl)), seed=i, clones=args.clones
                )
                result = run_experiment(server, experiment, base_db=sources[label], progress=False)
                line = []
                for s, row in zip(
                    result.speedups(), result.comparisons().itertuples(index=False), strict=True
                ):
                    assert s is not None
                    n_aa += 1
                    false_claims += bool(s.claims)
                    clear_intervals += bool(s.clear)
                    ratios[(label, row.query)].append(1 / s.ratio)  # b time / a time
                    mark = "FALSE " if s.claims else ""
                    line.append(f"{row.query} {1 / s.ratio:.2f} [{mark}{s.verdict}]")
                print(
                    f"A/A {i + 1:3d} [{time.perf_counter() - t_start:4.0f} s] {label:>12} "
                    f"{kind:<11}: " + "; ".join(line),
                    flush=True,
                )

            detected = 0
            ab_query = [q for q in queries if q.name == "comments_by_author"]
            for i in range(args.ab):
                experiment = Experiment(
                    ab_query,
                    (Variant("baseline"), Variant("author_index", ddl=AUTHOR_INDEX)),
                    seed=i,
                    clones=args.clones,
                )
                result = run_experiment(
                    server, experiment, base_db=sources["100,000 comments"], progress=False
                )
                s = result.speedup("author_index")
                hit = s.claims and s.ratio > 1
                detected += hit
                print(f"A/B {i + 1:3d}: {'' if hit else 'MISSED '}{s}", flush=True)
        finally:
            for db in sources.values():
                server.drop_database(db)

    print()
    print("A/A ratio b/a per scale and query (median, share of experiments with b slower):")
    for (label, query), rs in sorted(ratios.items()):
        slower = sum(r > 1 for r in rs)
        print(
            f"  {label:>12} {query:<20} median {statistics.median(rs):.3f}, "
            f"range {min(rs):.2f}-{max(rs):.2f}, b slower in {slower}/{len(rs)}"
        )
    print(
        f"A/A intervals excluding 1.0: {clear_intervals}/{n_aa} "
        f"({clear_intervals / max(n_aa, 1):.3f}); verdict claims are what counts below"
    )
    print(f"runtime {time.perf_counter() - t_start:.0f} s")
    rate = false_claims / max(n_aa, 1)
    power = detected / max(args.ab, 1)
    sys.stdout.write(
        f"false verdicts {false_claims}/{n_aa} (rate {rate:.3f}), "
        f"detected {detected}/{args.ab} (power {power:.2f})\n"
    )


if __name__ == "__main__":
    main()

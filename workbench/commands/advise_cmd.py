"""``workbench advise``: recommend indexes for a workload, each with measured evidence.

    workbench advise --sql sql --queries 'queries/advise/*.sql' --rows 1000 --rows 20000

Candidates come from the queries and their plans, are pruned by estimate, then
built for real on seeded clones at every ``--rows`` scale and timed with and
without (see docs/parts/advise.md). Prints the recommended indexes with their
speed-up intervals and the rejected ones with the reason; ``--out`` gets
report.md, migration.sql (CREATE INDEX CONCURRENTLY), candidates.csv and
evidence.csv.
"""

from __future__ import annotations

import argparse

from workbench.advise import AdviseError
from workbench.commands.common import add_backend_arguments, open_from_args


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sql", default="sql", help="directory (or file) of schema SQL")
    parser.add_argument(
        "--queries",
        action="append",
        required=True,
        metavar="GLOB",
        help="query files or a glob (queries/advise/*.sql); repeat for several",
    )
    parser.add_argument(
        "--rows",
        action="append",
        type=int,
        default=[],
        metavar="N",
        help="a data scale (rows per table, seeded); at least two (default 1000 and 20000)",
    )
    parser.add_argument(
        "--budget", default=None, help="at most this many indexes (N) or this much size (50MB)"
    )
    parser.add_argument(
        "--writes",
        action="append",
        default=[],
        metavar="TABLE=ROWS",
        help="rows written to TABLE per workload run (weighs write overhead against the gain)",
    )
    parser.add_argument("--repetitions", type=int, default=7, help="timed runs per clone")
    parser.add_argument("--clones", type=int, default=2, help="databases per variant")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the bootstrap")
    parser.add_argument("--out", default="advise-report", help="directory for the report")
    add_backend_arguments(parser)


def _writes(specs: list[str]) -> dict[str, int]:
    out = {}
    for spec in specs:
        table, sep, rows = spec.partition("=")
        if not sep or not rows.strip().isdigit():
            raise AdviseError(f"--writes {spec!r}: write TABLE=ROWS, e.g. audit_log=1000")
        out[table.strip()] = int(rows)
    return out


def run(args: argparse.Namespace) -> int:
    from workbench.advise import advise

    budget: int | str | None = args.budget
    if isinstance(budget, str) and budget.isdigit():
        budget = int(budget)
    with open_from_args(args) as wb:
        advice = advise(
            wb,
            list(args.queries),
            scales=tuple(args.rows) or (1_000, 20_000),
            budget=budget,
            writes=_writes(args.writes),
            repetitions=args.repetitions,
            clones=args.clones,
            seed=args.seed,
        )
    report = advice.write(args.out)
    frame = advice.frame()
    for row in frame.itertuples(index=False):
        if row.status == "recommended":
            print(
                f"recommended: {row.definition} — serves {row.serves}; best {row.best_speedup:.2f}x "
                f"(CI {row.ci_low:.2f}–{row.ci_high:.2f}) at {advice.largest} rows"
            )
    for row in frame.itertuples(index=False):
        if row.status != "recommended":
            print(f"rejected: {row.definition}: {row.reason}")
    print(
        f"workload at {advice.largest} rows: before {advice.workload_ms('baseline'):.2f} ms, "
        f"after {advice.workload_ms('advised'):.2f} ms"
    )
    print(f"report: {report}")
    return 0

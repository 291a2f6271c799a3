"""``workbench demo --out build/``: the whole flow on the example schema, headless.

Start a disposable server, load the example schema (shipped with the package, so
the command works from any folder; ``--sql`` names another), lint, draw diagrams, seed, run the
example EXPLAIN experiment, export every artifact, and print where each went.
It is the README's main command, so it must finish in well under a minute on a
2-core machine: data sizes are modest on purpose (``--rows`` raises them).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from workbench.commands.common import add_backend_arguments, open_from_args, positive_int
from workbench.commands.load_cmd import format_summary
from workbench.errors import WorkbenchError
from workbench.example import example_dir
from workbench.files import write_atomic


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sql", default=None, help="schema directory (default: the example schema, shipped)"
    )
    parser.add_argument(
        "--queries",
        default=None,
        help="directory of queries (default: the example's, or ./queries with --sql)",
    )
    parser.add_argument("--out", default="build", help="where the artifacts go (default: build/)")
    parser.add_argument(
        "--rows", type=positive_int, default=3000, help="rows per table to seed (default: 3000)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed number for the generated data")
    add_backend_arguments(parser)


class _Steps:
    """Prints each step as it finishes, with its time, and remembers the artifacts."""

    def __init__(self) -> None:
        self.t0 = time.perf_counter()
        self.artifacts: list[tuple[str, Path]] = []

    def done(self, what: str, started: float, detail: str = "") -> None:
        print(f"  {what:<12} {time.perf_counter() - started:6.2f} s  {detail}", flush=True)

    def add(self, label: str, path: Path) -> None:
        self.artifacts.append((label, path))


def run(args: argparse.Namespace) -> int:
    from workbench.diagram import diagram
    from workbench.explain import Experiment, Variant, load_queries, write_report
    from workbench.lint.locate import Locator
    from workbench.seed import seed_script

    # The example ships with the package: the demo runs from any folder.
    if args.queries is None:
        args.queries = str(example_dir("queries")) if args.sql is None else "queries"
    elif not Path(args.queries).is_dir():
        raise WorkbenchError(f"--queries {args.queries}: no such directory")
    if args.sql is None:
        args.sql = str(example_dir("sql"))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    steps = _Steps()
    print(f"Schema Workbench demo: {args.sql} → {out}/", flush=True)

    t = time.perf_counter()
    with open_from_args(args) as wb:
        summary = wb.summary()
        steps.done(
            "load", t, f"{summary['tables']} tables on PostgreSQL {summary['server_version']}"
        )

        t = time.perf_counter()
        report = wb.lint()
        locate = Locator.from_paths(args.sql)
        for suffix, text in (
            ("txt", report.to_text(locate)),
            ("json", report.to_json(locate)),
            ("sarif", report.to_sarif(locate)),
        ):
            steps.add(f"lint ({suffix})", write_atomic(out / f"lint.{suffix}", text))
        counts = ", ".join(f"{n} {sev}" for sev, n in report.counts.items() if n) or "no findings"
        steps.done("lint", t, counts)

        t = time.perf_counter()
        whole = diagram(wb.schema, title="Entity-relationship diagram")
        for name in ("er.png", "er.dot"):
            for path in whole.save(out / "diagrams" / name):
                steps.add("diagram", path)
        focus_table = (
            "tasks"
            if any(tb.name == "tasks" for tb in wb.schema.tables)
            else wb.schema.tables[0].name
        )
        focus = diagram(wb.schema, focus=focus_table, depth=1)
        for path in focus.save(out / "diagrams" / f"{focus_table}-neighbourhood.svg"):
            steps.add("diagram", path)
        steps.done("diagrams", t, f"whole schema and {focus_table!r} with its neighbours")

        t = time.perf_counter()
        # Comments outnumber everything else, as they do in real systems; that is also where
        # the example's deliberately unindexed foreign key (comments.author_id) starts to hurt.
        names = {tb.name for tb in wb.schema.tables}
        shape = {"default": args.rows}
        if "comments" in names:
            shape["tables"] = {"comments": args.rows * 20}
        seeded = wb.seed(shape, seed=args.seed, progress=sys.stderr.isatty())
        assert wb.seeded is not None  # wb.seed() keeps the database it filled
        with wb.seeded.connect() as conn:
            script = seed_script(conn, wb.schema, limit_per_table=100)
        steps.add("seed script", write_atomic(out / "seed.sql", script))
        steps.done("seed", t, f"{seeded.total_rows:,} rows, {seeded.rows_per_second:,.0f} rows/s")

        queries_dir = Path(args.queries)
        if queries_dir.is_dir() and any(queries_dir.glob("*.sql")):
            t = time.perf_counter()
            variants = [Variant("baseline")]
            if "comments" in names:
                variants.append(
                    Variant(
                        "author_index",
                        ddl=("CREATE INDEX idx_comments_author_id ON comments (author_id)",),
                    )
                )
            experiment = Experiment(
                load_queries([str(queries_dir / "*.sql")]),
                tuple(variants),
                repetitions=15,
                warmup=3,
            )
            result = wb.experiment(experiment, progress=sys.stderr.isatty())
            steps.add("experiment report", write_report(result, out / "experiments"))
            verdicts = [
                f"{r.query}: {r.verdict}" for r in result.comparisons().itertuples(index=False)
            ]
            warnings = result.warnings()
            if warnings:
                verdicts.append(f"{len(warnings)} warning(s) in the report")
            steps.done("experiment", t, "; ".join(verdicts)[:200])

        t = time.perf_counter()
        exported = wb.export(out)
        for path in exported.written:
            steps.add("export", path)
        for failure in exported.failures:
            print(f"workbench: error: export of {failure}", file=sys.stderr)
        steps.done("export", t, ", ".join(p.name for p in exported.written))

    print()
    print(format_summary(summary))
    print()
    print("Artifacts:")
    for label, path in steps.artifacts:
        print(f"  {label:<18} {path}")
    print(f"\nDone in {time.perf_counter() - steps.t0:.1f} s.")
    if exported.failures:
        exported.raise_for_failures()
    return 0

"""``workbench explain``: run an EXPLAIN ANALYZE experiment and write a Markdown report.

    workbench explain --sql sql --query queries/comments_by_author.sql \\
        --variant with_index="CREATE INDEX ON comments (author_id)" --rows 1000 --rows 100000

The baseline is the schema as it is; each ``--variant NAME=DDL`` adds a design
(repeat a NAME to give it several statements); ``--set NAME:setting=value``
gives a variant a setting. Each ``--rows N`` is a data scale seeded with
``workbench.seed``; ``--shape FILE`` (the JSON shape ``workbench seed`` reads)
gives lookup tables their real sizes and columns their real values, alone (one
seeded database) or with ``--rows`` (then N replaces the shape's ``default``).
The report (report.md, PNG/SVG pictures, result.json) goes to ``--out``;
warnings (queries returning nothing, skipped files) are printed too.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.commands.common import (
    add_backend_arguments,
    int_at_least,
    non_negative_int,
    open_from_args,
    positive_int,
)
from workbench.explain import (
    Experiment,
    ExplainError,
    Variant,
    load_queries,
    run_experiment,
    seed_with,
    write_report,
)
from workbench.explain.experiment import CACHE_MODES, JIT_MODES, PLAN_CACHE_MODES
from workbench.explain.runner import SeedFn


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--sql", default="sql", help="directory (or file) of schema SQL")
    parser.add_argument(
        "--query",
        action="append",
        required=True,
        metavar="FILE",
        help="query file or glob (queries/*.sql); repeat for several",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="NAME=DDL",
        help="a design to compare with the baseline; repeat a NAME to add statements",
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME:SETTING=VALUE",
        help="a setting for one variant (NAME may be 'baseline'), e.g. baseline:work_mem=64kB",
    )
    parser.add_argument(
        "--rows",
        action="append",
        type=positive_int,
        default=[],
        metavar="N",
        help="seed N rows per table with workbench.seed (repeat for several data scales)",
    )
    parser.add_argument(
        "--shape",
        type=Path,
        default=None,
        metavar="FILE",
        help="JSON seed shape (as `workbench seed --shape`): table sizes, value lists, skew",
    )
    parser.add_argument(
        "--repetitions", type=int_at_least(2), default=15, help="timed runs per clone"
    )
    parser.add_argument(
        "--clones",
        type=positive_int,
        default=2,
        help="databases per variant (the interval covers them)",
    )
    parser.add_argument(
        "--statement-timeout",
        default="2min",
        metavar="DURATION",
        help="statement_timeout of every measured query (default 2min; 0 for none)",
    )
    parser.add_argument(
        "--warmup", type=non_negative_int, default=3, help="untimed runs per variant first"
    )
    parser.add_argument("--cache", choices=CACHE_MODES, default="warm")
    parser.add_argument("--plan-cache", choices=PLAN_CACHE_MODES, default="auto")
    parser.add_argument("--jit", choices=JIT_MODES, default="default")
    parser.add_argument(
        "--no-timing",
        action="store_true",
        help="EXPLAIN with TIMING OFF only (totals without per-node timing overhead)",
    )
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and the bootstrap")
    parser.add_argument(
        "--out", default="explain-report", help="directory for report.md and its pictures"
    )
    add_backend_arguments(parser)


def _variants(specs: list[str], sets: list[str]) -> list[Variant]:
    ddl: dict[str, list[str]] = {"baseline": []}
    settings: dict[str, dict[str, str]] = {"baseline": {}}
    for spec in specs:
        name, sep, statement = spec.partition("=")
        if not sep or not name.strip() or not statement.strip():
            raise ExplainError(f"--variant {spec!r}: write NAME=DDL, e.g. idx='CREATE INDEX ...'")
        ddl.setdefault(name.strip(), []).append(statement.strip())
        settings.setdefault(name.strip(), {})
    for spec in sets:
        name, sep, rest = spec.partition(":")
        key, eq, value = rest.partition("=")
        if not sep or not eq or not key.strip():
            raise ExplainError(f"--set {spec!r}: write NAME:SETTING=VALUE, e.g. baseline:jit=off")
        if name not in ddl:
            raise ExplainError(f"--set {spec!r}: no variant {name!r}; known: {', '.join(ddl)}")
        settings[name][key.strip()] = value.strip()
    return [Variant(n, ddl=tuple(ddl[n]), settings=settings[n]) for n in ddl]


def _read_shape(path: Path | None) -> dict | None:  # type: ignore[type-arg]
    if path is None:
        return None
    try:
        shape = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise ExplainError(f"cannot read shape file {path}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ExplainError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from exc
    if isinstance(shape, int):
        shape = {"default": shape}
    if not isinstance(shape, dict):
        raise ExplainError(f"{path}: a shape is a row count or a JSON object")
    return shape


def run(args: argparse.Namespace) -> int:
    queries = load_queries([Path(q) if not any(c in q for c in "*?[") else q for q in args.query])
    shape = _read_shape(args.shape)
    timeout = None if args.statement_timeout in ("0", "") else args.statement_timeout
    experiment = Experiment(
        queries,
        tuple(_variants(args.variant, args.set)),
        scales=tuple(args.rows) or None,
        clones=args.clones,
        statement_timeout=timeout,
        repetitions=args.repetitions,
        warmup=args.warmup,
        cache=args.cache,
        timing=not args.no_timing,
        plan_cache=args.plan_cache,
        jit=args.jit,
        seed=args.seed,
    )
    with open_from_args(args) as wb:
        seed_fn: SeedFn | None = None
        if args.rows and shape is not None:
            from workbench.seed import seed as seed_database

            def seed_shape(conninfo: str, rows: int) -> None:
                seed_database(
                    conninfo, wb.schema, {**shape, "default": rows}, seed=args.seed, progress=False
                )

            seed_fn = seed_shape
        elif args.rows:
            seed_fn = seed_with(wb.schema, seed=args.seed)
        elif shape is not None:
            wb.seed(shape, seed=args.seed, progress=sys.stderr.isatty())
        base_db = wb.seeded.name if wb.seeded is not None else None
        result = run_experiment(
            wb, experiment, base_db=base_db, seed_fn=seed_fn, progress=sys.stderr.isatty()
        )
    report = write_report(result, args.out)
    for row in result.comparisons().itertuples(index=False):
        print(
            f"{row.query} @ {row.scale} ({row.condition}): {row.variant} vs {row.baseline}: "
            f"{row.verdict} (speed-up {row.speedup:.2f}, CI {row.ci_low:.2f}–{row.ci_high:.2f})"
        )
    for change in result.shape_changes():
        print(change)
    for warning in result.warnings():
        print(f"warning: {warning}")
    for note in experiment.skipped:
        print(f"note: {note}")
    print(f"report: {report}")
    return 0

"""Benchmark: lint a generated 1,000-table schema, next to introspecting it.

Prints the median of several runs of ``lint(schema)`` (every rule, opt-in ones
included) and of ``introspect(conn)`` for the same database in the same run,
and their ratio. Lint is pure Python over the model, so it should cost a
fraction of reading the catalog; the ratio says whether a slow figure is the
machine or the rules.

    .venv/bin/python benchmarks/bench_lint.py [--tables 1000] [--runs 5]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_introspect import generate, median_time

from workbench.introspect import introspect
from workbench.lint import LintConfig, lint
from workbench.server import start_server


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    config = LintConfig(enable=frozenset({"all"}))
    with start_server("embedded") as srv:
        db = srv.create_database()
        with srv.connect(db, autocommit=True) as conn:
            conn.execute(generate(args.tables))
        with srv.connect(db) as conn:
            schema = introspect(conn)
            t_intro = median_time(lambda: introspect(conn), args.runs)
        report = lint(schema, config=config)
        t_lint = median_time(lambda: lint(schema, config=config), args.runs)
    print(f"tables: {len(schema.tables)}, findings: {len(report)} ({report.summary()})")
    print(f"lint (all rules)     median {t_lint * 1000:8.1f} ms")
    print(f"introspect (reference) median {t_intro * 1000:8.1f} ms")
    print(f"ratio lint / introspect: {t_lint / t_intro:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

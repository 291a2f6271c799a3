"""Benchmark: ER diagrams of a generated 1,000-table schema.

Targets (issue 4): the whole schema renders to SVG in under 10 s, a focus
diagram of it in under 0.5 s. Printed for every Graphviz binary on the machine,
next to a reference measured in the same run: eralchemy's own rendering path
(its intermediary model → its DOT → the same binary) on the same tables and
foreign keys. The ratio is ours / eralchemy's; no figure is asserted.

Run: ``.venv/bin/python benchmarks/bench_diagram.py [--tables 1000]``.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    args = parser.parse_args()
    gen_s, schema = timed(lambda: generate_schema(args.tables))
    print(
        f"generated {len(schema.tables)} tables, {len(schema.foreign_keys)} foreign keys in {gen_s:.2f} s"
    )  # type: ignore[union-attr]
    binaries = available_binaries()
    if not binaries:
        raise SystemExit(
            "no Graphviz binary: apt-get install graphviz or pip install graphviz-pure"
        )
    for binary in binaries:
        bench(schema, binary)  # type: ignore[arg-type]


if __name__ == "__main__":
    main()

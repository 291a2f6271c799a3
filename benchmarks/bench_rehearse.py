"""Rehearse a typical migration at three scales; per statement the lock time and its slope.

The migration (A → B, on a customer/orders schema) has one statement of each cost:
a widening (metadata), an int → bigint (rewrite), a volatile default (rewrite),
SET NOT NULL through a validated CHECK, a CHECK and a foreign key NOT VALID +
VALIDATE, and CREATE INDEX CONCURRENTLY. Each scale seeds A with ``--rows`` per
table; the table prints, per upgrade statement, the lock held (measured), the time
it was held at each scale, the least-squares slope (ms per million rows, with a 95%
interval from the three points) and the extrapolation to 50 M rows.

Run: .venv/bin/python benchmarks/bench_rehearse.py [--rows 20000 --rows 100000 --rows 300000]
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import pandas as pd

from workbench.rehearse import rehearse_paths
from workbench.server import start_server

A = """
CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(40) NOT NULL, email text);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL CONSTRAINT orders_customer_fk REFERENCES customer,
    amount integer NOT NULL,
    note text
);
"""
B = """
CREATE TABLE customer (id bigint PRIMARY KEY, name varchar(80) NOT NULL, email text NOT NULL);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL CONSTRAINT orders_customer_fk REFERENCES customer ON DELETE CASCADE,
    amount bigint NOT NULL,
    note text CONSTRAINT note_len CHECK (length(coalesce(note, '')) < 100000),
    r double precision DEFAULT random()
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, action="append", default=[])
    args = parser.parse_args()
    rows = args.rows or [20_000, 100_000, 300_000]
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("a", A), ("b", B)):
            (Path(tmp) / name).mkdir()
            (Path(tmp) / name / "schema.sql").write_text(text)
        with start_server() as srv:
            r = rehearse_paths(srv, Path(tmp) / "a", Path(tmp) / "b", rows=rows,
                               seed_options={"null_fraction": 0.0})  # fmt: skip
    s = r.summary()
    up = s[s["direction"] == "up"].drop(columns=["direction"])
    with pd.option_context("display.width", 250, "display.max_columns", 30,
                           "display.max_colwidth", 70):  # fmt: skip
        print(up.to_string(index=False))
    print()
    for line in r.sentences():
        if line.startswith("up "):
            print(line)
    print("proven both ways:", r.proven)


if __name__ == "__main__":
    main()

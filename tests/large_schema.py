"""A generated large schema: N partitioned tables, each with P partitions and I indexes.

Large applications hold thousands of relations; loading them in one transaction holds a
lock per relation until the commit, which is what ``max_locks_per_transaction`` limits.
Used by tests/test_layouts.py (1,500 x 3 x 4 loads with default settings) and by
benchmarks/bench_load.py (the same files through the workbench and through psql -f).
"""

from __future__ import annotations

from pathlib import Path


def generate(out: Path, tables: int = 1500, partitions: int = 3, indexes: int = 4) -> Path:
    """Write ``out/<nnn>_tables.sql`` files (100 tables each); return ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    cols = ["account_id", "name", "created_at", "status"]
    per_file = 100
    for f in range(0, tables, per_file):
        parts: list[str] = []
        for i in range(f, min(f + per_file, tables)):
            t = f"t{i:05d}"
            parts.append(
                f"CREATE TABLE {t} (\n    id bigint NOT NULL,\n    created_at date NOT NULL,\n"
                f"    account_id bigint,\n    name text,\n    status smallint DEFAULT 0 NOT NULL,\n"
                f"    payload jsonb,\n    PRIMARY KEY (id, created_at)\n"
                f") PARTITION BY RANGE (created_at);\n"
            )
            for p in range(partitions):
                y = 2020 + p
                parts.append(
                    f"CREATE TABLE {t}_y{y} PARTITION OF {t} "
                    f"FOR VALUES FROM ('{y}-01-01') TO ('{y + 1}-01-01');\n"
                )
            for k in range(indexes):
                c = cols[k % len(cols)]
                parts.append(f"CREATE INDEX {t}_{c}_{k}_idx ON {t} ({c}, id);\n")
        (out / f"{f // per_file + 1:03d}_tables.sql").write_text("".join(parts))
    return out

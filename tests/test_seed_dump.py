"""``--dump``: COPY blocks that ``psql -f`` reloads, a pg_dump archive, INSERTs on request.

Each dump is reloaded into an empty clone of the schema (by psql / pg_restore, the tools
a user would run) and compared with the seeded database.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import EXAMPLE_SQL
from tests.test_seed import CYCLE
from workbench.introspect import introspect
from workbench.seed import seed
from workbench.seed.dump import write_dump


def _counts(conninfo: str) -> dict[str, int]:
    with psycopg.connect(conninfo) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT oid::regclass::text FROM pg_class WHERE relkind IN ('r', 'p')"
                " AND relnamespace = 'public'::regnamespace AND NOT relispartition"
            )
        ]
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def _tool(server, name: str) -> str:
    if server.bindir is None or not (Path(server.bindir) / name).exists():
        pytest.skip(f"{name} not available for this server backend")
    return str(Path(server.bindir) / name)


def _dbname(conninfo: str) -> str:
    return psycopg.conninfo.conninfo_to_dict(conninfo)["dbname"]


@pytest.mark.parametrize("fmt", ["copy", "custom", "insert"])
def test_example_dump_reloads_into_an_empty_clone(fmt, template_for, new_db, server, tmp_path):
    template = template_for(EXAMPLE_SQL)
    conninfo = new_db(template=template)
    with psycopg.connect(conninfo) as conn:
        schema = introspect(conn)
    seed(conninfo, schema, 300, progress=False)
    path = tmp_path / f"seed.{fmt}"
    write_dump(conninfo, schema, path, format=fmt, bindir=server.bindir)
    if fmt == "copy":
        head = path.read_bytes()[:4000]
        assert b"FROM stdin;" in head and b"INSERT INTO" not in head
    fresh = new_db(template=template)
    if fmt == "custom":
        cmd = [
            _tool(server, "pg_restore"),
            "--data-only",
            "--exit-on-error",
            "-d",
            fresh,
            str(path),
        ]
    else:
        cmd = [_tool(server, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", fresh]
        cmd += ["-f", str(path)]
    subprocess.run(cmd, check=True, capture_output=True)
    assert _counts(fresh) == _counts(conninfo)
    assert sum(_counts(fresh).values()) > 3000


def test_copy_dump_sets_cycles_at_the_end_and_thins_with_a_limit(
    db_holding, new_db, server, tmp_path
):
    template = _dbname(db_holding(CYCLE))
    conninfo = new_db(template=template)
    with psycopg.connect(conninfo) as conn:
        schema = introspect(conn)
    seed(conninfo, schema, 200, progress=False)
    psql = _tool(server, "psql")
    for limit in (None, 50):
        path = tmp_path / f"seed-{limit}.sql"
        write_dump(conninfo, schema, path, limit_per_table=limit)
        fresh = new_db(template=template)
        subprocess.run(
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", fresh, "-f", str(path)],
            check=True,
            capture_output=True,
        )
        with psycopg.connect(fresh) as conn:
            heads = conn.execute("SELECT count(head_id) FROM departments").fetchone()[0]
            managers = conn.execute("SELECT count(manager_id) FROM employees").fetchone()[0]
            employees = conn.execute("SELECT count(*) FROM employees").fetchone()[0]
        assert heads > 0 and managers > 0
        # with a limit, employees whose department was left out are left out too
        assert employees == 200 if limit is None else 0 < employees <= 50

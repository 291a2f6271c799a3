"""The disposable server: backends, security, no orphans, parallel owners."""

from __future__ import annotations

import json
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

import workbench
from workbench.errors import ExternalServerError, ServerError
from workbench.server import start_server
from workbench.server.binaries import system_binaries
from workbench.server.local import LocalServer, clean_stale_instances, runtime_base

from .conftest import CORPUS, EXAMPLE_SQL, ROOT


def _system_pg15_available() -> bool:
    try:
        system_binaries(major=15)
    except ServerError:
        return False
    return True


needs_pg15 = pytest.mark.skipif(
    not _system_pg15_available(),
    reason="Debian's postgresql-15 server is not installed (.ci/run installs it)",
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_embedded_server_is_private(server):
    assert isinstance(server, LocalServer)
    assert server.backend == "embedded"
    assert server.version_num >= 180000
    mode = stat.S_IMODE(server.socket_dir.stat().st_mode)
    assert mode == 0o700
    assert server.admin.execute("SHOW listen_addresses").fetchone()[0] == ""
    assert server.admin.execute("SHOW fsync").fetchone()[0] == "off"
    if os.geteuid() == 0:  # PostgreSQL refuses root: it must run as an unprivileged user
        assert server.data.stat().st_uid != 0
        uid = int(Path(f"/proc/{server.pid}/status").read_text().split("Uid:")[1].split()[0])
        assert uid != 0


def test_tcp_listens_on_loopback_with_a_password():
    with start_server(tcp=True) as srv:
        assert srv.admin.execute("SHOW listen_addresses").fetchone()[0] == "127.0.0.1"
        with psycopg.connect(srv.tcp_conninfo("postgres")) as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(
                host="127.0.0.1",
                port=srv.port,
                user="postgres",
                password="wrong",
                dbname="postgres",
            )


def test_clone_holds_the_schema_and_is_independent():
    with workbench.open(EXAMPLE_SQL) as wb:
        with wb.new_database() as a, wb.new_database() as b:
            with a.connect() as conn:
                conn.execute("DROP TABLE task_tags")
                conn.commit()
            with b.connect() as conn:
                assert conn.execute("SELECT to_regclass('task_tags') IS NOT NULL").fetchone() == (
                    True,
                )
        assert a.name not in wb.server.databases
        with pytest.raises(ServerError, match="did not create it"):
            wb.server.drop_database("postgres")


OWNER_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    import workbench
    wb = workbench.open({sql!r})
    print(json.dumps({{"pid": wb.server.pid, "dir": str(wb.server.dir),
                      "watchdog": wb.server._watchdog.pid}}), flush=True)
    time.sleep(120)
    """
)


def test_sigkill_of_the_owner_leaves_no_server_behind():
    proc = subprocess.Popen(
        [sys.executable, "-c", OWNER_SCRIPT.format(sql=str(EXAMPLE_SQL))],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    info = json.loads(proc.stdout.readline())
    assert _alive(info["pid"]) and Path(info["dir"]).exists()
    children = [
        info["pid"],
        *map(
            int,
            subprocess.run(
                ["pgrep", "-P", str(info["pid"])], capture_output=True, text=True
            ).stdout.split(),
        ),
    ]
    assert len(children) > 2  # the postmaster and its auxiliary processes
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and (
        any(_alive(int(p)) for p in children) or Path(info["dir"]).exists()
    ):
        time.sleep(0.05)
    assert not any(_alive(int(p)) for p in children), "server processes outlived their owner"
    assert not Path(info["dir"]).exists(), "the instance directory was left behind"


def test_stale_instance_directory_is_cleaned_at_next_start():
    base = runtime_base()
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = base / f"i-{dead.pid}-deadbeef"
    (stale / "data").mkdir(parents=True)
    (stale / "data" / "postmaster.pid").write_text("999999999\n")
    assert stale in clean_stale_instances(base)
    assert not stale.exists()


def test_four_owners_in_parallel_get_their_own_servers():
    script = (
        "import json, workbench\n"
        f"with workbench.open({str(EXAMPLE_SQL)!r}) as wb:\n"
        "    with wb.connect() as c:\n"
        "        n = c.execute(\"select count(*) from pg_tables where schemaname='public'\").fetchone()[0]\n"
        "    print(json.dumps({'dir': str(wb.server.dir), 'tables': n}))\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
        for _ in range(4)
    ]
    results = [json.loads(p.communicate(timeout=120)[0]) for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len({r["dir"] for r in results}) == 4
    assert {r["tables"] for r in results} == {13}


@needs_pg15
def test_system_backend_runs_postgresql_15():
    os.environ.pop("WORKBENCH_PG_BINDIR", None)
    with start_server("system", major=15) as srv:
        assert srv.backend == "system"
        assert 150000 <= srv.version_num < 160000
        assert srv.admin.execute("SHOW listen_addresses").fetchone()[0] == ""


def test_unknown_backend_and_missing_binaries_say_what_to_do(monkeypatch):
    with pytest.raises(ServerError, match="choose one of embedded, system, external"):
        start_server("docker")
    monkeypatch.setenv("WORKBENCH_PG_BINDIR", "/nonexistent/bin")
    with pytest.raises(ServerError, match="WORKBENCH_PG_BINDIR"):
        start_server("system")


# -- external backend: another local server plays the managed one --------------------------
@pytest.fixture(scope="module")
def external_host():
    with start_server(tcp=True) as host:
        host.admin.execute("CREATE ROLE designer LOGIN CREATEDB CREATEROLE PASSWORD 'pw'")
        host.admin.execute("CREATE ROLE reader LOGIN PASSWORD 'pw'")
        host.admin.execute("CREATE DATABASE production")
        yield host


def _url(host, role):
    return f"postgresql://{role}:pw@127.0.0.1:{host.port}/postgres"


def test_external_backend_creates_and_drops_only_its_own_databases(external_host, monkeypatch):
    monkeypatch.setenv("WORKBENCH_DATABASE_URL", _url(external_host, "designer"))
    before = {r[0] for r in external_host.admin.execute("SELECT datname FROM pg_database")}
    with workbench.open(EXAMPLE_SQL) as wb:
        assert wb.backend == "external"
        clone = wb.new_database()
        during = {r[0] for r in external_host.admin.execute("SELECT datname FROM pg_database")}
        assert {wb.template, clone.name} <= during
        assert all(name.startswith("wb_") for name in during - before)
        with pytest.raises(ServerError, match="refusing to drop database 'production'"):
            wb.server.drop_database("production")
    after = {r[0] for r in external_host.admin.execute("SELECT datname FROM pg_database")}
    assert after == before


def test_external_backend_refuses_without_createdb(external_host):
    with pytest.raises(ExternalServerError, match="CREATEDB"):
        start_server("external", url=_url(external_host, "reader"))


# -- every schema of the corpus loads on every backend present -----------------------------
CORPUS_FILES = sorted(CORPUS.glob("*/*.sql"))


@pytest.mark.parametrize("path", [EXAMPLE_SQL, *CORPUS_FILES], ids=lambda p: p.stem)
def test_schema_loads_on_embedded(server, path):
    name = server.create_database()
    try:
        with server.connect(name) as conn:
            report = workbench.loader.load_paths(conn, path, backend=server.backend)
        assert report.statements > 10
    finally:
        server.drop_database(name)


@needs_pg15
@pytest.mark.system_pg
@pytest.mark.parametrize("path", [EXAMPLE_SQL, *CORPUS_FILES], ids=lambda p: p.stem)
def test_schema_loads_on_system_pg15(path):
    with start_server("system", major=15) as srv:
        name = srv.create_database()
        with srv.connect(name) as conn:
            if "pagila" in str(path):
                # Pagila's dump uses uuidv7(), new in PostgreSQL 18: on 15 the load must fail
                # with the file, line and column of that call, and leave nothing behind.
                with pytest.raises(workbench.LoadError) as err:
                    workbench.loader.load_paths(conn, path, backend=srv.backend)
                assert "uuidv7() does not exist" in str(err.value)
                assert err.value.line > 1 and "uuidv7" in err.value.source_line
                assert conn.execute(
                    "SELECT count(*) FROM pg_tables WHERE schemaname='public'"
                ).fetchone() == (0,)
            else:
                assert workbench.loader.load_paths(conn, path, backend=srv.backend).statements > 10


def test_free_port_helper_gives_a_bindable_port():
    from workbench.server.local import _free_port

    port = _free_port()
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


@pytest.mark.skipif(os.geteuid() != 0, reason="only root hands the server to another user")
def test_readable_copy_of_the_binaries_runs_as_the_server_user():
    # When the venv sits under a directory the server user cannot enter (a CI clone under
    # /root), root runs the server from a copy; the copy must still find its libraries.
    from workbench.server.binaries import embedded_binaries
    from workbench.server.local import _demote, _server_user, readable_copy

    copy = readable_copy(embedded_binaries())
    assert copy.bindir != embedded_binaries().bindir
    for tool in ("postgres", "initdb"):
        out = subprocess.run(
            [str(copy.bindir / tool), "--version"], capture_output=True, text=True,
            preexec_fn=_demote(_server_user()), check=True,
        ).stdout  # fmt: skip
        assert "18." in out


def test_external_databases_of_a_killed_owner_are_dropped_next_time(external_host):
    from workbench.server.external import ExternalServer, owner_mark

    url = _url(external_host, "designer")
    first = ExternalServer(url)
    orphan, foreign = first.create_database(), first.create_database()
    dead = subprocess.Popen(["true"])
    dead.wait()
    # the owner dies without closing (as after SIGKILL): its mark names a dead process
    first.admin.execute(f"COMMENT ON DATABASE {orphan} IS '{owner_mark(dead.pid)}'")
    first.admin.execute(
        f"COMMENT ON DATABASE {foreign} IS 'schema-workbench owner host=elsewhere pid=1 start=1'"
    )
    first._created.clear()
    first.close()
    names = lambda: {r[0] for r in external_host.admin.execute("SELECT datname FROM pg_database")}  # noqa: E731
    assert {orphan, foreign} <= names()
    with ExternalServer(url) as second:
        assert second.dropped_stale == [orphan]
    assert orphan not in names() and {foreign, "production"} <= names()
    external_host.admin.execute(f"DROP DATABASE {foreign}")

"""One convention for every sub-command, checked the way a user meets it: as a subprocess.

Bad input (a missing folder, bad SQL, an option value out of range) must give
``workbench: error: ...`` on stderr and exit status 2, never a traceback;
argparse's own usage errors take the same form. Also here: the example schema
that ships with the package (``workbench demo`` from any folder is run in
tests/test_demo.py) and the packaging step that copies it.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import workbench.example as example
from workbench.cli import main

from .conftest import EXAMPLE_SQL, ROOT

BAD_SQL = "CREATE TABLE t (\n  id int,\n  x nosuchtype\n);\n"

#: (id, argv); "{missing}", "{bad}", "{shape}" and "{ex}" are filled in per test.
BAD_INPUT = [
    ("no-command", []),
    ("unknown-command", ["nosuch"]),
    ("load-missing-folder", ["load", "--sql", "{missing}"]),
    ("load-bad-sql", ["load", "--sql", "{bad}"]),
    ("diagram-missing-folder", ["diagram", "--sql", "{missing}", "-o", "x.svg"]),
    ("diagram-bad-suffix", ["diagram", "--sql", "{ex}", "-o", "x.nope"]),
    ("diagram-depth-negative", ["diagram", "-o", "x.svg", "--depth", "-1"]),
    ("seed-rows-negative", ["seed", "--rows", "-5"]),
    ("seed-rows-zero", ["seed", "--rows", "0"]),
    ("seed-rows-text", ["seed", "--rows", "abc"]),
    ("seed-bad-shape", ["seed", "--sql", "{ex}", "--shape", "{shape}"]),
    ("explain-missing-query", ["explain", "--sql", "{ex}", "--query", "{missing}.sql"]),
    ("explain-repetitions-one", ["explain", "--query", "q.sql", "--repetitions", "1"]),
    ("lint-bad-sql", ["lint", "--sql", "{bad}"]),
    ("lint-bad-format", ["lint", "--format", "xml"]),
    ("export-missing-folder", ["export", "--sql", "{missing}", "--out", "out"]),
    ("export-bad-date", ["export", "--date", "yesterday"]),
    ("diff-missing-folders", ["diff", "{missing}", "{missing}2"]),
    ("demo-rows-zero", ["demo", "--rows", "0"]),
    ("demo-missing-queries", ["demo", "--queries", "{missing}"]),
]


def run_cli(args: list[str], cwd: Path, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kw,
    )


@pytest.mark.parametrize("argv", [a for _, a in BAD_INPUT], ids=[i for i, _ in BAD_INPUT])
def test_bad_input_is_one_error_line_and_exit_2(argv, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "001_bad.sql").write_text(BAD_SQL)
    shape = tmp_path / "shape.json"
    shape.write_text("{not json")
    fill = {
        "{missing}": str(tmp_path / "nope"),
        "{bad}": str(bad),
        "{shape}": str(shape),
        "{ex}": str(EXAMPLE_SQL),
    }
    args = [next((a.replace(k, v) for k, v in fill.items() if k in a), a) for a in argv]
    proc = run_cli(args, tmp_path)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith("workbench: error: "), proc.stderr
    if "{bad}" in argv:  # SQL errors keep their editor-friendly location after the prefix
        assert 'bad/001_bad.sql:3:5: ERROR: type "nosuchtype"' in errors[0]


def test_count_options_say_what_they_expect(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["seed", "--rows", "-5"])
    assert exit_info.value.code == 2
    assert "workbench: error: argument --rows: expected a positive integer, got '-5'" in (
        capsys.readouterr().err
    )


def test_lint_findings_are_exit_1_and_a_clean_schema_exit_0(tmp_path):
    (tmp_path / "001.sql").write_text("CREATE TABLE users (id bigint PRIMARY KEY, password text);")
    proc = run_cli(["lint", "--sql", str(tmp_path)], tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "plaintext-secret-column" in proc.stdout and "Traceback" not in proc.stderr


# -- the example schema ships with the package ----------------------------------------


def test_example_is_the_repository_copy_in_a_source_checkout():
    assert example.example_dir("sql") == EXAMPLE_SQL
    assert example.example_dir("queries") == ROOT / "queries"


def test_build_step_copies_the_example_and_the_packaged_copy_wins(tmp_path, monkeypatch):
    """setup.py's build step as pip runs it for a wheel, then the lookup an installed package does."""
    spec = importlib.util.spec_from_file_location("workbench_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    setup_module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(setup_module)  # not as __main__: setup() does not run
    copied = setup_module.copy_example(tmp_path)
    names = {p.relative_to(tmp_path / "workbench" / "_example").as_posix() for p in copied}
    assert names == {f"sql/{p.name}" for p in EXAMPLE_SQL.glob("*.sql")} | {
        f"queries/{p.name}" for p in (ROOT / "queries").glob("*.sql")
    }
    monkeypatch.setattr(example, "PACKAGED", tmp_path / "workbench" / "_example")
    monkeypatch.setattr(example, "REPOSITORY", tmp_path / "no-repository")
    assert example.example_dir("sql") == tmp_path / "workbench" / "_example" / "sql"
    monkeypatch.setattr(example, "PACKAGED", tmp_path / "not-installed")
    with pytest.raises(example.WorkbenchError, match="--sql DIR"):
        example.example_dir("sql")


def test_sdist_manifest_carries_the_example():
    manifest = (ROOT / "MANIFEST.in").read_text().split()
    assert "sql" in manifest and "queries" in manifest


# -- spare clusters go with their owner process -----------------------------------------

CHILD = r"""
import os, sys, time
from pathlib import Path
from workbench.server import start_server

base = Path(os.environ["WORKBENCH_RUNTIME_DIR"])
srv = start_server()
deadline = time.monotonic() + 120
while not list(base.glob("spare-*")) and time.monotonic() < deadline:
    time.sleep(0.02)
print("spares", len(list(base.glob("spare-*"))), flush=True)
mode = sys.argv[1]
if mode == "close":
    srv.close()
    left = [p.name.split("-")[0] for p in base.iterdir()] if base.exists() else []
    print("after close", sorted(left), flush=True)
elif mode == "kill":
    time.sleep(600)  # the test SIGKILLs us here
"""


@pytest.fixture
def runtime_dir():
    """A runtime directory of the child's own, on /dev/shm as in real use (never the session's)."""
    import shutil
    import tempfile

    parent = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else Path(tempfile.gettempdir())
    holder = Path(tempfile.mkdtemp(prefix="wb-spare-test-", dir=parent))
    holder.chmod(0o711)  # run as root, the server user must reach the instance below
    yield holder / "rt"
    shutil.rmtree(holder, ignore_errors=True)


def _leftovers(base: Path, within: float = 20.0) -> list[str] | None:
    """What stays of ``base`` (None: it is gone), waiting a bounded while for the keeper."""
    import time

    deadline = time.monotonic() + within
    while True:
        left = sorted(p.name for p in base.iterdir()) if base.exists() else None
        if left is None or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


@pytest.mark.parametrize("mode", ["close", "exit", "kill"])
def test_no_spare_cluster_outlives_its_owner_process(mode, runtime_dir):
    env = {**os.environ, "WORKBENCH_RUNTIME_DIR": str(runtime_dir)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, mode], env=env, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "spares 1"  # a spare was made: the case is real
    if mode == "close":  # the spare waits for the process's next start while it lives
        assert child.stdout.readline().strip() == "after close ['spare']"
    if mode == "kill":
        child.kill()  # SIGKILL: only the watchdog is left to clean up
    child.wait(60)
    # no instance, no spare, and the runtime directory itself gone with the last owner
    assert _leftovers(runtime_dir) is None

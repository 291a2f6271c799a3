"""JupyterLab itself works: start it, run the starter notebook through its kernel API.

nbval (``pytest --nbval notebooks/``) proves the notebooks run in a kernel; this
test proves the *lab* does: a real ``jupyter lab`` on a free port, bound to
127.0.0.1 with a token, rooted at the repository like ``./dev lab`` (so ``sql/``,
``queries/`` and ``build/`` sit beside ``notebooks/``). The test
reads the starter notebook through the contents API, opens a session for it
(``POST /api/sessions``, which starts its kernel, as the lab's frontend does),
sends every code cell as an ``execute_request`` over the
kernel's websocket, and checks the replies and rich outputs. The same module
also checks that the committed notebooks are stripped and say what they are for.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import websocket

from .conftest import ROOT

NOTEBOOKS = ROOT / "notebooks"
STARTUP_TIMEOUT = 60.0
CELL_TIMEOUT = 120.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    base: str
    token: str
    process: subprocess.Popen
    log: Path

    def request(
        self, method: str, path: str, body: Any = None, *, token: bool = True
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"token {self.token}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                kind = resp.headers.get("Content-Type", "")
                return resp.status, json.loads(raw) if "json" in kind and raw else raw
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()


@contextmanager
def running_lab(home: Path) -> Iterator[Lab]:
    """``jupyter lab`` as ``./dev lab`` starts it (repository root), with its own config,
    data, runtime, settings and workspace dirs under ``home``: no notebook is trusted
    there, as none is in a fresh clone."""
    port, token = _free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    cmd = [
        str(Path(sys.executable).parent / "jupyter"),
        "lab",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={ROOT}",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI runs as root; Jupyter refuses that without the flag
    home.mkdir(parents=True, exist_ok=True)
    log = home / "lab.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    server = Lab(f"http://127.0.0.1:{port}", token, proc, log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if proc.poll() is not None:
                pytest.fail(
                    f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}"
                )
            try:
                status, _ = server.request("GET", "/api/status")
                if status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"jupyter lab did not answer within {STARTUP_TIMEOUT:.0f} s")
            time.sleep(0.2)
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    with running_lab(tmp_path_factory.mktemp("lab")) as server:
        yield server


@dataclass
class Executed:
    """What one cell produced: reply status, streams and rich outputs (mime → data)."""

    status: str
    stdout: str = ""
    stderr: str = ""
    data: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""

    def mime(self, kind: str) -> list[str]:
        return [d[kind] for d in self.data if kind in d]


class KernelChannels:
    """The kernel's websocket (``/api/kernels/<id>/channels``), speaking the JSON protocol."""

    def __init__(self, lab: Lab, kernel_id: str) -> None:
        url = lab.base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels"
        self.ws = websocket.create_connection(
            url, header=[f"Authorization: token {lab.token}"], timeout=CELL_TIMEOUT
        )
        self.session = uuid.uuid4().hex

    def execute(self, code: str) -> Executed:
        msg_id = uuid.uuid4().hex
        self.ws.send(
            json.dumps(
                {
                    "header": {
                        "msg_id": msg_id,
                        "username": "test",
                        "session": self.session,
                        "msg_type": "execute_request",
                        "version": "5.3",
                    },
                    "parent_header": {},
                    "metadata": {},
                    "content": {
                        "code": code,
                        "silent": False,
                        "store_history": True,
                        "user_expressions": {},
                        "allow_stdin": False,
                        "stop_on_error": True,
                    },
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        result = Executed(status="")
        idle = False
        while not (idle and result.status):
            msg = json.loads(self.ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "execute_reply":
                result.status = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "stream":
                setattr(result, content["name"], getattr(result, content["name"]) + content["text"])
            elif kind in ("execute_result", "display_data"):
                result.data.append(content["data"])
            elif kind == "error":
                result.error = f"{content['ename']}: {content['evalue']}"
        return result

    def close(self) -> None:
        self.ws.close()


def test_lab_requires_its_token_and_serves_the_notebooks(lab: Lab):
    status, _ = lab.request("GET", "/api/status", token=False)
    assert status == 403
    status, page = lab.request("GET", f"/lab?token={lab.token}", token=False)
    assert status == 200 and b"JupyterLab" in page
    # rooted at the repository: the SQL, queries and build output are reachable from the lab
    status, listing = lab.request("GET", "/api/contents")
    assert {"notebooks", "sql", "queries"} <= {item["name"] for item in listing["content"]}
    status, listing = lab.request("GET", "/api/contents/notebooks")
    names = {item["name"] for item in listing["content"]}
    assert {"00_starter.ipynb", "01_design_and_iterate.ipynb"} <= names
    assert not [n for n in names if n.endswith(".cfg")], "nbval's sanitize file lives in tests/"
    status, specs = lab.request("GET", "/api/kernelspecs")
    starter = json.loads((NOTEBOOKS / "00_starter.ipynb").read_text())
    assert starter["metadata"]["kernelspec"]["name"] in specs["kernelspecs"]


def test_starter_notebook_runs_through_the_lab_kernel(lab: Lab):
    status, model = lab.request("GET", "/api/contents/notebooks/00_starter.ipynb?content=1")
    assert status == 200
    cells = [c for c in model["content"]["cells"] if c["cell_type"] == "code"]
    sources = [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells
    ]
    assert sources[0].startswith("SQL_DIR =")

    # as the lab's frontend does: a session for the notebook's path (its kernel runs there)
    status, session = lab.request(
        "POST",
        "/api/sessions",
        {
            "path": "notebooks/00_starter.ipynb",
            "name": "00_starter.ipynb",
            "type": "notebook",
            "kernel": {"name": model["content"]["metadata"]["kernelspec"]["name"]},
        },
    )
    assert status == 201, session
    channels = KernelChannels(lab, session["kernel"]["id"])
    try:
        results = []
        for source in sources:
            executed = channels.execute(source)
            assert executed.status == "ok", f"{source[:60]!r} failed: {executed.error}"
            results.append(executed)
        where = channels.execute("import sys, os; print(sys.executable); print(os.getcwd())")
    finally:
        channels.close()
        lab.request("DELETE", f"/api/sessions/{session['id']}")

    executable, cwd = where.stdout.split()
    assert Path(executable).parent == Path(sys.executable).parent  # the venv's kernel
    assert Path(cwd) == NOTEBOOKS
    by_first_line = {s.splitlines()[0]: r for s, r in zip(sources, results, strict=True)}
    schema_out = next(r for s, r in zip(sources, results, strict=True) if "wb.schema\n" in s + "\n")
    assert any("<b>tasks</b>" in h for h in schema_out.mime("text/html"))
    assert any(p.startswith("<Schema: 13 tables") for p in schema_out.mime("text/plain"))
    lint_out = by_first_line["wb.lint(pyproject=PYPROJECT)"]
    assert any(p.startswith("<LintReport:") for p in lint_out.mime("text/plain"))
    diagram_out = by_first_line['wb.diagram(columns="keys")']
    assert any("<svg" in s for s in diagram_out.mime("image/svg+xml"))
    assert diagram_out.mime("image/png") and not diagram_out.mime("text/html")
    sql_out = by_first_line["%%sql"]
    assert any("api_tokens" in h for h in sql_out.mime("text/html"))
    assert "no changes since the last load" in by_first_line["changes = wb.reload()"].stdout
    assert "CREATE TABLE public." in by_first_line["ddl = render_ddl(wb.schema)"].stdout


# -- the committed notebooks ----------------------------------------------------------------
ALL_NOTEBOOKS = sorted(NOTEBOOKS.glob("*.ipynb"))


def test_the_walkthrough_and_starter_notebooks_are_there():
    names = [p.name for p in ALL_NOTEBOOKS]
    assert names[:5] == [
        "00_starter.ipynb",
        "01_design_and_iterate.ipynb",
        "02_diagrams.ipynb",
        "03_seed_and_profile.ipynb",
        "04_export.ipynb",
    ]


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stripped_opens_with_its_purpose_and_has_outputs(path: Path):
    strip = ROOT / "scripts" / "strip_notebooks.py"
    check = subprocess.run(
        [sys.executable, str(strip), "--check", str(path)], capture_output=True, text=True
    )
    assert check.returncode == 0, f"{check.stderr}run: python scripts/strip_notebooks.py {path}"
    nb = json.loads(path.read_text())
    first = nb["cells"][0]
    assert first["cell_type"] == "markdown"
    assert "What this notebook is for" in "".join(first["source"])
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    # stored outputs are what GitHub shows and what nbval compares: every cell was run
    assert all(c["execution_count"] for c in code), "run the notebook top to bottom and save it"
    assert [c["execution_count"] for c in code] == list(range(1, len(code) + 1))

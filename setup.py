"""Build step that ships the example schema inside the package (metadata is in pyproject.toml).

The example lives once, in the repository's ``sql/`` and ``queries/``; a wheel
gets a copy of them as ``workbench/_example/`` so that ``workbench demo`` works
from any folder after ``pip install``. Editable installs skip the copy:
``workbench.example`` then reads the repository's folders directly.
"""

from __future__ import annotations

import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent
EXAMPLE_PARTS = ("sql", "queries")


def copy_example(build_lib: str | Path, root: Path = ROOT) -> list[Path]:
    """Copy ``sql/*.sql`` and ``queries/*.sql`` to ``<build_lib>/workbench/_example/``."""
    copied = []
    for part in EXAMPLE_PARTS:
        target = Path(build_lib) / "workbench" / "_example" / part
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for path in sorted((root / part).glob("*.sql")):
            copied.append(Path(shutil.copy2(path, target / path.name)))
    return copied


def build_py_with_example() -> type:
    """``build_py`` plus the example schema; editable installs read the repository instead.

    Made in a function so that importing this file (tests/test_cli.py does, to run
    :func:`copy_example`) needs no setuptools: a Python 3.12 venv has none.
    """
    from setuptools.command.build_py import build_py

    class BuildPyWithExample(build_py):
        def run(self) -> None:
            super().run()
            if not getattr(self, "editable_mode", False):
                copy_example(self.build_lib)

    return BuildPyWithExample


if __name__ == "__main__":  # how setuptools' build backend runs this file
    from setuptools import setup

    setup(cmdclass={"build_py": build_py_with_example()})

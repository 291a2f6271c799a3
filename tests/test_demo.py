"""The README's main command, end to end, as a user runs it: from a folder that is not the
repository (the example schema ships with the package), every artifact it promises written."""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import EXAMPLE_SQL


def test_demo_from_any_folder_writes_every_artifact(tmp_path):
    cwd = tmp_path / "elsewhere"  # no sql/ or queries/ here
    cwd.mkdir()
    proc = subprocess.run(
        [sys.executable, "-m", "workbench", "demo", "--out", "build", "--rows", "100"],
        cwd=cwd, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    printed = proc.stdout
    out = cwd / "build"
    # An editable install (./dev) reads the repository's example; a wheel its packaged copy.
    assert printed.startswith(f"Schema Workbench demo: {EXAMPLE_SQL} → build/")
    for name in ("schema.sql", "schema.md", "er.svg", "er.mmd", "models.py", "seed.sql",
                 "lint.txt", "lint.json", "lint.sarif", "experiments/report.md",
                 "diagrams/er.png", "migrations/alembic.ini"):  # fmt: skip
        assert (out / name).is_file(), name
        assert f"build/{name.split('/')[0]}" in printed or name.startswith(
            ("diagrams", "migrations")
        )
    assert "fk-without-index" in (out / "lint.txt").read_text()
    assert json.loads((out / "lint.sarif").read_text())["version"] == "2.1.0"
    assert "{{" not in (out / "schema.md").read_text()
    assert "comments_by_author" in (out / "experiments" / "report.md").read_text()
    assert "Done in" in printed and "Artifacts:" in printed

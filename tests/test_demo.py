"""The README's main command, end to end: every artifact it promises is written."""

from __future__ import annotations

import json

from workbench.cli import main

from .conftest import EXAMPLE_SQL, ROOT


def test_demo_writes_every_artifact(tmp_path, capsys):
    out = tmp_path / "build"
    code = main(
        ["demo", "--sql", str(EXAMPLE_SQL), "--queries", str(ROOT / "queries"),
         "--out", str(out), "--rows", "100"]
    )  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    for name in ("schema.sql", "schema.md", "er.svg", "er.mmd", "models.py", "seed.sql",
                 "lint.txt", "lint.json", "lint.sarif", "experiments/report.md",
                 "diagrams/er.png", "migrations/alembic.ini"):  # fmt: skip
        assert (out / name).is_file(), name
        assert str(out / name.split("/")[0]) in printed or name.startswith(
            ("diagrams", "migrations")
        )
    assert "fk-without-index" in (out / "lint.txt").read_text()
    assert json.loads((out / "lint.sarif").read_text())["version"] == "2.1.0"
    assert "{{" not in (out / "schema.md").read_text()
    assert "comments_by_author" in (out / "experiments" / "report.md").read_text()
    assert "Done in" in printed and "Artifacts:" in printed

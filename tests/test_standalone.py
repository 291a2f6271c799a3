"""The repository stands alone: a clone holds every file its tests, code and README name.

Nothing reads ``../shared`` (or any folder beside the clone); the corpus schemas the
tests load live in ``tests/corpus`` with their licences and their sources.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.conftest import CORPUS, ROOT

#: Top-level folders of the repository that README paths may point into (build/ is generated).
_TRACKED_DIRS = ("sql/", "docs/", "workbench/", "tests/", "notebooks/", "benchmarks/", "queries/")


def _tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        pytest.skip(f"not a git checkout: {out.stderr.strip()}")
    return out.stdout.splitlines()


def test_every_corpus_schema_has_its_licence_and_a_source_row() -> None:
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    folders = sorted(p for p in CORPUS.iterdir() if p.is_dir())
    assert folders, "tests/corpus holds no schemas"
    for folder in folders:
        assert list(folder.glob("*.sql")), f"{folder.name}: no schema file"
        assert list(folder.glob("LICENSE*")), f"{folder.name}: no LICENSE file"
        assert re.search(rf"^\| {re.escape(folder.name)}/ \|", readme, re.M), (
            f"tests/corpus/README.md has no row for {folder.name}/"
        )


def test_no_file_reads_a_folder_beside_the_clone() -> None:
    pattern = re.compile(r"\.\./shared|WORKBENCH_SHARED_DIR|parent\s*/\s*[\"']shared[\"']")
    offenders = [
        name
        for name in _tracked_files()
        if name.endswith((".py", ".md", ".toml", ".cfg", ".ipynb", ".sh"))
        and name != "tests/test_standalone.py"
        and pattern.search((ROOT / name).read_text(encoding="utf-8", errors="replace"))
    ]
    assert not offenders, f"these files point outside the repository: {offenders}"


def test_readme_names_only_files_a_clone_holds() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in text
    named = {
        token.rstrip("/").split("#")[0]
        for token in re.findall(r"`([^`\s]+)`", text) + re.findall(r'(?:src|href)="([^"]+)"', text)
        if token.startswith(_TRACKED_DIRS) and not any(c in token for c in "*?<>{}")
    }
    named |= set(re.findall(r"\]\(([^)\s]+)\)", text)) - {""}
    missing = sorted(n for n in named if "://" not in n and not (ROOT / n).exists())
    assert not missing, f"README names files a clone does not hold: {missing}"

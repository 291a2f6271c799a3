#!/usr/bin/env python3
"""Strip the noisy metadata of notebooks so a commit shows only real changes.

Kept: cells, their ids, sources, outputs and execution counts (the stored
outputs are what nbval compares and what GitHub shows), cell tags, the kernel
spec and the language name. Removed: per-cell execution timestamps (nbclient's
``metadata.execution``), widget state and the widget outputs that need it
(progress bars: their text fallback only shows the bar at 0 %), the Python version in ``language_info``, and
editor metadata (``collapsed``, ``scrolled``, ``vscode``, ``colab``, ...).

Usage::

    python scripts/strip_notebooks.py notebooks/*.ipynb     # rewrite in place (atomically)
    python scripts/strip_notebooks.py --check notebooks/    # exit 1 if any is not clean
    python scripts/strip_notebooks.py --stdin < a.ipynb     # git clean filter (see docs)

As a git filter (``.gitattributes`` names it; enable it once per clone)::

    git config filter.strip-notebooks.clean ".venv/bin/python scripts/strip_notebooks.py --stdin"
    git config filter.strip-notebooks.smudge cat
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

CELL_METADATA_KEPT = ("tags", "jupyter")  # jupyter: source_hidden / outputs_hidden
NOTEBOOK_METADATA_KEPT = ("kernelspec", "language_info")
LANGUAGE_INFO_KEPT = ("name", "codemirror_mode", "file_extension", "mimetype", "pygments_lexer")
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def strip(nb: dict[str, Any]) -> dict[str, Any]:
    """Return the notebook (as parsed JSON) without noisy metadata; the input is not changed."""
    nb = json.loads(json.dumps(nb))
    meta = {k: v for k, v in nb.get("metadata", {}).items() if k in NOTEBOOK_METADATA_KEPT}
    if "language_info" in meta:
        meta["language_info"] = {
            k: v for k, v in meta["language_info"].items() if k in LANGUAGE_INFO_KEPT
        }
    nb["metadata"] = meta
    for cell in nb.get("cells", []):
        cell["metadata"] = {
            k: v for k, v in cell.get("metadata", {}).items() if k in CELL_METADATA_KEPT
        }
        outputs = []
        for out in cell.get("outputs", []):
            # A widget (a tqdm progress bar) is nothing without the widget state, and its
            # text fallback is a snapshot of its first moment ("0%"): drop the output.
            if WIDGET_VIEW in out.get("data", {}):
                continue
            outputs.append(out)
        if "outputs" in cell:
            cell["outputs"] = outputs
    return nb


def dumps(nb: dict[str, Any]) -> str:
    """Serialise like Jupyter does (1-space indent, sorted keys, trailing newline)."""
    return json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _write_atomic(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o777  # mkstemp creates 0600: keep the notebook's own mode
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def notebooks(paths: list[str]) -> list[Path]:
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(
                q for q in sorted(p.glob("*.ipynb")) if ".ipynb_checkpoints" not in q.parts
            )
        else:
            found.append(p)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=["notebooks"], help="notebooks or directories")
    parser.add_argument("--check", action="store_true", help="only report; exit 1 if unclean")
    parser.add_argument("--stdin", action="store_true", help="filter stdin to stdout")
    args = parser.parse_args(argv)
    if args.stdin:
        sys.stdout.write(dumps(strip(json.load(sys.stdin))))
        return 0
    unclean = []
    for path in notebooks(args.paths):
        text = path.read_text(encoding="utf-8")
        clean = dumps(strip(json.loads(text)))
        if clean != text:
            unclean.append(path)
            if not args.check:
                _write_atomic(path, clean)
    verb = "not stripped" if args.check else "stripped"
    for path in unclean:
        print(f"{path}: {verb}", file=sys.stderr)
    return 1 if args.check and unclean else 0


if __name__ == "__main__":
    sys.exit(main())

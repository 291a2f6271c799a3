"""Save and reload experiment results without re-running them.

Two forms, both written atomically (temp file in the same directory, then
``os.replace``):

* ``result.json``: one JSON document with the experiment definition, the
  metadata (server version, settings, data shape per scale, foreign-key index
  facts), every timing, and every raw EXPLAIN document. It is complete: the
  node frames, statistics and findings are recomputed from it on load.
* a directory: ``result.json`` as above plus ``timings.parquet`` and
  ``nodes.parquet`` for people who want to query the frames with other tools.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.explain.errors import ExplainError
from workbench.explain.result import TIMING_COLUMNS, ExperimentResult
from workbench.files import atomic_path, write_atomic

FORMAT = "workbench.explain/1"


def _atomic_write(path: Path, data: bytes) -> None:
    write_atomic(path, data)


def _atomic_parquet(path: Path, frame: pd.DataFrame) -> None:
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def to_document(result: ExperimentResult) -> dict[str, Any]:
    """The result as one JSON-serialisable document."""
    return {
        "format": FORMAT,
        "experiment": result.experiment,
        "meta": result.meta,
        "notes": list(result.notes),
        "timings": result.timings[list(TIMING_COLUMNS)].to_dict(orient="split")["data"],
        "plans": [
            {"scale": k[0], "query": k[1], "condition": k[2], "variant": k[3], **entry}
            for k, entry in result.raw_plans.items()
        ],
    }


def save(result: ExperimentResult, path: str | Path) -> Path:
    """Save to ``*.json`` (one file) or to a directory (JSON + Parquet); return the JSON path."""
    target = Path(path)
    text = json.dumps(to_document(result), indent=1, default=str).encode()
    if target.suffix == ".json":
        _atomic_write(target, text)
        return target
    target.mkdir(parents=True, exist_ok=True)
    _atomic_write(target / "result.json", text)
    _atomic_parquet(target / "timings.parquet", result.timings)
    nodes = result.nodes()
    if not nodes.empty:
        _atomic_parquet(target / "nodes.parquet", nodes.astype({"parent_id": "float"}))
    return target / "result.json"


def load(path: str | Path) -> ExperimentResult:
    """Reload a saved result (the ``.json`` file or the directory holding ``result.json``)."""
    p = Path(path)
    if p.is_dir():
        p = p / "result.json"
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExplainError(f"cannot read saved experiment {p}: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ExplainError(f"{p}: not a saved experiment (invalid JSON: {exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise ExplainError(
            f"{p}: not a saved experiment of this version (format {doc.get('format')!r}, "
            f"expected {FORMAT!r})"
            if isinstance(doc, dict)
            else f"{p}: not a saved experiment"
        )
    rows = doc["timings"]
    width = len(rows[0]) if rows else len(TIMING_COLUMNS)
    timings = pd.DataFrame(rows, columns=list(TIMING_COLUMNS)[:width])
    if "clone" not in timings:  # saved before experiments had several clones per variant
        timings["clone"] = 0
    timings["ms"] = timings["ms"].astype(float)
    plans = {}
    for entry in doc["plans"]:
        entry = dict(entry)
        key = tuple(str(entry.pop(k)) for k in ("scale", "query", "condition", "variant"))
        plans[key] = entry
    return ExperimentResult(doc["experiment"], doc["meta"], timings, plans, doc.get("notes", []))  # type: ignore[arg-type]

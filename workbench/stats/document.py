"""The statistics document: what ``export.sql`` writes, read back, checked and anonymised.

One JSON document holds a database's relation sizes (reltuples, relpages,
relallvisible of tables, materialised views and indexes) and the per-column
statistics of ``pg_stats``, with array-valued statistics kept in PostgreSQL's
text form (``{a,"b c",NULL}``) so that ``pg_restore_attribute_stats`` can read
them back with the column's own input function.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from fnmatch import fnmatchcase
from importlib import resources
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.files import write_atomic

FORMAT = "workbench-stats/1"


class StatsError(WorkbenchError):
    """A statistics file that cannot be read, or statistics that cannot be restored."""


def export_query() -> str:
    """The read-only export query shipped with the package (``workbench/stats/export.sql``)."""
    return resources.files("workbench.stats").joinpath("export.sql").read_text("utf-8")


def load_stats(source: str | os.PathLike[str] | dict[str, Any]) -> dict[str, Any]:
    """A statistics document from a file (or an already loaded dict), checked for its format."""
    if isinstance(source, dict):
        data = source
        where = "statistics"
    else:
        path = Path(source)
        where = str(path)
        try:
            data = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise StatsError(f"{path}: no such statistics file") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StatsError(f"{path}: not a JSON statistics file ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise StatsError(
            f"{where}: not a workbench statistics file (expected format {FORMAT!r}; "
            "write one with `workbench stats export` or workbench/stats/export.sql)"
        )
    for key in ("relations", "columns"):
        if not isinstance(data.get(key), list):
            raise StatsError(f"{where}: the {key!r} list is missing")
    return data


def save_stats(data: dict[str, Any], path: str | os.PathLike[str]) -> Path:
    return write_atomic(Path(path), (json.dumps(data, indent=1, default=str) + "\n").encode())


# --- PostgreSQL array text ------------------------------------------------------------------


def parse_array(text: str | None) -> list[str | None]:
    """The elements of a one-dimensional PostgreSQL array literal (NULL as None).

    ``{a,"b,c",NULL,"NULL"}`` -> ``['a', 'b,c', None, 'NULL']``. Nested arrays are
    returned as their literal text per element.
    """
    if text is None:
        return []
    s = text.strip()
    if not (s.startswith("{") and s.endswith("}")):
        raise StatsError(f"not an array literal: {text[:60]!r}")
    out: list[str | None] = []
    i, n = 1, len(s) - 1
    while i < n:
        if s[i] == '"':
            i += 1
            buf = []
            while s[i] != '"':
                if s[i] == "\\":
                    i += 1
                buf.append(s[i])
                i += 1
            out.append("".join(buf))
            i += 1
        elif s[i] == "{":
            depth, start = 0, i
            while True:
                if s[i] == "{":
                    depth += 1
                elif s[i] == "}":
                    depth -= 1
                    if depth == 0:
                        break
                i += 1
            i += 1
            out.append(s[start:i])
        else:
            start = i
            while i < n and s[i] != ",":
                i += 1
            word = s[start:i].strip()
            out.append(None if word.upper() == "NULL" else word)
        if i < n and s[i] == ",":
            i += 1
    return out


def array_literal(values: Iterable[str | None]) -> str:
    """The PostgreSQL text form of a one-dimensional array of text values."""

    def one(v: str | None) -> str:
        if v is None:
            return "NULL"
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return "{" + ",".join(one(v) for v in values) + "}"


# --- anonymising ----------------------------------------------------------------------------

_NUMERIC = ("smallint", "integer", "bigint", "numeric", "real", "double precision")


def _stand_ins(type_: str, count: int, prefix: str) -> list[str]:
    if type_.split("(")[0] in _NUMERIC:
        return [str(i + 1) for i in range(count)]
    width = len(str(count))
    return [f"{prefix}{i + 1:0{width}d}" for i in range(count)]


def anonymise(data: dict[str, Any], patterns: Iterable[str]) -> dict[str, Any]:
    """A copy whose matching columns carry stand-ins instead of real values.

    ``patterns`` are globs on ``schema.table.column`` (``public.users.email``,
    ``*.*.email``, ``public.customers.*``). Most common values become stand-ins of
    the same type with the same frequencies; histogram bounds become ordered
    stand-ins (range estimates keep their shape); element statistics are dropped.
    """
    pats = list(patterns)
    columns = []
    changed = 0
    for col in data["columns"]:
        key = f"{col['schema']}.{col['table']}.{col['column']}"
        if not any(fnmatchcase(key, p) for p in pats):
            columns.append(col)
            continue
        changed += 1
        col = dict(col)
        mcv = parse_array(col.get("most_common_vals"))
        if mcv:
            col["most_common_vals"] = array_literal(_stand_ins(col["type"], len(mcv), "value_"))
        bounds = parse_array(col.get("histogram_bounds"))
        if bounds:
            stand = _stand_ins(col["type"], len(bounds), "bound_")
            if mcv and col["type"].split("(")[0] in _NUMERIC:
                stand = [str(len(mcv) + i + 1) for i in range(len(bounds))]
            col["histogram_bounds"] = array_literal(stand)
        for k in ("most_common_elems", "most_common_elem_freqs", "elem_count_histogram"):
            col[k] = None
        col["anonymised"] = True
        columns.append(col)
    out = dict(data)
    out["columns"] = columns
    out["anonymised"] = sorted(set(out.get("anonymised", [])) | set(pats))
    if pats and not changed:
        raise StatsError(f"--anonymise {', '.join(pats)}: no column matches")
    return out

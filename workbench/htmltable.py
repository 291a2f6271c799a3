"""HTML tables that read the same in a trusted and an untrusted notebook.

A freshly cloned notebook is untrusted, and JupyterLab then passes every
``text/html`` output through its sanitiser: ``<style>`` elements are dropped
(so class-based CSS never applies), while inline ``style`` attributes with
ordinary properties (``text-align``, ``white-space``, ``padding``, ``color``...)
are kept. JupyterLab's own stylesheet right-aligns every table cell, which makes
names and messages hard to read. So every table here carries its layout inline:
text left-aligned, numbers right-aligned, identifiers (rule ids, column names)
on one line, floats rounded, whole numbers shown as integers.

Nothing here imports pandas at module level; :func:`frame_html` takes a
DataFrame duck-typed, so the model and lint layers can use the table helpers.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

#: Inline styles of a cell: text to the left, numbers to the right, both top-aligned.
LEFT = "text-align:left;vertical-align:top"
RIGHT = "text-align:right;vertical-align:top;white-space:nowrap"
NOWRAP = LEFT + ";white-space:nowrap"
TABLE = "border-collapse:collapse;margin:0.3em 0"
CAPTION = "text-align:left;caption-side:top;padding:2px 0"


def e(value: object) -> str:
    """Escaped text of ``value`` (empty for None)."""
    return html.escape("" if value is None else str(value))


def code(text: str) -> str:
    """``<code>`` of ``text``: kept on one line when it is one word (JupyterLab sets its own
    ``white-space`` on ``code``, so the cell's style would not reach it), wrapped otherwise."""
    wrap = "nowrap" if _identifier(text) else "pre-wrap"
    return f"<code style='white-space:{wrap}'>{e(text)}</code>"


def table(
    head: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    caption: str | None = None,
    align: str | None = None,
) -> str:
    """An HTML table from already-escaped header and body cells.

    ``align`` has one letter per column: ``l`` text (left), ``r`` number (right),
    ``n`` an identifier kept on one line; missing letters mean ``l``.
    """
    styles = {"l": LEFT, "r": RIGHT, "n": NOWRAP}
    spec = (align or "").ljust(len(head), "l")
    cap = f"<caption style='{CAPTION}'>{caption}</caption>" if caption else ""
    th = "".join(f"<th style='{styles[a]}'>{h}</th>" for h, a in zip(head, spec, strict=False))
    body = "".join(
        "<tr>"
        + "".join(
            f"<td style='{styles[spec[i] if i < len(spec) else 'l']}'>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table style='{TABLE}'>{cap}<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def number(value: Any, digits: int | None = None) -> str:
    """A number as people read it: integers with thousands separators, 3 significant digits
    otherwise (or ``digits`` decimals; never scientific notation), ``–`` for missing."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return e(value)
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if digits is None:
        if x == int(x) and abs(x) < 1e15:
            return f"{int(x):,}"
        digits = decimals(x)
    return f"{x:,.{digits}f}"


def decimals(x: float) -> int:
    """Decimals that show ``x`` to 3 significant digits (at most 4, none for x ≥ 100)."""
    if not x or math.isnan(x) or math.isinf(x):
        return 0
    return min(4, max(0, 2 - math.floor(math.log10(abs(x)))))


def _column_decimals(values: Any) -> int | None:
    """One number of decimals for a float column, so its figures line up; None when every
    value is whole (row counts stored as floats show as integers)."""
    finite = [float(v) for v in values if v == v and abs(float(v)) != math.inf]
    if all(v == int(v) for v in finite):
        return None
    return max(decimals(v) for v in finite if v != int(v))


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)) or (
        type(value).__module__ == "numpy" and hasattr(value, "dtype") and value.dtype.kind in "iuf"
    )


def _identifier(text: str) -> bool:
    """A short value without spaces (a rule id, a name, a date) should not be wrapped."""
    return 0 < len(text) <= 48 and not any(ch.isspace() for ch in text)


def frame_html(frame: Any, *, max_rows: int = 60, max_cols: int = 30) -> str:
    """A DataFrame as a sanitiser-proof table: numbers rounded and right-aligned, text left.

    The index is shown like pandas does unless it is the default 0..n-1 range;
    longer frames show their first and last rows with a "…" row between, and a
    "N rows × M columns" caption.
    """
    n_rows, n_cols = frame.shape
    cols = list(frame.columns)
    if n_cols > max_cols:
        cols = cols[: max_cols // 2] + cols[-(max_cols // 2) :]
    shown = frame[cols]
    if n_rows > max_rows:
        half = max_rows // 2
        parts = [shown.iloc[:half], None, shown.iloc[-half:]]
    else:
        parts = [shown]
    index = frame.index
    show_index = not (
        type(index).__name__ == "RangeIndex" and index.start == 0 and index.step == 1
    ) or bool(index.name)
    numeric = {c: frame[c].dtype.kind in "iuf" for c in cols}
    places = {c: _column_decimals(frame[c]) if frame[c].dtype.kind == "f" else None for c in cols}

    def cell(value: Any, col: Any) -> str:
        if numeric[col] or _is_number(value):
            return f"<td style='{RIGHT}'>{number(value, places[col])}</td>"
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return f"<td style='{LEFT}'>–</td>"
        text = str(value)
        style = NOWRAP if _identifier(text) else LEFT
        return f"<td style='{style}'>{e(text)}</td>"

    head = "".join(f"<th style='{RIGHT if numeric[c] else NOWRAP}'>{e(c)}</th>" for c in cols)
    if show_index:
        head = f"<th style='{LEFT}'>{e(index.name or '')}</th>" + head
    body: list[str] = []
    for part in parts:
        if part is None:
            span = len(cols) + show_index
            body.append(f"<tr><td colspan='{span}' style='{LEFT}'>…</td></tr>")
            continue
        for label, row in zip(part.index, part.itertuples(index=False, name=None), strict=True):
            cells = "".join(cell(v, c) for v, c in zip(row, cols, strict=True))
            if show_index:
                cells = f"<th style='{NOWRAP}'>{e(label)}</th>" + cells
            body.append(f"<tr>{cells}</tr>")
    caption = ""
    if n_rows > max_rows or n_cols > max_cols:
        caption = f"<caption style='{CAPTION}'>{n_rows:,} rows × {n_cols:,} columns</caption>"
    return (
        f"<table style='{TABLE}'>{caption}<thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )

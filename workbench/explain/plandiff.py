"""Two plans side by side, aligned node by node, with the change said in words.

Alignment uses difflib over each node's signature (depth, node type, relation,
index), the same idea as a text diff of two EXPLAIN outputs, so unchanged
subtrees line up and the changed part stands out. The headline names what
people look for first: how a table is accessed ("comments: Seq Scan →
Bitmap Heap Scan").
"""

from __future__ import annotations

import difflib
import html
from dataclasses import dataclass

import pandas as pd

from workbench.explain.plan import Plan


def _signature(row: object) -> tuple[int, str, str, str]:
    rel = row.relation if isinstance(row.relation, str) else ""  # type: ignore[attr-defined]
    idx = row.index if isinstance(row.index, str) else ""  # type: ignore[attr-defined]
    return (row.depth, row.label, rel, idx)  # type: ignore[attr-defined]


def _line(sig: tuple[int, str, str, str], rows: float) -> str:
    depth, label, rel, idx = sig
    text = label + (f" using {idx}" if idx else "") + (f" on {rel}" if rel else "")
    figure = "" if rows != rows else f"  ({rows:,.0f} rows)"
    return "  " * depth + "-> " + text + figure


def _access(plan: Plan) -> dict[str, list[str]]:
    """How each relation is read: relation → node labels (with index names)."""
    out: dict[str, list[str]] = {}
    for row in plan.nodes.itertuples(index=False):
        if isinstance(row.relation, str):
            how = row.label + (f" ({row.index})" if isinstance(row.index, str) else "")
            out.setdefault(row.relation, []).append(how)
    return out


@dataclass(frozen=True)
class PlanDiff:
    """Aligned rows of two plans: ``tag`` is equal / replace / delete / insert per row."""

    left_name: str
    right_name: str
    rows: tuple[tuple[str, str, str], ...]  # (tag, left line, right line)
    access_changes: tuple[str, ...]
    root_change: str | None

    @property
    def same_shape(self) -> bool:
        return all(tag == "equal" for tag, _, _ in self.rows)

    def headline(self) -> str:
        """The change in one line: table access first, else the root node."""
        if self.access_changes:
            return "; ".join(self.access_changes)
        if self.root_change:
            return self.root_change
        return "same shape" if self.same_shape else "the plan's structure changes"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["change", self.left_name, self.right_name])

    def text(self, width: int = 60) -> str:
        marks = {"equal": " ", "replace": "|", "delete": "<", "insert": ">"}
        lines = [f"{self.left_name:<{width}}   {self.right_name}"]
        for tag, a, b in self.rows:
            lines.append(f"{a[:width]:<{width}} {marks[tag]} {b}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        colours = {"equal": "", "replace": "#fff3bf", "delete": "#ffe3e3", "insert": "#d3f9d8"}
        body = []
        for tag, a, b in self.rows:
            style = f" style='background:{colours[tag]}'" if colours[tag] else ""
            cells = "".join(
                f"<td style='text-align:left;white-space:pre;font-family:monospace'>"
                f"{html.escape(x)}</td>"
                for x in (a, b)
            )
            body.append(f"<tr{style}>{cells}</tr>")
        head = f"<tr><th>{html.escape(self.left_name)}</th><th>{html.escape(self.right_name)}</th></tr>"
        return f"<p><b>{html.escape(self.headline())}</b></p><table>{head}{''.join(body)}</table>"


def plan_diff(a: Plan, b: Plan, *, left: str = "before", right: str = "after") -> PlanDiff:
    """Align plan ``a`` with plan ``b`` and say what changed."""
    ra = list(a.nodes.itertuples(index=False))
    rb = list(b.nodes.itertuples(index=False))
    sa, sb = [_signature(r) for r in ra], [_signature(r) for r in rb]
    rows_a = [r.actual_rows_total if a.analyzed else r.est_rows_total for r in ra]
    rows_b = [r.actual_rows_total if b.analyzed else r.est_rows_total for r in rb]
    rows: list[tuple[str, str, str]] = []
    matcher = difflib.SequenceMatcher(a=sa, b=sb, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        left_lines = [_line(sa[i], rows_a[i]) for i in range(i1, i2)]
        right_lines = [_line(sb[j], rows_b[j]) for j in range(j1, j2)]
        for k in range(max(len(left_lines), len(right_lines))):
            la = left_lines[k] if k < len(left_lines) else ""
            lb = right_lines[k] if k < len(right_lines) else ""
            t = tag if (la and lb) or tag == "equal" else ("delete" if la else "insert")
            rows.append((t, la, lb))
    acc_a, acc_b = _access(a), _access(b)
    changes = []
    for rel in dict.fromkeys([*acc_a, *acc_b]):
        before, after = acc_a.get(rel, []), acc_b.get(rel, [])
        if before != after:
            changes.append(
                f"{rel}: {', '.join(before) or 'not read'} → {', '.join(after) or 'not read'}"
            )
    root_a, root_b = sa[0][1], sb[0][1]
    root = f"top node: {root_a} → {root_b}" if root_a != root_b else None
    return PlanDiff(left, right, tuple(rows), tuple(changes), root)

"""What a seed run did: rows per table, time and rate; a table in notebooks."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class SeedSummary:
    rows: dict[str, int]  # qualified table name -> rows loaded, in load order
    seconds: float
    seed: int = 0
    phases: dict[str, float] = field(
        default_factory=dict
    )  # generate, copy, indexes, constraints, vacuum

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame({"table": list(self.rows), "rows": list(self.rows.values())}).set_index(
            "table"
        )

    def __str__(self) -> str:
        width = max((len(t) for t in self.rows), default=5)
        lines = [f"{'table':<{width}}  {'rows':>12}"]
        lines += [f"{t:<{width}}  {r:>12,}" for t, r in self.rows.items()]
        lines.append(f"{'total':<{width}}  {self.total_rows:>12,}")
        lines.append(f"{self.seconds:.2f} s, {self.rows_per_second:,.0f} rows/s (seed {self.seed})")
        if self.phases:
            lines.append("phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in self.phases.items()))
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><td>{html.escape(t)}</td><td style='text-align:right'>{r:,}</td></tr>"
            for t, r in self.rows.items()
        )
        return (
            "<table><thead><tr><th>table</th><th>rows</th></tr></thead><tbody>"
            f"{body}<tr><th>total</th><th style='text-align:right'>{self.total_rows:,}</th></tr></tbody></table>"
            f"<p>{self.seconds:.2f} s &middot; {self.rows_per_second:,.0f} rows/s &middot; seed {self.seed}</p>"
        )

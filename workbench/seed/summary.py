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
    #: seconds per kind of step: generate (client), copy, indexes, constraints, vacuum
    #: (server, summed over connections: the steps overlap, so they add up to more
    #: than ``seconds``)
    phases: dict[str, float] = field(default_factory=dict)
    #: seconds until the last row was in its table (keys, indexes, FKs and VACUUM
    #: ANALYZE may still have been running)
    written: float | None = None
    #: tables that came out with fewer rows than asked, with the count asked: a one-to-one
    #: key has fewer parents, or a unique key ran out of distinct values (pairs of a
    #: junction table whose parents are too few)
    asked: dict[str, int] = field(default_factory=dict)
    #: peak resident memory of the whole process so far, MB (Linux/macOS getrusage)
    peak_rss_mb: float | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total_rows / self.seconds if self.seconds > 0 else 0.0

    @property
    def rows_written_per_second(self) -> float:
        """Rows over the time until the last one was written (generation and COPY)."""
        return self.total_rows / self.written if self.written else 0.0

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame({"table": list(self.rows), "rows": list(self.rows.values())}).set_index(
            "table"
        )

    def __str__(self) -> str:
        width = max((len(t) for t in self.rows), default=5)
        lines = [f"{'table':<{width}}  {'rows':>12}"]
        lines += [f"{t:<{width}}  {r:>12,}{self._short(t)}" for t, r in self.rows.items()]
        lines.append(f"{'total':<{width}}  {self.total_rows:>12,}")
        lines.append(f"{self.seconds:.2f} s, {self.rows_per_second:,.0f} rows/s (seed {self.seed})")
        if self.written:
            lines.append(
                f"rows written after {self.written:.2f} s ({self.rows_written_per_second:,.0f} rows/s)"
            )
        if self.phases:
            lines.append("busy: " + ", ".join(f"{k} {v:.2f} s" for k, v in self.phases.items()))
        if self.peak_rss_mb is not None:
            lines.append(f"peak memory (RSS of the process so far): {self.peak_rss_mb:,.0f} MB")
        return "\n".join(lines)

    def _short(self, table: str) -> str:
        return f"  (asked {self.asked[table]:,})" if table in self.asked else ""

    def _repr_html_(self) -> str:
        from workbench.htmltable import table

        rows = [
            [html.escape(t), f"{r:,}", html.escape(self._short(t).strip())]
            for t, r in self.rows.items()
        ]
        rows.append(["<b>total</b>", f"<b>{self.total_rows:,}</b>", ""])
        return (
            table(["table", "rows", ""], rows, align="nr")
            + f"<p>{self.seconds:.2f} s &middot; {self.rows_per_second:,.0f} rows/s &middot; seed {self.seed}</p>"
        )

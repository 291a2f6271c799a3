"""Errors of the seed stage: what could not be generated, where, and how to take over."""

from __future__ import annotations

from workbench.errors import WorkbenchError


class SeedError(WorkbenchError):
    """Seed data could not be generated or loaded for one table/column/constraint.

    Carries the table, the constraint and column (when known) and a hint naming the
    override that fixes it, so the message is actionable instead of a raw COPY failure.
    """

    def __init__(
        self,
        message: str,
        *,
        table: str | None = None,
        constraint: str | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.table = table
        self.constraint = constraint
        self.column = column
        self.hint = hint
        where = ", ".join(
            part
            for part in (
                f"table {table}" if table else "",
                f"constraint {constraint}" if constraint else "",
                f"column {column}" if column else "",
            )
            if part
        )
        text = f"{where}: {message}" if where else message
        if hint:
            text += f"\nHINT: {hint}"
        super().__init__(text)


def override_hint(table: str, column: str | None) -> str:
    """The sentence every "beyond the generator" error ends with."""
    col = column or "<column>"
    key = f"{table.split('.', 1)[-1]}.{col}"
    return (
        f"supply the values yourself: seed(..., columns={{{key!r}: callable(rng, n) -> values}}), "
        f"a weighted list ({{{key!r}: {{'values': [...], 'weights': [...]}}}}) or a SQL expression "
        f'({{{key!r}: Sql("md5(random()::text)")}}); in a shape file, the same under "columns".'
    )

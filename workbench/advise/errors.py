"""The advisor's error: bad input (no queries, a scale list too short, a bad budget)."""

from __future__ import annotations

from workbench.errors import WorkbenchError


class AdviseError(WorkbenchError):
    """The advisor cannot run as asked; the message says what to change."""

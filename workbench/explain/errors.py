"""Errors of the EXPLAIN experiments, each saying what went wrong, where, and how to fix it."""

from __future__ import annotations

from workbench.errors import WorkbenchError


class ExplainError(WorkbenchError):
    """An experiment or plan could not be built, run, read or saved."""


class QueryError(ExplainError):
    """A query of an experiment failed on the server; names the query, variant and scale."""


class VariantError(ExplainError):
    """A variant's DDL or settings were refused by the server; names the variant and statement."""

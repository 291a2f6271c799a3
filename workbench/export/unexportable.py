"""The warning ``workbench export`` prints for objects no export can carry.

Why a warning and not an error: every other object still exports faithfully,
and the user may not need the missing ones in ``schema.sql``; but silently
writing a schema that reloads without them is how issue 22 began. The list
comes from :func:`workbench.introspect.census.unexportable`, which reads the
catalogs directly (the model cannot name what it does not hold).
"""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from typing import Protocol, TextIO

import psycopg

from workbench.introspect.census import unexportable


class _Connectable(Protocol):
    def connect(self) -> AbstractContextManager[psycopg.Connection]: ...


def unexportable_warnings(conn: psycopg.Connection) -> list[str]:
    """One warning line per object the exports leave out (empty when there is none)."""
    return [
        f"not exported (the schema model has no place for it): {name}"
        for name in unexportable(conn)
    ]


def warn_unexportable(source: _Connectable, stream: TextIO | None = None) -> list[str]:
    """Print ``workbench: warning: ...`` for each object of ``source`` no export carries."""
    with source.connect() as conn:
        lines = unexportable_warnings(conn)
    out = stream or sys.stderr
    for line in lines:
        print(f"workbench: warning: {line}", file=out)
    return lines


__all__ = ["unexportable_warnings", "warn_unexportable"]

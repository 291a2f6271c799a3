"""A handle on one database of a server: its connection strings, a connection, ``drop()``.

It lives beside :class:`~workbench.server.base.Server` rather than in the session
so that the capabilities below the session (export, explain, seed) can name the
databases they are handed without importing :mod:`workbench.session`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg

from workbench.server.base import Server


@dataclass
class Database:
    """A database the session created; drop it with ``drop()`` or a ``with`` block."""

    name: str
    server: Server

    @property
    def conninfo(self) -> str:
        return self.server.conninfo(self.name)

    @property
    def url(self) -> str:
        """SQLAlchemy URL (``postgresql+psycopg://...``)."""
        return self.server.sqlalchemy_url(self.name)

    def connect(self, **kwargs: Any) -> psycopg.Connection:
        return self.server.connect(self.name, **kwargs)

    def drop(self) -> None:
        if self.name in self.server.databases:
            self.server.drop_database(self.name)

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.drop()

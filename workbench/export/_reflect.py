"""One way to reflect a database for the exporters: with ``search_path`` pinned to ``public``.

Why: SQLAlchemy reflects the tables of the connection's *default* schema with
``table.schema = None``, and the exporters map ``None`` back to ``public`` (as
the workbench model and the DDL export do). A role or database whose
``search_path`` starts elsewhere (``ALTER DATABASE ... SET search_path = app``)
would otherwise make the tables of ``app`` look like ``public.<name>`` and the
real ``public`` tables look foreign. Introspection pins the same setting
(:data:`workbench.introspect.SESSION_SETTINGS`), so defaults and CHECKs print alike.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine


def reflection_engine(bind: str | Engine) -> Engine:
    """A new engine on the same database whose sessions use ``search_path = public``.

    The caller disposes of it. An engine passed in is not changed (its URL,
    password included, is reused).
    """
    url = sa.make_url(bind) if isinstance(bind, str) else bind.url
    return sa.create_engine(
        url,
        connect_args={"options": "-c search_path=public"},
        poolclass=sa.pool.NullPool,
    )


__all__ = ["reflection_engine"]

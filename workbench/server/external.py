"""An existing server reached by URL (``WORKBENCH_DATABASE_URL``).

For schemas too big for a laptop, or to profile on the hardware the schema
will run on. The workbench creates its own ``wb_<random>`` databases there and
drops only those; it never touches a database it did not create, and it
refuses up front, with the reason, when the role lacks CREATEDB.
"""

from __future__ import annotations

import contextlib
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict

from workbench.errors import ExternalServerError
from workbench.server.base import Server


def _normalise_url(url: str) -> str:
    # Accept SQLAlchemy-style URLs too: postgresql+psycopg://...
    if url.startswith("postgresql+"):
        url = "postgresql://" + url.split("://", 1)[1]
    return url


class ExternalServer(Server):
    backend = "external"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = _normalise_url(url)
        try:
            params = conninfo_to_dict(self.url)
        except psycopg.ProgrammingError as exc:
            raise ExternalServerError(f"WORKBENCH_DATABASE_URL is not a valid URL: {exc}") from exc
        self._dbname = str(params.pop("dbname", None) or "postgres")
        self._params: dict[str, Any] = params
        try:
            admin = self.admin
        except psycopg.OperationalError as exc:
            raise ExternalServerError(f"cannot connect to the external server: {exc}") from exc
        row = admin.execute(
            "SELECT current_user, rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user"
        ).fetchone()
        if not row or not row[1]:
            who = row[0] if row else "this role"
            self.close()
            raise ExternalServerError(
                f"role {who!r} may not create databases on the external server; the workbench "
                "works only in databases it creates itself. Grant it with "
                f"'ALTER ROLE {who} CREATEDB' or point WORKBENCH_DATABASE_URL at a role that has it."
            )

    def _connect_kwargs(self) -> dict[str, Any]:
        return dict(self._params)

    def _admin_dbname(self) -> str:
        return self._dbname

    def _shutdown(self) -> None:
        for name in list(self._created):
            with contextlib.suppress(psycopg.Error):
                self.drop_database(name)

    def __repr__(self) -> str:
        host = self._params.get("host", "localhost")
        return f"<ExternalServer {host}:{self._params.get('port', 5432)} created={list(self._created)}>"

"""An existing server reached by URL (``WORKBENCH_DATABASE_URL``).

For schemas too big for a laptop, or to profile on the hardware the schema
will run on. The workbench creates its own ``wb_<random>`` databases there and
drops only those; it never touches a database it did not create, and it
refuses up front, with the reason, when the role lacks CREATEDB.

Each database it creates carries a comment naming its owner process (host, pid
and the process's start time, so a reused pid is not mistaken for the owner).
An owner killed with SIGKILL cannot drop its databases; the next session on the
same host finds them by that comment and drops them, and nothing else.
"""

from __future__ import annotations

import contextlib
import os
import socket
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

from workbench.errors import ExternalServerError
from workbench.server.base import DATABASE_PREFIX, Server

_MARK = "schema-workbench owner"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def owner_mark(pid: int | None = None) -> str:
    """The comment that says which process created a database."""
    pid = pid or os.getpid()
    return f"{_MARK} host={socket.gethostname()} pid={pid} start={_start_time(pid)}"


def _owner_is_gone(comment: str) -> bool:
    fields = dict(part.split("=", 1) for part in comment[len(_MARK) :].split() if "=" in part)
    if fields.get("host") != socket.gethostname() or not fields.get("pid", "").isdigit():
        return False  # another machine's session, or not our mark: never ours to judge
    return _start_time(int(fields["pid"])) != fields.get("start")


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
        self.dropped_stale = self._drop_stale_databases()

    def create_database(self, *, template: str | None = None, name: str | None = None) -> str:
        name = super().create_database(template=template, name=name)
        self.admin.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(owner_mark())
            )
        )
        return name

    def _drop_stale_databases(self) -> list[str]:
        """Drop ``wb_*`` databases whose comment names a dead owner on this host."""
        rows = self.admin.execute(
            "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname LIKE %s AND shobj_description(oid, 'pg_database') LIKE %s",
            [DATABASE_PREFIX.replace("_", r"\_") + "%", _MARK + "%"],
        ).fetchall()
        dropped = []
        for name, comment in rows:
            if not _owner_is_gone(comment):
                continue
            with contextlib.suppress(psycopg.Error):
                self._created.append(name)  # ours by its mark: allowed to drop it
                self.drop_database(name)
                dropped.append(name)
            if name in self._created:
                self._created.remove(name)
        return dropped

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

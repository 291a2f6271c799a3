"""The database lifecycle shared by every backend.

A backend only knows how to reach its server (``_connect_kwargs``) and how to
go away (``_shutdown``); creating, cloning and dropping databases is the same
everywhere. Every database the workbench creates is named ``wb_<random>`` and
recorded, and only recorded databases are ever dropped: on an external server
that is the difference between a tool and an accident.
"""

from __future__ import annotations

import secrets
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from workbench.errors import ServerError

DATABASE_PREFIX = "wb_"


class Server:
    """A running PostgreSQL the workbench may create databases in."""

    backend: str = "?"
    bindir: Path | None = None

    def __init__(self) -> None:
        self._created: list[str] = []
        self._lock = threading.Lock()
        self._admin: psycopg.Connection | None = None
        self.closed = False

    # -- what a backend provides -------------------------------------------------------
    def _connect_kwargs(self) -> dict[str, Any]:
        raise NotImplementedError

    def _admin_dbname(self) -> str:
        return "postgres"

    def _shutdown(self) -> None:
        raise NotImplementedError

    # -- connection details -----------------------------------------------------------
    def conninfo(self, dbname: str) -> str:
        """A libpq/psycopg connection string for one database of this server."""
        return make_conninfo(**{**self._connect_kwargs(), "dbname": dbname})

    def sqlalchemy_url(self, dbname: str) -> str:
        """A SQLAlchemy 2 URL (``postgresql+psycopg://``) for one database of this server."""
        from sqlalchemy.engine import URL

        kw = self._connect_kwargs()
        query = {k: str(v) for k, v in kw.items() if k not in {"user", "password", "host", "port"}}
        host, port = kw.get("host"), kw.get("port")
        if host and str(host).startswith("/"):
            query["host"] = str(host)
            host = None
        url = URL.create(
            "postgresql+psycopg",
            username=kw.get("user"),
            password=kw.get("password"),
            host=host,
            port=int(port) if port and host else None,
            database=dbname,
            query={**query, **({"port": str(port)} if port and not host else {})},
        )
        return url.render_as_string(hide_password=False)

    def connect(self, dbname: str, **kwargs: Any) -> psycopg.Connection:
        return psycopg.connect(self.conninfo(dbname), **kwargs)

    @property
    def admin(self) -> psycopg.Connection:
        """An autocommit connection to the maintenance database, opened on first use."""
        if self._admin is None or self._admin.closed:
            self._admin = psycopg.connect(self.conninfo(self._admin_dbname()), autocommit=True)
        return self._admin

    @property
    def version_num(self) -> int:
        return int(self.admin.info.server_version)

    @property
    def version(self) -> str:
        # reported by the server at connection time: no round trip
        return self.admin.info.parameter_status("server_version") or str(self.version_num)

    # -- database lifecycle -----------------------------------------------------------
    @property
    def databases(self) -> tuple[str, ...]:
        """The databases this server object created and has not dropped yet."""
        return tuple(self._created)

    def create_database(self, *, template: str | None = None, name: str | None = None) -> str:
        """Create an empty database, or a clone of ``template``; return its name.

        Cloning uses ``STRATEGY FILE_COPY`` (PostgreSQL 15+), the fastest way to
        copy a small database, after making sure no session still sits on the
        template (PostgreSQL would otherwise wait 100 ms per retry for it).
        """
        name = name or f"{DATABASE_PREFIX}{secrets.token_hex(6)}"
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            self._wait_for_no_sessions(template)
            stmt += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            if self.version_num >= 150000:
                stmt += sql.SQL(" STRATEGY FILE_COPY")
        else:
            stmt += sql.SQL(" TEMPLATE template0")
        with self._lock:
            self.admin.execute(stmt)
            self._created.append(name)
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database this server object created; refuse any other."""
        if name not in self._created:
            raise ServerError(
                f"refusing to drop database {name!r}: the workbench did not create it "
                f"(it only drops its own: {', '.join(self._created) or 'none yet'})"
            )
        with self._lock:
            self._terminate_sessions(name)
            self.admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
            self._created.remove(name)

    def _terminate_sessions(self, dbname: str) -> None:
        # pg_terminate_backend(pid, timeout) waits until the backend is gone (PostgreSQL 14+),
        # so the DROP that follows does not stall on a backend that is still exiting.
        wait = ", 5000" if self.version_num >= 140000 else ""
        self.admin.execute(
            f"SELECT pg_terminate_backend(pid{wait}) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (dbname,),
        )

    def _wait_for_no_sessions(self, dbname: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            row = self.admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (dbname,),
            ).fetchone()
            if not row or row[0] == 0:
                return
            if time.monotonic() > deadline:
                raise ServerError(
                    f"database {dbname!r} still has {row[0]} session(s); close them before cloning it"
                )
            time.sleep(0.001)

    # -- going away -------------------------------------------------------------------
    def close(self) -> None:
        """Drop what this object created (external) or stop the whole server (local)."""
        if self.closed:
            return
        self.closed = True
        try:
            self._shutdown()
        finally:
            if self._admin is not None and not self._admin.closed:
                self._admin.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # a forgotten server must not outlive its object for long
        try:
            if not self.closed:
                self.close()
        except Exception:
            pass

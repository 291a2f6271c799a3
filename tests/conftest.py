"""Shared fixtures: one real disposable server per test session, fresh databases per test.

Every test talks to a real PostgreSQL (no mocks). The session-scoped server
starts once; databases are created per test (empty, or cloned from a template
that already holds a schema), which takes milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from workbench.loader import load_paths
from workbench.server import Server, start_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_SQL = ROOT / "sql"
CORPUS = Path(__file__).resolve().parent / "corpus"


def corpus_schemas() -> dict[str, Path]:
    """Every schema file of tests/corpus (read-only input written by other people)."""
    found = {p.parent.name: p for p in sorted(CORPUS.glob("*/*.sql"))}
    if not found:
        raise RuntimeError(f"no corpus schemas under {CORPUS}: the repository is incomplete")
    return found


ALL_SCHEMAS = {"example": EXAMPLE_SQL, **corpus_schemas()}
#: A schema holding every object kind the model knows (issue 22), for round trips and diffs.
ALL_KINDS_SQL = Path(__file__).resolve().parent / "schemas" / "all_kinds" / "all_kinds.sql"


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """The session's disposable server (backend chosen by the environment, embedded by default)."""
    with start_server() as srv:
        yield srv


@pytest.fixture(scope="session")
def template_for(server: Server) -> Callable[[Path | str], str]:
    """``template_for(path)``: a database holding that schema, loaded once per test session."""
    cache: dict[str, str] = {}

    def make(path: Path | str) -> str:
        key = str(path)
        if key not in cache:
            name = server.create_database()
            with server.connect(name) as conn:
                load_paths(conn, path, backend=server.backend)
            cache[key] = name
        return cache[key]

    return make


@pytest.fixture
def new_db(server: Server) -> Iterator[Callable[..., str]]:
    """Factory: ``new_db()`` → conninfo of a fresh empty database; ``new_db(template=name)`` clones."""
    made: list[str] = []

    def make(template: str | None = None) -> str:
        name = server.create_database(template=template)
        made.append(name)
        return server.conninfo(name)

    yield make
    for name in made:
        server.drop_database(name)


@pytest.fixture
def db_holding(tmp_path: Path, new_db, server: Server) -> Callable[[str], str]:
    """Factory: ``db_holding(ddl)`` → conninfo of a fresh database with ``ddl`` loaded."""

    def make(ddl: str) -> str:
        path = tmp_path / f"schema-{len(list(tmp_path.glob('schema-*.sql')))}.sql"
        path.write_text(ddl)
        conninfo = new_db()
        with psycopg.connect(conninfo) as conn:
            load_paths(conn, path, backend=server.backend)
        return conninfo

    return make


@pytest.fixture
def example_conninfo(template_for, new_db) -> str:
    """A fresh clone of the example schema (sql/), yours to change."""
    return new_db(template=template_for(EXAMPLE_SQL))


@pytest.fixture
def example_conn(example_conninfo: str) -> Iterator[psycopg.Connection]:
    with psycopg.connect(example_conninfo) as conn:
        yield conn

"""A small, fast, deterministic seeder for the example schema (tests and benchmark only).

``seed_comments(conninfo, rows)`` fills organisations, users, projects, tasks
and ``rows`` comments with ``generate_series``. The distribution is skewed on
purpose: the first user by id (the one ``queries/comments_by_author.sql``
asks about) wrote only a handful of comments, everybody else shares the rest,
so an index on ``comments.author_id`` is selective for that query.
"""

from __future__ import annotations

import psycopg

USERS = 500
RARE_AUTHOR_COMMENTS = 10


def _uuid(expr: str, prefix: str) -> str:
    # Deterministic, ordered uuids: prefix + zero-padded counter.
    return f"('{prefix}' || lpad(to_hex({expr}), 12, '0'))::uuid"


def seed_comments(conninfo: str, rows: int) -> None:
    """Seed the example schema with ``rows`` comments and what they depend on."""
    tasks = max(10, rows // 20)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO organisations (id, name, slug) "
            f"SELECT {_uuid('i', '00000000-0000-0000-0000-')}, 'Org ' || i, 'org-' || i "
            "FROM generate_series(1, 5) AS i"
        )
        conn.execute(
            "INSERT INTO users (id, email, display_name) "
            f"SELECT {_uuid('i', '10000000-0000-0000-0000-')}, 'user' || i || '@example.com', "
            f"'User ' || i FROM generate_series(1, {USERS}) AS i"
        )
        conn.execute(
            "INSERT INTO projects (id, organisation_id, owner_id, name, slug) "
            f"SELECT {_uuid('i', '20000000-0000-0000-0000-')}, "
            f"{_uuid('1 + i % 5', '00000000-0000-0000-0000-')}, "
            f"{_uuid('1 + i % 50', '10000000-0000-0000-0000-')}, 'Project ' || i, 'p-' || i "
            "FROM generate_series(1, 20) AS i"
        )
        conn.execute(
            "INSERT INTO tasks (id, project_id, title) "
            f"SELECT {_uuid('i', '30000000-0000-0000-0000-')}, "
            f"{_uuid('1 + i % 20', '20000000-0000-0000-0000-')}, 'Task ' || i "
            f"FROM generate_series(1, {tasks}) AS i"
        )
        # User 1 (the first by id) writes RARE_AUTHOR_COMMENTS comments; users 2..USERS the rest.
        conn.execute(
            "INSERT INTO comments (id, task_id, author_id, body, created_at) "
            f"SELECT {_uuid('i', '40000000-0000-0000-0000-')}, "
            f"{_uuid(f'1 + i % {tasks}', '30000000-0000-0000-0000-')}, "
            f"CASE WHEN i <= {RARE_AUTHOR_COMMENTS} "
            f"THEN {_uuid('1', '10000000-0000-0000-0000-')} "
            f"ELSE {_uuid(f'2 + i % {USERS - 1}', '10000000-0000-0000-0000-')} END, "
            "'Comment number ' || i || ' about the task, with some words to give it width', "
            "timestamptz '2026-01-01' + i * interval '1 minute' "
            f"FROM generate_series(1, {rows}) AS i"
        )

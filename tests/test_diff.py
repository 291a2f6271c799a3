"""Schema diffs: the migration SQL takes a database holding the old schema (with rows) to the new model."""

from __future__ import annotations

import pytest

from workbench.diff import diff
from workbench.introspect import introspect
from workbench.loader import load_text

OLD = """
CREATE TYPE status AS ENUM ('new', 'done');
CREATE TABLE users (
    id integer PRIMARY KEY,
    name text NOT NULL,
    legacy text
);
CREATE TABLE old_notes (
    id integer PRIMARY KEY,
    user_id integer REFERENCES users,
    body text
);
CREATE TABLE trash (id integer);
CREATE INDEX users_name_idx ON users (name);
CREATE VIEW user_names AS SELECT id, name FROM users;
CREATE FUNCTION greet(who text) RETURNS text LANGUAGE sql AS $$ SELECT 'hi ' || who $$;
"""

NEW = """
CREATE TYPE status AS ENUM ('new', 'in_progress', 'done');
CREATE TABLE users (
    id integer PRIMARY KEY,
    full_name text NOT NULL,
    email text,
    state status NOT NULL DEFAULT 'new'
);
COMMENT ON TABLE users IS 'people';
CREATE TABLE notes (
    id integer PRIMARY KEY,
    user_id integer,
    body text
);
ALTER TABLE notes ADD CONSTRAINT notes_user_fk FOREIGN KEY (user_id) REFERENCES users ON DELETE CASCADE;
CREATE TABLE tags (id integer PRIMARY KEY, label varchar(20) NOT NULL UNIQUE);
CREATE INDEX users_name_idx ON users (full_name);
CREATE INDEX users_email_idx ON users (lower(email)) WHERE email IS NOT NULL;
CREATE VIEW user_names AS SELECT id, full_name FROM users;
CREATE FUNCTION greet(who text) RETURNS text LANGUAGE sql AS $$ SELECT 'hello ' || who $$;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON users USING (email IS NOT NULL);
"""

SEED = """
INSERT INTO users (id, name, legacy) VALUES (1, 'Ada', 'x'), (2, 'Grace', NULL);
INSERT INTO old_notes (id, user_id, body) VALUES (10, 1, 'first'), (11, 2, 'second');
INSERT INTO trash VALUES (1);
"""


@pytest.fixture(scope="module")
def models(server):
    made = []

    def model_of(sql: str):
        name = server.create_database()
        made.append(name)
        with server.connect(name) as conn:
            load_text(conn, sql, path="schema.sql", backend=server.backend)
            return introspect(conn)

    yield model_of(OLD), model_of(NEW)
    for name in made:
        server.drop_database(name)


def test_migration_takes_old_to_new_and_rows_survive_renames(server, new_db, models):
    old, new = models
    changes = diff(old, new, renames={"public.users.name": "full_name"})
    conninfo = new_db()
    import psycopg

    with psycopg.connect(conninfo) as conn:
        load_text(conn, OLD + SEED, path="old.sql", backend=server.backend)
        load_text(conn, changes.migration_sql(), path="migration.sql", backend=server.backend)
        after = introspect(conn)
        assert after == new, str(diff(new, after))
        # Renames kept the data: the table and the column were renamed, not dropped.
        assert conn.execute("SELECT full_name FROM users ORDER BY id").fetchall() == [
            ("Ada",),
            ("Grace",),
        ]
        assert conn.execute("SELECT body FROM notes ORDER BY id").fetchall() == [
            ("first",),
            ("second",),
        ]


def test_changes_are_structured_and_destructive_ones_flagged(models):
    old, new = models
    d = diff(old, new, renames={"public.users.name": "full_name"})
    frame = d.to_frame()
    assert list(frame.columns) == ["kind", "name", "change", "details", "destructive"]
    got = {(r.kind, r.name, r.change) for r in frame.itertuples()}
    assert ("table", "public.old_notes", "renamed") in got  # detected: identical columns
    assert ("column", "public.users.name", "renamed") in got  # from the hint
    assert ("column", "public.users.email", "added") in got
    assert ("enum", "public.status", "altered") in got
    assert ("table", "public.tags", "added") in got
    assert ("view", "public.user_names", "altered") in got
    assert ("function", "public.greet(who text)", "altered") in got
    assert ("policy", "public.users.own_rows", "added") in got
    destructive = {(r.kind, r.name) for r in frame.itertuples() if r.destructive}
    assert destructive == {("table", "public.trash"), ("column", "public.users.legacy")}
    sql = d.migration_sql()
    lines = sql.splitlines()
    for statement in (
        "DROP TABLE public.trash CASCADE;",
        "ALTER TABLE public.users DROP COLUMN legacy;",
    ):
        assert lines[lines.index(statement) - 1].startswith("-- DESTRUCTIVE:"), statement
    assert "ALTER TABLE public.old_notes RENAME TO notes;" in lines
    assert "ALTER TABLE public.users RENAME COLUMN name TO full_name;" in lines
    assert "ALTER TYPE public.status ADD VALUE 'in_progress' BEFORE 'done';" in lines
    assert "[DESTRUCTIVE]" in str(d) and "<table>" in d._repr_html_()


def test_column_rename_is_detected_without_hints(models):
    old, new = models
    d = diff(old, new)
    # Two columns went and three came: position and type decide nothing, so no guess...
    assert ("column", "public.users.name", "renamed") not in {
        (c.kind, c.name, c.change) for c in d.changes
    }
    # ...but one removed + one added column of the same type at the same position is a rename.
    users_old = old.table("users")
    users_new = new.table("users")
    from dataclasses import replace

    narrowed_old = replace(old, tables=(replace(users_old, columns=users_old.columns[:2]),))
    narrowed_new = replace(old, tables=(replace(users_new, columns=users_new.columns[:2]),))
    renamed = [c for c in diff(narrowed_old, narrowed_new).changes if c.change == "renamed"]
    assert [(c.kind, c.name, c.details) for c in renamed] == [
        ("column", "public.users.name", "-> full_name")
    ]


def test_equal_schemas_have_no_differences(models):
    old, _ = models
    d = diff(old, old)
    assert not d and str(d) == "No differences." and len(d.to_frame()) == 0

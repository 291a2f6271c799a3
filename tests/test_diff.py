"""Schema diffs: the migration SQL takes a database holding the old schema (with rows) to the new model."""

from __future__ import annotations

import re

import psycopg
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
        load_text(
            conn,
            changes.migration_sql(),
            path="migration.sql",
            backend=server.backend,
            disposable=True,
        )
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
    assert "[DESTRUCTIVE]" in str(d) and "<table" in d._repr_html_()


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


# --- migrations checked against a real database -------------------------------------------------


@pytest.fixture
def migrate(server, new_db):
    """``migrate(old_sql, new_sql, seed="")`` → (diff, conninfo of the migrated database).

    Loads ``old_sql`` (+ ``seed``) into a fresh database, runs the migration the diff
    writes, and asserts the introspected result equals the model of ``new_sql``.
    """

    def model_of(sql: str):
        with psycopg.connect(new_db()) as conn:
            load_text(conn, sql, path="schema.sql", backend=server.backend)
            return introspect(conn)

    def run(old_sql: str, new_sql: str, seed: str = ""):
        old, new = model_of(old_sql), model_of(new_sql)
        d = diff(old, new)
        conninfo = new_db()
        with psycopg.connect(conninfo) as conn:
            load_text(conn, old_sql + seed, path="old.sql", backend=server.backend)
            load_text(
                conn,
                d.migration_sql(),
                path="migration.sql",
                backend=server.backend,
                disposable=True,
            )
            after = introspect(conn)
        assert after == new, f"{d.migration_sql()}\nstill differs:\n{diff(new, after)}"
        return d, conninfo

    return run


def statements(d) -> list[str]:
    return [s for c in d.changes for s in c.sql]


SEQ_OLD = """
CREATE SEQUENCE invoice_no START 1000;
CREATE SEQUENCE tick AS integer;
CREATE SEQUENCE gone;
CREATE TABLE t (id integer, other integer);
CREATE SEQUENCE t_seq OWNED BY t.id;
CREATE SEQUENCE moving OWNED BY t.id;
CREATE SEQUENCE free;
CREATE TABLE old_owner (id integer);
CREATE SEQUENCE survivor OWNED BY old_owner.id;
"""

SEQ_NEW = """
CREATE SEQUENCE invoice_no START 1000 INCREMENT 10 MAXVALUE 999999 CACHE 5 CYCLE;
COMMENT ON SEQUENCE invoice_no IS 'invoice numbers';
CREATE SEQUENCE tick AS bigint;
CREATE TABLE t (id integer, other integer);
CREATE SEQUENCE t_seq OWNED BY t.id;
CREATE SEQUENCE moving OWNED BY t.other;
CREATE SEQUENCE free OWNED BY t.id;
CREATE SEQUENCE survivor;
"""

SEQ_SEED = """
SELECT nextval('invoice_no') FROM generate_series(1, 3);
SELECT setval('survivor', 41);
SELECT setval('gone', 7);
"""


def test_changed_sequences_are_altered_keeping_their_values(migrate):
    d, conninfo = migrate(SEQ_OLD, SEQ_NEW, SEQ_SEED)
    sql = statements(d)
    assert not any(s.startswith("DROP SEQUENCE public.invoice_no") for s in sql)
    assert not any("CREATE SEQUENCE" in s for s in sql)
    assert any(s.startswith("ALTER SEQUENCE public.invoice_no\n") for s in sql)
    assert "ALTER SEQUENCE public.moving OWNED BY public.t.other;" in sql
    assert "ALTER SEQUENCE public.free OWNED BY public.t.id;" in sql
    assert "ALTER SEQUENCE public.survivor OWNED BY NONE;" in sql
    assert not any("t_seq" in s for s in sql)  # unchanged owner: nothing to do
    with psycopg.connect(conninfo) as conn:
        # Not recreated: the sequences continue where they were (last 1002, now step 10).
        assert conn.execute("SELECT nextval('invoice_no')").fetchone() == (1012,)
        # Released before its table was dropped, so it survived with its value.
        assert conn.execute("SELECT nextval('survivor')").fetchone() == (42,)
    # Dropping a sequence loses its current value: flagged and marked.
    assert [(c.kind, c.name) for c in d.destructive if c.kind == "sequence"] == [
        ("sequence", "public.gone")
    ]
    lines = d.migration_sql().splitlines()
    drop = lines.index("DROP SEQUENCE IF EXISTS public.gone;")
    assert lines[drop - 1].startswith("-- DESTRUCTIVE:")
    altered = next(c for c in d.changes if c.name == "public.invoice_no")
    assert "increment 1 -> 10" in altered.details and not altered.destructive


COMMENTS_OLD = """
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'old schema comment';
CREATE DOMAIN pos AS integer CONSTRAINT pos_check CHECK (VALUE > 0);
CREATE TABLE parent (id integer CONSTRAINT parent_pkey PRIMARY KEY);
CREATE TABLE item (
    id integer CONSTRAINT item_pkey PRIMARY KEY,
    parent_id integer CONSTRAINT item_parent_fk REFERENCES parent,
    code text CONSTRAINT item_code_key UNIQUE,
    qty pos CONSTRAINT item_qty_check CHECK (qty < 1000)
);
CREATE INDEX item_parent_idx ON item (parent_id);
COMMENT ON INDEX item_parent_idx IS 'old index comment';
COMMENT ON CONSTRAINT item_qty_check ON item IS 'old check comment';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
COMMENT ON FUNCTION touch() IS 'old function comment';
CREATE TRIGGER item_touch BEFORE UPDATE ON item FOR EACH ROW EXECUTE FUNCTION touch();
ALTER TABLE item ENABLE ROW LEVEL SECURITY;
CREATE POLICY item_all ON item USING (true);
CREATE VIEW item_codes AS SELECT id, code FROM item;
COMMENT ON VIEW item_codes IS 'old view comment';
CREATE MATERIALIZED VIEW item_totals AS SELECT parent_id, count(*) AS n FROM item GROUP BY parent_id;
CREATE INDEX item_totals_idx ON item_totals (parent_id);
CREATE SEQUENCE counter;
"""

COMMENTS_NEW = (
    COMMENTS_OLD.replace("'old schema comment'", "'new schema comment'")
    .replace("COMMENT ON INDEX item_parent_idx IS 'old index comment';\n", "")
    .replace("'old check comment'", "'new check comment'")
    .replace("'old function comment'", "'new function comment'")
    .replace("'old view comment'", "'new view comment'")
    + """
COMMENT ON CONSTRAINT pos_check ON DOMAIN pos IS 'domain check';
COMMENT ON INDEX item_code_key IS 'unique index';
COMMENT ON CONSTRAINT item_code_key ON item IS 'unique constraint';
COMMENT ON CONSTRAINT item_parent_fk ON item IS 'fk';
COMMENT ON TRIGGER item_touch ON item IS 'trigger';
COMMENT ON POLICY item_all ON item IS 'policy';
COMMENT ON COLUMN item_codes.code IS 'view column';
COMMENT ON MATERIALIZED VIEW item_totals IS 'totals';
COMMENT ON INDEX item_totals_idx IS 'matview index';
COMMENT ON SEQUENCE counter IS 'sequence';
"""
)

COMMENTS_SEED = """
INSERT INTO parent VALUES (1);
INSERT INTO item VALUES (1, 1, 'a', 5);
REFRESH MATERIALIZED VIEW item_totals;
"""


def test_comment_changes_are_comment_on_statements_only(migrate):
    d, conninfo = migrate(COMMENTS_OLD, COMMENTS_NEW, COMMENTS_SEED)
    sql = statements(d)
    assert sql and all(s.startswith("COMMENT ON ") for s in sql), sql
    expected = {
        "COMMENT ON SCHEMA app IS 'new schema comment';",
        "COMMENT ON CONSTRAINT pos_check ON DOMAIN public.pos IS 'domain check';",
        "COMMENT ON INDEX public.item_parent_idx IS NULL;",
        "COMMENT ON INDEX public.item_code_key IS 'unique index';",
        "COMMENT ON CONSTRAINT item_code_key ON public.item IS 'unique constraint';",
        "COMMENT ON CONSTRAINT item_qty_check ON public.item IS 'new check comment';",
        "COMMENT ON CONSTRAINT item_parent_fk ON public.item IS 'fk';",
        "COMMENT ON FUNCTION public.touch() IS 'new function comment';",
        "COMMENT ON TRIGGER item_touch ON public.item IS 'trigger';",
        "COMMENT ON POLICY item_all ON public.item IS 'policy';",
        "COMMENT ON VIEW public.item_codes IS 'new view comment';",
        "COMMENT ON COLUMN public.item_codes.code IS 'view column';",
        "COMMENT ON MATERIALIZED VIEW public.item_totals IS 'totals';",
        "COMMENT ON INDEX public.item_totals_idx IS 'matview index';",
        "COMMENT ON SEQUENCE public.counter IS 'sequence';",
    }
    assert set(sql) == expected
    assert not d.destructive
    with psycopg.connect(conninfo) as conn:
        # The matview was not rebuilt WITH NO DATA: its rows are still there.
        assert conn.execute("SELECT n FROM item_totals").fetchall() == [(1,)]


def test_comments_survive_rebuilds_of_changed_objects(migrate):
    """When an object is rebuilt for another reason, the rebuild carries its new comment."""
    old = COMMENTS_OLD
    new = (
        old.replace("CHECK (qty < 1000)", "CHECK (qty < 2000)")
        .replace("CREATE INDEX item_parent_idx ON item (parent_id);",
                 "CREATE INDEX item_parent_idx ON item (parent_id, id);")
        .replace("REFERENCES parent", "REFERENCES parent ON DELETE CASCADE")
        .replace("BEFORE UPDATE ON item", "BEFORE INSERT OR UPDATE ON item")
        .replace("RETURN NEW; END", "NEW.id := NEW.id; RETURN NEW; END")
        .replace("COMMENT ON FUNCTION touch() IS 'old function comment';\n", "")
        + """
ALTER TABLE item ADD COLUMN note text;
COMMENT ON COLUMN item.note IS 'new column';
COMMENT ON CONSTRAINT item_parent_fk ON item IS 'fk';
COMMENT ON TRIGGER item_touch ON item IS 'trigger';
"""
    )  # fmt: skip
    d, _ = migrate(old, new)
    sql = statements(d)
    assert "COMMENT ON COLUMN public.item.note IS 'new column';" in sql
    assert "COMMENT ON FUNCTION public.touch() IS NULL;" in sql


def test_every_destructive_change_is_marked_in_the_migration(models):
    old, new = models
    from dataclasses import replace as dc_replace

    from workbench.model import Extension, View

    old = dc_replace(
        old,
        extensions=(*old.extensions, Extension("pgcrypto", "public")),
        views=(*old.views, View("public", "mv", "SELECT 1 AS x", materialized=True)),
    )
    d = diff(old, new)
    assert {c.kind for c in d.destructive} >= {"extension", "view", "table", "column"}
    blocks: dict[str, list[str]] = {}  # "-- removed table public.trash" → its lines
    current: list[str] = []
    for line in d.migration_sql().splitlines():
        # A change's header; the cost lines ("-- metadata-only; ...") belong to its block.
        if re.match(r"-- (added|removed|altered|renamed) ", line):
            current = blocks.setdefault(line, [])
        else:
            current.append(line)
    for c in d.destructive:
        block = blocks[f"-- {c.change} {c.kind} {c.name}"]
        assert any(line.startswith("-- DESTRUCTIVE:") for line in block), (c, block)
    for c in d.changes:
        if not c.destructive and c.sql:
            block = blocks[f"-- {c.change} {c.kind} {c.name}"]
            assert not any(line.startswith("-- DESTRUCTIVE:") for line in block), (c, block)


# --- Workbench.reload() returns diff(before, after) -----------------------------------------------


def test_reload_returns_the_diff_of_an_edit_and_nothing_when_unchanged(server, tmp_path):
    import shutil

    import workbench
    from tests.conftest import EXAMPLE_SQL
    from workbench.errors import WorkbenchError

    sql = tmp_path / "sql"
    shutil.copytree(EXAMPLE_SQL, sql)
    with workbench.open(sql, server=server) as wb:
        assert wb.schema.table("public.tags")  # the model before the edit
        first = wb.template
        tags = sql / "065_tags.sql"
        tags.write_text(
            tags.read_text().replace(
                "    created_at       timestamptz NOT NULL DEFAULT now(),\n",
                "    created_at       timestamptz NOT NULL DEFAULT now(),\n    description text,\n",
                1,
            )
        )
        changes = wb.reload()
        assert [(c.kind, c.name, c.change) for c in changes.changes] == [
            ("column", "public.tags.description", "added")
        ]
        assert "description" in wb.schema.table("public.tags").column_names
        second = wb.template
        assert second != first  # loaded into a new template

        unchanged = wb.reload()
        assert not unchanged and str(unchanged) == "No differences."
        assert wb.template == second  # no edit: nothing was loaded again

        # A broken edit raises and keeps the previous template, so the session stays usable.
        tags.write_text(tags.read_text() + "\nCREATE TABLE broken (;\n")
        with pytest.raises(WorkbenchError):
            wb.reload()
        assert wb.template == second
        assert "description" in wb.schema.table("public.tags").column_names

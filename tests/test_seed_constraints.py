"""Seed correctness where it used to break: partial uniques, suffix placement, odd CHECKs.

Each test loads a small schema into a real database, seeds it and lets PostgreSQL judge
(the COPY, the rebuilt indexes and the re-validated foreign keys reject any bad row).
"""

from __future__ import annotations

import psycopg
import pytest

from tests.conftest import ALL_SCHEMAS
from workbench.introspect import introspect
from workbench.seed import SeedError, parse_shape, plan, seed
from workbench.seed.checks import Hints, add_hints, compile_check
from workbench.seed.load import Loader


def _schema(conninfo: str):
    with psycopg.connect(conninfo) as conn:
        return introspect(conn)


def _one(conninfo: str, query: str):
    with psycopg.connect(conninfo) as conn:
        row = conn.execute(query).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


INVITES = """
CREATE TABLE orgs (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE invites (
    id serial PRIMARY KEY,
    org_id integer NOT NULL REFERENCES orgs,
    email varchar(60) NOT NULL,
    accepted_at timestamptz,
    CONSTRAINT invites_email_format_check
        CHECK (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$'),
    CONSTRAINT invites_email_lower_check CHECK (email = lower(email))
);
CREATE UNIQUE INDEX invites_pending ON invites (org_id, email) WHERE accepted_at IS NULL;
"""


def test_partial_unique_is_partial_and_its_suffix_goes_where_the_regex_allows(db_holding):
    """Few addresses, few organisations: pending invitations repeat unless repaired.

    The repair must put the tail in the local part (``a.b7@x.org``), never after the
    domain (``a@x.org-7``), and leave accepted invitations free to repeat an address.
    """
    conninfo = db_holding(INVITES)
    addresses = ["anna.lee@example.org", "bob@mail.example.com", "c.d@x.io"]
    summary = seed(
        conninfo,
        _schema(conninfo),
        {"tables": {"orgs": 3, "invites": 3000}},
        columns={"invites.email": addresses},
        progress=False,
    )
    assert summary.rows["public.invites"] == 3000
    pending, distinct_pending, repeated_accepted = _one(
        conninfo,
        "SELECT count(*) FILTER (WHERE accepted_at IS NULL),"
        " count(DISTINCT (org_id, email)) FILTER (WHERE accepted_at IS NULL),"
        " (SELECT count(*) FROM (SELECT 1 FROM invites WHERE accepted_at IS NOT NULL"
        "  GROUP BY org_id, email HAVING count(*) > 1) g) FROM invites",
    )
    assert pending == distinct_pending and pending > 1000
    assert repeated_accepted > 0  # honoured as partial: history repeats addresses
    assert _one(conninfo, "SELECT count(*) FROM invites WHERE email !~ '@[a-z.]+$'") == 0


def test_unique_suffix_uses_letters_when_the_check_admits_no_digit(db_holding):
    conninfo = db_holding(
        "CREATE TABLE codes (id serial PRIMARY KEY, code varchar(12) NOT NULL UNIQUE"
        " CHECK (code ~ '^[a-z]+$'));"
    )
    summary = seed(conninfo, _schema(conninfo), 2000, progress=False)
    assert summary.rows["public.codes"] == 2000
    assert _one(conninfo, "SELECT count(DISTINCT code) FROM codes") == 2000


def test_zero_rows_for_a_parent_gives_its_children_zero_rows(template_for, new_db):
    from tests.conftest import EXAMPLE_SQL

    conninfo = new_db(template=template_for(EXAMPLE_SQL))
    summary = seed(conninfo, _schema(conninfo), {"default": 0}, progress=False)
    assert set(summary.rows.values()) == {0}
    summary = seed(
        new_db(template=template_for(EXAMPLE_SQL)),
        _schema(conninfo),
        {"default": 50, "tables": {"projects": 0}},
        progress=False,
    )
    assert summary.rows["public.projects"] == 0 and summary.rows["public.tasks"] == 0
    assert summary.rows["public.users"] == 50


def test_composite_key_of_a_foreign_key_and_a_line_number_comes_out_full(db_holding):
    conninfo = db_holding(
        "CREATE TABLE orders (id serial PRIMARY KEY);"
        "CREATE TABLE order_lines (order_id integer NOT NULL REFERENCES orders,"
        " line integer NOT NULL CHECK (line > 0), qty integer NOT NULL,"
        " PRIMARY KEY (order_id, line));"
    )
    summary = seed(
        conninfo, _schema(conninfo), {"tables": {"orders": 50, "order_lines": 1000}}, progress=False
    )
    assert summary.rows["public.order_lines"] == 1000
    assert _one(conninfo, "SELECT min(line) FROM order_lines") == 1


def test_domain_length_is_honoured_and_odd_checks_are_met(db_holding):
    conninfo = db_holding(
        """
        CREATE DOMAIN short_code AS varchar(15);
        CREATE DOMAIN shorter AS short_code CHECK (VALUE <> '');
        CREATE TABLE items (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            title short_code NOT NULL,
            label shorter,
            description text,
            currency text NOT NULL CHECK (upper(currency) IN ('EUR', 'USD', 'GBP')),
            created_at timestamptz NOT NULL CHECK (created_at <= now()),
            valid_until timestamptz CHECK (valid_until > now()),
            note text CHECK (octet_length(note) <= 20),
            user_ref integer,
            team_ref integer,
            CONSTRAINT items_one_owner CHECK (num_nonnulls(user_ref, team_ref) = 1)
        );
        """
    )
    summary = seed(conninfo, _schema(conninfo), 2000, progress=False)
    assert summary.rows["public.items"] == 2000
    assert _one(conninfo, "SELECT max(length(title)) FROM items") <= 15
    assert (
        _one(conninfo, "SELECT count(*) FROM items WHERE num_nonnulls(user_ref, team_ref) = 1")
        == 2000
    )
    assert _one(conninfo, "SELECT count(DISTINCT user_ref IS NULL) FROM items") == 2


def test_check_shapes_are_evaluated_like_postgresql():
    import pyarrow as pa

    evaluate, cols = compile_check("num_nonnulls(a, b) = 1")
    assert cols == {"a", "b"}
    data = {"a": pa.array([1, None, None, 4]), "b": pa.array([None, 2, None, 5])}
    assert evaluate(data).to_pylist() == [True, True, False, False]
    evaluate, _ = compile_check("octet_length(s) <= 3")
    assert evaluate({"s": pa.array(["abc", "ab\u00e9", None])}).to_pylist() == [True, False, None]
    hints = Hints()
    add_hints(hints, "upper(currency) = ANY (ARRAY['EUR'::text, 'USD'::text])")
    add_hints(hints, "num_nonnulls(user_ref, team_ref) = 1")
    assert hints.values["currency"] == ("EUR", "USD")
    assert hints.exactly_one == [("user_ref", "team_ref")]


@pytest.mark.slow
def test_many_tables_do_not_exhaust_the_lock_table(new_db):
    """1,400 tables chained by foreign keys: dropping every FK in one transaction runs out
    of the server's lock table (``out of shared memory`` at the default 64 locks per
    transaction); the loader commits the drops in batches. Only the loader's set-up runs
    here: a whole seed of 1,400 tables passes too, but takes minutes on a busy machine.
    """
    conninfo = new_db()
    ddl = ["CREATE TABLE t0 (id serial PRIMARY KEY);"]
    ddl += [
        f"CREATE TABLE t{i} (id serial PRIMARY KEY, p integer REFERENCES t{i - 1},"
        f" q integer REFERENCES t0);"
        for i in range(1, 1400)
    ]
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("\n".join(ddl))
    schema = _schema(conninfo)
    with Loader(conninfo, plan(schema, parse_shape(1)), parallel=1):
        pass  # entering drops the foreign keys (to be re-added as each table is loaded)
    assert _one(conninfo, "SELECT count(*) FROM pg_constraint WHERE contype = 'f'") == 0


def test_database_errors_surface_as_seed_errors_naming_the_table(db_holding):
    conninfo = db_holding(
        "CREATE TABLE t (id serial PRIMARY KEY, v text NOT NULL CHECK (v <> md5(v)));"
    )
    with pytest.raises(SeedError, match="t_v_check"):
        seed(conninfo, _schema(conninfo), 10, progress=False)


SHIPPED = """
CREATE TABLE schema_migrations (version varchar PRIMARY KEY);
INSERT INTO schema_migrations VALUES ('20240101000000'), ('20240202000000');
CREATE TABLE statuses (id serial PRIMARY KEY, code text NOT NULL UNIQUE);
INSERT INTO statuses (code) VALUES ('open'), ('closed'), ('held');
CREATE TABLE tickets (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    status_id integer NOT NULL REFERENCES statuses,
    title text NOT NULL
);
INSERT INTO tickets (id, status_id, title) VALUES (1, 1, 'shipped sample');
CREATE TABLE replies (
    id serial PRIMARY KEY,
    ticket_id bigint NOT NULL REFERENCES tickets,
    body text NOT NULL
);
"""


@pytest.mark.parametrize("slice_rows", [262_144, 64])  # whole tables, and sliced ones
@pytest.mark.parametrize("mode", ["keep", "top-up"])
def test_shipped_rows_are_kept_and_seeded_around(mode, slice_rows, db_holding):
    conninfo = db_holding(SHIPPED)
    summary = seed(
        conninfo, _schema(conninfo), 500, progress=False, shipped=mode, slice_rows=slice_rows
    )
    counts = {t.split(".")[-1]: n for t, n in summary.rows.items()}
    assert _one(conninfo, "SELECT count(*) FROM schema_migrations WHERE version LIKE '2024%'") == 2
    assert _one(conninfo, "SELECT count(*) FROM statuses WHERE code IN ('open', 'closed')") == 2
    assert _one(conninfo, "SELECT title FROM tickets WHERE id = 1") == "shipped sample"
    assert counts["replies"] == 500 == _one(conninfo, "SELECT count(*) FROM replies")
    if mode == "keep":
        assert counts["statuses"] == 3 and counts["schema_migrations"] == 2
        assert counts["tickets"] == 1
        assert _one(conninfo, "SELECT count(DISTINCT ticket_id) FROM replies") == 1
    else:
        assert counts["statuses"] == 500 == _one(conninfo, "SELECT count(*) FROM statuses")
        assert counts["tickets"] == 500 == _one(conninfo, "SELECT count(*) FROM tickets")
        # children point at shipped parents too
        assert _one(conninfo, "SELECT count(*) FROM tickets WHERE status_id <= 3") > 0
    assert not summary.asked


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ALL_SCHEMAS))
def test_every_schema_seeds_at_100k_rows_per_table(name, template_for, new_db):
    """At this size repeats appear that small seeds never meet (two equal addresses in
    one organisation, a full pair space); PostgreSQL must still accept every row."""
    conninfo = new_db(template=template_for(ALL_SCHEMAS[name]))
    # pagila's HNSW index over film_embedding takes minutes to build at 100 k vectors
    shape: dict = {"default": 100_000}
    if name == "pagila":
        shape["tables"] = {"film_embedding": 10_000}
    # slices of 16 k rows: every table past that size goes through the sliced path
    summary = seed(conninfo, _schema(conninfo), shape, progress=False, slice_rows=16_384)
    with psycopg.connect(conninfo) as conn:
        for table, rows in summary.rows.items():
            assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == rows
        assert not conn.execute(
            "SELECT conname FROM pg_constraint WHERE contype IN ('f', 'c') AND NOT convalidated"
        ).fetchall()
    assert summary.total_rows >= 100_000 * len(summary.rows) // 2


def test_an_address_is_derived_from_the_name_in_its_row(db_holding):
    conninfo = db_holding(
        "CREATE TABLE people (id serial PRIMARY KEY, email varchar(80) NOT NULL UNIQUE"
        " CHECK (email = lower(email)) CHECK (email ~* '^[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}$'),"
        " display_name varchar(100) NOT NULL);"
    )
    seed(conninfo, _schema(conninfo), 500, progress=False)
    matching = _one(
        conninfo,
        "SELECT count(*) FROM people WHERE split_part(email, '@', 1) LIKE"
        " trim(BOTH '.' FROM regexp_replace(lower(display_name), '[^a-z0-9]+', '.', 'g')) || '%'",
    )
    assert matching == 500


def test_jsonb_documents_have_one_key_set_per_column(db_holding):
    conninfo = db_holding("CREATE TABLE docs (id serial PRIMARY KEY, meta jsonb NOT NULL);")
    seed(conninfo, _schema(conninfo), 300, progress=False)
    shapes = _one(
        conninfo,
        "SELECT count(DISTINCT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(meta) k))"
        " FROM docs",
    )
    assert shapes == 1


def test_free_text_lengths_are_long_tailed(db_holding):
    conninfo = db_holding("CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL);")
    seed(conninfo, _schema(conninfo), 5000, progress=False)
    median, p99 = _one(
        conninfo,
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY length(body)),"
        " percentile_cont(0.99) WITHIN GROUP (ORDER BY length(body)) FROM notes",
    )
    assert p99 > 2.5 * median  # most notes short, a few several times longer


def test_password_hashes_are_encoded_as_a_password_library_stores_them(db_holding):
    """By name (``password_hash``) or by comment (a ``credential`` column said to be bcrypt)."""
    conninfo = db_holding(
        "CREATE TABLE accounts (id serial PRIMARY KEY, password_hash text NOT NULL,"
        " credential text, token_digest text);"
        " COMMENT ON COLUMN accounts.credential IS 'bcrypt hash of the password';"
        " COMMENT ON COLUMN accounts.token_digest IS 'sha256 of the API token';"
    )
    seed(conninfo, _schema(conninfo), 400, progress=False, null_fraction=0.0)
    phc, bcrypt, hexdigest = _one(
        conninfo,
        "SELECT count(*) FILTER (WHERE password_hash ~"
        " '^\\$argon2id\\$v=19\\$m=65536,t=3,p=4\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}$'),"
        " count(*) FILTER (WHERE credential ~ '^\\$2b\\$12\\$[./A-Za-z0-9]{53}$'),"
        " count(*) FILTER (WHERE token_digest ~ '^[0-9a-f]{64}$') FROM accounts",
    )
    assert (phc, bcrypt, hexdigest) == (400, 400, 400)


def test_a_rows_dates_follow_its_start_and_birth_dates_do_not(db_holding):
    """No ``created_at`` here: the rental's start is ``rental_date``; a birth date is not an event."""
    conninfo = db_holding(
        "CREATE TABLE rentals (id serial PRIMARY KEY, rental_date timestamptz NOT NULL,"
        " return_date timestamptz, last_update timestamptz NOT NULL);"
        " CREATE TABLE members (id serial PRIMARY KEY, created_at timestamptz NOT NULL,"
        " birth_date date, renewed_at timestamptz);"
    )
    seed(conninfo, _schema(conninfo), 1000, progress=False)
    returned_early, updated_early = _one(
        conninfo,
        "SELECT count(*) FILTER (WHERE return_date < rental_date),"
        " count(*) FILTER (WHERE last_update < rental_date) FROM rentals",
    )
    assert (returned_early, updated_early) == (0, 0)
    renewed_early, born_before = _one(
        conninfo,
        "SELECT count(*) FILTER (WHERE renewed_at < created_at),"
        " count(*) FILTER (WHERE birth_date < created_at::date) FROM members",
    )
    assert renewed_early == 0
    assert born_before > 0  # births are drawn on their own, not days after signing up

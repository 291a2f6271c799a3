"""Introspection of small hand-written SQL: each test checks specific model fields.

One database per module (loaded once); tests only read it.
"""

from __future__ import annotations

import pytest

from workbench.export.ddl import render_ddl
from workbench.introspect import introspect
from workbench.loader import load_text
from workbench.relations import check_enums, junction_tables, relationships
from workbench.serialize import from_json, to_json

SQL = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE SCHEMA crm;
COMMENT ON SCHEMA crm IS 'customer relations';
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN crm.percent AS numeric(5,2) DEFAULT 0 NOT NULL CONSTRAINT percent_range CHECK (VALUE BETWEEN 0 AND 100);
CREATE SEQUENCE counter AS integer START WITH 10 INCREMENT BY 5 MAXVALUE 1000 CYCLE;

CREATE TABLE crm.account (
    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 100 INCREMENT BY 10) PRIMARY KEY,
    email varchar(200) NOT NULL COLLATE "C",
    state text NOT NULL DEFAULT 'new' CHECK (state IN ('new', 'active', 'closed')),
    price numeric(10,2),
    price_with_tax numeric GENERATED ALWAYS AS (price * 1.2) STORED,
    feeling mood[],
    discount crm.percent,
    CONSTRAINT account_email_key UNIQUE NULLS NOT DISTINCT (email)
);
COMMENT ON TABLE crm.account IS 'who pays';
COMMENT ON COLUMN crm.account.email IS 'login';
CREATE INDEX account_lower_email ON crm.account (lower(email::text), id DESC) INCLUDE (state)
    WHERE state <> 'closed';
CREATE INDEX account_trgm ON crm.account USING gin (email gin_trgm_ops);

CREATE TABLE crm.note (
    id serial PRIMARY KEY,
    account_id bigint REFERENCES crm.account ON DELETE CASCADE ON UPDATE SET NULL
        DEFERRABLE INITIALLY DEFERRED,
    parent_id integer REFERENCES crm.note MATCH FULL,
    body text
);
CREATE TABLE crm.profile (
    account_id bigint PRIMARY KEY REFERENCES crm.account ON DELETE RESTRICT
);
CREATE TABLE crm.tag (id int PRIMARY KEY);
CREATE TABLE crm.note_tag (
    note_id int NOT NULL REFERENCES crm.note,
    tag_id int NOT NULL REFERENCES crm.tag,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (note_id, tag_id)
);

CREATE TABLE measurement (day date NOT NULL, value int) PARTITION BY RANGE (day);
CREATE TABLE measurement_2024 PARTITION OF measurement
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX measurement_day ON measurement (day);

CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER note_touch BEFORE INSERT OR UPDATE ON crm.note FOR EACH ROW EXECUTE FUNCTION touch();
CREATE AGGREGATE concat_all(text) (SFUNC = textcat, STYPE = text, INITCOND = '');

ALTER TABLE crm.note ENABLE ROW LEVEL SECURITY;
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'wb_reader') THEN CREATE ROLE wb_reader; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
CREATE POLICY readers ON crm.note AS RESTRICTIVE FOR SELECT TO wb_reader USING (body IS NOT NULL);

CREATE VIEW crm.busy AS SELECT a.id, count(n.id) AS notes FROM crm.account a JOIN crm.note n ON n.account_id = a.id GROUP BY a.id;
CREATE MATERIALIZED VIEW crm.busy_cache AS SELECT * FROM crm.busy WITH NO DATA;
CREATE UNIQUE INDEX busy_cache_id ON crm.busy_cache (id);
"""


@pytest.fixture(scope="module")
def schema(server):
    name = server.create_database()
    try:
        with server.connect(name) as conn:
            load_text(conn, SQL, path="introspect_test.sql", backend=server.backend)
            yield introspect(conn)
    finally:
        server.drop_database(name)


def test_namespaces_and_extensions(schema):
    assert [n.name for n in schema.namespaces] == ["crm", "public"]
    assert schema.namespaces[0].comment == "customer relations"
    assert [e.name for e in schema.extensions] == ["pg_trgm"]
    # Extension-owned objects never enter the model.
    assert not any(
        f.name.startswith(("similarity", "gtrgm", "gin_extract")) for f in schema.functions
    )


def test_columns_identity_generated_collation_types(schema):
    account = schema.table("crm.account")
    assert account.column_names == (
        "id", "email", "state", "price", "price_with_tax", "feeling", "discount",
    )  # fmt: skip
    id_ = account.column("id")
    assert (id_.identity, id_.default, id_.nullable) == ("ALWAYS", None, False)
    assert id_.identity_options == "START WITH 100 INCREMENT BY 10"
    email = account.column("email")
    assert (email.type, email.max_length, email.collation, email.comment) == (
        "character varying(200)", 200, '"C"', "login",
    )  # fmt: skip
    assert account.column("state").default == "'new'::text"
    assert account.column("price").numeric_precision == 10
    assert account.column("price").numeric_scale == 2
    assert account.column("price_with_tax").generated == "(price * 1.2)"
    feeling = account.column("feeling")
    assert (feeling.is_array, feeling.type_kind, feeling.type_ref) == (True, "enum", "public.mood")
    discount = account.column("discount")
    assert (discount.type_kind, discount.type_ref) == ("domain", "crm.percent")
    assert account.comment == "who pays"


def test_constraints(schema):
    account = schema.table("crm.account")
    by_name = {c.name: c for c in account.constraints}
    assert [c.name for c in account.constraints] == sorted(by_name)
    assert by_name["account_pkey"].kind == "primary_key"
    assert by_name["account_email_key"].nulls_not_distinct is True
    check = by_name["account_state_check"]
    assert check.kind == "check" and check.columns == ("state",)
    assert "ANY" in check.expression


def test_foreign_keys(schema):
    note = schema.table("crm.note")
    fks = {fk.name: fk for fk in note.foreign_keys}
    acc = fks["note_account_id_fkey"]
    assert (acc.ref_table, acc.columns, acc.ref_columns) == (
        "crm.account",
        ("account_id",),
        ("id",),
    )
    assert (acc.on_delete, acc.on_update) == ("CASCADE", "SET NULL")
    assert (acc.deferrable, acc.initially_deferred) == (True, True)
    assert fks["note_parent_id_fkey"].match == "FULL"


def test_indexes(schema):
    idx = {i.name: i for i in schema.table("crm.account").indexes}
    partial = idx["account_lower_email"]
    assert partial.keys == ("lower((email)::text)", "id DESC")
    assert partial.columns == (None, "id")
    assert partial.include == ("state",)
    assert partial.predicate == "(state <> 'closed'::text)"
    assert idx["account_trgm"].method == "gin"
    assert idx["account_pkey"].constraint == "account_pkey" and idx["account_pkey"].unique


def test_partitions(schema):
    parent = schema.table("measurement")
    child = schema.table("measurement_2024")
    assert (parent.kind, parent.partition_key) == ("partitioned", "RANGE (day)")
    assert child.partition_of == "public.measurement"
    assert child.partition_bound == "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    # The partition's copy of measurement_day belongs to the parent in the model.
    assert child.indexes == () and [i.name for i in parent.indexes] == ["measurement_day"]


def test_types_sequences_functions(schema):
    assert [(e.name, e.values) for e in schema.enums] == [("mood", ("sad", "ok", "happy"))]
    (percent,) = schema.domains
    assert (percent.base_type, percent.not_null, percent.default) == ("numeric(5,2)", True, "0")
    assert percent.checks[0].name == "percent_range"
    seqs = {s.name: s for s in schema.sequences}
    assert (
        seqs["counter"].start == 10 and seqs["counter"].max_value == 1000 and seqs["counter"].cycle
    )
    assert seqs["note_id_seq"].owned_by == "crm.note.id"
    assert not any(s.name.startswith("account_id") for s in schema.sequences)  # identity-internal
    agg = next(f for f in schema.functions if f.name == "concat_all")
    assert agg.kind == "aggregate" and "SFUNC = textcat" in agg.definition
    assert "INITCOND = ''" in agg.definition


def test_triggers_rls_policies(schema):
    note = schema.table("crm.note")
    (trigger,) = note.triggers
    assert (trigger.timing, trigger.events, trigger.level) == (
        "BEFORE",
        ("INSERT", "UPDATE"),
        "ROW",
    )
    assert trigger.function == "public.touch"
    assert note.rls_enabled and not note.rls_forced
    (policy,) = note.policies
    assert (policy.command, policy.permissive) == ("SELECT", False)
    assert policy.roles == ("wb_reader",)
    assert policy.using == "(body IS NOT NULL)" and policy.with_check is None


def test_views(schema):
    views = {v.name: v for v in schema.views}
    assert views["busy"].depends_on == ("crm.account", "crm.note")
    assert [c.name for c in views["busy"].columns] == ["id", "notes"]
    cache = views["busy_cache"]
    assert cache.materialized and [i.name for i in cache.indexes] == ["busy_cache_id"]
    assert cache.depends_on == ("crm.busy",)


def test_relations(schema):
    rels = {r.fk: r for r in relationships(schema)}
    assert rels["profile_account_id_fkey"].kind == "one-to-one"
    assert rels["note_account_id_fkey"].kind == "one-to-many"
    assert rels["note_account_id_fkey"].optional
    assert rels["note_parent_id_fkey"].self_reference
    (m2m,) = junction_tables(schema)
    assert (m2m.junction, m2m.left, m2m.right) == ("crm.note_tag", "crm.note", "crm.tag")
    (enum,) = check_enums(schema)
    assert (enum.table, enum.column, enum.values) == (
        "crm.account",
        "state",
        ("new", "active", "closed"),
    )


def test_json_is_lossless_and_ddl_round_trips(server, schema):
    assert from_json(to_json(schema)) == schema
    name = server.create_database()
    try:
        with server.connect(name) as conn:
            load_text(conn, render_ddl(schema), path="ddl.sql", backend=server.backend)
            assert introspect(conn) == schema
    finally:
        server.drop_database(name)


def test_schemas_filter(server, schema):
    name = server.create_database()
    try:
        with server.connect(name) as conn:
            load_text(conn, SQL, path="introspect_test.sql", backend=server.backend)
            only = introspect(conn, schemas=["crm"])
    finally:
        server.drop_database(name)
    assert {t.schema for t in only.tables} == {"crm"}
    assert [n.name for n in only.namespaces] == ["crm"]


def test_virtual_generated_column_keeps_its_kind(new_db):
    # PostgreSQL 18 computes VIRTUAL columns when read; exporting one as STORED would
    # change the design, so the model records the kind and the DDL writes it back.
    import psycopg

    sql = (
        "CREATE TABLE film (minutes smallint,"
        " hours numeric(4,2) GENERATED ALWAYS AS (round(minutes / 60.0, 2)) VIRTUAL,"
        " doubled int GENERATED ALWAYS AS (minutes * 2) STORED);"
    )
    with psycopg.connect(new_db()) as conn:
        load_text(conn, sql)
        schema = introspect(conn)
    cols = {c.name: c for c in schema.table("film").columns}
    assert cols["hours"].generated_virtual and not cols["doubled"].generated_virtual
    ddl = render_ddl(schema)
    assert "VIRTUAL" in ddl and "STORED" in ddl
    with psycopg.connect(new_db()) as conn:
        load_text(conn, ddl)
        assert introspect(conn) == schema

"""Static classification of migration statements and the safe forms (issue 17).

No database here: each statement's category and documented lock mode, the widenings
PostgreSQL does without a rewrite, and the rewriting into safe forms. The rehearsal
tests (tests/test_rehearse.py) check these against measured locks on seeded data."""

from __future__ import annotations

import pytest

from workbench.safety import classify, safe_statements, type_change

NONE: frozenset[str] = frozenset()


@pytest.mark.parametrize(
    ("stmt", "category", "lock"),
    [
        ("ALTER TABLE public.t ADD COLUMN c text;", "metadata", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t ADD COLUMN c text DEFAULT 'x';", "metadata", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t ADD COLUMN c uuid DEFAULT gen_random_uuid();", "rewrite", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t ADD COLUMN c double precision DEFAULT random() NOT NULL;", "rewrite", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t DROP COLUMN c;", "destructive", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t ALTER COLUMN c SET NOT NULL;", "scan", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t ALTER COLUMN c DROP NOT NULL;", "metadata", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t ADD CONSTRAINT k CHECK ((c > 0));", "scan", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t ADD CONSTRAINT k CHECK ((c > 0)) NOT VALID;", "metadata", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u(id);", "scan", "SHARE ROW EXCLUSIVE"),
        ("ALTER TABLE public.t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u(id) NOT VALID;", "metadata", "SHARE ROW EXCLUSIVE"),
        ("ALTER TABLE public.t VALIDATE CONSTRAINT f;", "scan", "SHARE UPDATE EXCLUSIVE"),
        ("ALTER TABLE public.t ADD CONSTRAINT u UNIQUE (a);", "scan", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t ADD CONSTRAINT u UNIQUE USING INDEX u;", "metadata", "ACCESS EXCLUSIVE"),
        ("CREATE INDEX i ON public.t USING btree (a);", "scan", "SHARE"),
        ("CREATE INDEX CONCURRENTLY i ON public.t USING btree (a);", "scan", "SHARE UPDATE EXCLUSIVE"),
        ("DROP INDEX public.i;", "metadata", "ACCESS EXCLUSIVE"),
        ("DROP INDEX CONCURRENTLY public.i;", "metadata", "SHARE UPDATE EXCLUSIVE"),
        ("ALTER TABLE public.t RENAME TO u;", "metadata", "ACCESS EXCLUSIVE"),
        ("ALTER TABLE public.t RENAME COLUMN a TO b;", "metadata", "ACCESS EXCLUSIVE"),
        ("DROP TABLE public.t CASCADE;", "destructive", "ACCESS EXCLUSIVE"),
        ("ALTER TYPE public.s ADD VALUE 'x' AFTER 'y';", "metadata", ""),
        ("INSERT INTO public.t (a) SELECT a FROM public.u;", "scan", "ROW EXCLUSIVE"),
        ("ALTER TABLE public.t SET UNLOGGED;", "rewrite", "ACCESS EXCLUSIVE"),
    ],
)  # fmt: skip
def test_each_statement_has_a_category_and_its_documented_lock(stmt, category, lock):
    cost = classify(stmt)
    assert (cost.category, cost.lock) == (category, lock)


@pytest.mark.parametrize(
    ("old", "new", "rewrite", "lossy"),
    [
        ("character varying(50)", "character varying(80)", False, False),
        ("character varying(50)", "text", False, False),
        ("character varying(50)", "character varying", False, False),
        ("text", "character varying", False, False),
        ("numeric(10,2)", "numeric(12,2)", False, False),
        ("numeric(10,2)", "numeric", False, False),
        ("integer", "bigint", True, False),  # a rewrite, not data loss
        ("smallint", "integer", True, False),
        ("real", "double precision", True, False),
        ("character varying(80)", "character varying(50)", True, True),
        ("text", "character varying(50)", True, True),
        ("numeric(10,2)", "numeric(10,1)", True, True),
        ("bigint", "integer", True, True),
        ("text", "integer", True, True),
    ],
)
def test_widenings_are_not_destructive(old, new, rewrite, lossy):
    assert type_change(old, new)[:2] == (rewrite, lossy)


def test_type_change_statement_is_classified_with_the_old_type():
    stmt = "ALTER TABLE public.t ALTER COLUMN c TYPE text;"
    assert classify(stmt, old_type="character varying(20)").category == "metadata"
    assert classify(stmt.replace("text", "bigint"), old_type="integer").category == "rewrite"
    narrow = "ALTER TABLE public.t ALTER COLUMN c TYPE integer USING c::integer;"
    assert classify(narrow, old_type="bigint").category == "destructive"


def test_safe_forms():
    def safe(stmt, **kw):
        return safe_statements(
            stmt, new_tables=kw.get("new", NONE), partitioned=kw.get("part", NONE)
        )

    assert safe("CREATE INDEX i ON public.t USING btree (a);") == [
        "CREATE INDEX CONCURRENTLY i ON public.t USING btree (a);"
    ]
    assert safe("CREATE UNIQUE INDEX i ON public.t USING btree (a);") == [
        "CREATE UNIQUE INDEX CONCURRENTLY i ON public.t USING btree (a);"
    ]
    assert safe("DROP INDEX public.i;") == ["DROP INDEX CONCURRENTLY public.i;"]
    assert safe("ALTER TABLE public.t\n    ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u(id);") == [
        "ALTER TABLE public.t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u(id) NOT VALID;",
        "ALTER TABLE public.t VALIDATE CONSTRAINT f;",
    ]
    assert safe("ALTER TABLE public.t ADD CONSTRAINT k CHECK ((a > 0));") == [
        "ALTER TABLE public.t ADD CONSTRAINT k CHECK ((a > 0)) NOT VALID;",
        "ALTER TABLE public.t VALIDATE CONSTRAINT k;",
    ]
    assert safe("ALTER TABLE public.t ADD CONSTRAINT u UNIQUE (a, b);") == [
        "CREATE UNIQUE INDEX CONCURRENTLY u ON public.t (a, b);",
        "ALTER TABLE public.t ADD CONSTRAINT u UNIQUE USING INDEX u;",
    ]
    assert safe("ALTER TABLE public.t ALTER COLUMN a SET NOT NULL;") == [
        "ALTER TABLE public.t ADD CONSTRAINT wb_not_null_t_a CHECK (a IS NOT NULL) NOT VALID;",
        "ALTER TABLE public.t VALIDATE CONSTRAINT wb_not_null_t_a;",
        "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL;",
        "ALTER TABLE public.t DROP CONSTRAINT wb_not_null_t_a;",
    ]
    # New tables (nobody uses them yet) and partitioned tables keep the plain form.
    plain = "CREATE INDEX i ON public.t USING btree (a);"
    assert safe(plain, new=frozenset({"public.t"})) == [plain]
    assert safe(plain, part=frozenset({"public.t"})) == [plain]


def test_migration_sql_safe_by_default_and_plain_when_unsafe():
    from workbench.diff import diff
    from workbench.model import Column, Index, Schema, Table

    cols = (Column("id", "bigint", nullable=False), Column("a", "integer"))
    old = Schema(tables=(Table("public", "t", cols),))
    definition = "CREATE INDEX t_a_idx ON public.t USING btree (a)"
    idx = Index("t_a_idx", "public.t", ("a",), ("a",), definition=definition)
    new = Schema(
        tables=(
            Table("public", "t", (cols[0], Column("a", "integer", nullable=False)), indexes=(idx,)),
        )
    )
    d = diff(old, new)
    safe = d.migration_sql()
    assert "CREATE INDEX CONCURRENTLY t_a_idx" in safe
    assert "CHECK (a IS NOT NULL) NOT VALID;" in safe
    assert "SET lock_timeout = '5s'; SET statement_timeout = '5min';" in safe
    assert "-- metadata-only; ACCESS EXCLUSIVE on public.t (blocks reads and writes)" in safe
    assert (
        "-- full scan; SHARE UPDATE EXCLUSIVE on public.t (blocks nothing); outside a transaction"
        in safe
    )
    plain = d.migration_sql(safe=False)
    assert "CONCURRENTLY" not in plain and "lock_timeout" not in plain and "NOT VALID" not in plain
    assert "ALTER TABLE public.t ALTER COLUMN a SET NOT NULL;" in plain
    assert "-- full scan; SHARE on public.t (blocks writes); builds the index" in plain
    frame = d.to_steps_frame()
    assert list(frame["lock"]) == ["ACCESS EXCLUSIVE", "SHARE UPDATE EXCLUSIVE", "ACCESS EXCLUSIVE",
                                   "ACCESS EXCLUSIVE", "SHARE UPDATE EXCLUSIVE"]  # fmt: skip


def test_alembic_revision_runs_the_safe_forms_outside_the_transaction():
    from workbench.diff import diff
    from workbench.export.alembic_revision import operations_code
    from workbench.model import Column, Index, Schema, Table

    cols = (Column("id", "bigint", nullable=False), Column("a", "integer"))
    definition = "CREATE INDEX t_a_idx ON public.t USING btree (a)"
    idx = Index("t_a_idx", "public.t", ("a",), ("a",), definition=definition)
    old = Schema(tables=(Table("public", "t", cols),))
    new = Schema(tables=(Table("public", "t", cols, indexes=(idx,)),))
    code = "\n".join(operations_code(diff(old, new).migration_sql()))
    assert "with op.get_context().autocommit_block():\n    op.execute(" in code
    assert "CREATE INDEX CONCURRENTLY t_a_idx" in code
    assert "# full scan; SHARE UPDATE EXCLUSIVE on public.t (blocks nothing)" in code

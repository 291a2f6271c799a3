"""Design lint: every rule flags a schema and passes another; config, suppressions,
locations, output formats, the CLI, and the corpus schemas.

Rule cases are hand-built :class:`Schema` objects (no server); the rest loads
real SQL into real databases and introspects it, because what PostgreSQL
prints (types, CHECK expressions, policy expressions) is what the rules read.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ALL_SCHEMAS, CORPUS, EXAMPLE_SQL
from workbench.cli import main as cli_main
from workbench.introspect import introspect
from workbench.lint import RULES, Finding, LintConfig, LintConfigError, lint
from workbench.lint.keywords import KEYWORDS, query_keywords
from workbench.lint.locate import Locator
from workbench.loader import load_text
from workbench.model import (
    Column,
    Constraint,
    ForeignKey,
    Function,
    Index,
    Namespace,
    Policy,
    Schema,
    Table,
    Trigger,
)

# -- hand-built schemas ----------------------------------------------------------


def col(name: str, type: str = "text", **kw) -> Column:
    return Column(name, type, **kw)


def pk(table: str, *cols: str) -> Constraint:
    return Constraint(f"{table}_pkey", "primary_key", cols, f"PRIMARY KEY ({', '.join(cols)})")


def pk_index(table: str, *cols: str) -> Index:
    return Index(
        f"{table}_pkey", f"public.{table}", cols, cols, unique=True, constraint=f"{table}_pkey"
    )


def index(
    table: str, name: str, *keys: str, unique: bool = False, predicate: str | None = None
) -> Index:
    return Index(
        name,
        f"public.{table}",
        keys,
        tuple(k if k.isidentifier() else None for k in keys),
        unique=unique,
        predicate=predicate,
    )


def fk(
    table: str, cols: tuple[str, ...], ref: str, ref_cols: tuple[str, ...] = ("id",), **kw
) -> ForeignKey:
    return ForeignKey(
        f"{table}_{'_'.join(cols)}_fkey", f"public.{table}", cols, f"public.{ref}", ref_cols, **kw
    )


TIMESTAMPS = (
    col("created_at", "timestamp with time zone", nullable=False),
    col("updated_at", "timestamp with time zone", nullable=False),
)
TOUCH = Function(
    "public",
    "touch",
    "",
    "trigger",
    "plpgsql",
    "CREATE OR REPLACE FUNCTION public.touch() RETURNS trigger AS $$BEGIN NEW.updated_at = now(); RETURN NEW; END $$",
)


def touch_trigger(table: str, function: str = "public.touch") -> Trigger:
    return Trigger(
        f"{table}_touch",
        f"public.{table}",
        "BEFORE",
        ("UPDATE",),
        "ROW",
        function,
        f"CREATE TRIGGER ... {table}",
    )


def table(
    name: str, *columns: Column, key: tuple[str, ...] = ("id",), stamps: bool = True, **kw
) -> Table:
    """A well-behaved table: bigint identity key, timestamps with their trigger, unless told otherwise."""
    cols = (
        (col("id", "bigint", nullable=False, identity="ALWAYS"), *columns)
        if key == ("id",)
        else columns
    )
    if stamps:
        cols = (*cols, *TIMESTAMPS)
    kw.setdefault("constraints", (pk(name, *key),) if key else ())
    kw.setdefault("indexes", (pk_index(name, *key),) if key else ())
    kw.setdefault("triggers", (touch_trigger(name),) if stamps else ())
    return Table("public", name, cols, **kw)


def schema(*tables: Table, **kw) -> Schema:
    kw.setdefault("functions", (TOUCH,))
    return Schema(namespaces=(Namespace("public"),), tables=tables, **kw)


def users() -> Table:
    return table("users", col("email", "text", nullable=False))


def child(
    fk_kw: dict | None = None, *, nullable: bool = False, indexed: bool = True, **kw
) -> Table:
    """posts.user_id -> users.id."""
    idx = (
        (pk_index("posts", "id"), index("posts", "posts_user_id_idx", "user_id"))
        if indexed
        else (pk_index("posts", "id"),)
    )
    kw.setdefault("indexes", idx)
    kw.setdefault("foreign_keys", (fk("posts", ("user_id",), "users", **(fk_kw or {})),))
    return table("posts", col("user_id", "bigint", nullable=nullable), **kw)


def keyed(name: str, key: Column) -> Table:
    """A table whose key column is ``key`` instead of the bigint identity."""
    return table(
        name, key, key=(), constraints=(pk(name, key.name),), indexes=(pk_index(name, key.name),)
    )


def with_col(c: Column, name: str = "things", **kw) -> Schema:
    return schema(table(name, c, **kw))


CHECK_ROLE = "((role)::text = ANY ((ARRAY['admin'::character varying, 'member'::character varying])::text[]))"


def role_table(name: str, expr: str = CHECK_ROLE) -> Table:
    return table(
        name,
        col("role", "character varying(20)", nullable=False, max_length=20),
        constraints=(
            pk(name, "id"),
            Constraint(
                f"{name}_role_check", "check", ("role",), f"CHECK ({expr})", expression=expr
            ),
        ),
    )


TENANT = col("organisation_id", "bigint", nullable=False)
POLICY = Policy(
    "tenant_isolation",
    "public.projects",
    using="(organisation_id = (current_setting('app.org'::text))::bigint)",
)

#: rule id -> (a schema the rule flags, a schema it passes).
CASES: dict[str, tuple[Schema, Schema]] = {
    "fk-without-index": (
        schema(users(), child(indexed=False)),
        # Covered by the leading column of a composite unique index.
        schema(
            users(),
            child(
                indexed=False,
                indexes=(
                    pk_index("posts", "id"),
                    index("posts", "posts_user_slug_key", "user_id", "slug", unique=True),
                ),
            ),
        ),
    ),
    "table-without-primary-key": (
        schema(table("events", col("name"), key=())),
        schema(table("events", col("name"))),
    ),
    "duplicate-index": (
        schema(
            table(
                "users",
                col("email"),
                indexes=(
                    pk_index("users", "id"),
                    index("users", "a_idx", "email"),
                    index("users", "b_idx", "email"),
                ),
            )
        ),
        schema(
            table(
                "users",
                col("email"),
                indexes=(
                    pk_index("users", "id"),
                    index("users", "a_idx", "email"),
                    index("users", "b_idx", "email", predicate="(email IS NOT NULL)"),
                ),
            )
        ),
    ),
    "redundant-index": (
        schema(
            table(
                "users",
                col("a"),
                col("b"),
                indexes=(
                    pk_index("users", "id"),
                    index("users", "a_idx", "a"),
                    index("users", "a_b_idx", "a", "b"),
                ),
            )
        ),
        # A unique prefix enforces something: not redundant.
        schema(
            table(
                "users",
                col("a"),
                col("b"),
                indexes=(
                    pk_index("users", "id"),
                    index("users", "a_key", "a", unique=True),
                    index("users", "a_b_idx", "a", "b"),
                ),
            )
        ),
    ),
    "duplicate-foreign-key": (
        schema(
            users(),
            child(
                foreign_keys=(
                    fk("posts", ("user_id",), "users"),
                    ForeignKey(
                        "posts_owner_fkey", "public.posts", ("user_id",), "public.users", ("id",)
                    ),
                )
            ),
        ),
        schema(users(), child()),
    ),
    "fk-type-mismatch": (
        schema(
            users(),
            table(
                "posts",
                col("user_id", "integer", nullable=False),
                foreign_keys=(fk("posts", ("user_id",), "users"),),
                indexes=(pk_index("posts", "id"), index("posts", "i", "user_id")),
            ),
        ),
        schema(users(), child()),
    ),
    "timestamp-without-time-zone": (
        with_col(col("seen_at", "timestamp without time zone")),
        with_col(col("seen_at", "timestamp with time zone")),
    ),
    "serial-column": (
        schema(
            keyed(
                "things",
                col("id", "integer", nullable=False, default="nextval('things_id_seq'::regclass)"),
            )
        ),
        schema(table("things")),
    ),
    "prefer-bigint-key": (
        schema(keyed("things", col("id", "integer", nullable=False, identity="ALWAYS"))),
        schema(table("things")),
    ),
    "arbitrary-varchar-limit": (
        with_col(col("email", "character varying(255)", max_length=255)),
        with_col(col("country", "character varying(2)", max_length=2)),
    ),
    "char-column": (
        with_col(col("code", "character(3)", max_length=3)),
        with_col(col("code", "text")),
    ),
    "json-column": (with_col(col("doc", "json")), with_col(col("doc", "jsonb"))),
    "missing-timestamp-columns": (
        schema(table("things", stamps=False)),
        schema(table("things")),
    ),
    "updated-at-without-trigger": (
        schema(table("things", triggers=())),
        schema(table("things")),
    ),
    "table-name-number-drift": (
        schema(table("users"), table("projects"), table("audit_log")),
        schema(table("users"), table("projects"), table("audit_logs")),
    ),
    "fk-column-naming": (
        schema(
            users(),
            table("projects"),
            table(
                "posts",
                col("project_id", "bigint", nullable=False),
                foreign_keys=(fk("posts", ("project_id",), "users"),),
                indexes=(pk_index("posts", "id"), index("posts", "i", "project_id")),
            ),
        ),
        # A role name (author_id -> users) is fine.
        schema(
            users(),
            table("projects"),
            table(
                "posts",
                col("author_id", "bigint", nullable=False),
                foreign_keys=(fk("posts", ("author_id",), "users"),),
                indexes=(pk_index("posts", "id"), index("posts", "i", "author_id")),
            ),
        ),
    ),
    "reserved-word-identifier": (
        schema(table("user", col("name"))),
        schema(table("users", col("name"))),
    ),
    "quoted-identifier": (
        schema(table("Album", col("Title"))),
        schema(table("album", col("title"))),
    ),
    "identifier-maybe-truncated": (
        schema(table("t" * 63)),
        schema(table("t" * 62)),
    ),
    "table-comment-required": (
        schema(table("things")),
        schema(table("things", comment="One thing per row.")),
    ),
    "column-comment-required": (
        schema(Table("public", "things", (col("id", "bigint", nullable=False),), comment="x")),
        schema(
            Table(
                "public",
                "things",
                (col("id", "bigint", nullable=False, comment="Key."),),
                comment="x",
            )
        ),
    ),
    "rls-disabled-on-tenant-table": (
        schema(table("projects", TENANT)),
        schema(table("projects", TENANT, rls_enabled=True, policies=(POLICY,))),
    ),
    "rls-enabled-without-policy": (
        schema(table("projects", TENANT, rls_enabled=True)),
        schema(table("projects", TENANT, rls_enabled=True, policies=(POLICY,))),
    ),
    "policy-unknown-column": (
        schema(table("projects", col("org_id", "bigint"), rls_enabled=True, policies=(POLICY,))),
        schema(table("projects", TENANT, rls_enabled=True, policies=(POLICY,))),
    ),
    "plaintext-secret-column": (
        with_col(col("api_key", "character varying(64)", max_length=64)),
        with_col(col("api_key_hash", "text")),
    ),
    "fk-set-null-on-not-null": (
        schema(users(), child({"on_delete": "SET NULL"}, nullable=False)),
        schema(users(), child({"on_delete": "SET NULL"}, nullable=True)),
    ),
    "fk-nullable-no-action": (
        schema(users(), child(nullable=True)),
        schema(users(), child({"on_delete": "RESTRICT"}, nullable=True)),
    ),
    "duplicate-check-enum": (
        schema(role_table("memberships"), role_table("invitations")),
        schema(
            role_table("memberships"),
            role_table(
                "invitations",
                "((role)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[]))",
            ),
        ),
    ),
    "unrelated-table": (
        schema(users(), table("settings")),
        schema(users(), child()),
    ),
}

ALL_ON = LintConfig(enable=frozenset({"all"}))


def ids(report) -> set[str]:
    return {f.rule_id for f in report}


def test_every_rule_has_a_flag_and_a_pass_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_flags_bad_and_passes_good(rule_id):
    bad, good = CASES[rule_id]
    flagged = lint(bad, config=ALL_ON).by_rule(rule_id)
    assert flagged, f"{rule_id} did not flag its bad case"
    assert all(f.severity == RULES[rule_id].severity for f in flagged)
    assert not lint(good, config=ALL_ON).by_rule(rule_id), f"{rule_id} flagged its good case"


def test_every_rule_is_documented():
    catalogue = (Path(__file__).parent.parent / "docs" / "lint-rules.md").read_text(
        encoding="utf-8"
    )
    for rule in RULES.values():
        assert rule.severity in ("error", "warning", "info")
        assert len(rule.explanation) > 150 and "Fix" in rule.explanation, rule.id
        assert f"`{rule.id}`" in catalogue, f"{rule.id} missing from docs/lint-rules.md"


def test_clean_schema_has_no_findings():
    assert len(lint(schema(users(), child()))) == 0


# -- configuration -----------------------------------------------------------------


def test_config_from_pyproject(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text(
        """
[tool.workbench.lint]
enable = ["table-comment-required"]
disable = ["char-column"]
severity = { "fk-without-index" = "error" }
exclude = { "missing-timestamp-columns" = ["public.audit_log"], "*" = ["legacy_*"] }
""",
        encoding="utf-8",
    )
    config = LintConfig.from_pyproject(path)
    bad = schema(
        users(),
        child(indexed=False),
        table("audit_log", stamps=False),
        table("legacy_x", col("c", "character(2)")),
    )
    report = lint(bad, config=config)
    assert [f.severity for f in report.by_rule("fk-without-index")] == ["error"]
    assert report.errors and not report.by_rule("char-column")
    assert report.by_rule("table-comment-required"), "opt-in rule enabled"
    assert "public.audit_log" not in {f.table for f in report.by_rule("missing-timestamp-columns")}
    assert not [f for f in report if f.table == "public.legacy_x"], "'*' excludes for every rule"
    # The default config: opt-in rules stay off, severities stay.
    default = lint(bad)
    assert not default.by_rule("table-comment-required")
    assert [f.severity for f in default.by_rule("fk-without-index")] == ["warning"]


def test_config_without_section_is_default(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert LintConfig.from_pyproject(path) == LintConfig(source=str(path))


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ('disable = ["no-such-rule"]', "unknown rule(s) no-such-rule"),
        ('severity = { "fk-without-index" = "fatal" }', "use one of error, warning, info"),
        ("colour = true", "unknown key(s) colour"),
        ('exclude = { "fk-without-index" = "public.x" }', None),  # a single string is accepted
        ("enable = 3", "must be a list of strings"),
    ],
)
def test_config_errors_name_file_and_fix(tmp_path, section, message):
    path = tmp_path / "pyproject.toml"
    path.write_text(f"[tool.workbench.lint]\n{section}\n", encoding="utf-8")
    if message is None:
        assert LintConfig.from_pyproject(path).exclude == {"fk-without-index": ("public.x",)}
        return
    with pytest.raises(LintConfigError) as err:
        LintConfig.from_pyproject(path)
    assert str(path) in str(err.value) and message in str(err.value)


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(LintConfigError, match="no such file"):
        LintConfig.from_pyproject(tmp_path / "nope.toml")


def test_hand_built_suppression_on_column_table_and_constraint():
    bad = schema(users(), child(indexed=False))
    assert lint(bad).by_rule("fk-without-index")
    posts = bad.table("posts")
    on_column = Table(
        **{
            **_fields(posts),
            "columns": tuple(
                Column(
                    **{
                        **_fields(c),
                        "comment": "who wrote it. workbench-lint: disable=fk-without-index",
                    }
                )
                if c.name == "user_id"
                else c
                for c in posts.columns
            ),
        }
    )
    assert not lint(schema(users(), on_column)).by_rule("fk-without-index")
    on_table = Table(**{**_fields(posts), "comment": "workbench-lint: disable=all"})
    assert not [f for f in lint(schema(users(), on_table)) if f.table == "public.posts"]


def _fields(obj) -> dict:
    return {name: getattr(obj, name) for name in obj.__dataclass_fields__}


# -- real SQL ------------------------------------------------------------------------


def lint_sql(new_db, sql: str, config: LintConfig | None = None):
    conninfo = new_db()
    with psycopg.connect(conninfo) as conn:
        load_text(conn, sql, path="<test>")
        conn.commit()
        model = introspect(conn)
    return lint(model, config=config), model


REAL_SQL = """
CREATE TABLE organisations (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
CREATE TABLE users (
    id serial PRIMARY KEY,
    password varchar(100),
    api_token_hash text,
    last_seen timestamp
);
CREATE TABLE projects (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organisation_id bigint NOT NULL REFERENCES organisations ON DELETE CASCADE,
    owner_id bigint NOT NULL REFERENCES users ON DELETE SET NULL,
    slug text NOT NULL,
    status text NOT NULL CHECK (status IN ('open', 'closed')),
    UNIQUE (organisation_id, slug)
);
CREATE TABLE tickets (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    project_id bigint REFERENCES projects,
    status text NOT NULL CHECK (status IN ('open', 'closed'))
);
CREATE INDEX tickets_project_idx ON tickets (project_id) WHERE status = 'open';
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY p ON projects USING (organisation_id = current_setting('app.org')::bigint);
"""


def test_real_sql_findings(new_db):
    report, model = lint_sql(new_db, REAL_SQL)
    got = {(f.rule_id, f.object_name) for f in report}
    expected = {
        ("serial-column", "public.users.id"),
        ("prefer-bigint-key", "public.users.id"),
        ("plaintext-secret-column", "public.users.password"),
        ("timestamp-without-time-zone", "public.users.last_seen"),
        ("fk-set-null-on-not-null", "public.projects.projects_owner_id_fkey"),
        ("fk-type-mismatch", "public.projects.owner_id"),
        ("fk-without-index", "public.projects.projects_owner_id_fkey"),
        # A partial index does not cover the foreign key.
        ("fk-without-index", "public.tickets.tickets_project_id_fkey"),
        ("fk-nullable-no-action", "public.tickets.tickets_project_id_fkey"),
        ("duplicate-check-enum", "public.projects.projects_status_check"),
        ("duplicate-check-enum", "public.tickets.tickets_status_check"),
        ("missing-timestamp-columns", "public.users"),
    }
    assert expected <= got, expected - got
    # projects.organisation_id is covered by the leading column of UNIQUE (organisation_id, slug).
    assert ("fk-without-index", "public.projects.projects_organisation_id_fkey") not in got
    assert not report.by_rule("rls-disabled-on-tenant-table")  # projects has RLS
    assert not report.by_rule("policy-unknown-column")  # PostgreSQL validated the policy
    assert ("plaintext-secret-column", "public.users.api_token_hash") not in got
    assert model.table("projects").rls_enabled


def test_real_sql_inline_suppression_in_comments(new_db):
    sql = """
    CREATE TABLE users (id bigint PRIMARY KEY, password text);
    CREATE TABLE posts (id bigint PRIMARY KEY, user_id bigint REFERENCES users);
    COMMENT ON COLUMN users.password IS 'Legacy import, hashed by the app. workbench-lint: disable=plaintext-secret-column';
    COMMENT ON CONSTRAINT posts_user_id_fkey ON posts IS 'workbench-lint: disable = fk-without-index, fk-nullable-no-action';
    """
    report, _ = lint_sql(new_db, sql)
    assert not report.by_rule("plaintext-secret-column")
    assert not report.by_rule("fk-without-index")
    assert not report.by_rule("fk-nullable-no-action")
    assert report.by_rule("missing-timestamp-columns"), "other rules still run"


def test_reserved_and_quoted_identifiers_from_real_sql(new_db):
    report, _ = lint_sql(
        new_db, 'CREATE TABLE "user" (id bigint PRIMARY KEY, "Name" text, "order" int, "time" int);'
    )
    got = {(f.rule_id, f.object_name) for f in report}
    assert ("reserved-word-identifier", "public.user") in got
    assert ("reserved-word-identifier", "public.user.order") in got
    assert ("quoted-identifier", "public.user.Name") in got
    # "time" is a keyword but may be a column name unquoted: not reported.
    assert not [f for f in report if f.column == "time"]


def test_keyword_list_matches_the_live_server(server):
    assert query_keywords(server.conninfo(server._admin_dbname())) == KEYWORDS


# -- the example schema, locations and output formats --------------------------------


@pytest.fixture
def schema_of(server, template_for):
    def get(path: Path) -> Schema:
        with server.connect(template_for(path)) as conn:
            return introspect(conn)

    return get


def test_example_schema_findings(schema_of):
    report = lint(schema_of(EXAMPLE_SQL))
    fk_findings = {f.object_name for f in report.by_rule("fk-without-index")}
    # The one deliberately unindexed foreign key, and only that one: FKs covered by the
    # leading column of a composite UNIQUE (memberships, projects, tags) or primary key
    # (task_tags) or multi-column index (audit_log) are not flagged.
    assert fk_findings == {"public.comments.comments_author_id_fkey"}
    assert {f.table for f in report.by_rule("table-name-number-drift")} == {"public.audit_log"}
    assert {f.table for f in report.by_rule("rls-disabled-on-tenant-table")} == {
        "public.memberships",
        "public.invitations",
        "public.tags",
        "public.api_tokens",
        "public.audit_log",
    }
    assert not report.errors
    assert not report.by_rule("plaintext-secret-column")  # password_hash, token_hash, token_prefix
    assert not report.by_rule("updated-at-without-trigger")  # every updated_at has its trigger
    assert not report.by_rule(
        "missing-timestamp-columns"
    )  # task_tags is a junction, audit_log append-only


def test_locator_points_at_definitions(schema_of):
    report = lint(schema_of(EXAMPLE_SQL))
    locate = Locator.from_paths(EXAMPLE_SQL, relative_to=EXAMPLE_SQL.parent)
    (fk_finding,) = report.by_rule("fk-without-index")
    loc = locate(fk_finding)
    assert (loc.path, loc.line) == ("sql/070_comments.sql", 17)
    lines = (EXAMPLE_SQL / "070_comments.sql").read_text().splitlines()
    assert "CONSTRAINT comments_author_id_fkey" in lines[loc.line - 1]
    # A column finding points at the column's line inside CREATE TABLE.
    (color,) = [f for f in report.by_rule("char-column") if f.column == "color"]
    loc = locate(color)
    assert loc.path == "sql/065_tags.sql"
    assert (
        (EXAMPLE_SQL / "065_tags.sql")
        .read_text()
        .splitlines()[loc.line - 1]
        .strip()
        .startswith("color")
    )
    # Every finding on the example can be located.
    assert all(locate(f) for f in report)


def test_locator_pg_dump_style_and_fallbacks():
    source = """-- header
CREATE TABLE public."Weird" (
    id integer NOT NULL,
    "Name" text
);

ALTER TABLE ONLY public."Weird"
    ADD CONSTRAINT "Weird_pkey" PRIMARY KEY (id);

CREATE UNIQUE INDEX weird_name_idx ON public."Weird" USING btree ("Name");
CREATE POLICY p ON public."Weird" USING (true);
"""
    locate = Locator.from_text(source, "dump.sql")

    def at(kind, name, table="public.Weird", column=None):
        loc = locate(Finding("r", "info", kind, name, "m", table=table, column=column))
        return loc.line if loc else None

    assert at("table", "public.Weird") == 2
    assert at("column", "public.Weird.Name", column="Name") == 4
    assert at("constraint", "public.Weird.Weird_pkey") == 8
    assert at("index", "public.Weird_pkey") == 8  # the index backing the constraint
    assert at("index", "public.weird_name_idx") == 10
    assert at("policy", "public.Weird.p") == 11
    assert at("trigger", "public.Weird.nope") == 2  # falls back to the table
    assert at("table", "public.other", table="public.other") is None


def test_output_formats(schema_of):
    report = lint(schema_of(EXAMPLE_SQL))
    locate = Locator.from_paths(EXAMPLE_SQL, relative_to=EXAMPLE_SQL.parent)
    text = report.to_text(locate)
    assert "sql/070_comments.sql:17: fk-without-index foreign key comments_author_id_fkey" in text
    assert text.rstrip().endswith(report.summary())

    data = json.loads(report.to_json(locate))
    assert data["summary"] == report.counts
    first = data["findings"][0]
    assert {
        "rule_id",
        "severity",
        "object_kind",
        "object_name",
        "message",
        "fix",
        "location",
    } <= set(first)

    sarif = json.loads(report.to_sarif(locate))
    assert sarif["version"] == "2.1.0" and sarif["$schema"].endswith("sarif-2.1.0.json")
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == {r.id for r in report.rules}
    assert all(r["fullDescription"]["text"] and r["defaultConfiguration"]["level"] for r in rules)
    assert len(run["results"]) == len(report)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        phys = result["locations"][0]["physicalLocation"]
        assert (
            phys["artifactLocation"]["uri"].startswith("sql/") and phys["region"]["startLine"] >= 1
        )

    frame = report.to_frame()
    assert list(frame.columns[:4]) == ["severity", "rule_id", "object_kind", "object_name"]
    assert len(frame) == len(report)
    html = report._repr_html_()
    assert "fk-without-index" in html and "<table" in html and report.summary() in html


# -- the CLI ---------------------------------------------------------------------------


def test_cli_text_exit_code_and_sarif(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # no pyproject.toml here: defaults
    sql = tmp_path / "sql"
    sql.mkdir()
    (sql / "010_users.sql").write_text(
        "-- users\nCREATE TABLE users (\n    id bigint PRIMARY KEY,\n    password text\n);\n",
        encoding="utf-8",
    )
    assert cli_main(["lint", "--sql", "sql"]) == 1  # plaintext-secret-column is an error
    out = capsys.readouterr().out
    assert "sql/010_users.sql:4: plaintext-secret-column public.users.password" in out

    (tmp_path / "pyproject.toml").write_text(
        '[tool.workbench.lint]\nseverity = { "plaintext-secret-column" = "warning" }\n',
        encoding="utf-8",
    )
    assert (
        cli_main(["lint", "--sql", "sql", "--format", "sarif", "--output", "out/lint.sarif"]) == 0
    )
    sarif = json.loads((tmp_path / "out" / "lint.sarif").read_text(encoding="utf-8"))
    levels = {r["ruleId"]: r["level"] for r in sarif["runs"][0]["results"]}
    assert levels["plaintext-secret-column"] == "warning"
    assert not list((tmp_path / "out").glob(".*tmp")), "no temp file left behind"


def test_cli_bad_config_is_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bad.toml").write_text(
        '[tool.workbench.lint]\ndisable = ["nope"]\n', encoding="utf-8"
    )
    assert cli_main(["lint", "--sql", str(EXAMPLE_SQL), "--config", "bad.toml"]) == 2
    assert "unknown rule(s) nope" in capsys.readouterr().err


# -- false positives seen on real schemas (issue 22) ----------------------------------


SECRET_LOOKALIKES_SQL = """
CREATE TABLE accounts (
    id bigint PRIMARY KEY,
    encrypted_password text,
    crypted_password text,
    encrypted_otp_secret text,
    encrypted_otp_secret_iv text,
    encrypted_otp_secret_salt text,
    otp_secret_encrypted text,
    password_iv text,
    password_salt text,
    password_hash text,
    password_digest text,
    token_digest text,
    hashed_token text,
    api_key_prefix text,
    password_hint text,
    token_url text,
    password_reset_url text,
    secret_field text,
    token_field text,
    token_type text,
    password_changed_at timestamptz,
    api_key_id bigint,
    password text,
    reset_password_token text,
    stripe_api_key varchar(64),
    client_secret text,
    "apiKey" text,
    token_plain text
);
"""


def test_plaintext_secret_column_only_fires_on_secrets_in_the_clear(new_db):
    report, _ = lint_sql(new_db, SECRET_LOOKALIKES_SQL)
    flagged = {f.column for f in report.by_rule("plaintext-secret-column")}
    assert flagged == {
        "password",
        "reset_password_token",
        "stripe_api_key",
        "client_secret",
        "apiKey",
        "token_plain",
    }


def test_duplicate_check_enum_leaves_the_single_row_idiom_alone(new_db):
    sql = """
    CREATE TABLE settings (lock char(1) PRIMARY KEY DEFAULT 'X' CHECK (lock = 'X'), theme text);
    CREATE TABLE schema_version (lock char(1) NOT NULL DEFAULT 'X' UNIQUE CHECK (lock = 'X'), v int);
    CREATE TABLE tickets (id bigint PRIMARY KEY, status text CHECK (status IN ('open', 'closed')));
    CREATE TABLE issues (id bigint PRIMARY KEY, status text CHECK (status IN ('open', 'closed')));
    """
    report, _ = lint_sql(new_db, sql)
    flagged = {f.table for f in report.by_rule("duplicate-check-enum")}
    assert flagged == {"public.tickets", "public.issues"}  # a real copied enum is still reported


def test_fk_column_naming_proposes_no_nonsense_rename(new_db):
    sql = """
    CREATE TABLE domain (domain_id bigint PRIMARY KEY, name text);
    CREATE TABLE cost (cost_id bigint PRIMARY KEY, amount numeric);
    CREATE TABLE ledger (
        id bigint PRIMARY KEY,
        cost_domain_id bigint REFERENCES domain (domain_id),
        cost_id bigint REFERENCES cost (cost_id)
    );
    CREATE TABLE employee (
        employee_id bigint PRIMARY KEY,
        reports_to bigint REFERENCES employee (employee_id)
    );
    CREATE TABLE users (id bigint PRIMARY KEY);
    CREATE TABLE projects (id bigint PRIMARY KEY);
    CREATE TABLE posts (id bigint PRIMARY KEY, project_id bigint REFERENCES users);
    """
    report, _ = lint_sql(new_db, sql)
    found = {f.object_name: f for f in report.by_rule("fk-column-naming")}
    # cost_domain_id ends in the referenced column's own name: the stem "cost" is a role.
    assert "public.ledger.cost_domain_id" not in found
    # reports_to is reported, but employee_id is taken (the key itself): no rename proposed.
    assert "RENAME" not in found["public.employee.reports_to"].fix
    assert "employee_employee_id" not in found["public.employee.reports_to"].fix
    # A clearly better name is still proposed.
    assert "RENAME COLUMN project_id TO user_id" in found["public.posts.project_id"].fix
    for f in found.values():
        assert "domain_domain_id" not in f.fix


# -- the corpus --------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(ALL_SCHEMAS))
def test_corpus_lint_runs_and_locates(name, schema_of):
    path = ALL_SCHEMAS[name]
    report = lint(schema_of(path), config=ALL_ON)
    assert len(report) > 0
    locate = Locator.from_paths(path)
    located = [f for f in report if locate(f)]
    assert len(located) >= 0.9 * len(report), "nearly every finding points at its definition"
    json.loads(report.to_sarif(locate))


def test_corpus_pagila_findings(schema_of):
    report = lint(schema_of(CORPUS / "pagila" / "pagila-schema.sql"))
    got = {(f.rule_id, f.object_name) for f in report}
    assert ("serial-column", "public.actor.actor_id") in got
    assert ("plaintext-secret-column", "public.staff.password") in got
    assert ("fk-without-index", "public.rental.rental_staff_id_fkey") in got
    assert ("quoted-identifier", "public.customer_list.zip code") in got
    # Pagila stores times as timestamptz and keeps last_update with its trigger.
    assert not report.by_rule("timestamp-without-time-zone")
    assert not report.by_rule("updated-at-without-trigger")
    # Partitions are not reported table by table for what they inherit.
    assert not [
        f for f in report.by_rule("missing-timestamp-columns") if "payment_p" in f.object_name
    ]
    assert not report.by_rule("table-name-number-drift")  # singular throughout


def test_corpus_chinook_findings(schema_of):
    report = lint(schema_of(CORPUS / "chinook" / "chinook-schema.sql"))
    got = {(f.rule_id, f.object_name) for f in report}
    assert not report.by_rule("fk-without-index")  # chinook indexes every foreign key
    assert {f.object_name for f in report.by_rule("timestamp-without-time-zone")} == {
        "public.employee.birth_date",
        "public.employee.hire_date",
        "public.invoice.invoice_date",
    }
    assert ("redundant-index", "public.playlist_track_playlist_id_idx") in got
    assert ("fk-column-naming", "public.employee.reports_to") in got
    assert not report.errors


def test_docs_catalogue_is_up_to_date():
    from workbench.lint.catalogue import catalogue_markdown, generated_block

    docs = Path(__file__).parent.parent / "docs" / "lint-rules.md"
    assert generated_block(docs) == catalogue_markdown(), (
        "run: python -m workbench.lint.catalogue docs/lint-rules.md"
    )

"""``schema.md`` as GitHub shows it, the SQL it shows run for real, and each export on its own.

Issue 18: the document is rendered with GitHub's own cmark-gfm (the ``cmarkgfm``
package) and every pipe table must keep all its rows, no ``<text>`` may be
taken for an HTML tag, and the document stays short (long files linked).
Issue 22: ``double precision`` columns, every SQL snippet executed against a
clone (in a transaction rolled back), one Mermaid fence per diagram part, the
Performance section agreeing with lint, and ``workbench export`` writing every
artifact it can and exiting 2 naming the ones that failed.
"""

from __future__ import annotations

import html
import html.parser
import os
import re
from pathlib import Path

import psycopg
import pytest

import workbench
from tests.conftest import CORPUS, EXAMPLE_SQL, ROOT, corpus_schemas
from workbench.cli import main
from workbench.export.doc_collect import collect_doc_extras, mermaid_parts
from workbench.export.markdown import DocExtras, DocOptions, display_type, render_markdown
from workbench.introspect import introspect
from workbench.model import Column, Constraint, ForeignKey, Schema, Table
from workbench.sqlsplit import split_sql

EXAMPLE_DOC = ROOT / "docs" / "example" / "schema.md"
OPTIONS = DocOptions(project_name="Test", owner="Tests", date="2026-11-25")

#: Tags a GFM rendering of schema.md may contain; anything else is text taken for HTML.
ALLOWED_TAGS = {
    *[
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "pre",
        "ul",
        "ol",
        "li",
        "strong",
        "em",
        "a",
        "img",
    ],
    *["details", "summary", "hr", "br", "del", "blockquote", "input"],
}

#: SQLSTATEs a snippet may end with on a clone that already holds the object it creates.
ALREADY_THERE = {"42710", "42P07", "42723", "42P06"}


# -- GFM rendering ---------------------------------------------------------------------------
def gfm(text: str) -> str:
    """HTML from GitHub's cmark-gfm (tables, autolinks...), raw HTML kept so it can be checked."""
    import cmarkgfm
    from cmarkgfm.cmark import Options

    body = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)  # GitHub shows front matter apart
    return cmarkgfm.github_flavored_markdown_to_html(body, options=Options.CMARK_OPT_UNSAFE)


def pipe_tables(text: str) -> list[int]:
    """Rows (header and body, without the delimiter line) of each pipe table outside code fences.

    Also checks that each table follows a blank line: GFM lets a table interrupt a
    paragraph, pandoc and Python-Markdown do not (the table then shows as text).
    """
    tables, current, fence, previous = [], 0, None, ""
    for line in text.splitlines():
        m = re.match(r"^(`{3,}|~{3,})", line)
        if m and (fence is None or line.startswith(fence)):
            fence = None if fence else m.group(1)
        elif fence is None and line.startswith("|"):
            if not current:
                assert previous.strip() == "", f"no blank line before the table at {line!r}"
            current += 1
            previous = line
            continue
        if current:
            tables.append(current - 1)
            current = 0
        previous = line
    if current:
        tables.append(current - 1)
    return tables


class _Tags(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        self.tags.add(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_renders_on_github(text: str, schema: Schema) -> None:
    page = gfm(text)
    rendered = [t.count("<tr>") for t in re.findall(r"<table>.*?</table>", page, re.S)]
    assert rendered == pipe_tables(text), "a pipe table lost rows (or did not render at all)"
    parser = _Tags()
    parser.feed(page)
    assert parser.tags <= ALLOWED_TAGS, f"text taken for HTML: {parser.tags - ALLOWED_TAGS}"
    shown = " ".join(" ".join(parser.text).split())
    comments = [t.comment for t in schema.tables] + [
        c.comment for t in schema.tables for c in t.columns
    ]
    for comment in comments:
        if comment and "<" in comment:
            assert " ".join(comment.split()) in shown, f"comment lost text: {comment!r}"


def test_example_document_renders_on_github(server, template_for) -> None:
    text = EXAMPLE_DOC.read_text()
    with server.connect(template_for(EXAMPLE_SQL)) as conn:
        schema = introspect(conn)
    check_renders_on_github(text, schema)
    assert "org/<uuid>/tasks/<uuid>/<uuid>." in html.unescape(gfm(text))
    lines = text.count("\n")
    assert lines < 1600, f"schema.md is {lines} lines: long files belong in linked files"
    for link in ("./schema.sql", "./models.py", "./migrations/versions/0001_initial.py"):
        assert f"]({link})" in text
    overview = text[text.index("## Database Overview") : text.index("## Schema Diagram")]
    assert "1 view," in overview and "1 enum type," in overview and "1 functions" not in overview
    sample = text[text.index("## Sample Data") : text.index("## Performance Considerations")]
    for table in schema.tables:
        if table.partition_of is None:
            assert f"**{table.name}** (first" in sample, f"no sample rows of {table.name}"


def test_angle_brackets_and_pipes_in_comments_survive() -> None:
    table = Table(
        "public",
        "blobs",
        columns=(
            Column("id", "integer", nullable=False),
            Column("key", "text", comment="e.g. org/<uuid>/a|b & <b>not bold</b>"),
            Column("x", "double precision"),
        ),
        constraints=(Constraint("blobs_pkey", "primary_key", ("id",), "PRIMARY KEY (id)"),),
        comment="Objects <kept> in storage.",
    )
    schema = Schema(tables=(table,))
    check_renders_on_github(render_markdown(schema, options=OPTIONS), schema)


# -- issue 22 (a): double precision -----------------------------------------------------------
def test_double_precision_column_renders(db_holding) -> None:
    conninfo = db_holding("CREATE TABLE t (id int PRIMARY KEY, x double precision);")
    with psycopg.connect(conninfo) as conn:
        schema = introspect(conn)
    col = schema.table("public.t").column("x")
    assert display_type(col) == "DOUBLE PRECISION"
    text = render_markdown(schema, options=OPTIONS)
    assert "| x | DOUBLE PRECISION |" in text
    assert display_type(Column("y", "double precision[]")) == "DOUBLE PRECISION[]"
    assert display_type(Column("z", "character varying(20)")) == "VARCHAR(20)"


# -- issue 22 (d): every SQL snippet runs -------------------------------------------------------
def sql_snippets(text: str) -> list[str]:
    return re.findall(r"^```sql\n(.*?)^```", text, re.S | re.M)


def run_snippets(conninfo: str, text: str) -> int:
    """Execute every statement of every ```sql block in one transaction, rolled back."""
    ran = 0
    with psycopg.connect(conninfo) as conn:
        for snippet in sql_snippets(text):
            for stmt in split_sql(snippet):
                body = re.sub(r"--[^\n]*", "", stmt.text).strip().rstrip(";").strip()
                if not body or body.upper() in ("BEGIN", "COMMIT", "ROLLBACK"):
                    continue
                try:
                    with conn.transaction():
                        conn.execute(stmt.text)
                except psycopg.Error as exc:
                    if exc.sqlstate not in ALREADY_THERE:
                        pytest.fail(f"snippet does not run: {stmt.text[:300]!r}: {exc}")
                ran += 1
        conn.rollback()
    return ran


def test_example_document_snippets_run(template_for, new_db) -> None:
    clone = new_db(template=template_for(EXAMPLE_SQL))
    assert run_snippets(clone, EXAMPLE_DOC.read_text()) > 100


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(corpus_schemas()))
def test_corpus_document_snippets_run(server, template_for, new_db, name: str) -> None:
    """chinook quotes "Album"."Title"; pagila has partitions named payment_p2022_01..."""
    with workbench.open(CORPUS / name, server=server) as wb:
        extras, _project, _svg = collect_doc_extras(wb, rows_per_table=5)
        schema = wb.schema
        text = render_markdown(schema, options=OPTIONS, extras=extras)
    check_renders_on_github(text, schema)
    clone = new_db(template=template_for(corpus_schemas()[name]))
    assert run_snippets(clone, text) > 10


def test_mixed_case_and_digit_names_are_quoted(db_holding, new_db) -> None:
    ddl = """
    CREATE SCHEMA "Sales";
    DO $$ BEGIN CREATE ROLE "App User" NOLOGIN;
    EXCEPTION WHEN duplicate_object THEN NULL; END $$;
    CREATE TYPE "Sales"."State" AS ENUM ('new', 'done');
    CREATE TABLE "Album" ("AlbumId" int PRIMARY KEY, "Title" text NOT NULL DEFAULT 'x',
        "Kind" varchar(10) CHECK ("Kind" IN ('lp', 'ep')),
        CONSTRAINT "Title_check" CHECK ("Title" <> ''));
    CREATE TABLE "Sales"."2019" (id int PRIMARY KEY, "Album" int NOT NULL REFERENCES "Album",
        "order" int UNIQUE, "select" "Sales"."State" NOT NULL DEFAULT 'new',
        updated_at timestamptz NOT NULL DEFAULT now());
    CREATE INDEX "IFK_Album" ON "Sales"."2019" ("Album");
    CREATE UNIQUE INDEX "uq order" ON "Sales"."2019" (("order" + 1));
    CREATE FUNCTION "Sales".touch() RETURNS trigger LANGUAGE plpgsql AS $f$
    BEGIN NEW.updated_at := now(); RETURN NEW; END $f$;
    CREATE TRIGGER "Touch" BEFORE UPDATE ON "Sales"."2019"
        FOR EACH ROW EXECUTE FUNCTION "Sales".touch();
    ALTER TABLE "Album" ENABLE ROW LEVEL SECURITY;
    CREATE POLICY "Everyone" ON "Album" FOR SELECT TO "App User" USING (true);
    CREATE VIEW "Sales"."Album Sales" AS SELECT a."Title", count(*) AS n FROM "Album" a
        JOIN "Sales"."2019" s ON s."Album" = a."AlbumId" GROUP BY a."Title";
    """
    conninfo = db_holding(ddl)
    with psycopg.connect(conninfo) as conn:
        schema = introspect(conn)
    text = render_markdown(schema, options=OPTIONS)
    assert 'ALTER TABLE "Album" ALTER COLUMN "Title" SET NOT NULL;' in text
    assert 'ALTER TABLE "Sales"."2019"' in text
    assert '- `CREATE INDEX "IFK_Album" ON "Sales"."2019" ("Album")`' in text  # qualified
    dbname = psycopg.conninfo.conninfo_to_dict(conninfo)["dbname"]
    assert 'CREATE POLICY "Everyone" ON "Album"' in text and 'TO "App User"' in text
    assert run_snippets(new_db(template=dbname), text) >= 12


# -- issue 22 (c): one Mermaid fence per part ---------------------------------------------------
def _wide_schema(n: int = 70) -> Schema:
    tables = []
    for i in range(n):
        fks = ()
        if i:
            fks = (
                ForeignKey(
                    f"t{i}_prev_fkey", f"public.t{i}", ("prev",), f"public.t{i - 1}", ("id",)
                ),
            )
        tables.append(
            Table(
                "public",
                f"t{i}",
                columns=(Column("id", "integer", nullable=False), Column("prev", "integer")),
                constraints=(Constraint(f"t{i}_pkey", "primary_key", ("id",), "PRIMARY KEY (id)"),),
                foreign_keys=fks,
            )
        )
    return Schema(tables=tuple(tables))


def test_split_diagram_is_one_fence_per_part(tmp_path: Path) -> None:
    from workbench.diagram import diagram

    schema = _wide_schema()
    d = diagram(schema)
    parts = mermaid_parts(d)
    assert len(parts) >= 2
    text = render_markdown(schema, options=OPTIONS, extras=DocExtras(mermaid=parts))
    fences = re.findall(r"^```mermaid\n(.*?)^```", text, re.S | re.M)
    assert len(fences) == len(parts)
    assert all(f.count("erDiagram") == 1 for f in fences)
    written = d.save(tmp_path / "er.mmd")
    assert [p.name for p in written] == ["er.mmd"] + [
        f"er.part-{i}.mmd" for i in range(1, len(parts) + 1)
    ]
    assert (tmp_path / "er.mmd").read_text().count("erDiagram") == 1


# -- issue 22 (e): Performance agrees with lint --------------------------------------------------
def test_performance_section_reports_lint_index_findings(db_holding) -> None:
    from workbench.export.doc_collect import _performance_notes
    from workbench.lint import lint

    conninfo = db_holding(
        "CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY, a int, b int);"
        "CREATE INDEX t_a ON app.t (a); CREATE INDEX t_a_copy ON app.t (a);"
        "CREATE INDEX t_ab ON app.t (a, b);"
    )
    with psycopg.connect(conninfo) as conn:
        schema = introspect(conn)
    index_rules = {"duplicate-index", "redundant-index", "fk-without-index"}
    found = [f for f in lint(schema).findings if f.rule_id in index_rules]
    assert {f.rule_id for f in found} >= {"duplicate-index", "redundant-index"}
    text = render_markdown(
        schema, options=OPTIONS, extras=DocExtras(performance_notes=_performance_notes(schema))
    )
    perf = text[text.index("## Performance Considerations") : text.index("### Query Optimization")]
    for f in found:
        assert f"**{f.rule_id}** `{f.object_name}`" in perf
    assert "no duplicate indexes" not in perf and "no redundant" not in perf
    assert "- `CREATE INDEX t_a ON app.t (a)`" in text  # per-table lines keep the schema


# -- issue 22 (b): each artifact on its own -------------------------------------------------------
DEFERRED_TRIGGER = """
CREATE SCHEMA ledger;
SET search_path = ledger, public;
CREATE TABLE accounts (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE entries (
    id int PRIMARY KEY,
    account_id int NOT NULL REFERENCES accounts,
    amount numeric(12, 2) NOT NULL
);
-- Written for the schema's own search_path: "accounts" is not qualified.
CREATE FUNCTION entry_has_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM accounts WHERE id = NEW.account_id;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER entries_account AFTER INSERT ON entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION entry_has_account();
"""


def test_export_survives_a_deferred_trigger_needing_the_search_path(tmp_path, capsys) -> None:
    sql_dir = tmp_path / "sql"
    sql_dir.mkdir()
    (sql_dir / "001_ledger.sql").write_text(DEFERRED_TRIGGER)
    out = tmp_path / "out"
    assert main(["export", "--sql", str(sql_dir), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    for name in ("schema.sql", "schema.md", "er.svg", "er.mmd", "models.py", "migrations"):
        assert f"wrote {out / name}" in printed, name
    text = (out / "schema.md").read_text()
    sample = text[text.index("## Sample Data") : text.index("## Performance Considerations")]
    assert "**ledger.entries** (first" in sample and "**ledger.accounts** (first" in sample


def test_one_failed_artifact_leaves_the_others_and_exits_2(tmp_path, capsys) -> None:
    out = tmp_path / "out"
    (out / "models.py").mkdir(parents=True)  # a directory where the file should go
    (out / "models.py" / "keep").write_text("not ours\n")
    assert main(["export", "--sql", str(EXAMPLE_SQL), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    for name in ("schema.sql", "schema.md", "er.svg", "er.mmd", "migrations"):
        assert f"wrote {out / name}" in captured.out, name
    assert "wrote" not in "".join(line for line in captured.out.splitlines() if "models.py" in line)
    assert "error:" in captured.err and "models.py:" in captured.err
    assert "Traceback" not in captured.err
    assert (out / "models.py" / "keep").read_text() == "not ours\n"


def test_sample_rows_of_a_table_without_primary_key_and_json(db_holding) -> None:
    """No primary key and a json column (json has no ordering operator): rows still read."""
    from workbench.export.doc_collect import read_sample

    conninfo = db_holding(
        "CREATE TABLE events (payload json, at point);"
        """INSERT INTO events VALUES ('{"b": 2}', '(1,2)'), ('{"a": 1}', '(0,0)');"""
    )
    with psycopg.connect(conninfo, autocommit=True) as conn:
        schema = introspect(conn)
        sample = read_sample(conn, schema, sample_rows=3)
    assert sample.rows["public.events"] == [
        {"payload": {"a": 1}, "at": "(0,0)"},
        {"payload": {"b": 2}, "at": "(1,2)"},
    ]
    text = render_markdown(schema, options=OPTIONS, extras=DocExtras(sample_rows=sample.rows))
    assert '| {"a": 1} | (0,0) |' in text


def test_performance_section_follows_the_lint_configuration(tmp_path: Path) -> None:
    from workbench.export.doc_collect import _performance_notes
    from workbench.lint import LintConfig

    schema = _wide_schema(3)  # foreign keys without an index
    default = "\n".join(_performance_notes(schema))
    assert "**fk-without-index** `public.t1.t1_prev_fkey`" in default
    (tmp_path / "pyproject.toml").write_text(
        '[tool.workbench.lint]\ndisable = ["fk-without-index"]\n'
    )
    config = LintConfig.from_pyproject(tmp_path / "pyproject.toml")
    notes = "\n".join(_performance_notes(schema, config))
    assert "- **fk-without-index**: not checked (disabled in `[tool.workbench.lint]`)." in notes
    assert "`public.t1.t1_prev_fkey`" not in notes


def test_document_says_which_part_failed_and_why() -> None:
    from workbench.export.result import ArtifactFailure

    failures = (
        ArtifactFailure("schema.md: Sample Data", "UndefinedTable: relation <accounts> missing"),
        ArtifactFailure("models.py", "ValueError: no tables"),
        ArtifactFailure("migrations/", "KeyError: 'public.t'"),
        ArtifactFailure("er.mmd, er.svg", "GraphvizNotFound: no dot"),
    )
    schema = _wide_schema(2)
    text = render_markdown(schema, options=OPTIONS, extras=DocExtras(failures=failures))
    assert (
        "The sample data could not be gathered (UndefinedTable: relation &lt;accounts&gt; missing)."
        in text
    )
    assert "`models.py` could not be generated (ValueError: no tables)." in text
    assert "The initial revision could not be generated (KeyError: 'public.t')." in text
    assert "The Mermaid diagram could not be drawn (GraphvizNotFound: no dot)." in text
    check_renders_on_github(text, schema)


# -- issue 15: the session's index advice in Performance Considerations ---------------------------
def _advice_digest():
    from workbench.export.markdown import AdviceDigest, AdvisedIndex

    return AdviceDigest(
        queries=3,
        scales=(200, 5_000),
        method="hypopg",
        before_ms=12.5,
        after_ms=3.25,
        estimate_only_ms=9.0,
        estimate_only_count=2,
        recommended=(
            AdvisedIndex(
                label="comments (author_id)",
                serves=(("comments_by_author", 4.2, 3.5, 5.0), ("by_author_count", 2.0, 1.5, 2.5)),
                size_bytes=180_224,
                build_ms=6.5,
                insert_ratio=None,
                write_note="INSERT not measured: the table has a UNIQUE constraint",
                update_ratio=1.2,
                update_ci=(1.1, 1.3),
                pays_from=5_000,
            ),
        ),
        rejected=(
            ("users (created_at)", "slower: oldest 0.62x [0.55, 0.70]"),
            ("users (is_active)", "not used by the planner"),
        ),
        server_version="18.1",
    )


def test_advice_renders_in_performance_with_its_evidence() -> None:
    from workbench.export.result import ArtifactFailure

    schema = _wide_schema(2)
    text = render_markdown(schema, options=OPTIONS, extras=DocExtras(advice=_advice_digest()))
    perf = text[text.index("## Performance Considerations") : text.index("### Query Optimization")]
    assert "### Index advice\n" in perf
    assert "12.5 ms before, 3.2 ms with the recommended indexes, 9.0 ms with the 2 indexes" in perf
    assert "[`advice/migration.sql`](./advice/migration.sql)" in perf
    row = next(line for line in perf.splitlines() if line.startswith("| `comments (author_id)`"))
    assert (
        "`comments_by_author` 4.20× (3.50× – 5.00×); `by_author_count` 2.00× (1.50× – 2.50×)" in row
    )
    assert "| 5,000 rows | 176 kB | 6.5 ms |" in row
    assert "| INSERT not measured: the table has a UNIQUE constraint |" in row
    assert row.endswith("| 1.20× (1.10× – 1.30×) |")
    assert "- `users (created_at)`: slower: oldest 0.62x [0.55, 0.70]" in perf
    assert "- `users (is_active)`: not used by the planner" in perf
    check_renders_on_github(text, schema)
    # No advice run: no subsection (the committed example document has none).
    plain = render_markdown(schema, options=OPTIONS, extras=DocExtras())
    assert "Index advice" not in plain
    # The advice could not be summarised, or its files not written: the document says why.
    failed = DocExtras(
        failures=(
            ArtifactFailure(
                "schema.md: Performance Considerations (index advice)", "KeyError: 'x'"
            ),
        )
    )
    text = render_markdown(schema, options=OPTIONS, extras=failed)
    assert "The index advice could not be summarised (KeyError: 'x')." in text
    unwritten = DocExtras(
        advice=_advice_digest(),
        failures=(ArtifactFailure("advice/", "PermissionError: denied"),),
    )
    text = render_markdown(schema, options=OPTIONS, extras=unwritten)
    assert "The migration file could not be written (PermissionError: denied)." in text
    assert "](./advice/migration.sql)" not in text
    check_renders_on_github(text, schema)


@pytest.mark.slow
def test_session_advice_reaches_the_exported_document(server, tmp_path: Path) -> None:
    """A small real advise (two scales, three queries), then ``wb.export``: the section shows
    what the advice measured, the migration it links is written beside, and GitHub renders it."""
    workload = [
        str(ROOT / "queries" / "advise" / f"{name}.sql")
        for name in ("comments_by_author", "comment_count_by_author", "active_users")
    ]
    with workbench.open(EXAMPLE_SQL, server=server) as wb:
        advice = wb.advise(
            workload, scales=(200, 10_000), repetitions=5, warmup=1, clones=2, write_rows=20
        )
        assert wb.advice is advice
        result = wb.export(tmp_path)
        schema = wb.schema
    assert not result.failures, result.failures
    text = (tmp_path / "schema.md").read_text()
    perf = text[text.index("## Performance Considerations") : text.index("### Query Optimization")]
    assert "### Index advice\n" in perf
    assert "on a workload of 3 queries, seeded at 200, 10,000 rows per table" in perf
    assert f"{advice.workload_ms('baseline'):.1f} ms before" in perf
    assert advice.chosen, "comments.author_id has no index: something must pay at 10,000 rows"
    ev = advice.evidence()
    for cand in advice.chosen:
        row = next(line for line in perf.splitlines() if line.startswith(f"| `{cand.label}`"))
        mine = ev[(ev["candidate"] == cand.name) & (ev["scale"] == 10_000) & (ev["ci_low"] > 1.0)]
        assert len(mine) and mine["used"].all()
        for r in mine.itertuples(index=False):
            assert f"`{r.query}` {r.speedup:.2f}× ({r.ci_low:.2f}× – {r.ci_high:.2f}×)" in row, row
        wc = advice.write_costs[cand.name]
        assert f"{wc.build_ms:.1f} ms" in row and f"{wc.update_ratio:.2f}×" in row
    for name, reason in advice.rejected.items():
        label = advice.candidates.candidates[name].label
        assert f"- `{label}`: {reason}" in perf
    assert "[`advice/migration.sql`](./advice/migration.sql)" in perf
    migration = (tmp_path / "advice" / "migration.sql").read_text()
    assert migration == advice.migration()
    assert migration.count("CREATE INDEX CONCURRENTLY adv_") == len(advice.chosen)
    assert tmp_path / "advice" / "migration.sql" in list(result)
    check_renders_on_github(text, schema)
    if os.environ.get("WORKBENCH_SHOW_ADVICE"):
        print(perf)

"""The schema document: golden files, no placeholders, and the claims it makes proven on a database.

Golden files: ``tests/golden/markdown_small.md`` (pure renderer on a hand-built
model) and the committed example under ``docs/example/`` (``schema.md``,
``er.mmd``, ``er.svg``; the date is fixed and the SVG is always drawn by the
pinned graphviz-pure binary, so the bytes do not depend on the machine's
Graphviz). When a change is intended, regenerate and review the diff::

    WORKBENCH_UPDATE_GOLDENS=1 .venv/bin/python -m pytest tests/test_markdown.py -o addopts=""
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

import workbench
from tests.conftest import CORPUS, EXAMPLE_SQL, ROOT, corpus_schemas
from workbench.export._sample import seed_sample
from workbench.export.doc_collect import collect_doc_extras, write_all
from workbench.export.markdown import (
    DocExtras,
    DocOptions,
    load_doc_options,
    python_enum,
    render_markdown,
)
from workbench.export.rls_demo import demonstrate, policy_settings
from workbench.introspect import introspect
from workbench.model import Column, Constraint, Enum, ForeignKey, Index, Schema, Table

GOLDEN = ROOT / "tests" / "golden"
EXAMPLE_DOCS = ROOT / "docs" / "example"
UPDATE = os.environ.get("WORKBENCH_UPDATE_GOLDENS") == "1"
DATE = "2026-11-25"
PLACEHOLDER = re.compile(r"\{\{[^}]*\}\}")
TEMPLATE_HEADINGS = [
    "## Database Overview",
    "## Schema Diagram",
    "## Tables",
    "## Relationships",
    "## Data Types Reference",
    "## Enums",
    "## Constraints and Validation",
    "## Default Values",
    "## Triggers",
    "## Migrations",
    "## Sample Data (Development)",
    "## Performance Considerations",
    "## Security",
    "## Backup and Recovery",
    "## References",
    "## Model Definitions (SQLModel)",
    "## Changelog",
]


def check_golden(path: Path, text: str) -> None:
    if UPDATE or not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"{path} did not exist; written now, review and commit it")
    assert text == path.read_text(encoding="utf-8"), (
        f"{path.relative_to(ROOT)} differs from the regenerated output; "
        "set WORKBENCH_UPDATE_GOLDENS=1 to accept the change"
    )


def small_schema() -> Schema:
    uid = Column("id", "uuid", nullable=False, default="gen_random_uuid()", comment="Key.")
    teams = Table(
        "public",
        "teams",
        columns=(
            uid,
            Column("name", "character varying(100)", nullable=False, max_length=100),
            Column("plan", "text", nullable=False, default="'free'::text"),
        ),
        constraints=(
            Constraint(
                "teams_plan_check",
                "check",
                ("plan",),
                "CHECK ((plan = ANY (ARRAY['free'::text, 'pro'::text])))",
                expression="(plan = ANY (ARRAY['free'::text, 'pro'::text]))",
            ),
            Constraint("teams_pkey", "primary_key", ("id",), "PRIMARY KEY (id)"),
        ),
        comment="Groups of people.",
    )
    people = Table(
        "public",
        "people",
        columns=(
            uid,
            Column("team_id", "uuid", nullable=False),
            Column("mood", "mood", type_kind="enum", type_ref="public.mood"),
            Column("password_hash", "text"),
        ),
        constraints=(Constraint("people_pkey", "primary_key", ("id",), "PRIMARY KEY (id)"),),
        foreign_keys=(
            ForeignKey(
                "people_team_id_fkey",
                "public.people",
                ("team_id",),
                "public.teams",
                ("id",),
                on_delete="CASCADE",
            ),
        ),
        indexes=(
            Index(
                "people_pkey",
                "public.people",
                ("id",),
                ("id",),
                unique=True,
                constraint="people_pkey",
                definition="CREATE UNIQUE INDEX people_pkey ON public.people USING btree (id)",
            ),
        ),
    )
    return Schema(
        enums=(Enum("public", "mood", ("happy", "so-so", "1st")),),
        tables=(people, teams),
        server_version="18.0",
    )


OPTIONS = DocOptions(project_name="Tiny", owner="Test Team", date=DATE)


def test_small_schema_document_matches_golden() -> None:
    text = render_markdown(small_schema(), options=OPTIONS)
    assert not PLACEHOLDER.search(text)
    positions = [text.index(h + "\n") for h in TEMPLATE_HEADINGS]
    assert positions == sorted(positions), "sections must keep the template's order"
    assert "- `team_id` → `teams(id)` ON DELETE CASCADE" in text
    assert "| people | password_hash | TEXT |" in text
    check_golden(GOLDEN / "markdown_small.md", text)


def test_enum_classes_are_valid_python() -> None:
    code = python_enum("Mood", ["happy", "so-so", "1st", "so so"])
    namespace: dict = {}
    exec("from enum import Enum\n" + code, namespace)
    assert [m.value for m in namespace["Mood"]] == ["happy", "so-so", "1st", "so so"]


def test_doc_options_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.workbench.doc]\nproject_name = "X"\nowner = "Y"\nversion = "2.0.0"\n'
    )
    options = load_doc_options(tmp_path / "pyproject.toml", date=DATE)
    assert (options.project_name, options.owner, options.version, options.date) == (
        "X",
        "Y",
        "2.0.0",
        DATE,
    )
    assert load_doc_options(tmp_path / "missing.toml").project_name == DocOptions().project_name


@pytest.fixture(scope="module")
def example_wb(server):
    with workbench.open(EXAMPLE_SQL, server=server) as wb:
        yield wb


def test_example_document_matches_committed(example_wb, tmp_path: Path) -> None:
    """docs/example/ is what `workbench export` writes for sql/; fail when it drifts.

    The date is fixed and er.svg is drawn by the graphviz-pure binary (a Python
    dependency, so every machine has the same one) even where a system ``dot`` is
    installed: system Graphviz versions lay out differently.
    """
    from workbench.diagram.graphviz_bin import pure_dot

    binary = pure_dot()
    assert binary is not None, "graphviz-pure is a dependency: pip install graphviz-pure"
    options = load_doc_options(ROOT / "pyproject.toml", date=DATE)
    write_all(example_wb, tmp_path, options=options, dot_binary=binary)
    text = (tmp_path / "schema.md").read_text()
    assert not PLACEHOLDER.search(text)
    for heading in TEMPLATE_HEADINGS:
        assert heading + "\n" in text
    for table in example_wb.schema.tables:
        assert f"### {table.name} Table" in text
    assert "```mermaid\nerDiagram" in text
    assert "tasks_tags" not in text  # sanity: names come from the model
    # Everything schema.md links to is committed beside it, so its links work on GitHub.
    for name in (
        "schema.md",
        "er.mmd",
        "er.svg",
        "er.html",
        "schema.sql",
        "models.py",
        "migrations/versions/0001_initial.py",
    ):
        check_golden(EXAMPLE_DOCS / name, (tmp_path / name).read_text())
    assert (tmp_path / "migrations" / "versions" / "0001_initial.py").is_file()
    assert (tmp_path / "models.py").is_file() and (tmp_path / "schema.sql").is_file()


@pytest.mark.parametrize("name", sorted(corpus_schemas()))
def test_corpus_documents_have_no_placeholders(server, name: str) -> None:
    with workbench.open(CORPUS / name, server=server) as wb:
        extras, _project, _svg = collect_doc_extras(wb)
        text = render_markdown(wb.schema, options=OPTIONS, extras=extras)
    assert not PLACEHOLDER.search(text)
    for table in wb.schema.tables:
        if table.partition_of is None:
            assert f"### {table.name} Table" in text
            assert table.qualified_name in extras.example_rows
    assert extras.example_rows, "sample rows were seeded"
    assert "INSERT INTO" in extras.seed_script
    assert extras.sample_note and extras.sample_note in text  # says where the rows came from


# -- sample data from the real seeder ------------------------------------------------------
def _first_row(conn: psycopg.Connection, table: str) -> dict:
    row = conn.execute(
        sql.SQL("SELECT to_jsonb(t) FROM {} AS t ORDER BY id LIMIT 1").format(sql.Identifier(table))
    ).fetchone()
    assert row is not None
    return row[0]


def test_sample_comes_from_the_seeder_and_is_reproducible(example_wb) -> None:
    from workbench.export.doc_collect import collect_sample
    from workbench.seed import seed

    first = collect_sample(example_wb, seed=3, rows_per_table=10, sample_rows=2)
    again = collect_sample(example_wb, seed=3, rows_per_table=10, sample_rows=2)
    assert first == again, "the same seed gives the same document"
    assert "`workbench.seed` (seed 3, 10 rows per table)" in first.note
    assert first.generated_examples == ()
    # The example row is the seeder's first row by primary key.
    with example_wb.new_database() as db:
        seed(db.conninfo, example_wb.schema, {"default": 10}, seed=3, progress=False)
        with db.connect() as conn:
            expected = _first_row(conn, "organisations")
    assert first.example_rows["public.organisations"] == expected
    assert first.script.count("-- public.organisations: 2 rows") == 1
    assert {d.table for d in first.rls_demos} == {"public.projects", "public.tasks"}


def test_sample_uses_the_session_seed_and_leaves_it_untouched(server) -> None:
    from workbench.export.doc_collect import collect_sample

    with workbench.open(EXAMPLE_SQL, server=server) as wb:
        wb.seed({"default": 15}, seed=7, progress=False)
        assert wb.seeded is not None
        with wb.seeded.connect() as conn:
            expected = _first_row(conn, "users")
            grants = conn.execute(
                "SELECT count(*) FROM information_schema.role_table_grants"
            ).fetchone()
        sample = collect_sample(wb, seed=0, rows_per_table=3)
        assert "seeded in this session" in sample.note
        assert sample.example_rows["public.users"] == expected
        with wb.seeded.connect() as conn:  # demonstration GRANTs and temp tables rolled back
            after = conn.execute(
                "SELECT count(*) FROM information_schema.role_table_grants"
            ).fetchone()
            assert after == grants


def test_seeder_failure_falls_back_and_says_so(example_wb) -> None:
    from workbench.export.doc_collect import collect_sample

    sample = collect_sample(example_wb, rows_per_table=-1)  # a shape the seeder rejects
    assert "could not fill this schema" in sample.note and "fallback sampler" in sample.note
    assert sample.example_rows["public.organisations"]["slug"].startswith("organisations-")
    assert "INSERT INTO" in sample.script


def test_empty_table_gets_a_generated_example_row(example_conn: psycopg.Connection) -> None:
    from workbench.export.doc_collect import read_sample

    example_conn.autocommit = True
    schema = introspect(example_conn)
    sample = read_sample(example_conn, schema, sample_rows=1)  # nothing seeded
    assert set(sample.generated_examples) == {
        t.qualified_name for t in schema.tables if t.partition_of is None
    }
    row = sample.example_rows["public.organisations"]
    assert set(row) == {c.name for c in schema.table("public.organisations").columns}
    text = render_markdown(
        schema,
        options=OPTIONS,
        extras=DocExtras(
            example_rows=sample.example_rows, generated_examples=sample.generated_examples
        ),
    )
    assert "**Example Row:** (generated: the seeded data holds no row of this table)" in text


def test_extras_absent_document_still_complete(example_wb) -> None:
    text = render_markdown(example_wb.schema, options=OPTIONS, extras=DocExtras())
    assert not PLACEHOLDER.search(text)
    assert "run `workbench export`" in text


# -- what the document claims, proven ----------------------------------------------------
def test_updated_at_trigger_changes_the_column(example_conn: psycopg.Connection) -> None:
    """Every table the document lists under 'Auto-update updated_at' really stamps updated_at."""
    schema = introspect(example_conn)
    seed_sample(example_conn, schema, rows_per_table=1)
    example_conn.commit()
    tables = [
        t
        for t in schema.tables
        if any(tr.function == "public.update_updated_at_column" for tr in t.triggers)
    ]
    assert len(tables) >= 10
    for table in tables:
        name = sql.Identifier(table.schema, table.name)
        before = example_conn.execute(sql.SQL("SELECT updated_at FROM {}").format(name)).fetchone()
        example_conn.execute(
            sql.SQL("UPDATE {} SET updated_at = '2000-01-01T00:00:00Z'").format(name)
        )
        after = example_conn.execute(
            sql.SQL("SELECT updated_at, now() FROM {}").format(name)
        ).fetchone()
        assert before is not None and after is not None
        assert after[0] == after[1], f"{table.name}.updated_at was not stamped by its trigger"
        example_conn.rollback()


def test_rls_demonstration_matches_direct_counts(example_conninfo: str) -> None:
    from workbench.seed import seed

    with psycopg.connect(example_conninfo, autocommit=True) as example_conn:
        schema = introspect(example_conn)
        seed(example_conninfo, schema, {"default": 20}, seed=0, progress=False)
        demos = {d.table: d for d in demonstrate(example_conn, schema)}
        assert set(demos) == {"public.projects", "public.tasks"}
        for demo in demos.values():
            assert demo.role == "app_user"
            assert demo.settings == ("app.current_organisation_id",)
            unset, *tenants = demo.counts
            assert unset.tenant is None and unset.visible == 0
            assert len(tenants) == 2
            for c in tenants:
                if demo.table == "public.projects":
                    query = "SELECT count(*) FROM projects WHERE organisation_id = %s"
                else:
                    query = (
                        "SELECT count(*) FROM tasks t JOIN projects p ON p.id = t.project_id "
                        "WHERE p.organisation_id = %s"
                    )
                row = example_conn.execute(query, [c.tenant]).fetchone()
                assert row is not None and c.visible == row[0]
                assert (
                    c.total
                    == example_conn.execute(
                        sql.SQL("SELECT count(*) FROM {}").format(
                            sql.Identifier(*demo.table.split("."))
                        )
                    ).fetchone()[0]
                )
            # each tenant sees its own rows only: some, not all
            assert all(0 < c.visible < c.total for c in tenants)
            assert sum(c.visible for c in tenants) <= tenants[0].total


def test_policy_settings_are_read_from_using() -> None:
    from workbench.model import Policy

    p = Policy(
        "p",
        "public.t",
        using="(a = current_setting('app.tenant'::text)) AND (b = current_setting('app.user', true))",
    )
    assert policy_settings(p) == ("app.tenant", "app.user")


# -- experiments in Performance Considerations --------------------------------------------
def test_experiment_digest_renders_a_verdict_table() -> None:
    from workbench.export.markdown import ExperimentComparison, ExperimentDigest

    digest = ExperimentDigest(
        variants=(("baseline", "no changes (baseline)"), ("idx", "CREATE INDEX ON t (a)")),
        comparisons=(
            ExperimentComparison("q1", "baseline", "idx", 3.25, 2.5, 4.0, "3.25× faster"),
            ExperimentComparison("q2", "baseline", "idx", 1.01, 0.9, 1.1, "no clear difference"),
        ),
        findings=("`q1` [baseline]: Seq Scan on t read 1000 rows to keep 1",),
        server_version="18.1",
        repetitions=15,
    )
    text = render_markdown(small_schema(), options=OPTIONS, extras=DocExtras(experiments=(digest,)))
    perf = text[text.index("## Performance Considerations") : text.index("## Security")]
    assert "#### EXPLAIN experiment\n" in perf
    assert "- `idx`: CREATE INDEX ON t (a)" in perf
    assert "| Query | Variant vs baseline | Speed-up | 95% CI | Verdict |" in perf
    assert "| `q1` | `idx` vs `baseline` | 3.25× | 2.50× – 4.00× | 3.25× faster |" in perf
    assert "| `q2` | `idx` vs `baseline` | 1.01× | 0.90× – 1.10× | no clear difference |" in perf
    assert "- `q1` [baseline]: Seq Scan on t read 1000 rows to keep 1" in perf
    assert "No EXPLAIN experiments were recorded" not in perf


def test_session_experiments_reach_the_document(server) -> None:
    from workbench.explain import Experiment, Variant

    with workbench.open(EXAMPLE_SQL, server=server) as wb:
        experiment = Experiment(
            [str(ROOT / "queries" / "comments_by_author.sql")],
            (
                Variant("baseline"),
                Variant("author_index", ddl="CREATE INDEX ON comments (author_id)"),
            ),
            repetitions=3,
            warmup=0,
            explain_runs=1,
        )
        result = wb.experiment(experiment, progress=False)
        assert wb.experiments == [result]
        extras, _project, _svg = collect_doc_extras(wb, rows_per_table=2)
        text = render_markdown(wb.schema, options=OPTIONS, extras=extras)
    (digest,) = extras.experiments
    (row,) = digest.comparisons
    expected = result.comparisons().iloc[0]
    assert (row.query, row.variant, row.baseline) == (
        "comments_by_author",
        "author_index",
        "baseline",
    )
    assert row.verdict == expected["verdict"] and row.speedup == pytest.approx(expected["speedup"])
    perf = text[text.index("## Performance Considerations") : text.index("## Security")]
    assert "- `author_index`: CREATE INDEX ON comments (author_id)" in perf
    assert "| `comments_by_author` | `author_index` vs `baseline` |" in perf
    assert f"| {row.verdict} |" in perf


# -- changelog from the git history of sql/ -------------------------------------------------
def test_changelog_from_git_history(tmp_path: Path, monkeypatch, server) -> None:
    import shutil

    from tests.test_cli_export_diff import git
    from workbench.export.changelog import git_changelog

    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE_SQL, root / "sql")
    (root / "README").write_text("not schema\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "First schema", "--date", "2026-01-02T10:00:00")
    tags = root / "sql" / "065_tags.sql"
    tags.write_text(
        tags.read_text().replace(
            "    created_at       timestamptz NOT NULL DEFAULT now(),\n",
            "    created_at       timestamptz NOT NULL DEFAULT now(),\n    description text,\n",
            1,
        )
    )
    git(root, "commit", "-q", "-am", "Tags get a description")
    (root / "README").write_text("edited, but not the schema\n")
    git(root, "commit", "-q", "-am", "Docs only")  # does not touch sql/: no entry
    (root / "sql" / "900_labels.sql").write_text("CREATE TABLE labels (id int PRIMARY KEY);\n")
    monkeypatch.chdir(root)

    entries = git_changelog("sql", server=server)
    assert [e.author for e in entries] == ["t", "t", "-"]
    first, second, dirty = entries
    assert first.date == "2026-01-02"
    assert re.match(
        r"First schema \(initial schema: \d+ tables, 1 view, 1 enum type, \d+ foreign keys",
        first.changes,
    )
    assert second.changes == "Tags get a description (added column tags.description)"
    assert len(second.version) >= 7 and second.version in git(root, "log", "--format=%h")
    assert dirty.version == "uncommitted"
    assert dirty.changes == "Working tree: added table labels"

    text = render_markdown(small_schema(), options=OPTIONS, extras=DocExtras(changelog=entries))
    log = text[text.index("## Changelog") :]
    assert f"| {second.version} | {second.date} | {second.changes} | t |" in log
    assert "Initial schema design" not in log


def test_changelog_outside_the_repository_is_a_clear_error(tmp_path, monkeypatch, server) -> None:
    from tests.test_cli_export_diff import git
    from workbench.errors import WorkbenchError
    from workbench.export.changelog import git_changelog

    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    monkeypatch.chdir(repo)
    with pytest.raises(WorkbenchError, match="is not inside the git repository"):
        git_changelog(EXAMPLE_SQL, server=server)

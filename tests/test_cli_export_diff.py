"""The ``workbench export`` and ``workbench diff`` commands, run through the real CLI entry point.

Each command starts its own disposable server, as it does for a user; the
fixtures' server is only used to build the reference models the output is
compared with. ``workbench export`` writes the full set (schema.sql, schema.md,
er.svg, er.mmd, models.py, migrations/); the byte-level checks look at
``schema.sql``, the document's own checks live in tests/test_markdown.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import EXAMPLE_SQL
from workbench.cli import main
from workbench.diff import diff
from workbench.export.ddl import render_ddl
from workbench.introspect import introspect
from workbench.loader import load_text


def model_of(server, template: str):
    with server.connect(template) as conn:
        return introspect(conn)


def apply_migration(server, new_db, old_template: str, migration: str):
    """Run ``migration`` on a clone of ``old_template`` and return the introspected result."""
    with psycopg.connect(new_db(template=old_template)) as conn:
        load_text(conn, migration, path="migration.sql", backend=server.backend, disposable=True)
        return introspect(conn)


# --- export -----------------------------------------------------------------------------------


def test_export_writes_schema_sql_equal_to_render_ddl_atomically(
    tmp_path, capsys, server, template_for
):
    out = tmp_path / "out"
    assert main(["export", "--sql", str(EXAMPLE_SQL), "--out", str(out)]) == 0
    schema_sql = out / "schema.sql"
    printed = capsys.readouterr().out.splitlines()
    for name in ("schema.sql", "schema.md", "er.svg", "er.mmd", "models.py", "migrations"):
        assert f"wrote {out / name}" in printed, name
        assert (out / name).exists(), name
    assert (out / "migrations" / "versions" / "0001_initial.py").is_file()
    expected = render_ddl(model_of(server, template_for(EXAMPLE_SQL)))
    first = schema_sql.read_bytes()
    assert first == expected.encode("utf-8")
    assert b"CREATE TABLE public.tasks" in first or b"CREATE TABLE tasks" in first
    inode = schema_sql.stat().st_ino

    # Second run with the changelog taken from this repository's history of sql/.
    assert main(["export", "--sql", str(EXAMPLE_SQL), "--out", str(out), "--history"]) == 0
    assert schema_sql.read_bytes() == first  # deterministic: byte-identical on a second run
    last = subprocess.run(
        ["git", "log", "-1", "--format=%h", "--", str(EXAMPLE_SQL)],
        capture_output=True, text=True, check=True, cwd=EXAMPLE_SQL,
    ).stdout.strip()  # fmt: skip
    changelog = (out / "schema.md").read_text().split("## Changelog", 1)[1]
    assert f"\n| {last} | " in changelog
    # Written through a temp file + os.replace: a new inode, and no temp file left behind.
    assert schema_sql.stat().st_ino != inode
    leftovers = [p.name for p in out.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]
    assert leftovers == []


def test_export_of_a_missing_directory_exits_2_with_a_message(tmp_path, capsys):
    missing = tmp_path / "nope"
    assert main(["export", "--sql", str(missing), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert str(missing) in err and "does not exist" in err
    assert not (tmp_path / "out" / "schema.sql").exists()


# --- diff of two directories --------------------------------------------------------------------

LABELS_SQL = """
CREATE TABLE labels (
    id      integer PRIMARY KEY,
    tag_id  uuid NOT NULL REFERENCES tags (id) ON DELETE CASCADE,
    text    text NOT NULL
);
"""


@pytest.fixture
def two_versions(tmp_path):
    """``a``: a copy of sql/; ``b``: the same with tags.name narrowed, tags.color renamed,
    a column added to tags (so the rename cannot be guessed) and a new table ``labels``."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(EXAMPLE_SQL, a)
    shutil.copytree(EXAMPLE_SQL, b)
    tags = b / "065_tags.sql"
    text = tags.read_text()
    for old, new in [
        ("name             varchar(50) NOT NULL", "name             varchar(40) NOT NULL"),
        ("color            char(7)", "colour           char(7)"),
        ("CHECK (color ~", "CHECK (colour ~"),
        ("COMMENT ON COLUMN tags.color IS", "COMMENT ON COLUMN tags.colour IS"),
        ("updated_at       timestamptz NOT NULL DEFAULT now(),\n",
         "updated_at       timestamptz NOT NULL DEFAULT now(),\n    archived boolean,\n"),
    ]:  # fmt: skip
        assert old in text, old
        text = text.replace(old, new, 1)
    tags.write_text(text)
    (b / "066_labels.sql").write_text(LABELS_SQL)
    return a, b


def test_diff_of_two_directories_prints_changes_and_writes_the_migration(
    tmp_path, capsys, server, template_for, new_db, two_versions
):
    a, b = two_versions
    migration = tmp_path / "migrate" / "m.sql"
    argv = ["diff", str(a), str(b), "--rename", "public.tags.color=colour"]
    assert main([*argv, "--migration", str(migration)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert (
        # A narrowing: still destructive, and the details say why.
        "~ column public.tags.name: type character varying(50) -> character varying(40)"
        " (narrowing to character varying(40): longer values are cut)  [DESTRUCTIVE]"
    ) in printed
    assert "> column public.tags.color: -> colour" in printed
    assert "+ column public.tags.archived" in printed
    assert "+ table public.labels" in printed
    assert f"wrote {migration}" in printed
    assert not any(line.startswith("- column public.tags.color") for line in printed)

    sql = migration.read_text()
    lines = sql.splitlines()
    narrow = next(line for line in lines if "ALTER COLUMN name TYPE" in line)
    assert lines[lines.index(narrow) - 1].startswith("-- DESTRUCTIVE:")
    assert "ALTER TABLE public.tags RENAME COLUMN color TO colour;" in lines
    assert any(line.startswith("CREATE TABLE public.labels") for line in lines)
    # Only the narrowing destroys data: the rename and the additions are not marked.
    assert sum(line.startswith("-- DESTRUCTIVE:") for line in lines) == 1
    assert [p.name for p in migration.parent.iterdir()] == ["m.sql"]

    # The migration really takes a database holding A to B.
    old_t, new_t = template_for(a), template_for(b)
    after = apply_migration(server, new_db, old_t, sql)
    expected = model_of(server, new_t)
    assert after == expected, str(diff(expected, after))


def test_diff_without_the_rename_hint_drops_and_adds_the_column(capsys, two_versions):
    a, b = two_versions
    assert main(["diff", str(a), str(b)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert "- column public.tags.color  [DESTRUCTIVE]" in [
        line.replace(": column and its data dropped", "") for line in printed
    ]
    assert "+ column public.tags.colour" in printed


def test_diff_of_equal_directories_says_so(capsys, tmp_path):
    a = tmp_path / "a"
    shutil.copytree(EXAMPLE_SQL, a)
    migration = tmp_path / "m.sql"
    assert main(["diff", str(EXAMPLE_SQL), str(a), "--migration", str(migration)]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "No differences."
    assert not any(
        line and not line.startswith(("SET ", "--")) for line in migration.read_text().splitlines()
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["diff", "{sql}", "{tmp}/missing"], "is neither an existing path nor a git REV:path"),
        (["diff", "{sql}", "{tmp}"], "holds no .sql files"),
        (["diff", "{sql}", "{sql}", "--rename", "public.tags.color"], "expected OLD=NEW"),
        (["diff", "{sql}"], "needs A and B, or --git REV"),
    ],
)
def test_diff_bad_arguments_exit_2_with_a_message(tmp_path, capsys, argv, message):
    argv = [a.format(sql=EXAMPLE_SQL, tmp=tmp_path) for a in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert message in captured.err and captured.err.startswith("workbench: error:")
    assert "Traceback" not in captured.err


# --- diff against git revisions -----------------------------------------------------------------


def git(repo: Path, *argv: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    proc = subprocess.run(
        ["git", *argv], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A throwaway git repository (not the project's) with sql/ committed, then edited."""
    root = tmp_path / "repo"
    shutil.copytree(EXAMPLE_SQL, root / "sql")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "sql")
    git(root, "commit", "-q", "-m", "schema")
    tags = root / "sql" / "065_tags.sql"
    tags.write_text(
        tags.read_text().replace(
            "    created_at       timestamptz NOT NULL DEFAULT now(),\n",
            "    created_at       timestamptz NOT NULL DEFAULT now(),\n    description text,\n",
            1,
        )
    )
    monkeypatch.chdir(root)
    return root


def test_diff_git_revision_against_the_working_tree(repo, capsys):
    assert main(["diff", "HEAD:sql", "sql", "--migration", "m.sql"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "+ column public.tags.description"
    assert "ALTER TABLE public.tags ADD COLUMN description text;" in (
        (repo / "m.sql").read_text().splitlines()
    )
    assert main(["diff", "--git", "HEAD"]) == 0  # short form: HEAD:<--sql> vs --sql
    assert capsys.readouterr().out.splitlines() == [printed[0]]
    # Both sides from git: the committed tree equals itself.
    assert main(["diff", "HEAD:sql", "main:sql"]) == 0
    assert capsys.readouterr().out.strip() == "No differences."


def test_diff_git_bad_revision_or_path_exits_2(repo, capsys):
    assert main(["diff", "nosuchrev:sql", "sql"]) == 2
    err = capsys.readouterr().err
    assert "nosuchrev" in err and err.startswith("workbench: error:")
    assert main(["diff", "HEAD:nowhere", "sql"]) == 2
    assert "no .sql files under 'nowhere' at git revision 'HEAD'" in capsys.readouterr().err


def test_diff_git_outside_a_repository_exits_2(tmp_path, monkeypatch, capsys):
    outside = tmp_path / "plain"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert main(["diff", "--git", "HEAD", "--sql", str(EXAMPLE_SQL)]) == 2
    assert "not inside a git repository" in capsys.readouterr().err

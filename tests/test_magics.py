"""The notebook magics and displays, in a real IPython shell against a real server.

One workbench on the example schema per module (the embedded server starts in
milliseconds); each test drives the shell with ``run_cell`` exactly as a
notebook cell would, so argument parsing, the current-workbench tracking and
the error display are all exercised.
"""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pandas as pd
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from traitlets.config import Config

import workbench
from workbench.model import Column, Constraint, ForeignKey, Schema, Table
from workbench.notebook import display as nbdisplay
from workbench.notebook.magics import MagicError, SqlCellError, unload_ipython_extension

from .conftest import EXAMPLE_SQL


@pytest.fixture(scope="module")
def shell() -> Iterator[InteractiveShell]:
    config = Config()
    config.HistoryManager.enabled = False  # no history.sqlite in the home directory
    ip = InteractiveShell.instance(config=config)
    result = ip.run_cell("%load_ext workbench")
    assert result.success
    ip.user_ns["workbench"] = workbench
    yield ip
    for value in list(ip.user_ns.values()):
        if isinstance(value, workbench.Workbench):
            value.close()
    unload_ipython_extension(ip)


@pytest.fixture(scope="module")
def wb(shell: InteractiveShell) -> workbench.Workbench:
    result = shell.run_cell(f"wb = workbench.open({str(EXAMPLE_SQL)!r})")
    assert result.success, result.error_in_exec
    return shell.user_ns["wb"]


def run(shell: InteractiveShell, source: str):
    result = shell.run_cell(source)
    return result


def test_sql_returns_a_dataframe_of_the_last_statement(shell, wb):
    result = run(shell, "%%sql\nSELECT 1 AS a;\nSELECT name FROM organisations ORDER BY name")
    assert result.success, result.error_in_exec
    frame = result.result
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.columns) == ["name"]
    assert frame.empty  # the template holds the schema, no data


def test_sql_changes_persist_in_the_scratch_clone_not_the_template(shell, wb):
    result = run(
        shell,
        "%%sql\nCREATE TABLE scratch_probe (n int);\nINSERT INTO scratch_probe VALUES (1), (2)",
    )
    assert result.success and result.result is None
    frame = run(shell, "%%sql -o probe\nSELECT sum(n) AS total FROM scratch_probe").result
    assert int(frame.total[0]) == 3
    assert shell.user_ns["probe"] is frame
    with wb.connect() as conn:  # the template never saw it
        assert conn.execute("SELECT to_regclass('scratch_probe')").fetchone()[0] is None


def test_sql_against_a_database_variable_and_by_name(shell, wb):
    db = wb.new_database()
    try:
        with db.connect(autocommit=True) as conn:
            conn.execute("CREATE TABLE only_here (x int); INSERT INTO only_here VALUES (7)")
        shell.user_ns["other"] = db
        assert int(run(shell, "%%sql other\nSELECT x FROM only_here").result.x[0]) == 7
        by_name = run(shell, f"%%sql -d {db.name}\nSELECT x FROM only_here").result
        assert int(by_name.x[0]) == 7
        conninfo = run(shell, f"%%sql conninfo='{db.conninfo}'\nSELECT x FROM only_here").result
        assert int(conninfo.x[0]) == 7
    finally:
        db.drop()


def test_sql_error_points_at_the_line_and_column(shell, wb):
    result = run(shell, "%%sql\nSELECT id\nFROM users\nWHERE no_such_column = 1")
    assert not result.success
    err = result.error_in_exec
    assert isinstance(err, SqlCellError)
    assert err.sqlstate == "42703"
    assert str(err).startswith("line 3, column 7: ERROR:")
    assert "WHERE no_such_column = 1\n        ^" in str(err)


def test_unknown_target_is_a_clear_error(shell, wb):
    result = run(shell, "%%sql nowhere\nSELECT 1")
    assert isinstance(result.error_in_exec, MagicError)
    assert "no variable 'nowhere'" in str(result.error_in_exec)


def test_explain_rolls_back_and_reports_the_plan(shell, wb):
    run(shell, "%%sql\nCREATE TABLE IF NOT EXISTS explain_probe (n int)")
    result = run(
        shell, "%%explain -o plan\nINSERT INTO explain_probe SELECT generate_series(1, 50)"
    )
    assert result.success, result.error_in_exec
    plan = shell.user_ns["plan"]
    nodes = plan.nodes if hasattr(plan, "nodes") else plan
    assert "ModifyTable" in set(nodes.node_type if "node_type" in nodes else nodes.node)
    count = run(shell, "%%sql\nSELECT count(*) AS n FROM explain_probe").result
    assert int(count.n[0]) == 0  # EXPLAIN ANALYZE ran the INSERT, and it was rolled back


def test_explain_error_position_accounts_for_the_explain_prefix(shell, wb):
    result = run(shell, "%%explain\n  SELECT nope FROM users")
    assert isinstance(result.error_in_exec, SqlCellError)
    assert str(result.error_in_exec).startswith("line 1, column 10:")


def test_reload_gives_a_fresh_scratch_clone(shell, tmp_path):
    (tmp_path / "a.sql").write_text("CREATE TABLE a (id int PRIMARY KEY);\n")
    result = run(shell, f"wb2 = workbench.open({str(tmp_path)!r})")
    assert result.success
    assert run(shell, "%%sql\nINSERT INTO a VALUES (1)").success  # newest workbench is wb2
    (tmp_path / "b.sql").write_text("CREATE TABLE b (id int PRIMARY KEY);\n")
    assert run(shell, "wb2.reload()").success
    frame = run(shell, "%%sql\nSELECT (SELECT count(*) FROM a) AS a, to_regclass('b') AS b").result
    assert int(frame.a[0]) == 0 and frame.b[0] == "b"
    run(shell, "%wb_use wb")
    assert run(shell, "%%sql\nSELECT to_regclass('b') AS b").result.b[0] is None
    run(shell, "%wb_use")
    run(shell, "wb2.close()")
    # wb2 closed: the magics fall back to the newest open workbench
    assert run(shell, "%%sql\nSELECT to_regclass('tasks') AS t").result.t[0] == "tasks"


def test_model_objects_display_as_html(shell, wb):
    data, _ = shell.display_formatter.format(wb.schema)
    assert data["text/plain"].startswith("<Schema: 13 tables,")
    assert "<b>tasks</b>" in data["text/html"] and "referenced by" in data["text/html"]
    data, _ = shell.display_formatter.format(wb.schema.table("tasks"))
    html = data["text/html"]
    assert "FK → projects.id" in html and "tasks_priority_check" in html
    assert data["text/plain"].startswith("<Table public.tasks (id, project_id")


def test_table_html_on_a_hand_built_table():
    users = Table(
        "public",
        "users",
        columns=(
            Column("id", "integer", nullable=False, identity="ALWAYS"),
            Column("name", "text"),
        ),
        constraints=(Constraint("users_pkey", "primary_key", ("id",), "PRIMARY KEY (id)"),),
    )
    posts = Table(
        "app",
        "posts",
        columns=(Column("author_id", "integer", comment="who <wrote> it"),),
        foreign_keys=(
            ForeignKey("posts_author_fkey", "app.posts", ("author_id",), "public.users", ("id",)),
        ),
    )
    html = nbdisplay.table_html(posts)
    assert "FK → users.id" in html and "who &lt;wrote&gt; it" in html
    assert "identity always" in nbdisplay.table_html(users)
    schema_html = nbdisplay.schema_html(Schema(tables=(posts, users)))
    assert "<b>app.posts</b>" in schema_html and "2 tables" in schema_html
    with pytest.raises(TypeError, match="supported: Schema, Table"):
        nbdisplay.to_html(42)


def test_explain_findings_read_the_indexes_of_the_explained_database(shell, wb):
    query = (
        "%%explain\nSELECT * FROM comments WHERE author_id = '00000000-0000-0000-0000-000000000001'"
    )

    def findings_text() -> str:
        with capture_output() as captured:
            assert run(shell, query).success
        return "\n".join(o.data.get("text/plain", "") for o in captured.outputs)

    before = findings_text()
    assert "fk_without_index" in before and "comments_author_id_fkey" in before
    assert run(shell, "%%sql\nCREATE INDEX comments_author_probe ON comments (author_id)").success
    assert (
        "fk_without_index" not in findings_text()
    )  # the template has no such index; the clone has


def test_a_workbench_displays_its_summary(shell, wb):
    data, _ = shell.display_formatter.format(wb)
    assert "<b>Workbench</b>" in data["text/html"] and "foreign keys" in data["text/html"]


def test_a_dropped_workbench_is_not_kept_alive_by_the_magics(shell, wb, tmp_path):
    (tmp_path / "a.sql").write_text("CREATE TABLE only_in_wb3 (id int);\n")
    assert run(shell, f"wb3 = workbench.open({str(tmp_path)!r})").success
    assert run(shell, "%%sql\nSELECT count(*) AS n FROM only_in_wb3").success  # its scratch clone
    ref = weakref.ref(shell.user_ns["wb3"])
    assert run(shell, "del wb3").success
    gc.collect()
    assert ref() is None  # collected: the magics hold no strong reference to it or its scratch
    assert run(shell, "%%sql\nSELECT to_regclass('tasks') AS t").result.t[0] == "tasks"


def test_sql_line_magic_runs_one_statement(shell, wb):
    frame = run(shell, "%sql SELECT count(*) AS n FROM pg_tables WHERE tablename = 'tasks'").result
    assert int(frame.n[0]) == 1
    assert isinstance(run(shell, "%sql").error_in_exec, MagicError)

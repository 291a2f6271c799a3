"""The interactive ER diagram (er.html and the notebook widget), checked where users look at it.

The data the page draws is checked in Python; the page itself is opened in a real
headless Chromium (skipped, saying what to install, where there is none): every
table present, search finds a column, a click focuses exactly the N-hop
neighbourhood, columns collapse, groups collapse, a path is highlighted, an
edge's hover names its foreign key and ON DELETE, and nothing is requested
from outside the file. Screenshots go to build/screenshots/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import psycopg
import pytest

from benchmarks.bench_diagram import generate_schema
from tests.browser import chromium, chromium_missing
from tests.conftest import EXAMPLE_SQL
from workbench.diagram import diagram, diff_diagram
from workbench.diagram.interactive import interactive
from workbench.model import Column, Schema, Table

SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots"
NO_BROWSER = chromium_missing()
needs_browser = pytest.mark.skipif(NO_BROWSER is not None, reason=str(NO_BROWSER))


@pytest.fixture(scope="module")
def example(server, template_for) -> Schema:
    from workbench.introspect import introspect

    with psycopg.connect(server.conninfo(template_for(EXAMPLE_SQL))) as conn:
        return introspect(conn)


@pytest.fixture(scope="module")
def big_html(tmp_path_factory) -> tuple[Schema, Path]:
    schema = generate_schema(1000)
    path = tmp_path_factory.mktemp("er") / "er.html"
    diagram(schema).interactive().save(path)
    return schema, path


def neighbours(schema: Schema, table: str, depth: int) -> set[str]:
    """N-hop neighbourhood over foreign keys in either direction (what focus must show)."""
    links: dict[str, set[str]] = {}
    for fk in schema.foreign_keys:
        links.setdefault(fk.table, set()).add(fk.ref_table)
        links.setdefault(fk.ref_table, set()).add(fk.table)
    seen, frontier = {table}, {table}
    for _ in range(depth):
        frontier = {n for t in frontier for n in links.get(t, ())} - seen
        seen |= frontier
    return seen


def page_data(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="er-data">(.*?)</script>', html, re.S)
    assert match
    return json.loads(match.group(1))


# --- the file ---------------------------------------------------------------------------------


def test_data_has_every_table_column_order_markers_and_fk_actions(example):
    html = interactive(example).html()
    data = page_data(html)
    by_id = {t["id"]: t for t in data["tables"]}
    assert set(by_id) == {t.qualified_name for t in example.tables if not t.partition_of}
    tasks = next(t for t in example.tables if t.name == "tasks")
    drawn = by_id["public.tasks"]
    assert [c[0] for c in drawn["columns"]] == [c.name for c in tasks.columns]  # attnum order
    assert "PK" in drawn["columns"][0][2]
    fk_cols = {c for fk in tasks.foreign_keys for c in fk.columns}
    assert all("FK" in c[2] for c in drawn["columns"] if c[0] in fk_cols)
    edge_by_name = {e["label"]: e for e in data["edges"]}
    for fk in tasks.foreign_keys:
        assert edge_by_name[fk.name]["on_delete"] == fk.on_delete
    # Layout kept in the file: every box has a position, every declared FK a route.
    assert all(t["x"] > 0 and t["y"] > 0 for t in data["tables"])
    assert all(e["path"].startswith("M") for e in data["edges"])


def test_file_is_self_contained_with_licence_and_small(big_html):
    _, path = big_html
    html = path.read_text()
    assert path.stat().st_size < 5_000_000
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "sourceMappingURL" not in html
    assert "Copyright (c) 2012-2014 Chris Pettitt" in html  # dagre's licence travels with it


def test_diff_mode_marks_added_removed_and_changed():
    old = Schema(
        tables=(
            Table("public", "a", columns=(Column("id", "integer"), Column("x", "integer"))),
            Table("public", "gone", columns=(Column("id", "integer"),)),
        )
    )
    new = Schema(
        tables=(
            Table("public", "a", columns=(Column("id", "integer"), Column("x", "bigint"))),
            Table("public", "fresh", columns=(Column("id", "integer"),)),
        )
    )
    data = diff_diagram(old, new).interactive().data
    status = {t["id"]: t["status"] for t in data["tables"]}
    assert status == {"public.a": "changed", "public.fresh": "added", "public.gone": "removed"}
    x = next(c for c in data["tables"][0]["columns"] if c[0] == "x")
    assert x[4] == "changed" and "integer -> bigint" in x[5]
    assert data["diff"] is True


def test_save_html_through_the_diagram_api(example, tmp_path):
    written = diagram(example).save(tmp_path / "er.html")
    assert written == [tmp_path / "er.html"]
    assert "ER.mount" in written[0].read_text()


def test_widget_carries_the_same_data(example):
    widget = interactive(example).widget(height=500)
    assert json.loads(widget.data)["tables"]
    assert "export default" in widget._esm and "ER.mount" in widget._esm


# --- in the browser ---------------------------------------------------------------------------


def _open(driver, path: Path) -> None:
    driver.get(path.as_uri())
    assert driver.execute_script("return document.body.getAttribute('data-ready')") == "1"
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def _visible(driver) -> set[str]:
    return set(
        driver.execute_script(
            "return Array.from(document.querySelectorAll('.er-viewport .er-table'))"
            ".map(g => g.getAttribute('data-id'))"
        )
    )


@needs_browser
def test_example_page_navigation(example, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    path = interactive(example).save(tmp_path / "er.html")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as driver:
        _open(driver, path)
        tables = {t.qualified_name for t in example.tables if not t.partition_of}
        assert _visible(driver) == tables
        driver.save_screenshot(str(SHOTS / "er-example.png"))

        # search by column name, then pick the hit: focus on its table, 1 hop
        search = driver.find_element(By.CSS_SELECTOR, ".er-search")
        search.send_keys("assignee_id")
        hits = driver.find_elements(By.CSS_SELECTOR, ".er-results li[data-id]")
        assert "public.tasks.assignee_id" in [h.text for h in hits]
        next(h for h in hits if h.text == "public.tasks.assignee_id").click()
        assert _visible(driver) == neighbours(example, "public.tasks", 1)
        driver.save_screenshot(str(SHOTS / "er-example-focus-tasks.png"))

        # two hops from a click on a box
        driver.find_element(By.CSS_SELECTOR, ".er-depth option[value='2']").click()
        assert _visible(driver) == neighbours(example, "public.tasks", 2)

        # collapse the focused table's columns
        toggle = driver.find_element(
            By.CSS_SELECTOR, ".er-table[data-id='public.tasks'] .er-toggle"
        )
        toggle.click()
        rows = driver.find_elements(By.CSS_SELECTOR, ".er-table[data-id='public.tasks'] .er-col")
        assert rows == []

        # hover a foreign key line: its name and ON DELETE
        driver.find_element(By.CSS_SELECTOR, ".er-reset").click()
        assert _visible(driver) == tables
        edge = driver.find_element(
            By.CSS_SELECTOR, ".er-edge[data-id^='fk:public.comments.'] .er-hit"
        )
        # the middle of the curve, as an offset from the centre of its bounding box
        dx, dy = driver.execute_script(
            "const p = arguments[0], m = p.getScreenCTM(), r = p.getBoundingClientRect();"
            "const q = p.getPointAtLength(p.getTotalLength() / 2);"
            "return [q.x * m.a + q.y * m.c + m.e - (r.left + r.width / 2),"
            "        q.x * m.b + q.y * m.d + m.f - (r.top + r.height / 2)];",
            edge,
        )
        ActionChains(driver).move_to_element_with_offset(edge, int(dx), int(dy)).perform()
        tip = driver.find_element(By.CSS_SELECTOR, ".er-tip")
        assert tip.is_displayed() and "ON DELETE" in tip.text

        # path between two tables
        driver.find_element(By.CSS_SELECTOR, ".er-from").send_keys("public.comments")
        driver.find_element(By.CSS_SELECTOR, ".er-to").send_keys("public.organisations")
        driver.find_element(By.CSS_SELECTOR, ".er-path").click()
        on_path = driver.execute_script(
            "return Array.from(document.querySelectorAll('.er-table.er-on-path'))"
            ".map(g => g.getAttribute('data-id'))"
        )
        assert {"public.comments", "public.organisations"} <= set(on_path)
        assert "→" in driver.find_element(By.CSS_SELECTOR, ".er-status").text
        driver.save_screenshot(str(SHOTS / "er-example-path.png"))
        assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0


@needs_browser
def test_thousand_tables_page(big_html):
    from selenium.webdriver.common.by import By

    schema, path = big_html
    with chromium() as driver:
        _open(driver, path)
        assert _visible(driver) == {t.qualified_name for t in schema.tables}
        driver.save_screenshot(str(SHOTS / "er-1000.png"))

        driver.find_element(By.CSS_SELECTOR, ".er-search").send_keys("entity_0417_id")
        hits = [h.text for h in driver.find_elements(By.CSS_SELECTOR, ".er-results li[data-id]")]
        owners = {
            fk.table
            for fk in schema.foreign_keys
            if fk.columns == ("entity_0417_id",) or fk.columns == ("entity_0417_ref",)
        }
        assert owners and {f"{o}.entity_0417_id" for o in owners} <= set(hits)

        target = next(iter(sorted(owners)))
        driver.execute_script("window.erApi.focus(arguments[0], 2)", target)
        assert _visible(driver) == neighbours(schema, target, 2)
        driver.save_screenshot(str(SHOTS / "er-1000-focus.png"))

        # groups (one per PostgreSQL schema) collapse into one box each
        driver.find_element(By.CSS_SELECTOR, ".er-reset").click()
        label = driver.find_element(
            By.CSS_SELECTOR, ".er-group[data-group='schema:sales'] .er-group-label"
        )
        label.click()
        shown = _visible(driver)
        assert not any(t.startswith("sales.") for t in shown)
        assert len(shown) == sum(1 for t in schema.tables if t.schema != "sales")
        assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0

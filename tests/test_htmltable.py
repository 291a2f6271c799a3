"""Tables for untrusted notebooks: layout inline, figures rounded, row counts as integers.

The browser test checks how the tables look in JupyterLab; these check the rules
themselves on small frames, without a browser.
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from workbench.htmltable import code, frame_html, number, table


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2000.0, "2,000"),  # a row count stored as a float
        (12.3456, "12.3"),
        (0.012345, "0.0123"),
        (1234.5, "1,234"),  # ≥ 100: no decimals (banker's rounding of .5 aside)
        (float("nan"), "–"),
        (None, "–"),
        (7, "7"),
    ],
)
def test_numbers_are_rounded_to_what_people_read(value, shown):
    assert number(value) == shown


def _cells(markup: str) -> list[tuple[str, str]]:
    """(style, text) of every td."""
    return re.findall(r"<td style='([^']*)'>(.*?)</td>", markup)


def test_frame_html_aligns_inline_and_keeps_one_decimals_per_column():
    frame = pd.DataFrame(
        {
            "rule_id": ["fk-without-index", "rls-disabled-on-tenant-table"],
            "message": ["no index on the foreign key", None],
            "rows": [3.0, 20000.0],
            "ms": [0.1234, 12.3456],
        }
    )
    markup = frame_html(frame)
    assert "<style" not in markup and "class=" not in markup
    cells = _cells(markup)
    by_text = dict((text, style) for style, text in cells)
    assert "white-space:nowrap" in by_text["fk-without-index"]  # an identifier: one line
    assert "text-align:left" in by_text["no index on the foreign key"]
    assert "nowrap" not in by_text["no index on the foreign key"]  # prose may wrap
    assert "text-align:right" in by_text["20,000"] and "3" in by_text  # integer row counts
    assert {"0.123", "12.346"} <= set(by_text)  # one number of decimals for the column
    assert "–" in by_text  # missing text


def test_frame_html_shows_a_named_index_and_cuts_long_frames():
    long = pd.DataFrame({"n": range(100)})
    markup = frame_html(long, max_rows=10)
    assert markup.count("<tr>") == 1 + 10 + 1  # header, 5 + 5 rows, the … row
    assert "100 rows × 1 columns" in markup
    named = pd.DataFrame({"rows": [5]}, index=pd.Index(["users"], name="table"))
    assert "<th style='text-align:left;vertical-align:top;white-space:nowrap'>users</th>" in (
        frame_html(named)
    )


def test_table_and_code_carry_their_own_layout():
    markup = table(["name", "count"], [["<b>a</b>", "3"]], caption="c", align="nr")
    assert "<td style='text-align:left;vertical-align:top;white-space:nowrap'><b>a</b>" in markup
    assert "<td style='text-align:right;" in markup
    assert code("now()") == "<code style='white-space:nowrap'>now()</code>"
    assert "pre-wrap" in code("ALTER TABLE t ENABLE ROW LEVEL SECURITY")

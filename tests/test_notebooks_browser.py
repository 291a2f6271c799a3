"""Every notebook as a new user first sees it: opened in JupyterLab, untrusted, in a browser.

A freshly cloned notebook is untrusted: JupyterLab will not render its SVG
outputs and passes its HTML through a sanitiser (no ``<svg>``, no ``<style>``).
This test starts ``jupyter lab`` as ``./dev lab`` does (with fresh private dirs,
so no notebook is trusted), opens every committed notebook in headless Chromium
(Debian's ``chromium`` and ``chromium-driver``, driven by Selenium) and reads
what is on the page, without running a cell:

* every stored diagram, plan tree and plot shows as an image (an ``<img>`` with
  a non-zero natural size) rendered from its PNG, and no SVG source or SVG text
  shows instead;
* table cells holding text are left-aligned (JupyterLab's stylesheet
  right-aligns them unless the output says otherwise inline), and a cell that is
  one identifier (a rule id, a column name) is on one line.

Screenshots of each notebook and of each picture go to ``build/screenshots/``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser import chromium, chromium_missing
from .conftest import ROOT
from .test_notebooks_lab import Lab, running_lab

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SCREENSHOTS = ROOT / "build" / "screenshots"
RENDER_TIMEOUT = 90.0

NO_BROWSER = chromium_missing()
pytestmark = pytest.mark.skipif(
    NO_BROWSER is not None, reason=f"needs a headless browser: {NO_BROWSER}"
)

IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")
#: Text that means SVG (or XML) source is on screen instead of a picture.
SVG_SOURCE = ("<svg", "xmlns", "<?xml", "</g>", "stroke=")

# What the page is asked, in one round trip per notebook. Cells are read in order;
# a text cell is one whose trimmed text is not a number (digits, separators, units).
# Column headers may sit right above right-aligned figures, so only body cells (and row
# labels) are held to the left; every cell that is one identifier must be on one line.
READ_NOTEBOOK_JS = r"""
const panel = [...document.querySelectorAll('.jp-NotebookPanel')]
  .find(p => !p.classList.contains('lm-mod-hidden'));
if (!panel) return null;
const numeric = /^[-+]?[\d.,\s\/]*(%|×|ms|s)?$|^[–—-]$|^$/;
const cells = [...panel.querySelectorAll('.jp-Cell')].map(cell => {
  const outputs = [...cell.querySelectorAll('.jp-OutputArea-output')];
  const imgs = [...cell.querySelectorAll('.jp-OutputArea-output img')];
  const tds = [...cell.querySelectorAll('.jp-RenderedHTMLCommon td, .jp-RenderedHTMLCommon th')];
  const misaligned = [], wrapped = [];
  for (const td of tds) {
    const text = td.innerText.trim();
    if (numeric.test(text) || td.colSpan > 1) continue;
    const align = getComputedStyle(td).textAlign;
    const header = td.tagName === 'TH' && td.closest('thead');
    if (!header && !['left', 'start', 'justify'].includes(align))
      misaligned.push(text + ' [' + align + ']');
    if (!/\s/.test(text) && text.length <= 48) {
      // the line boxes of the cell's text (not of an inline element's padding box)
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      const tops = new Set();
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
      }
      if (tops.size > 1) wrapped.push(text);
    }
  }
  return {
    code: cell.classList.contains('jp-CodeCell'),
    outputs: outputs.length,
    images: imgs.map(i => ({
      complete: i.complete, width: i.naturalWidth, height: i.naturalHeight,
      png: (i.getAttribute('src') || '').startsWith('data:image/png'),
      kind: i.parentElement.className,
    })),
    text: [...cell.querySelectorAll('.jp-OutputArea-output')].map(o => o.innerText).join('\n'),
    html: cell.querySelectorAll('.jp-RenderedHTMLCommon').length,
    misaligned, wrapped,
  };
});
return cells;
"""


def _stored(path: Path) -> list[dict[str, Any]]:
    """Per cell of the committed notebook: its type and how many outputs hold an image."""
    nb = json.loads(path.read_text())
    return [
        {
            "code": c["cell_type"] == "code",
            "images": sum(
                any(k in o.get("data", {}) for k in IMAGE_TYPES) for o in c.get("outputs", [])
            ),
            "rich": sum(o["output_type"] != "stream" for o in c.get("outputs", [])),
        }
        for c in nb["cells"]
    ]


def _write_settings(settings: Path) -> None:
    """Render every cell (no virtual scrolling) and keep the news and update toasts away."""
    overrides = {
        "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false",
            "checkForUpdates": False,
        },
    }
    for name, value in overrides.items():
        target = settings / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    home = tmp_path_factory.mktemp("browser-lab")
    _write_settings(home / "settings")
    with running_lab(home) as server:
        yield server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium(width=1400, height=1600, page_load_timeout=RENDER_TIMEOUT) as driver:
        yield driver


def _read(browser: Any, path: Path, stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Wait until every cell and every picture of the notebook is on the page, then read it."""
    deadline = time.monotonic() + RENDER_TIMEOUT
    want_outputs = [s["rich"] for s in stored]
    cells: list[dict[str, Any]] | None = None
    while time.monotonic() < deadline:
        cells = browser.execute_script(READ_NOTEBOOK_JS)
        if (
            cells
            and len(cells) == len(stored)
            and all(c["outputs"] >= want for c, want in zip(cells, want_outputs, strict=True))
            and all(i["complete"] for c in cells for i in c["images"])
        ):
            return cells
        time.sleep(0.5)
    got = None if cells is None else [(c["outputs"], len(c["images"])) for c in cells]
    pytest.fail(f"{path.name} did not render within {RENDER_TIMEOUT:.0f} s: cells {got}")


def _close_sessions(lab: Lab) -> None:
    """The lab starts a kernel for each opened notebook; nothing here runs, so stop them."""
    status, sessions = lab.request("GET", "/api/sessions")
    for session in sessions if status == 200 else []:
        lab.request("DELETE", f"/api/sessions/{session['id']}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_untrusted_notebook_shows_its_pictures_as_images(lab: Lab, browser: Any, path: Path):
    stored = _stored(path)
    rel = path.relative_to(ROOT).as_posix()
    browser.get(f"{lab.base}/lab/tree/{rel}?reset&token={lab.token}")
    try:
        cells = _read(browser, path, stored)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(SCREENSHOTS / f"{path.stem}.png"))
        problems: list[str] = []
        elements = browser.find_elements(
            "css selector", ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell"
        )
        for n, (cell, want, element) in enumerate(zip(cells, stored, elements, strict=True)):
            where = f"{path.name} cell {n}"
            if want["images"]:
                shown = [i for i in cell["images"] if i["width"] > 0 and i["height"] > 0]
                if len(shown) < want["images"]:
                    problems.append(
                        f"{where}: {want['images']} stored picture(s), {len(shown)} shown as "
                        f"an image ({cell['images']})"
                    )
                if not all(i["png"] for i in cell["images"]):
                    problems.append(f"{where}: a picture not rendered from its PNG (trusted?)")
                browser.execute_script("arguments[0].scrollIntoView()", element)
                element.screenshot(str(SCREENSHOTS / f"{path.stem}-cell{n:02d}.png"))
            leaked = [s for s in SVG_SOURCE if s in cell["text"]]
            if leaked:
                problems.append(f"{where}: SVG source shows as text ({', '.join(leaked)})")
            if cell["misaligned"]:
                problems.append(f"{where}: text not left-aligned: {cell['misaligned'][:5]}")
            if cell["wrapped"]:
                problems.append(f"{where}: identifiers wrapped over lines: {cell['wrapped'][:5]}")
        assert not problems, "\n".join(problems)
        assert sum(s["images"] for s in stored) == 0 or (SCREENSHOTS / f"{path.stem}.png").exists()
    finally:
        _close_sessions(lab)

"""The interactive ER diagram as a Jupyter widget (anywidget).

The widget runs the very script the standalone ``er.html`` runs (``web/er.js``
plus the vendored dagre), as an ES module that anywidget loads into the page;
the diagram's JSON travels in the ``data`` trait. Kept apart from
``interactive.py`` so that building an HTML file never imports Jupyter.
"""

from __future__ import annotations

import anywidget
import traitlets

from workbench.diagram.interactive import asset, vendor_scripts

_ESM = (
    vendor_scripts()
    + "\n"
    + asset("er.js")
    + """
function render({ model, el }) {
  el.style.setProperty("--er-height", model.get("height") + "px");
  const api = globalThis.ER.mount(el, JSON.parse(model.get("data")));
  model.on("change:data", () => globalThis.ER.mount(el, JSON.parse(model.get("data"))));
  return () => { el.innerHTML = ""; void api; };
}
export default { render };
"""
)


class ERWidget(anywidget.AnyWidget):  # type: ignore[misc]
    """Shows an interactive ER diagram in a notebook cell."""

    _esm = _ESM
    _css = asset("er.css")
    data = traitlets.Unicode("{}").tag(sync=True)
    height = traitlets.Int(640).tag(sync=True)

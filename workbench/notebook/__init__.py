"""Notebook integration: rich HTML displays of the schema model and the ``%%sql`` / ``%%explain`` magics.

``%load_ext workbench`` calls :func:`workbench.notebook.magics.load_ipython_extension`,
which registers the magics and the HTML formatters of the (frozen) model
classes; :func:`workbench.notebook.display.show` displays any of them on demand.
"""

from __future__ import annotations

from workbench.notebook.display import show

__all__ = ["show"]

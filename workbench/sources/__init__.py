"""Input layouts: every way a project keeps its schema, as adapters in front of one loader.

A project keeps its schema the way its migration tool wants it: a Flyway folder,
golang-migrate's up/down pairs, dbmate's sectioned files, Prisma's folders, a
sqitch plan, Supabase's migrations, Rails' ``db/structure.sql``, a pg_dump file,
or a plain folder of numbered files. Each layout is an adapter (``adapters.py``)
that turns the project into the same thing: an ordered :class:`Plan` of
:class:`Source` files. :mod:`workbench.sources.psql` then expands each source's
psql meta-commands (``\\i``, ``\\set``, ``\\if``...) into one ordered list of
``(file, line, statement)``, which :mod:`workbench.loader` runs. So error
locations, transactions and the load summary work the same for every layout.
"""

from __future__ import annotations

from workbench.sources.adapters import LAYOUTS, Plan, Source, natural_key, resolve
from workbench.sources.config import ProjectConfig, project_config
from workbench.sources.psql import Item, Script, expand

__all__ = [
    "LAYOUTS",
    "Item",
    "Plan",
    "ProjectConfig",
    "Script",
    "Source",
    "expand",
    "natural_key",
    "project_config",
    "resolve",
]

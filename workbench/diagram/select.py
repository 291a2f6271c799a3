"""Which tables a view shows: whole schema, a neighbourhood, a list, a pattern, one schema.

Kept apart from the graph builder because the rules are what reviewers argue
about: named tables, pattern matches and the focus neighbourhood add up (a
union: "show me these"), a PostgreSQL schema narrows the result, and whatever
is not shown is listed, so a filtered view never passes for the whole schema.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workbench.diagram.errors import UnknownTables
from workbench.model import Schema

if TYPE_CHECKING:
    from workbench.diagram.graph import DiagramEdge, DiagramOptions

#: How many left-out tables a note names before it says "and N more".
NOTE_NAME_LIMIT = 12


@dataclass(frozen=True, slots=True)
class Selection:
    shown: tuple[str, ...]  # qualified names, in schema order
    omitted: tuple[str, ...]
    focus: frozenset[str]
    notes: tuple[str, ...]


def resolve_table(schema: Schema, name: str, *, hidden: set[str] | None = None) -> str:
    """Qualified name for ``name`` (bare or qualified); :class:`UnknownTables` with suggestions."""
    names = [t.qualified_name for t in schema.tables if t.qualified_name not in (hidden or set())]
    if name in names:
        return name
    bare = [qn for qn in names if qn.split(".", 1)[1] == name]
    if len(bare) == 1:
        return bare[0]
    if len(bare) > 1:
        raise UnknownTables(
            f"table {name!r} is ambiguous: {', '.join(bare)}; write it schema-qualified"
        )
    if hidden and any(qn.endswith("." + name) or qn == name for qn in hidden):
        raise UnknownTables(
            f"table {name!r} is a junction table drawn as an M:N edge "
            f"(collapse_junctions=True); focus on one of the tables it links instead"
        )
    close = difflib.get_close_matches(name, names + [n.split(".", 1)[1] for n in names], n=5)
    hint = f"; did you mean {', '.join(dict.fromkeys(close))}?" if close else ""
    raise UnknownTables(f"no table {name!r} in the schema ({len(names)} tables){hint}")


def neighbourhood(start: str, edges: Iterable[DiagramEdge], depth: int) -> list[str]:
    """Tables within ``depth`` relations of ``start`` (either direction), nearest first."""
    adjacent: dict[str, set[str]] = {}
    for e in edges:
        if e.kind == "enum":
            continue
        adjacent.setdefault(e.parent, set()).add(e.child)
        adjacent.setdefault(e.child, set()).add(e.parent)
    seen = {start: 0}
    queue = deque([start])
    while queue:
        current = queue.popleft()
        if seen[current] == depth:
            continue
        for nxt in sorted(adjacent.get(current, ())):
            if nxt not in seen:
                seen[nxt] = seen[current] + 1
                queue.append(nxt)
    return list(seen)


def _name_list(names: list[str]) -> str:
    shown = ", ".join(names[:NOTE_NAME_LIMIT])
    more = len(names) - NOTE_NAME_LIMIT
    return f"{shown} and {more} more" if more > 0 else shown


def select_tables(
    schema: Schema, edges: list[DiagramEdge], opts: DiagramOptions, *, hidden: set[str]
) -> Selection:
    """Apply the view options; ``hidden`` are junction tables drawn as edges."""
    if opts.depth < 0:
        raise UnknownTables(f"depth must be 0 or more, not {opts.depth}")
    all_tables = [t.qualified_name for t in schema.tables if t.qualified_name not in hidden]
    wanted: set[str] | None = None
    focus: set[str] = set()
    described: list[str] = []
    one_schema = len({qn.split(".", 1)[0] for qn in all_tables}) <= 1

    def show(qn: str) -> str:
        return qn.split(".", 1)[1] if one_schema else qn

    if opts.focus:
        start = resolve_table(schema, opts.focus, hidden=hidden)
        focus.add(start)
        wanted = set(neighbourhood(start, edges, opts.depth))
        hops = "hop" if opts.depth == 1 else "hops"
        described.append(f"{show(start)} and its neighbours {opts.depth} {hops} away")
    if opts.tables:
        named = {resolve_table(schema, n, hidden=hidden) for n in opts.tables}
        wanted = (wanted or set()) | named
        described.append(f"tables {', '.join(show(q) for q in sorted(named))}")
    if opts.pattern:
        patterns = [p.strip() for p in opts.pattern.split(",") if p.strip()]
        matched = {
            qn
            for qn in all_tables
            for p in patterns
            if fnmatch.fnmatchcase(qn, p) or fnmatch.fnmatchcase(qn.split(".", 1)[1], p)
        }
        if not matched:
            raise UnknownTables(
                f"pattern {opts.pattern!r} matches no table; patterns are shell globs "
                f"on the bare or schema-qualified name, e.g. 'task*' or 'public.user_*'"
            )
        wanted = (wanted or set()) | matched
        described.append(f"tables matching {opts.pattern!r}")
    if opts.pg_schema:
        in_schema = {qn for qn in all_tables if qn.split(".", 1)[0] == opts.pg_schema}
        if not in_schema:
            known = sorted({qn.split(".", 1)[0] for qn in all_tables})
            raise UnknownTables(
                f"PostgreSQL schema {opts.pg_schema!r} has no tables; schemas with tables: "
                f"{', '.join(known) or '(none)'}"
            )
        wanted = in_schema if wanted is None else wanted & in_schema
        described.append(f"schema {opts.pg_schema}")

    if wanted is None:
        return Selection(tuple(all_tables), (), frozenset(), ())

    shown = tuple(qn for qn in all_tables if qn in wanted)
    omitted = tuple(qn for qn in all_tables if qn not in wanted)
    text = "; ".join(described)
    notes = [f"Showing {len(shown)} of {len(all_tables)} tables: {text}."]
    if omitted and (len(omitted) <= NOTE_NAME_LIMIT or one_schema):
        notes.append(f"Left out ({len(omitted)}): {_name_list([show(q) for q in omitted])}.")
    elif omitted:
        per_schema: dict[str, int] = {}
        for qn in omitted:
            ns = qn.split(".", 1)[0]
            per_schema[ns] = per_schema.get(ns, 0) + 1
        counts = ", ".join(f"{n} in {ns}" for ns, n in per_schema.items())
        notes.append(f"Left out ({len(omitted)}): {counts} (every name is in Diagram.omitted).")
    return Selection(shown, omitted, frozenset(focus), tuple(notes))

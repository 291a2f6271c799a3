"""The one obvious entry point: ``diagram(schema, ...)`` → :class:`Diagram`.

A :class:`Diagram` holds the pure :class:`DiagramGraph` and renders it on
demand (DOT text, SVG and PNG through a Graphviz binary, Mermaid text), caching
what it rendered. It displays itself inline in notebooks and writes files
atomically, choosing the format from the suffix.
"""

from __future__ import annotations

import base64
import os
from dataclasses import fields, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from workbench.diagram import graphviz_bin
from workbench.diagram.diff import diff_graph
from workbench.diagram.dot import to_dot
from workbench.diagram.errors import DiagramError, GraphvizNotFound
from workbench.diagram.graph import DiagramGraph, DiagramOptions, build_graph
from workbench.diagram.mermaid import render_part, split_members, to_mermaid, yaml_string
from workbench.files import write_atomic
from workbench.model import Schema

if TYPE_CHECKING:
    from workbench.diagram.interactive import InteractiveDiagram

#: Resolution of the PNG stored beside the SVG in notebook outputs: Graphviz's 72 points per
#: inch at 96 dpi is the SVG's own size on screen, and keeps stored notebooks small.
NOTEBOOK_PNG_DPI = 96

#: Suffix → format written by :meth:`Diagram.save`.
FORMATS = {
    ".svg": "svg",
    ".png": "png",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".md": "markdown",
    ".html": "html",
}


def render_svg(dot: str, *, binary: graphviz_bin.GraphvizBinary | None = None) -> str:
    """SVG text of ``dot`` laid out by Graphviz."""
    return graphviz_bin.run_dot(dot, "svg", binary=binary).decode("utf-8")


def render_png(
    dot: str, *, dpi: int = 110, binary: graphviz_bin.GraphvizBinary | None = None
) -> bytes:
    """PNG bytes of ``dot`` laid out by Graphviz (``dpi`` 110 reads well on screen)."""
    return graphviz_bin.run_dot(dot, "png", binary=binary, extra_args=(f"-Gdpi={dpi}",))


class Diagram:
    """An ER diagram: ``.dot``, ``.svg()``, ``.png()``, ``.mermaid()``, ``.save(path)``."""

    def __init__(
        self,
        graph: DiagramGraph,
        *,
        binary: graphviz_bin.GraphvizBinary | None = None,
        source: tuple[Schema, Schema | None, DiagramOptions] | None = None,
    ) -> None:
        self.graph = graph
        self.binary = binary
        # (schema, old schema for a diff, options): lets .interactive() draw every column.
        self._source = source
        self._svg: str | None = None
        self._png: dict[int, bytes] = {}

    @cached_property
    def dot(self) -> str:
        return to_dot(self.graph)

    @property
    def omitted(self) -> tuple[str, ...]:
        """Qualified names of the tables this view leaves out (empty for the whole schema)."""
        return self.graph.omitted

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.graph.table_nodes)

    def svg(self) -> str:
        if self._svg is None:
            self._svg = render_svg(self.dot, binary=self.binary)
        return self._svg

    def png(self, *, dpi: int = 110) -> bytes:
        if dpi not in self._png:
            self._png[dpi] = render_png(self.dot, dpi=dpi, binary=self.binary)
        return self._png[dpi]

    def interactive(self) -> InteractiveDiagram:
        """The same view as an interactive diagram (search, focus, groups, paths, diff colours).

        Shows itself as a widget in a notebook; ``.save("er.html")`` writes one
        self-contained page. Every column is included (the page collapses them).
        """
        from workbench.diagram.interactive import InteractiveDiagram, diagram_data, interactive

        if self._source is None:
            return InteractiveDiagram(diagram_data(self.graph, binary=self.binary))
        schema, old, options = self._source
        return interactive(schema, old=old, options=options, binary=self.binary)

    def mermaid(self) -> str | list[str]:
        """Mermaid ``erDiagram`` text; a list of parts when one diagram would not render."""
        return to_mermaid(self.graph)

    def save(self, path: str | os.PathLike[str]) -> list[Path]:
        """Write the diagram in the format of ``path``'s suffix; returns every file written.

        ``.svg``, ``.png``, ``.dot``/``.gv``, ``.mmd`` (Mermaid) and ``.md`` (Markdown
        with Mermaid blocks). A Mermaid diagram too large for one file is written as
        ``NAME.part-N.mmd`` files, and ``NAME.mmd`` becomes an overview of the parts.
        """
        target = Path(path)
        fmt = FORMATS.get(target.suffix.lower())
        if fmt is None:
            raise DiagramError(
                f"cannot tell the diagram format of {target}: use one of "
                f"{', '.join(FORMATS)} as the file suffix"
            )
        if fmt == "svg":
            return [write_atomic(target, self.svg().encode("utf-8"))]
        if fmt == "png":
            return [write_atomic(target, self.png())]
        if fmt == "dot":
            return [write_atomic(target, self.dot.encode("utf-8"))]
        if fmt == "markdown":
            return [write_atomic(target, self.markdown().encode("utf-8"))]
        if fmt == "html":
            return [self.interactive().save(target)]
        text = self.mermaid()
        if isinstance(text, str):
            return [write_atomic(target, text.encode("utf-8"))]
        written = [
            write_atomic(target.with_name(f"{target.stem}.part-{i}.mmd"), part.encode("utf-8"))
            for i, part in enumerate(text, 1)
        ]
        overview = mermaid_overview(self.graph, target.stem)
        return [write_atomic(target, overview.encode("utf-8")), *written]

    def markdown(self) -> str:
        """Markdown with one ```` ```mermaid ```` block per part (GitHub and JupyterLab render it)."""
        text = self.mermaid()
        parts = [text] if isinstance(text, str) else text
        out = [f"# {self.graph.title or 'Entity-relationship diagram'}", ""]
        out.extend(f"> {note}\n" for note in self.graph.notes)
        for i, part in enumerate(parts, 1):
            if len(parts) > 1:
                out.append(f"## Part {i} of {len(parts)}\n")
            out.append(f"```mermaid\n{part.rstrip()}\n```\n")
        return "\n".join(out)

    # Notebook display -------------------------------------------------------------
    def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
        """SVG for trusted notebooks and GitHub, PNG beside it for untrusted ones.

        No ``text/html``: JupyterLab prefers HTML, and in an untrusted notebook its
        sanitiser strips the ``<svg>`` element and leaves its text behind. The SVG
        renderer is unsafe there, so the PNG is what an untrusted notebook shows.
        The notes (left-out tables) are drawn in the picture itself.
        """
        try:
            svg = self.svg()
            png = self.png(dpi=NOTEBOOK_PNG_DPI)
        except GraphvizNotFound as exc:
            return {"text/plain": f"{self!r}\n{exc}"}
        return {
            "image/svg+xml": svg,
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": repr(self),
        }

    def __repr__(self) -> str:
        left = f", {len(self.omitted)} left out" if self.omitted else ""
        return (
            f"<Diagram: {len(self.graph.table_nodes)} tables, {len(self.graph.edges)} edges{left}>"
        )


def mermaid_overview(graph: DiagramGraph, stem: str) -> str:
    """An erDiagram with one box per part and the number of relations between parts."""
    parts = split_members(graph)
    owner = {m: i for i, (_, members) in enumerate(parts, 1) for m in members}
    lines = [
        "---",
        "title: "
        + yaml_string(f"{graph.title or 'Schema'} in {len(parts)} parts ({stem}.part-N.mmd)"),
        "---",
        "erDiagram",
    ]
    names = {n.id: n.name for n in graph.nodes}
    for i, (label, members) in enumerate(parts, 1):
        lines.append(f"  part_{i} {{")
        lines.append(f'    file {stem}_part_{i} "{label or "tables"}: {len(members)} tables"')
        lines.extend(
            f"    table {render_name}"
            for render_name in _safe_names([names[m] for m in members[:15]])
        )
        if len(members) > 15:
            lines.append(f'    more tables "and {len(members) - 15} more"')
        lines.append("  }")
    crossing: dict[tuple[int, int], int] = {}
    for e in graph.edges:
        a, b = owner.get(e.parent), owner.get(e.child)
        if a and b and a != b:
            crossing[(a, b)] = crossing.get((a, b), 0) + 1
    for (a, b), count in sorted(crossing.items()):
        lines.append(f'  part_{a} ||--o{{ part_{b} : "{count} relations"')
    return "\n".join(lines) + "\n"


def _safe_names(names: list[str]) -> list[str]:
    from eralchemy.models import sanitize_mermaid

    return [sanitize_mermaid(n, is_er=True) for n in names]


def _options(**kwargs: object) -> DiagramOptions:
    known = {f.name for f in fields(DiagramOptions)}
    unknown = set(kwargs) - known
    if unknown:
        raise DiagramError(
            f"unknown diagram option(s) {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
        )
    if isinstance(kwargs.get("tables"), str):
        kwargs["tables"] = (kwargs["tables"],)
    elif kwargs.get("tables") is not None:
        kwargs["tables"] = tuple(kwargs["tables"])  # type: ignore[arg-type]
    else:
        kwargs.pop("tables", None)
    return replace(DiagramOptions(), **kwargs)  # type: ignore[arg-type]


def diagram(
    schema: Schema,
    *,
    focus: str | None = None,
    depth: int = 1,
    tables: list[str] | tuple[str, ...] | str | None = None,
    pattern: str | None = None,
    pg_schema: str | None = None,
    collapse_junctions: bool = False,
    show_enums: bool = False,
    show_comments: bool = False,
    inferred: bool = False,
    columns: str = "auto",
    cluster: str = "auto",
    legend: bool = True,
    title: str | None = None,
    binary: graphviz_bin.GraphvizBinary | None = None,
) -> Diagram:
    """An ER diagram of ``schema`` (or of the part a reviewer asks for).

    * whole schema by default; ``focus="tasks", depth=2`` for a neighbourhood;
      ``tables=[...]`` and/or ``pattern="task*"`` for named tables; ``pg_schema``
      narrows to one PostgreSQL schema. Tables left out are in ``.omitted`` and
      named under the diagram.
    * ``collapse_junctions`` draws pure many-to-many tables as one M:N line;
      ``show_enums`` adds enum boxes and CHECK-enum values; ``show_comments``
      shows table and column comments; ``inferred`` adds dashed lines for
      ``x_id`` columns that name a table but have no foreign key.
    * ``columns``: ``'all'``, ``'keys'`` (PK/FK only) or ``'none'``; ``'auto'``
      shows all up to 60 tables. ``cluster``: ``'schema'``, ``'component'``,
      ``'none'`` or ``'auto'`` (by schema when several, by component when large).
    """
    opts = _options(
        focus=focus,
        depth=depth,
        tables=tables,
        pattern=pattern,
        pg_schema=pg_schema,
        collapse_junctions=collapse_junctions,
        show_enums=show_enums,
        show_comments=show_comments,
        inferred=inferred,
        columns=columns,
        cluster=cluster,
        legend=legend,
        title=title,
    )
    if opts.columns not in ("auto", "all", "keys", "none"):
        raise DiagramError(f"columns must be 'auto', 'all', 'keys' or 'none', not {opts.columns!r}")
    if opts.cluster not in ("auto", "schema", "component", "none"):
        raise DiagramError(
            f"cluster must be 'auto', 'schema', 'component' or 'none', not {opts.cluster!r}"
        )
    return Diagram(build_graph(schema, options=opts), binary=binary, source=(schema, None, opts))


def diff_diagram(
    old: Schema,
    new: Schema,
    *,
    context: int | None = None,
    collapse_junctions: bool = False,
    show_enums: bool = False,
    title: str | None = None,
    binary: graphviz_bin.GraphvizBinary | None = None,
) -> Diagram:
    """Diagram of the changes from ``old`` to ``new``: added green, removed red, changed amber.

    ``context=N`` keeps only changed tables and their neighbours N hops away
    (the rest is listed as left out); the default draws every table.
    """
    opts = DiagramOptions(collapse_junctions=collapse_junctions, show_enums=show_enums, title=title)
    return Diagram(
        diff_graph(old, new, context=context, options=opts),
        binary=binary,
        source=(new, old, opts),
    )


def export_files(schema: Schema, directory: str | os.PathLike[str]) -> list[Path]:
    """``er.svg``, ``er.mmd`` and the interactive ``er.html`` of the whole schema in ``directory``."""
    d = diagram(schema, title="Entity-relationship diagram")
    out = Path(directory)
    return [*d.save(out / "er.svg"), *d.save(out / "er.mmd"), *d.save(out / "er.html")]


__all__ = [
    "FORMATS",
    "Diagram",
    "diagram",
    "diff_diagram",
    "export_files",
    "render_part",
    "render_png",
    "render_svg",
    "write_atomic",
]

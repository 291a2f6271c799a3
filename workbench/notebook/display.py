"""Rich HTML displays of the schema model for notebooks.

The model classes (:mod:`workbench.model`) are frozen and know nothing about
notebooks, so their displays live here and are attached from the outside:
:func:`register` installs IPython formatters (``text/html`` and a short
``text/plain``) for them, and a ``text/html`` for pandas DataFrames, which
``%load_ext workbench`` does; :func:`show` displays any model object on demand
without the extension.

The HTML carries its layout in inline styles (:mod:`workbench.htmltable`), so it
reads the same in an untrusted notebook, whose sanitiser drops ``<style>``.
Everything rendered is deterministic (model order, no times, no server
version), so stored notebook outputs can be compared by nbval.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from workbench.htmltable import code, frame_html, table
from workbench.htmltable import e as _e
from workbench.model import Enum, Schema, Table, View


def _table(head: list[str], rows: Any, caption: str | None = None, align: str | None = None) -> str:
    """An HTML table from already-escaped cells, laid out with inline styles only
    (an untrusted notebook drops ``<style>`` elements; see :mod:`workbench.htmltable`)."""
    return table(head, rows, caption=caption, align=align)


def _wrap(inner: str) -> str:
    return f"<div class='wb-model'>{inner}</div>"


def _short(qualified: str) -> str:
    """``public.users`` → ``users``: the public schema is implied, like in psql."""
    schema, _, name = qualified.partition(".")
    return name if schema == "public" else qualified


# -- Table ---------------------------------------------------------------------------------
def _column_keys(table: Table) -> dict[str, list[str]]:
    """Per column: PK / FK → target / UQ / IX markers, in that order."""
    keys: dict[str, list[str]] = {c.name: [] for c in table.columns}
    pk = table.primary_key
    for name in pk.columns if pk else ():
        keys.setdefault(name, []).append("PK")
    for fk in table.foreign_keys:
        for col, ref in zip(fk.columns, fk.ref_columns, strict=False):
            keys.setdefault(col, []).append(f"FK → {_short(fk.ref_table)}.{ref}")
    for con in table.unique_constraints:
        for name in con.columns:
            if "UQ" not in keys.setdefault(name, []):
                keys[name].append("UQ")
    for index in table.indexes:
        if index.constraint is None and index.columns and index.columns[0]:
            first = index.columns[0]
            if "IX" not in keys.setdefault(first, []):
                keys[first].append("IX")
    return keys


def table_html(table: Table) -> str:
    """Columns (with key markers), constraints, foreign keys, indexes, triggers and policies."""
    kind = "partitioned table" if table.kind == "partitioned" else "table"
    title = f"<b>{_e(table.qualified_name)}</b> ({kind}, {len(table.columns)} columns)"
    if table.comment:
        title += f" — {_e(table.comment)}"
    keys = _column_keys(table)
    rows = []
    for col in table.columns:
        default = col.default or (f"identity {col.identity.lower()}" if col.identity else "")
        if col.generated:
            default = f"generated as {col.generated}"
        rows.append(
            [
                f"<b>{_e(col.name)}</b>",
                _e(col.type),
                "" if col.nullable else "NOT NULL",
                code(default) if default else "",
                _e(", ".join(keys.get(col.name, []))),
                _e(col.comment),
            ]
        )
    parts = [
        _table(["column", "type", "null", "default", "keys", "comment"], rows, title, align="nnn")
    ]

    others = [
        [_e(c.kind.replace("_", " ")), _e(c.name), _e(c.definition)] for c in table.constraints
    ]
    others += [
        [
            "foreign key",
            _e(fk.name),
            _e(
                f"({', '.join(fk.columns)}) → {_short(fk.ref_table)} ({', '.join(fk.ref_columns)})"
                f" ON DELETE {fk.on_delete}"
            ),
        ]
        for fk in table.foreign_keys
    ]
    others += [
        ["index", _e(ix.name), _e(ix.definition.split(" USING ", 1)[-1] if ix.definition else "")]
        for ix in table.indexes
        if ix.constraint is None
    ]
    others += [
        ["trigger", _e(tr.name), _e(f"{tr.timing} {' OR '.join(tr.events)} → {tr.function}")]
        for tr in table.triggers
    ]
    others += [
        ["policy", _e(p.name), _e(f"{p.command} USING {p.using or 'true'}")] for p in table.policies
    ]
    if table.rls_enabled:
        others.append(["row security", "", "enabled" + (", forced" if table.rls_forced else "")])
    if others:
        parts.append(_table(["kind", "name", "definition"], others, align="nn"))
    return _wrap("".join(parts))


# -- Schema --------------------------------------------------------------------------------
def schema_counts(schema: Schema) -> dict[str, int]:
    """What a schema holds, counted (the headline of its display)."""
    return {
        "table": len(schema.tables),
        "column": sum(len(t.columns) for t in schema.tables),
        "foreign key": len(schema.foreign_keys),
        "index": sum(len(t.indexes) for t in schema.tables),
        "view": len(schema.views),
        "enum": len(schema.enums),
        "function": len(schema.functions),
    }


def _counted(schema: Schema, sep: str) -> str:
    """``13 tables · 1 view``: the non-zero counts, pluralised."""
    plural = {"index": "indexes"}
    return sep.join(
        f"{n} {what if n == 1 else plural.get(what, what + 's')}"
        for what, n in schema_counts(schema).items()
        if n
    )


def schema_html(schema: Schema) -> str:
    """Counts, one row per table (keys, references both ways, comment), then views and enums."""
    counts = _counted(schema, " · ")
    referenced_by: dict[str, list[str]] = {}
    for fk in schema.foreign_keys:
        referenced_by.setdefault(fk.ref_table, []).append(_short(fk.table))
    rows = []
    for t in schema.tables:
        pk = t.primary_key
        refs = sorted({_short(fk.ref_table) for fk in t.foreign_keys})
        rows.append(
            [
                f"<b>{_e(_short(t.qualified_name))}</b>",
                str(len(t.columns)),
                _e(", ".join(pk.columns) if pk else "— none —"),
                _e(", ".join(refs)),
                _e(", ".join(sorted(set(referenced_by.get(t.qualified_name, []))))),
                str(len(t.indexes)),
                _e(t.comment),
            ]
        )
    parts = [
        _table(
            [
                "table",
                "columns",
                "primary key",
                "references",
                "referenced by",
                "indexes",
                "comment",
            ],
            rows,
            f"<b>Schema</b>: {_e(counts) or 'empty'}",
            align="nrlllrl",
        )
    ]
    if schema.views:
        parts.append(
            _table(
                ["view", "kind", "columns", "reads"],
                (
                    [
                        f"<b>{_e(_short(v.qualified_name))}</b>",
                        "materialized" if v.materialized else "view",
                        str(len(v.columns)),
                        _e(", ".join(_short(d) for d in v.depends_on)),
                    ]
                    for v in schema.views
                ),
                align="nlr",
            )
        )
    if schema.enums:
        parts.append(
            _table(
                ["enum", "values"],
                ([_e(_short(en.qualified_name)), _e(", ".join(en.values))] for en in schema.enums),
                align="n",
            )
        )
    return _wrap("".join(parts))


def view_html(view: View) -> str:
    kind = "materialized view" if view.materialized else "view"
    cols = ", ".join(f"{c.name} {c.type}" for c in view.columns)
    return _wrap(
        f"<p><b>{_e(view.qualified_name)}</b> ({kind}) — {_e(view.comment or cols)}</p>"
        f"<pre>{_e(view.definition.strip())}</pre>"
    )


def enum_html(enum: Enum) -> str:
    return _wrap(f"<p><b>{_e(enum.qualified_name)}</b> enum: {_e(', '.join(enum.values))}</p>")


# -- plain text: a one-line summary instead of the dataclass repr of everything -------------
def schema_text(schema: Schema) -> str:
    return f"<Schema: {_counted(schema, ', ') or 'empty'}>"


def table_text(table: Table) -> str:
    cols = ", ".join(table.column_names[:8]) + (", …" if len(table.columns) > 8 else "")
    return f"<Table {table.qualified_name} ({cols})>"


HTML_RENDERERS: dict[type, Callable[[Any], str]] = {
    Schema: schema_html,
    Table: table_html,
    View: view_html,
    Enum: enum_html,
}
TEXT_RENDERERS: dict[type, Callable[[Any], str]] = {
    Schema: schema_text,
    Table: table_text,
    View: lambda v: f"<View {v.qualified_name}>",
    Enum: lambda e: f"<Enum {e.qualified_name}: {', '.join(e.values)}>",
}


def _experiment_text(result: Any) -> str:
    variants = ", ".join(result.variants)
    return f"<ExperimentResult: variants {variants}; scales {', '.join(result.scales)}>"


#: Short ``text/plain`` of the other modules' notebook objects, keyed by (module, class) so
#: nothing is imported until used. Their default reprs are dataclass dumps (a SchemaDiff's
#: runs to pages), which is what a notebook saved without its HTML would show.
PLAIN_BY_NAME: dict[tuple[str, str], Callable[[Any], str]] = {
    ("workbench.diff", "SchemaDiff"): lambda d: f"<SchemaDiff: {len(d)} change(s)>\n{d}".rstrip(),
    ("workbench.lint.report", "LintReport"): lambda r: f"<LintReport: {r.summary()}>",
    ("workbench.explain.plan", "Plan"): str,
    ("workbench.explain.result", "ExperimentResult"): _experiment_text,
    ("workbench.seed.summary", "SeedSummary"): lambda s: (
        f"<SeedSummary: {s.total_rows:,} rows in {len(s.rows)} tables, seed {s.seed}>"
    ),
}


def _plain(text: Callable[[Any], str]) -> Callable[[Any, Any, bool], None]:
    def pretty(obj: Any, p: Any, cycle: bool) -> None:
        try:
            p.text(text(obj))
        except Exception:  # a display must never break a cell: fall back to the repr
            p.text(object.__repr__(obj))

    return pretty


def to_html(obj: Any) -> str:
    """The HTML display of a model object (TypeError naming the supported types otherwise)."""
    for kind, render in HTML_RENDERERS.items():
        if isinstance(obj, kind):
            return render(obj)
    if hasattr(obj, "_repr_html_"):
        return obj._repr_html_()
    supported = ", ".join(k.__name__ for k in HTML_RENDERERS)
    raise TypeError(f"no HTML display for {type(obj).__name__}; supported: {supported}")


def workbench_html(wb: Any) -> str:
    """A session at a glance: backend, server, what was loaded, how long it took."""
    if getattr(wb.server, "closed", False) or wb.template is None:
        return _wrap(f"<p>Workbench on <code>{_e(wb.sql)}</code> (closed)</p>")
    rows = [[_e(k.replace("_", " ")), _e(v)] for k, v in wb.summary().items()]
    return _wrap(_table(["", ""], rows, f"<b>Workbench</b> on <code>{_e(wb.sql)}</code>"))


def register(ip: Any) -> None:
    """Attach the HTML and short text displays of the model classes to an IPython shell."""
    formatters = ip.display_formatter.formatters
    for kind, render in HTML_RENDERERS.items():
        formatters["text/html"].for_type(kind, render)
    for kind, text in TEXT_RENDERERS.items():
        formatters["text/plain"].for_type(kind, _plain(text))
    for (module, name), text in PLAIN_BY_NAME.items():
        formatters["text/plain"].for_type_by_name(module, name, _plain(text))
    formatters["text/html"].for_type_by_name("workbench.session", "Workbench", workbench_html)
    # pandas' own HTML relies on a <style> block and JupyterLab's right-aligned cells; in an
    # untrusted notebook that leaves names right-aligned and floats at full precision
    import pandas as pd

    formatters["text/html"].for_type(pd.DataFrame, frame_html)


def show(obj: Any) -> None:
    """Display a Schema, Table, View or Enum as HTML (any object with a rich display works too)."""
    from IPython.display import display

    for kind, text in TEXT_RENDERERS.items():
        if isinstance(obj, kind):
            display({"text/html": to_html(obj), "text/plain": text(obj)}, raw=True)
            return
    display(obj)

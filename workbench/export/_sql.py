"""SQL quoting helpers shared by the exporters (same rules as PostgreSQL's quote_ident)."""

from __future__ import annotations

import re

from pglast.keywords import COL_NAME_KEYWORDS, RESERVED_KEYWORDS, TYPE_FUNC_NAME_KEYWORDS

_SAFE = re.compile(r"[a-z_][a-z0-9_$]*")
_NEEDS_QUOTES = RESERVED_KEYWORDS | COL_NAME_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS


def quote_ident(name: str) -> str:
    """Quote an identifier exactly when PostgreSQL's ``quote_ident()`` would."""
    if _SAFE.fullmatch(name) and name not in _NEEDS_QUOTES:
        return name
    return '"' + name.replace('"', '""') + '"'


def quote_qualified(qualified: str) -> str:
    """Quote a model qualified name ``"schema.name"`` as ``schema.name`` SQL."""
    schema, _, name = qualified.partition(".")
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def quote_literal(text: str) -> str:
    """Quote a string literal (standard_conforming_strings on, as everywhere since 9.1)."""
    return "'" + text.replace("'", "''") + "'"


def sql_name(qualified: str) -> str:
    """A model qualified name as the document's SQL writes it: quoted, ``public.`` left out."""
    schema, _, name = qualified.partition(".")
    return quote_ident(name) if schema == "public" else quote_qualified(qualified)

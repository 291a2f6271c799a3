"""PostgreSQL's keywords that matter for identifiers, from ``pg_get_keywords()``.

Why a static list: lint is pure over the model and must not need a server. The
list was generated from PostgreSQL 18.6's ``SELECT word, catcode FROM
pg_get_keywords()``; ``tests/test_lint.py`` checks it against the live server,
and ``python -m workbench.lint.keywords CONNINFO`` prints a fresh copy.

Categories (``catcode``): ``R`` reserved, ``T`` reserved but allowed as a function
or type name, ``C`` unreserved but not allowed as a function or type name;
``U`` (unreserved) words are left out: they are ordinary identifiers.
A table or column name that is an ``R`` or ``T`` keyword must be quoted
everywhere; ``quote_ident()`` also quotes ``C`` keywords.
"""

from __future__ import annotations

import re
import sys

RESERVED: frozenset[str] = frozenset(
    {
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "current_catalog",
        "current_date",
        "current_role",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "initially",
        "intersect",
        "into",
        "lateral",
        "leading",
        "limit",
        "localtime",
        "localtimestamp",
        "not",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "placing",
        "primary",
        "references",
        "returning",
        "select",
        "session_user",
        "some",
        "symmetric",
        "system_user",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
    }
)

RESERVED_FUNCTION_OR_TYPE: frozenset[str] = frozenset(
    {
        "authorization",
        "binary",
        "collation",
        "concurrently",
        "cross",
        "current_schema",
        "freeze",
        "full",
        "ilike",
        "inner",
        "is",
        "isnull",
        "join",
        "left",
        "like",
        "natural",
        "notnull",
        "outer",
        "overlaps",
        "right",
        "similar",
        "tablesample",
        "verbose",
    }
)

COLUMN_NAME: frozenset[str] = frozenset(
    {
        "between",
        "bigint",
        "bit",
        "boolean",
        "char",
        "character",
        "coalesce",
        "dec",
        "decimal",
        "exists",
        "extract",
        "float",
        "greatest",
        "grouping",
        "inout",
        "int",
        "integer",
        "interval",
        "json",
        "json_array",
        "json_arrayagg",
        "json_exists",
        "json_object",
        "json_objectagg",
        "json_query",
        "json_scalar",
        "json_serialize",
        "json_table",
        "json_value",
        "least",
        "merge_action",
        "national",
        "nchar",
        "none",
        "normalize",
        "nullif",
        "numeric",
        "out",
        "overlay",
        "position",
        "precision",
        "real",
        "row",
        "setof",
        "smallint",
        "substring",
        "time",
        "timestamp",
        "treat",
        "trim",
        "values",
        "varchar",
        "xmlattributes",
        "xmlconcat",
        "xmlelement",
        "xmlexists",
        "xmlforest",
        "xmlnamespaces",
        "xmlparse",
        "xmlpi",
        "xmlroot",
        "xmlserialize",
        "xmltable",
    }
)

#: catcode of every keyword that is not plain unreserved.
KEYWORDS: dict[str, str] = {
    **dict.fromkeys(RESERVED, "R"),
    **dict.fromkeys(RESERVED_FUNCTION_OR_TYPE, "T"),
    **dict.fromkeys(COLUMN_NAME, "C"),
}

# What the lexer reads unquoted as exactly this name: lower-case ASCII letters,
# digits, underscore and dollar (not first), and any non-ASCII letter.
_PLAIN = re.compile(r"[a-z_\u0080-\U0010ffff][a-z0-9_$\u0080-\U0010ffff]*\Z")


def is_reserved(name: str) -> bool:
    """True when ``name`` cannot be a table or column name without quotes (R or T keyword)."""
    return KEYWORDS.get(name) in ("R", "T")


def needs_quoting(name: str) -> bool:
    """True when ``name`` only survives as itself inside double quotes."""
    return not _PLAIN.match(name) or is_reserved(name)


def query_keywords(conninfo: str) -> dict[str, str]:
    """``{word: catcode}`` for every non-unreserved keyword of a live server."""
    import psycopg

    with psycopg.connect(conninfo) as conn:
        rows = conn.execute(
            "SELECT word, catcode FROM pg_get_keywords() WHERE catcode <> 'U'"
        ).fetchall()
    return {word: code for word, code in rows}


def main(argv: list[str] | None = None) -> int:
    """Print the keyword sets of the server at CONNINFO, to paste over the lists above."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m workbench.lint.keywords CONNINFO", file=sys.stderr)
        return 2
    found = query_keywords(args[0])
    for code, title in (
        ("R", "RESERVED"),
        ("T", "RESERVED_FUNCTION_OR_TYPE"),
        ("C", "COLUMN_NAME"),
    ):
        words = sorted(w for w, c in found.items() if c == code)
        print(f"{title} = {words!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

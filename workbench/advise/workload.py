"""What each query asks of each table, read from its SQL with pglast.

For every ``SELECT`` in a statement (subqueries too) and every table it reads,
an :class:`Access` lists the columns that could lead an index: equality and
range predicates (split into constant ones, which can become a partial index's
``WHERE``, and ones compared with a parameter or a sub-select), join keys,
``ORDER BY`` and ``GROUP BY`` columns, and every other column the query reads
from that table (what a covering index would ``INCLUDE``). Nothing here talks
to a server: the plan's side of the story is in :mod:`workbench.advise.candidates`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pglast
from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType, SortByDir
from pglast.stream import RawStream

from workbench.advise.errors import AdviseError

_RANGE_OPS = {"<", "<=", ">", ">="}


@dataclass
class Access:
    """One query's use of one table (columns by name, in the order the query names them)."""

    query: str
    table: str
    equality: list[str] = field(default_factory=list)  # compared with a parameter / sub-select
    ranges: list[str] = field(default_factory=list)
    constant: list[tuple[str, str]] = field(default_factory=list)  # (column, predicate SQL)
    joins: list[str] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (column, descending)
    group: list[str] = field(default_factory=list)
    read: list[str] = field(default_factory=list)  # every column the query reads here

    def add(self, bucket: list[Any], item: Any) -> None:
        if item not in bucket:
            bucket.append(item)


def _slots(node: Any) -> tuple[str, ...]:
    return tuple(getattr(type(node), "__slots__", ()))


def _sql(node: Any) -> str:
    return str(RawStream()(node))


def _column(node: Any, aliases: dict[str, str], default: str | None) -> tuple[str, str] | None:
    """(table, column) of a ColumnRef, resolved through the FROM clause's aliases."""
    if not isinstance(node, ast.ColumnRef):
        if isinstance(node, ast.TypeCast):
            return _column(node.arg, aliases, default)
        return None
    names = [str(f.sval) for f in (node.fields or ()) if isinstance(f, ast.String)]
    if len(names) == 2 and names[0] in aliases:
        return aliases[names[0]], names[1]
    if len(names) == 1 and default is not None:
        return default, names[0]
    return None


def _is_constant(node: Any) -> bool:
    if isinstance(node, ast.A_Const):
        return True
    if isinstance(node, ast.TypeCast):
        return _is_constant(node.arg)
    if isinstance(node, (list, tuple)):
        return all(_is_constant(n) for n in node)
    return False


def _has_column(node: Any) -> bool:
    """True when ``node`` reads a column of the enclosing query (not inside a sub-select)."""
    if isinstance(node, ast.ColumnRef):
        return True
    if isinstance(node, ast.SubLink):
        return False
    if isinstance(node, (list, tuple)):
        return any(_has_column(n) for n in node)
    if isinstance(node, ast.Node):
        return any(_has_column(getattr(node, s)) for s in _slots(node))
    return False


def _walk(node: Any):  # type: ignore[no-untyped-def]
    if isinstance(node, (list, tuple)):
        for n in node:
            yield from _walk(n)
    elif isinstance(node, ast.Node):
        yield node
        for s in _slots(node):
            yield from _walk(getattr(node, s))


def _conjuncts(node: Any) -> list[Any]:
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
        out = []
        for a in node.args or ():
            out.extend(_conjuncts(a))
        return out
    return [] if node is None else [node]


def _tables(from_clause: Any) -> dict[str, Any]:
    """alias (or bare name) -> table, for the plain tables of a FROM clause and its joins."""
    out: dict[str, Any] = {}
    for node in _walk(from_clause):
        if isinstance(node, ast.RangeVar):
            out[str(node.alias.aliasname if node.alias else node.relname)] = node.relname
        if isinstance(node, (ast.RangeSubselect, ast.SubLink)):
            continue
    return out


class _Reader:
    def __init__(self, query: str) -> None:
        self.query = query
        self.accesses: dict[tuple[int, str], Access] = {}
        self.level = 0
        self.levels = 0

    def access(self, table: str) -> Access:
        key = (self.level, table)
        if key not in self.accesses:
            self.accesses[key] = Access(self.query, table)
        return self.accesses[key]

    def select(self, stmt: Any) -> None:
        outer = self.level
        self.levels += 1
        self.level = self.levels
        try:
            self._select(stmt)
        finally:
            self.level = outer

    def _select(self, stmt: Any) -> None:
        aliases = _tables(stmt.fromClause or ())
        # only this level's tables: sub-selects are read on their own
        for node in _walk(stmt.fromClause or ()):
            if isinstance(node, ast.RangeSubselect) and isinstance(node.subquery, ast.SelectStmt):
                self.select(node.subquery)
        default = next(iter(aliases.values())) if len(aliases) == 1 else None
        for table in aliases.values():
            self.access(table)
        for conj in _conjuncts(stmt.whereClause):
            self.predicate(conj, aliases, default)
        for node in _walk(stmt.fromClause or ()):
            if isinstance(node, ast.JoinExpr) and node.quals is not None:
                for conj in _conjuncts(node.quals):
                    self.predicate(conj, aliases, default)
        outputs = {t.name for t in stmt.targetList or () if isinstance(t, ast.ResTarget) and t.name}
        for sort in stmt.sortClause or ():
            ref = sort.node
            if isinstance(ref, ast.ColumnRef) and len(ref.fields or ()) == 1:
                field_ = (ref.fields or ())[0]
                if isinstance(field_, ast.String) and field_.sval in outputs:
                    continue  # ORDER BY an output column's alias, not a table column
            col = _column(sort.node, aliases, default)
            if col:
                desc = sort.sortby_dir == SortByDir.SORTBY_DESC
                self.access(col[0]).add(self.access(col[0]).order, (col[1], desc))
        for g in stmt.groupClause or ():
            col = _column(g, aliases, default)
            if col:
                self.access(col[0]).add(self.access(col[0]).group, col[1])
        # every column read at this level (target list, predicates, ordering, grouping)
        for part in (stmt.targetList, stmt.whereClause, stmt.sortClause, stmt.groupClause):
            for node in _walk_level(part):
                col = _column(node, aliases, default)
                if col and not (
                    len(getattr(node, "fields", None) or ()) == 1 and col[1] in outputs
                ):
                    self.access(col[0]).add(self.access(col[0]).read, col[1])
        for node in _walk(stmt.fromClause or ()):
            if isinstance(node, ast.JoinExpr) and node.quals is not None:
                for n in _walk_level(node.quals):
                    col = _column(n, aliases, default)
                    if col:
                        self.access(col[0]).add(self.access(col[0]).read, col[1])
        for part in (stmt.targetList, stmt.whereClause, stmt.havingClause):
            for node in _walk(part):
                if isinstance(node, ast.SubLink) and isinstance(node.subselect, ast.SelectStmt):
                    self.select(node.subselect)
        for sub in (stmt.larg, stmt.rarg):
            if sub is not None:
                self.select(sub)
        if stmt.withClause is not None:
            for cte in stmt.withClause.ctes or ():
                if isinstance(cte.ctequery, ast.SelectStmt):
                    self.select(cte.ctequery)

    def predicate(self, node: Any, aliases: dict[str, str], default: str | None) -> None:
        if isinstance(node, ast.NullTest):
            col = _column(node.arg, aliases, default)
            if col:
                word = "IS NULL" if node.nulltesttype == NullTestType.IS_NULL else "IS NOT NULL"
                self.access(col[0]).add(self.access(col[0]).constant, (col[1], f"{col[1]} {word}"))
            return
        if not isinstance(node, ast.A_Expr) or node.kind not in (
            A_Expr_Kind.AEXPR_OP,
            A_Expr_Kind.AEXPR_IN,
        ):
            return
        op = str(node.name[-1].sval) if node.name else ""
        left = _column(node.lexpr, aliases, default)
        right = _column(node.rexpr, aliases, default)
        other: Any
        if left and right and left[0] != right[0] and op == "=":
            for t, c in (left, right):
                self.access(t).add(self.access(t).joins, c)
            return
        if right and not left:
            left, other = right, node.lexpr
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)
        else:
            other = node.rexpr
        if not left or _has_column(other):
            return
        acc = self.access(left[0])
        if node.kind == A_Expr_Kind.AEXPR_IN or op == "=":
            if _is_constant(other):
                if node.kind == A_Expr_Kind.AEXPR_IN:
                    values = ", ".join(_sql(v) for v in other)
                    text = f"{left[1]} IN ({values})"
                else:
                    text = f"{left[1]} = {_sql(other)}"
                acc.add(acc.constant, (left[1], text))
            else:
                acc.add(acc.equality, left[1])
        elif op in _RANGE_OPS:
            if _is_constant(other):
                acc.add(acc.constant, (left[1], f"{left[1]} {op} {_sql(other)}"))
            else:
                acc.add(acc.ranges, left[1])


def _walk_level(node: Any):  # type: ignore[no-untyped-def]
    """Nodes of one query level: does not descend into sub-selects."""
    if isinstance(node, (list, tuple)):
        for n in node:
            yield from _walk_level(n)
    elif isinstance(node, ast.SubLink):
        return
    elif isinstance(node, ast.Node):
        yield node
        for s in _slots(node):
            yield from _walk_level(getattr(node, s))


def read_accesses(name: str, sql: str) -> list[Access]:
    """The :class:`Access` of every table ``sql`` reads, one per (query level, table).

    A sub-select's ``ORDER BY`` is its own: it does not extend the outer query's index.
    """
    try:
        statements = pglast.parse_sql(sql)
    except pglast.parser.ParseError as exc:
        raise AdviseError(f"query {name!r}: cannot parse: {exc}") from None
    reader = _Reader(name)
    for raw in statements or ():
        if isinstance(raw.stmt, ast.SelectStmt):
            reader.select(raw.stmt)
    return list(reader.accesses.values())

"""CHECK constraints: parsed once with pglast, used twice.

1. **Hints** steer generation: ranges (``priority >= 1 AND priority <= 5``), value lists
   (``role = ANY (ARRAY[...])``), regular expressions, maximum lengths, ``x = lower(x)``
   and column orderings (``ends_at > starts_at``).
2. **Evaluation** proves the generated rows satisfy the constraint before COPY: the
   expression is compiled into pyarrow compute calls with SQL's three-valued logic
   (``and_kleene``/``or_kleene``), so a CHECK passes when it is true *or NULL*, exactly
   as in PostgreSQL.

An expression using anything the compiler does not know (a user function, a subquery
wrapper, ``md5()``) raises :class:`Unsupported`; the generator then reports the
constraint as beyond it unless the user overrides one of its columns.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pglast
import pyarrow as pa
import pyarrow.compute as pc
from pglast import ast
from pglast.enums import A_Expr_Kind, BoolExprType, NullTestType, SQLValueFunctionOp

from workbench.seed.uuids import UUID, uuid_bytes


class Unsupported(Exception):
    """The CHECK expression uses a construct the evaluator does not implement."""


Evaluator = Callable[[Mapping[str, pa.Array]], pa.Array]


@dataclass
class Hints:
    """What generation should aim for, per column, gathered from all CHECKs of a table."""

    low: dict[str, tuple[Any, bool]] = field(default_factory=dict)  # column -> (bound, inclusive)
    high: dict[str, tuple[Any, bool]] = field(default_factory=dict)
    values: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    regex: dict[str, list[tuple[str, bool]]] = field(default_factory=dict)  # (pattern, ignore_case)
    max_length: dict[str, int] = field(default_factory=dict)
    case: dict[str, str] = field(default_factory=dict)  # column -> 'lower' | 'upper'
    json_kind: dict[str, str] = field(default_factory=dict)
    # (greater, lesser, strict): greater must be > (or >=) lesser
    order: list[tuple[str, str, bool]] = field(default_factory=list)
    # column groups of which exactly one is non-NULL per row (num_nonnulls(a, b) = 1)
    exactly_one: list[tuple[str, ...]] = field(default_factory=list)


class Now(dt.datetime):
    """``now()`` / ``CURRENT_TIMESTAMP`` in a CHECK: the time of generation.

    A lower bound on it gets a day's margin in the hints (the rows reach PostgreSQL
    a little later, when ``now()`` has moved on).
    """


def _now() -> Now:
    t = dt.datetime.now(dt.UTC)
    return Now(t.year, t.month, t.day, t.hour, t.minute, t.second, t.microsecond, tzinfo=dt.UTC)


def parse_expression(text: str) -> ast.Node:
    try:
        stmt = pglast.parse_sql(f"SELECT {text}")[0].stmt
    except pglast.parser.ParseError as exc:
        raise Unsupported(f"cannot parse {text!r}: {exc}") from None
    if not isinstance(stmt, ast.SelectStmt) or not stmt.targetList:
        raise Unsupported(f"not one expression: {text!r}")
    return stmt.targetList[0].val


def _strip(node: Any) -> Any:
    while isinstance(node, ast.TypeCast) and not isinstance(node.arg, ast.A_Const):
        node = node.arg
    return node


def _column(node: Any, value_column: str | None = None) -> str | None:
    node = _strip(node)
    fields = node.fields if isinstance(node, ast.ColumnRef) else None
    if fields and all(isinstance(f, ast.String) for f in fields):
        name = fields[-1].sval
        if value_column is not None and name == "value":
            return value_column
        return name
    return None


_TEMPORAL = {"date": "date", "timestamp": "timestamp", "timestamptz": "timestamptz", "time": "time"}


def _constant(node: Any) -> Any:
    """Python value of a constant (possibly cast); raises Unsupported otherwise."""
    if isinstance(node, ast.SQLValueFunction) and node.op in (
        SQLValueFunctionOp.SVFOP_CURRENT_TIMESTAMP,
        SQLValueFunctionOp.SVFOP_CURRENT_TIMESTAMP_N,
        SQLValueFunctionOp.SVFOP_LOCALTIMESTAMP,
        SQLValueFunctionOp.SVFOP_LOCALTIMESTAMP_N,
    ):
        return _now()
    if isinstance(node, ast.SQLValueFunction) and node.op == SQLValueFunctionOp.SVFOP_CURRENT_DATE:
        return _now().date()
    if (
        isinstance(node, ast.FuncCall)
        and node.funcname
        and node.funcname[-1].sval in ("now", "statement_timestamp", "transaction_timestamp")
        and not node.args
    ):
        return _now()
    if isinstance(node, ast.TypeCast):
        value = _constant(node.arg)
        names = node.typeName.names if node.typeName else None
        type_name = names[-1].sval if names else ""
        if isinstance(value, str) and type_name == "date":
            return dt.date.fromisoformat(value)
        if isinstance(value, str) and type_name in ("timestamp", "timestamptz"):
            parsed = dt.datetime.fromisoformat(value)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        if isinstance(value, str) and type_name in (
            "int2",
            "int4",
            "int8",
            "numeric",
            "float8",
            "float4",
        ):
            return float(value) if "." in value else int(value)
        return value
    if isinstance(node, ast.A_Const):
        if node.isnull:
            return None
        val = node.val
        if isinstance(val, ast.Integer):
            return val.ival
        if isinstance(val, ast.Float) and val.fval is not None:
            return float(val.fval)
        if isinstance(val, ast.String):
            return val.sval
        if isinstance(val, ast.Boolean):
            return val.boolval
    if isinstance(node, ast.A_ArrayExpr):
        return tuple(_constant(e) for e in node.elements or ())
    raise Unsupported(f"not a constant: {type(node).__name__}")


def _is_constant(node: Any) -> bool:
    try:
        _constant(node)
    except Unsupported:
        return False
    return True


_OPS = {
    "=": "equal",
    "<>": "not_equal",
    "!=": "not_equal",
    "<": "less",
    "<=": "less_equal",
    ">": "greater",
    ">=": "greater_equal",
}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "=", "<>": "<>"}


def _scalar_like(value: Any, like: pa.Array) -> Any:
    if value is None:
        return pa.scalar(None, like.type)
    if like.type == UUID and isinstance(value, str):  # a uuid literal
        with contextlib.suppress(ValueError):
            return uuid_bytes([value])[0]
    try:
        return pa.scalar(value).cast(like.type) if not isinstance(value, pa.Scalar) else value
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, TypeError):
        return pa.scalar(value)


def _json_kind(arr: pa.Array) -> pa.Array:
    first = pc.utf8_slice_codeunits(pc.utf8_trim_whitespace(arr), 0, 1)
    kinds = pc.case_when(
        pc.make_struct(
            pc.equal(first, "{"),
            pc.equal(first, "["),
            pc.equal(first, '"'),
            pc.is_in(first, pa.array(["t", "f"])),
        ),
        "object",
        "array",
        "string",
        "boolean",
        pc.if_else(pc.equal(first, "n"), "null", "number"),
    )
    return kinds


_FUNCS: dict[str, Callable[..., Any]] = {
    "lower": pc.utf8_lower,
    "upper": pc.utf8_upper,
    "btrim": pc.utf8_trim_whitespace,
    "trim": pc.utf8_trim_whitespace,
    "length": pc.utf8_length,
    "octet_length": pc.binary_length,
    "char_length": pc.utf8_length,
    "character_length": pc.utf8_length,
    "jsonb_typeof": _json_kind,
    "json_typeof": _json_kind,
    "abs": pc.abs,
}


def _like_to_regex(pattern: str) -> str:
    out = []
    for ch in pattern:
        out.append(
            ".*" if ch == "%" else "." if ch == "_" else "\\" + ch if not ch.isalnum() else ch
        )
    return "^" + "".join(out) + "$"


class _Compiler:
    def __init__(self, value_column: str | None) -> None:
        self.value_column = value_column
        self.columns: set[str] = set()

    def compile(self, node: Any) -> Callable[[Mapping[str, pa.Array]], Any]:
        col = _column(node, self.value_column)
        if col is not None:
            self.columns.add(col)
            return lambda data: data[col]
        node_s = _strip(node)
        if _is_constant(node_s):
            value = _constant(node_s)
            return lambda data: value
        if isinstance(node_s, ast.BoolExpr):
            parts = [self.compile(a) for a in node_s.args or ()]
            if node_s.boolop == BoolExprType.NOT_EXPR:
                return lambda data: pc.invert(parts[0](data))
            fn = pc.and_kleene if node_s.boolop == BoolExprType.AND_EXPR else pc.or_kleene

            def boolean(data: Mapping[str, pa.Array]) -> Any:
                result = parts[0](data)
                for part in parts[1:]:
                    result = fn(result, part(data))
                return result

            return boolean
        if isinstance(node_s, ast.NullTest):
            arg = self.compile(node_s.arg)
            fn = pc.is_null if node_s.nulltesttype == NullTestType.IS_NULL else pc.is_valid
            return lambda data: fn(arg(data))
        if isinstance(node_s, ast.FuncCall):
            name = node_s.funcname[-1].sval if node_s.funcname else ""
            args = node_s.args or ()
            if name in ("num_nonnulls", "num_nulls") and args:
                counted = [self.compile(a) for a in args]
                test = pc.is_valid if name == "num_nonnulls" else pc.is_null

                def count(data: Mapping[str, pa.Array]) -> Any:
                    total = None
                    for part in counted:
                        value = part(data)
                        if not isinstance(value, (pa.Array, pa.ChunkedArray)):
                            value = pa.array([value] * len(next(iter(data.values()))))
                        one = pc.cast(test(value), pa.int64())
                        total = one if total is None else pc.add(total, one)
                    return total

                return count
            if name not in _FUNCS or len(args) != 1:
                raise Unsupported(f"function {name}()")
            arg = self.compile(args[0])
            func = _FUNCS[name]
            return lambda data: func(arg(data))
        if isinstance(node_s, ast.A_Expr):
            return self._a_expr(node_s)
        raise Unsupported(type(node_s).__name__)

    def _a_expr(self, node: ast.A_Expr) -> Callable[[Mapping[str, pa.Array]], Any]:
        op = node.name[-1].sval if node.name else ""
        kind = node.kind
        if kind == A_Expr_Kind.AEXPR_BETWEEN or kind == A_Expr_Kind.AEXPR_NOT_BETWEEN:
            bounds = node.rexpr
            if not isinstance(bounds, tuple | list) or len(bounds) != 2:
                raise Unsupported("BETWEEN without two bounds")
            arg, lo, hi = self.compile(node.lexpr), self.compile(bounds[0]), self.compile(bounds[1])

            def between(data: Mapping[str, pa.Array]) -> Any:
                x = arg(data)
                r = pc.and_kleene(
                    pc.greater_equal(x, _scalar_like(lo(data), x)),
                    pc.less_equal(x, _scalar_like(hi(data), x)),
                )
                return pc.invert(r) if kind == A_Expr_Kind.AEXPR_NOT_BETWEEN else r

            return between
        if kind in (A_Expr_Kind.AEXPR_OP_ANY, A_Expr_Kind.AEXPR_IN):
            arg = self.compile(node.lexpr)
            rexpr = node.rexpr
            values = (
                tuple(_constant(e) for e in rexpr)
                if isinstance(rexpr, (list, tuple))
                else _constant(_strip_all(rexpr))
            )
            if op not in ("=", "<>"):
                raise Unsupported(f"{op} ANY")

            def any_(data: Mapping[str, pa.Array]) -> Any:
                x = arg(data)
                if x.type == UUID:  # uuid column: compare bytes
                    value_set = uuid_bytes(list(values))
                else:
                    value_set = pa.array(list(values)).cast(x.type)
                hit = pc.is_in(x, value_set=value_set)
                hit = pc.if_else(pc.is_null(x), pa.scalar(None, pa.bool_()), hit)
                return pc.invert(hit) if op == "<>" else hit

            return any_
        if kind in (A_Expr_Kind.AEXPR_LIKE, A_Expr_Kind.AEXPR_ILIKE):
            arg = self.compile(node.lexpr)
            pattern = _constant(_strip_all(node.rexpr))
            negate = op.startswith("!")
            ignore_case = kind == A_Expr_Kind.AEXPR_ILIKE
            like_regex = _like_to_regex(pattern)

            def like(data: Mapping[str, pa.Array]) -> Any:
                r = pc.match_substring_regex(arg(data), like_regex, ignore_case=ignore_case)
                return pc.invert(r) if negate else r

            return like
        if kind != A_Expr_Kind.AEXPR_OP or node.lexpr is None:
            raise Unsupported(f"operator kind {kind!r}")
        left, right = self.compile(node.lexpr), self.compile(node.rexpr)
        if op in ("~", "~*", "!~", "!~*"):
            pattern = _constant(_strip_all(node.rexpr))

            def regex(data: Mapping[str, pa.Array]) -> Any:
                r = pc.match_substring_regex(left(data), pattern, ignore_case="*" in op)
                return pc.invert(r) if op.startswith("!") else r

            return regex
        if op in _OPS:
            fn = getattr(pc, _OPS[op])

            def compare(data: Mapping[str, pa.Array]) -> Any:
                a, b = left(data), right(data)
                if isinstance(a, pa.Array) and not isinstance(b, pa.Array):
                    b = _scalar_like(b, a)
                elif isinstance(b, pa.Array) and not isinstance(a, pa.Array):
                    a = _scalar_like(a, b)
                elif isinstance(a, pa.Array) and isinstance(b, pa.Array) and a.type != b.type:
                    b = b.cast(a.type)
                return fn(a, b)

            return compare
        arith = {"+": pc.add, "-": pc.subtract, "*": pc.multiply, "/": pc.divide}
        if op in arith:
            fn2 = arith[op]
            return lambda data: fn2(left(data), right(data))
        raise Unsupported(f"operator {op}")


def _strip_all(node: Any) -> Any:
    """Strip casts around a constant array but keep casts that convert constants."""
    while isinstance(node, ast.TypeCast) and isinstance(node.arg, (ast.TypeCast, ast.A_ArrayExpr)):
        node = node.arg
    return node


def compile_check(
    expression: str, *, value_column: str | None = None
) -> tuple[Evaluator, frozenset[str]]:
    """Compile a CHECK expression into ``evaluate(columns) -> BooleanArray`` and its columns.

    ``value_column`` maps a domain CHECK's ``VALUE`` onto the column using the domain.
    """
    compiler = _Compiler(value_column)
    fn = compiler.compile(parse_expression(expression))

    def evaluate(data: Mapping[str, pa.Array]) -> pa.Array:
        result = fn(data)
        if not isinstance(result, (pa.Array, pa.ChunkedArray)):
            n = len(next(iter(data.values()))) if data else 0
            return pa.array([result] * n, pa.bool_())
        return result

    return evaluate, frozenset(compiler.columns)


def _conjuncts(node: Any) -> list[Any]:
    node = _strip(node)
    if isinstance(node, ast.BoolExpr) and node.boolop == BoolExprType.AND_EXPR:
        return [c for a in node.args or () for c in _conjuncts(a)]
    return [node]


def _tighten(hints: Hints, column: str, op: str, value: Any) -> None:
    if isinstance(value, Now) and op in (">", ">="):
        value = value + dt.timedelta(days=1)
    if op in (">", ">="):
        old = hints.low.get(column)
        if old is None or value > old[0]:
            hints.low[column] = (value, op == ">=")
    elif op in ("<", "<="):
        old = hints.high.get(column)
        if old is None or value < old[0]:
            hints.high[column] = (value, op == "<=")


def add_hints(hints: Hints, expression: str, *, value_column: str | None = None) -> None:
    """Collect generation hints from one CHECK expression into ``hints`` (best effort)."""
    try:
        root = parse_expression(expression)
    except Unsupported:
        return
    for node in _conjuncts(root):
        if isinstance(node, ast.A_Expr):
            op = node.name[-1].sval if node.name else ""
            lcol = _column(node.lexpr, value_column)
            rexpr = node.rexpr
            if node.kind == A_Expr_Kind.AEXPR_BETWEEN and lcol and isinstance(rexpr, tuple | list):
                try:
                    _tighten(hints, lcol, ">=", _constant(rexpr[0]))
                    _tighten(hints, lcol, "<=", _constant(rexpr[1]))
                except Unsupported:
                    pass
            elif (
                node.kind in (A_Expr_Kind.AEXPR_OP_ANY, A_Expr_Kind.AEXPR_IN)
                and op == "="
                and not lcol
                and isinstance(_strip(node.lexpr), ast.FuncCall)
            ):
                fn = _strip(node.lexpr)
                name = fn.funcname[-1].sval
                arg = _column(fn.args[0], value_column) if fn.args and len(fn.args) == 1 else None
                if arg and name in ("upper", "lower", "btrim", "trim"):
                    with contextlib.suppress(Unsupported):
                        hints.values[arg] = (
                            tuple(_constant(e) for e in rexpr)
                            if isinstance(rexpr, (list, tuple))
                            else _constant(_strip_all(rexpr))
                        )
            elif (
                node.kind in (A_Expr_Kind.AEXPR_OP_ANY, A_Expr_Kind.AEXPR_IN) and lcol and op == "="
            ):
                try:
                    values = (
                        tuple(_constant(e) for e in rexpr)
                        if isinstance(rexpr, (list, tuple))
                        else _constant(_strip_all(rexpr))
                    )
                    hints.values[lcol] = values
                except Unsupported:
                    pass
            elif node.kind == A_Expr_Kind.AEXPR_OP and op in ("~", "~*") and lcol:
                with contextlib.suppress(Unsupported):
                    hints.regex.setdefault(lcol, []).append(
                        (_constant(_strip_all(rexpr)), op == "~*")
                    )
            elif node.kind == A_Expr_Kind.AEXPR_OP and op in ("<", "<=", ">", ">=", "="):
                rcol = _column(rexpr, value_column)
                if lcol and rcol and op != "=":
                    if op in (">", ">="):
                        hints.order.append((lcol, rcol, op == ">"))
                    else:
                        hints.order.append((rcol, lcol, op == "<"))
                elif lcol and _is_constant(_strip(rexpr)):
                    value = _constant(_strip(rexpr))
                    if op == "=":
                        hints.values[lcol] = (value,)
                    elif not isinstance(value, str):
                        _tighten(hints, lcol, op, value)
                elif rcol and _is_constant(_strip(node.lexpr)):
                    value = _constant(_strip(node.lexpr))
                    if op != "=" and not isinstance(value, str):
                        _tighten(hints, rcol, _FLIP[op], value)
                elif lcol and isinstance(_strip(rexpr), ast.FuncCall) and op == "=":
                    fn = _strip(rexpr)
                    name = fn.funcname[-1].sval
                    if (
                        name in ("lower", "upper")
                        and fn.args
                        and _column(fn.args[0], value_column) == lcol
                    ):
                        hints.case[lcol] = name
                elif isinstance(_strip(node.lexpr), ast.FuncCall) and _is_constant(_strip(rexpr)):
                    fn = _strip(node.lexpr)
                    name = fn.funcname[-1].sval
                    arg = _column(fn.args[0], value_column) if fn.args else None
                    value = _constant(_strip(rexpr))
                    if (
                        name == "num_nonnulls"
                        and fn.args
                        and (op, value)
                        in (
                            ("=", 1),
                            ("<=", 1),
                            (">=", 1),
                            ("<", 2),
                            (">", 0),
                        )
                    ):
                        group = tuple(_column(a, value_column) for a in fn.args)
                        if all(group):
                            hints.exactly_one.append(group)  # type: ignore[arg-type]
                    if (
                        arg
                        and name in ("length", "char_length", "character_length", "octet_length")
                        and op in ("<", "<=")
                    ):
                        hints.max_length[arg] = int(value) - (1 if op == "<" else 0)
                    if arg and name in ("jsonb_typeof", "json_typeof") and op == "=":
                        hints.json_kind[arg] = value

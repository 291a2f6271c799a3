"""The seed shape: how many rows, how references fan out and skew, nulls, per-column overrides.

A shape is plain values so it can come from a notebook cell, a JSON/TOML file or the
CLI: ``1000`` (rows per table), or a mapping::

    {
        "default": 1000,                       # rows of tables not listed
        "tables": {
            "organisations": 50,
            "tasks": {"per": "projects", "min": 5, "max": 50},
            "users": {"rows": 5000, "nulls": {"last_login_at": 0.3}},
        },
        "columns": {"users.display_name": {"values": ["Ann", "Bob"], "weights": [3, 1]}},
        "skew": 1.1,                           # Zipf exponent of foreign-key choice (0 = uniform)
        "null_fraction": 0.1,                  # default for nullable columns
        "window": ["2023-01-01", "2026-01-01"],  # where timestamps fall
    }

Table keys may be qualified (``public.tasks``) or bare when unambiguous.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workbench.seed.errors import SeedError


@dataclass(frozen=True, slots=True)
class Sql:
    """A per-column override evaluated by PostgreSQL: the column's default during the load.

    The expression may call functions (``md5(random()::text)``, ``now()``) but not read
    other columns of the row, because it runs as a column DEFAULT.
    """

    expression: str


@dataclass(frozen=True, slots=True)
class Weighted:
    """A per-column override drawn from a list of values with optional weights."""

    values: tuple[Any, ...]
    weights: tuple[float, ...] | None = None


#: A column override: ``callable(rng, n) -> sequence``, Weighted, Sql or a plain list.
Override = Callable[..., Any] | Weighted | Sql


@dataclass(frozen=True, slots=True)
class TableShape:
    rows: int | None = None
    per: str | None = None  # fan-out: rows per row of this parent table
    min: int = 1
    max: int = 10
    nulls: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Shape:
    """The parsed shape (see the module docstring for the plain-value form)."""

    default_rows: int = 1000
    tables: Mapping[str, TableShape] = field(default_factory=dict)
    columns: Mapping[str, Override] = field(default_factory=dict)
    skew: float = 1.0
    null_fraction: float = 0.1
    window: tuple[dt.datetime, dt.datetime] = (
        dt.datetime(2023, 1, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    )

    def table_shape(self, qualified: str) -> TableShape:
        bare = qualified.split(".", 1)[-1]
        return self.tables.get(qualified) or self.tables.get(bare) or TableShape()

    def override(self, qualified: str, column: str) -> Override | None:
        bare = qualified.split(".", 1)[-1]
        return self.columns.get(f"{qualified}.{column}") or self.columns.get(f"{bare}.{column}")


def _timestamp(value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    try:
        return _timestamp(dt.datetime.fromisoformat(str(value)))
    except ValueError:
        raise SeedError(
            f"window bound {value!r} is not an ISO date or timestamp", hint="use e.g. '2024-01-01'"
        ) from None


def _override(key: str, value: Any) -> Override:
    if isinstance(value, (Sql, Weighted)) or callable(value):
        return value
    if isinstance(value, (list, tuple)):
        return Weighted(tuple(value))
    if isinstance(value, Mapping):
        if "sql" in value:
            return Sql(str(value["sql"]))
        if "values" in value:
            weights = value.get("weights")
            return Weighted(
                tuple(value["values"]), tuple(float(w) for w in weights) if weights else None
            )
    raise SeedError(
        f"column override {key!r} must be a callable(rng, n), a list, {{'values': [...], 'weights': [...]}} or {{'sql': '...'}}; got {value!r}"
    )


def _table_shape(name: str, spec: Any) -> TableShape:
    if isinstance(spec, TableShape):
        return spec
    if isinstance(spec, int) and not isinstance(spec, bool):
        return TableShape(rows=_row_count(f"shape of table {name!r}", spec))
    if isinstance(spec, Mapping):
        unknown = set(spec) - {"rows", "per", "min", "max", "nulls"}
        if unknown:
            raise SeedError(
                f"shape of table {name!r} has unknown keys {sorted(unknown)}; use rows, per, min, max, nulls"
            )
        lo, hi = int(spec.get("min", 1)), int(spec.get("max", 10))
        if lo < 0 or hi < lo:
            raise SeedError(f"shape of table {name!r}: need 0 <= min <= max, got min={lo} max={hi}")
        rows = spec.get("rows")
        return TableShape(
            rows=None if rows is None else _row_count(f"shape of table {name!r}", rows),
            per=spec.get("per"),
            min=lo,
            max=hi,
            nulls=dict(spec.get("nulls", {})),
        )
    raise SeedError(f"shape of table {name!r} must be a row count or a mapping, got {spec!r}")


def _row_count(what: str, value: Any) -> int:
    """A row count: an integer of 0 or more (0 is allowed: children of an empty table get none)."""
    try:
        rows = int(value)
    except (TypeError, ValueError):
        raise SeedError(f"{what}: rows must be an integer, got {value!r}") from None
    if rows < 0:
        raise SeedError(f"{what}: rows must be 0 or more, got {rows}")
    return rows


def parse_shape(shape: int | Mapping[str, Any] | Shape | None, **overrides: Any) -> Shape:
    """Turn the plain-value shape (int, mapping or None) into a :class:`Shape`.

    Keyword arguments (``columns``, ``skew``, ``null_fraction``, ``window``, ``rows``)
    take precedence over the same keys in the mapping.
    """
    if isinstance(shape, Shape):
        base: dict[str, Any] = {}
        parsed = shape
    else:
        if shape is None:
            base = {}
        elif isinstance(shape, int) and not isinstance(shape, bool):
            base = {"default": shape}
        elif isinstance(shape, Mapping):
            base = dict(shape)
        else:
            raise SeedError(f"shape must be a row count or a mapping, got {type(shape).__name__}")
        parsed = Shape()
    base.update({k: v for k, v in overrides.items() if v is not None})
    if "rows" in base:
        base["default"] = base.pop("rows")
    unknown = set(base) - {"default", "tables", "columns", "skew", "null_fraction", "window"}
    if unknown:
        raise SeedError(
            f"shape has unknown keys {sorted(unknown)}; use default, tables, columns, skew, null_fraction, window"
        )
    tables = {
        **parsed.tables,
        **{k: _table_shape(k, v) for k, v in (base.get("tables") or {}).items()},
    }
    columns = {
        **parsed.columns,
        **{k: _override(k, v) for k, v in (base.get("columns") or {}).items()},
    }
    window = parsed.window
    if "window" in base:
        lo, hi = (_timestamp(v) for v in base["window"])
        if hi <= lo:
            raise SeedError(f"window must run forwards, got {lo} .. {hi}")
        window = (lo, hi)
    return Shape(
        default_rows=_row_count("shape default", base.get("default", parsed.default_rows)),
        tables=tables,
        columns=columns,
        skew=float(base.get("skew", parsed.skew)),
        null_fraction=float(base.get("null_fraction", parsed.null_fraction)),
        window=window,
    )

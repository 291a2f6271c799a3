"""What an experiment is: queries, variants, data scales and how to measure them.

An :class:`Experiment` is a value (frozen): the same experiment can run on a
notebook's server and in the CLI and give comparable results. Running it is
:func:`workbench.explain.run_experiment` (in :mod:`workbench.explain.runner`).
"""

from __future__ import annotations

import glob
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from pathlib import Path
from typing import Any

from workbench.explain.errors import ExplainError
from workbench.sqlsplit import split_sql

CACHE_MODES = ("warm", "cold")
PLAN_CACHE_MODES = ("auto", "generic", "custom", "both")
JIT_MODES = ("default", "on", "off", "both")


@dataclass(frozen=True)
class Query:
    """One query: SQL text, optional parameters (psycopg style ``%s`` / ``%(name)s``)."""

    name: str
    sql: str
    params: tuple[Any, ...] | Mapping[str, Any] | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        text = self.sql.strip()
        statements = [s for s in split_sql(text) if s.text.strip()]
        where = self.path or f"query {self.name!r}"
        if len(statements) != 1:
            raise ExplainError(
                f"{where}: a query must be exactly one statement, found {len(statements)}; "
                "put each query in its own file"
            )
        object.__setattr__(self, "sql", statements[0].text.strip().rstrip(";").strip())
        if isinstance(self.params, list):
            object.__setattr__(self, "params", tuple(self.params))

    @classmethod
    def from_file(cls, path: str | Path, params: Any = None) -> Query:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ExplainError(f"cannot read query file {p}: {exc.strerror}") from exc
        return cls(name=p.stem, sql=text, params=params, path=str(p))

    def dollar_sql(self) -> tuple[str, list[Any]]:
        """The SQL with ``$1, $2 …`` placeholders (for PREPARE) and the values in order."""
        return _to_dollar(self.sql, self.params)


_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?(.)", re.DOTALL)


def _to_dollar(sql: str, params: Any) -> tuple[str, list[Any]]:
    """Rewrite psycopg placeholders as ``$n`` the way psycopg itself reads them."""
    if params is None:
        return sql, []
    values: list[Any] = []
    names: dict[str, int] = {}
    position = iter(range(len(params))) if not isinstance(params, Mapping) else None

    def replace(m: re.Match[str]) -> str:
        name, conv = m.group(1), m.group(2)
        if conv == "%" and name is None:
            return "%"
        if conv not in "sbt":
            raise ExplainError(f"unsupported placeholder %{conv} in query: use %s or %(name)s")
        if name is not None:
            if not isinstance(params, Mapping):
                raise ExplainError(f"query uses %({name})s but its params are not a mapping")
            if name not in names:
                values.append(params[name])
                names[name] = len(values)
            return f"${names[name]}"
        if position is None:
            raise ExplainError("query uses %s but its params are a mapping; use %(name)s")
        try:
            i = next(position)
        except StopIteration:
            raise ExplainError(
                f"query has more %s placeholders than the {len(params)} params given"
            ) from None
        values.append(params[i])
        return f"${len(values)}"

    return _PLACEHOLDER.sub(replace, sql), values


@dataclass(frozen=True)
class Variant:
    """One design to measure: extra DDL, settings, or hypothetical indexes.

    ``ddl`` runs once in the variant's own database (a clone of the seeded
    one) before ANALYZE; ``settings`` are SET on every connection measuring it;
    ``hypothetical_indexes`` are ``CREATE INDEX`` statements handed to HypoPG
    when the server has it (plans are then estimated only, never executed), and
    run as real DDL otherwise.
    """

    name: str
    ddl: tuple[str, ...] = ()
    settings: Mapping[str, str] = field(default_factory=dict)
    hypothetical_indexes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name or not re.fullmatch(r"[\w.\-]+", self.name):
            raise ExplainError(
                f"variant name {self.name!r} must be letters, digits, '_', '-' or '.'"
            )
        for attr in ("ddl", "hypothetical_indexes"):
            value = getattr(self, attr)
            object.__setattr__(self, attr, (value,) if isinstance(value, str) else tuple(value))
        object.__setattr__(
            self, "settings", dict(sorted((str(k), str(v)) for k, v in self.settings.items()))
        )
        for name in self.settings:
            if not re.fullmatch(r"[A-Za-z_][\w.]*", name):
                raise ExplainError(f"variant {self.name!r}: {name!r} is not a setting name")

    def __hash__(self) -> int:
        return hash((self.name, self.ddl, tuple(self.settings.items()), self.hypothetical_indexes))


@dataclass(frozen=True)
class Condition:
    """How a query is executed: plain, or PREPAREd under a plan-cache mode; JIT on/off."""

    name: str
    plan_cache_mode: str | None = None  # None: not prepared; else force_generic_plan / ...
    jit: str | None = None  # None: server default; 'on' / 'off'

    @property
    def prepared(self) -> bool:
        return self.plan_cache_mode is not None

    def settings(self) -> dict[str, str]:
        out = {}
        if self.plan_cache_mode:
            out["plan_cache_mode"] = self.plan_cache_mode
        if self.jit:
            out["jit"] = self.jit
            if self.jit == "on":  # make JIT actually kick in for the queries people try
                out["jit_above_cost"] = "0"
        return out


def conditions(plan_cache: str, jit: str) -> tuple[Condition, ...]:
    """The product of plan-cache and JIT modes an experiment measures."""
    cache_modes: dict[str, list[str | None]] = {
        "auto": [None],
        "generic": ["force_generic_plan"],
        "custom": ["force_custom_plan"],
        "both": ["force_generic_plan", "force_custom_plan"],
    }
    jit_modes: dict[str, list[str | None]] = {
        "default": [None],
        "on": ["on"],
        "off": ["off"],
        "both": ["off", "on"],
    }
    caches, jits = cache_modes[plan_cache], jit_modes[jit]
    out = []
    for mode, j in itertools.product(caches, jits):
        parts = []
        if mode:
            parts.append("generic" if mode == "force_generic_plan" else "custom")
        if j:
            parts.append(f"jit={j}")
        out.append(Condition(" ".join(parts) or "default", mode, j))
    return tuple(out)


@dataclass(frozen=True)
class Experiment:
    """Queries × variants × data scales, and how carefully to measure them.

    * ``queries``: SQL text, :class:`Query` objects, query files or globs
      (``"queries/*.sql"``), or a mapping name → SQL.
    * ``variants``: the designs compared; the first is the baseline the others
      are compared with (default: one variant, ``baseline``, with no changes).
    * ``scales``: row counts handed to the seed function, one seeded database per
      scale (None: measure the base database as it is).
    * ``repetitions`` timed runs per variant after ``warmup`` untimed ones,
      interleaved across variants (A B, B A, A B …) so drift hits all alike.
    * ``cache``: ``"warm"`` (buffers stay) or ``"cold"`` (evicted before each run;
      see :mod:`workbench.explain.runner` for what "cold" can honestly mean).
    * ``timing``: per-node timing in EXPLAIN ANALYZE (costs up to ~70 % extra on
      row-heavy plans); the totals are always also measured with TIMING OFF.
    * ``explain_runs``: EXPLAIN ANALYZE runs per variant with and without per-node
      timing; the plan kept is the one with the median execution time.
    * ``plan_cache``: ``"auto"`` (plain execution), ``"generic"``, ``"custom"`` or
      ``"both"`` (PREPAREd, ``plan_cache_mode`` forced).
    * ``jit``: ``"default"``, ``"on"``, ``"off"`` or ``"both"``.
    """

    queries: tuple[Query, ...]
    variants: tuple[Variant, ...] = (Variant("baseline"),)
    _: KW_ONLY
    scales: tuple[int, ...] | None = None
    repetitions: int = 15
    warmup: int = 3
    cache: str = "warm"
    timing: bool = True
    explain_runs: int = 3
    plan_cache: str = "auto"
    jit: str = "default"
    confidence: float = 0.95
    seed: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "queries", load_queries(self.queries))
        variants = (self.variants,) if isinstance(self.variants, Variant) else self.variants
        object.__setattr__(self, "variants", tuple(variants))
        if not self.variants:
            raise ExplainError("an experiment needs at least one variant")
        names = [v.name for v in self.variants]
        if len(set(names)) != len(names):
            raise ExplainError(f"variant names must be unique, got {names}")
        qnames = [q.name for q in self.queries]
        if len(set(qnames)) != len(qnames):
            raise ExplainError(f"query names must be unique, got {qnames}")
        if self.scales is not None:
            scales = tuple(int(s) for s in self.scales)
            if not scales or any(s < 0 for s in scales):
                raise ExplainError(f"scales must be non-negative row counts, got {self.scales}")
            object.__setattr__(self, "scales", scales)
        for attr, allowed in (
            ("cache", CACHE_MODES),
            ("plan_cache", PLAN_CACHE_MODES),
            ("jit", JIT_MODES),
        ):
            if getattr(self, attr) not in allowed:
                raise ExplainError(
                    f"{attr}={getattr(self, attr)!r} is not one of {', '.join(allowed)}"
                )
        if self.repetitions < 2:
            raise ExplainError("repetitions must be at least 2 to say anything about spread")
        if self.explain_runs < 1:
            raise ExplainError("explain_runs must be at least 1")
        if self.warmup < 0:
            raise ExplainError("warmup must be 0 or more")

    @property
    def baseline(self) -> Variant:
        return self.variants[0]

    @property
    def conditions(self) -> tuple[Condition, ...]:
        return conditions(self.plan_cache, self.jit)

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly description (saved with the results)."""
        return {
            "queries": [
                {"name": q.name, "sql": q.sql, "params": _jsonable(q.params), "path": q.path}
                for q in self.queries
            ],
            "variants": [
                {
                    "name": v.name,
                    "ddl": list(v.ddl),
                    "settings": dict(v.settings),
                    "hypothetical_indexes": list(v.hypothetical_indexes),
                }
                for v in self.variants
            ],
            "scales": list(self.scales) if self.scales is not None else None,
            "repetitions": self.repetitions,
            "warmup": self.warmup,
            "cache": self.cache,
            "timing": self.timing,
            "explain_runs": self.explain_runs,
            "plan_cache": self.plan_cache,
            "jit": self.jit,
            "confidence": self.confidence,
            "seed": self.seed,
        }


def _jsonable(params: Any) -> Any:
    if params is None:
        return None
    if isinstance(params, Mapping):
        return {k: str(v) for k, v in params.items()}
    return [str(v) for v in params]


def load_queries(source: Any) -> tuple[Query, ...]:
    """Normalise what people pass as queries into a tuple of :class:`Query`."""
    if isinstance(source, Query):
        return (source,)
    if isinstance(source, Mapping):
        return tuple(
            v if isinstance(v, Query) else Query(name=str(k), sql=v) for k, v in source.items()
        )
    if isinstance(source, (str, Path)):
        return tuple(_queries_from_string(source, index=1))
    if isinstance(source, Iterable):
        out: list[Query] = []
        for i, item in enumerate(source, start=1):
            if isinstance(item, Query):
                out.append(item)
            elif isinstance(item, (str, Path)):
                out.extend(_queries_from_string(item, index=i))
            else:
                raise ExplainError(f"cannot use {item!r} as a query: give SQL, a path or a Query")
        if not out:
            raise ExplainError("an experiment needs at least one query")
        return tuple(out)
    raise ExplainError(f"cannot use {source!r} as queries: give SQL, paths or Query objects")


def _queries_from_string(item: str | Path, *, index: int) -> Sequence[Query]:
    text = str(item)
    looks_like_path = isinstance(item, Path) or (
        "\n" not in text and (text.endswith(".sql") or any(c in text for c in "*?"))
    )
    if not looks_like_path:
        return [Query(name=f"q{index}", sql=text)]
    matches = sorted(glob.glob(text)) if any(c in text for c in "*?[") else [text]
    if not matches:
        raise ExplainError(f"no query files match {text!r}")
    return [Query.from_file(m) for m in matches]

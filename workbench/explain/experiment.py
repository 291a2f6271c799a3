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
from dataclasses import KW_ONLY, dataclass, field, replace
from pathlib import Path
from typing import Any

from workbench.explain.errors import ExplainError
from workbench.sqlsplit import split_sql

CACHE_MODES = ("warm", "cold")
PLAN_CACHE_MODES = ("auto", "generic", "custom", "both")
JIT_MODES = ("default", "on", "off", "both")


_ROW_RETURNING = re.compile(r"^\s*(SELECT|WITH|VALUES|TABLE)\b", re.IGNORECASE)


def _strip_comments_head(text: str) -> str:
    """The statement without leading ``--`` and ``/* */`` comments (to read its verb)."""
    while True:
        text = text.lstrip()
        if text.startswith("--"):
            text = text.split("\n", 1)[1] if "\n" in text else ""
        elif text.startswith("/*") and "*/" in text:
            text = text.split("*/", 1)[1]
        else:
            return text


@dataclass(frozen=True)
class Query:
    """One query: SQL text, optional parameters (psycopg style ``%s`` / ``%(name)s``).

    A file may hold a small script around the query (a view created, used,
    dropped): when exactly one of its statements returns rows (SELECT, WITH,
    VALUES, TABLE), that one is measured, the statements before it run once per
    variant database as ``setup`` and those after it as ``teardown``.

    ``param_sets`` (name → params) measures the same query once per value set
    (``$1`` = a popular user, a rare one): :func:`load_queries` expands it into
    one query per set, named ``name[set]``, with ``family`` and ``param_set``
    telling them apart in results.
    """

    name: str
    sql: str
    params: tuple[Any, ...] | Mapping[str, Any] | None = None
    path: str | None = None
    _: KW_ONLY
    param_sets: Mapping[str, Any] | None = None
    family: str | None = None
    param_set: str | None = None
    setup: tuple[str, ...] = ()
    teardown: tuple[str, ...] = ()
    #: the file's text and where the measured statement starts in it (for located errors)
    source: str | None = field(default=None, repr=False, compare=False)
    offset: int = field(default=0, repr=False, compare=False)

    def __post_init__(self) -> None:
        raw = self.sql if self.source is None else self.source
        statements = [s for s in split_sql(raw) if s.text.strip()]
        where = self.path or f"query {self.name!r}"
        if not statements:
            raise ExplainError(f"{where}: holds no SQL statement")
        if len(statements) == 1:
            measured = 0
        else:
            returning = [
                i
                for i, s in enumerate(statements)
                if _ROW_RETURNING.match(_strip_comments_head(s.text))
            ]
            if len(returning) != 1:
                raise ExplainError(
                    f"{where}: a query file with several statements must have exactly one that "
                    f"returns rows (the one measured), found {len(statements)} statements of "
                    f"which {len(returning)} return rows"
                )
            measured = returning[0]
            object.__setattr__(self, "setup", tuple(s.text.strip() for s in statements[:measured]))
            object.__setattr__(
                self, "teardown", tuple(s.text.strip() for s in statements[measured + 1 :])
            )
        stmt = statements[measured]
        body = stmt.text.rstrip().rstrip(";").rstrip()
        lead = len(body) - len(body.lstrip())
        object.__setattr__(self, "sql", body.strip())
        object.__setattr__(self, "source", raw)
        object.__setattr__(self, "offset", stmt.offset + lead)
        if isinstance(self.params, list):
            object.__setattr__(self, "params", tuple(self.params))
        if self.param_sets is not None:
            if not self.param_sets:
                raise ExplainError(f"{where}: param_sets is empty; give name -> params")
            object.__setattr__(self, "param_sets", dict(self.param_sets))

    def expand(self) -> list[Query]:
        """One query per parameter set (``name[set]``), or this query alone."""
        if not self.param_sets:
            return [self]
        out = []
        for set_name, params in self.param_sets.items():
            out.append(
                replace(
                    self,
                    name=f"{self.name}[{set_name}]",
                    params=tuple(params) if isinstance(params, list) else params,
                    param_sets=None,
                    family=self.name,
                    param_set=str(set_name),
                    sql=self.sql,
                    source=None,
                    offset=0,
                )._with_location(self.source, self.offset)
            )
        return out

    def _with_location(self, source: str | None, offset: int) -> Query:
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "offset", offset)
        return self

    def locate(self, position: int | None) -> tuple[int, int, str] | None:
        """Line, column and line text of a 1-based ``position`` in the measured statement."""
        if self.source is None:
            return None
        from workbench.sqlsplit import line_col

        offset = self.offset + max(int(position or 1), 1) - 1
        offset = min(offset, max(len(self.source) - 1, 0))
        line, column = line_col(self.source, offset)
        text = self.source.splitlines()[line - 1] if self.source.splitlines() else ""
        return line, column, text

    @classmethod
    def from_file(cls, path: str | Path, params: Any = None) -> Query:
        p = Path(path)
        try:
            text = p.read_text(encoding="utf-8")
        except OSError as exc:
            raise ExplainError(f"cannot read query file {p}: {exc.strerror}") from exc
        return cls(name=p.stem, sql=text, params=params, path=str(p), source=text)

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
    * ``clones``: databases per variant, each a clone of the same seeded (frozen,
      analysed) database with its own connection; runs of all of them are
      interleaved in randomised blocks and the bootstrap resamples clones, then
      runs, so whatever differs between two clones or two backends is inside the
      interval (see ``docs/parts/explain.md``).
    * ``statement_timeout``: set on every measuring connection (``"2min"``; None or
      ``"0"`` for none) so a runaway query fails with its name instead of hanging.
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
    clones: int = 2
    statement_timeout: str | None = "2min"
    #: glob-matched query files that could not be measured, with the reason
    skipped: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        loaded = load_queries(self.queries)
        object.__setattr__(self, "skipped", tuple(dict.fromkeys((*self.skipped, *loaded.skipped))))
        object.__setattr__(self, "queries", tuple(loaded))
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
        if self.clones < 1:
            raise ExplainError("clones must be at least 1 (databases per variant)")

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
                {
                    "name": q.name,
                    "sql": q.sql,
                    "params": _jsonable(q.params),
                    "path": q.path,
                    "family": q.family,
                    "param_set": q.param_set,
                    "setup": list(q.setup),
                    "teardown": list(q.teardown),
                }
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
            "clones": self.clones,
            "statement_timeout": self.statement_timeout,
            "skipped": list(self.skipped),
        }


def _jsonable(params: Any) -> Any:
    if params is None:
        return None
    if isinstance(params, Mapping):
        return {k: str(v) for k, v in params.items()}
    return [str(v) for v in params]


class QueryList(tuple):  # type: ignore[type-arg]
    """The queries of an experiment, plus the files of a glob that were skipped and why."""

    skipped: tuple[str, ...] = ()


def load_queries(source: Any) -> QueryList:
    """Normalise what people pass as queries into a tuple of :class:`Query`.

    Parameter sets are expanded (one query per set). A file matched by a glob
    that cannot be measured (no statement, several row-returning ones) is
    skipped with its reason in ``.skipped`` instead of aborting the whole run;
    a file named on its own still raises.
    """
    skipped: list[str] = list(getattr(source, "skipped", ()))
    raw = _load_queries(source, skipped)
    out = QueryList(q for item in raw for q in item.expand())
    out.skipped = tuple(skipped)
    if not out:
        reasons = "; ".join(skipped)
        raise ExplainError(
            "an experiment needs at least one query" + (f" (skipped: {reasons})" if reasons else "")
        )
    return out


def _load_queries(source: Any, skipped: list[str]) -> tuple[Query, ...]:
    if isinstance(source, Query):
        return (source,)
    if isinstance(source, Mapping):
        return tuple(
            v if isinstance(v, Query) else Query(name=str(k), sql=v) for k, v in source.items()
        )
    if isinstance(source, (str, Path)):
        return tuple(_queries_from_string(source, index=1, skipped=skipped))
    if isinstance(source, Iterable):
        out: list[Query] = []
        for i, item in enumerate(source, start=1):
            if isinstance(item, Query):
                out.append(item)
            elif isinstance(item, (str, Path)):
                out.extend(_queries_from_string(item, index=i, skipped=skipped))
            else:
                raise ExplainError(f"cannot use {item!r} as a query: give SQL, a path or a Query")
        return tuple(out)
    raise ExplainError(f"cannot use {source!r} as queries: give SQL, paths or Query objects")


def _queries_from_string(item: str | Path, *, index: int, skipped: list[str]) -> Sequence[Query]:
    text = str(item)
    looks_like_path = isinstance(item, Path) or (
        "\n" not in text and (text.endswith(".sql") or any(c in text for c in "*?"))
    )
    if not looks_like_path:
        return [Query(name=f"q{index}", sql=text)]
    if not any(c in text for c in "*?["):
        return [Query.from_file(text)]
    matches = sorted(glob.glob(text))
    if not matches:
        raise ExplainError(f"no query files match {text!r}")
    out = []
    for m in matches:
        try:
            out.append(Query.from_file(m))
        except ExplainError as exc:
            skipped.append(f"skipped {exc}")
    return out

"""Run an :class:`~workbench.explain.experiment.Experiment` on a real server.

Isolation: per data scale the base database is cloned and seeded (then
VACUUM ANALYZE), and per variant that seeded database is cloned again and the
variant's DDL applied (then ANALYZE). Variants never see each other's indexes,
and every variant starts from byte-identical data.

Measurement, in order, per scale × query × condition:

1. warm-up: ``warmup`` untimed runs per variant;
2. timed runs: ``repetitions`` rounds; each round runs every variant once, the
   starting variant rotating (A B, B A, …) so slow drift (autovacuum, CPU
   frequency, other load) is shared fairly; each run is timed with
   ``perf_counter_ns`` around ``execute`` + ``fetchall`` and nothing else, so
   the figure is what a psycopg application sees (client round trip included);
3. EXPLAIN (ANALYZE, BUFFERS, SETTINGS, FORMAT JSON) ``explain_runs`` times with
   per-node timing (unless ``timing=False``) and as often with TIMING OFF; the
   plan with the median execution time is kept, and the two medians say what
   per-node timing cost instead of silently including it.

"Cold" cache, honestly: a local server cannot drop the operating system's page
cache without root and a restart. Before each cold run the runner issues
``DISCARD ALL`` (cached plans, temp state) and evicts every user relation of
the variant's database from PostgreSQL's shared buffers with
``pg_buffercache_evict_relation`` (pg_buffercache 1.6, PostgreSQL 18). Blocks
then come back as "read" in BUFFERS but are usually served by the OS cache,
so cold here means "not in shared buffers", not "from disk". On servers
without that function cold mode is refused with an explanation.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import psycopg
from psycopg import sql

from workbench.explain.errors import ExplainError, QueryError, VariantError
from workbench.explain.experiment import Condition, Experiment, Query, Variant
from workbench.explain.plan import Plan
from workbench.sqlsplit import split_sql

if TYPE_CHECKING:
    from workbench.explain.result import ExperimentResult
    from workbench.server import Server

SeedFn = Callable[[str, int], Any]


class TemplateHolder(Protocol):
    """What the runner reads from a session: its server and the template holding the schema.

    A :class:`workbench.Workbench` is one; the runner never imports the session.
    """

    @property
    def server(self) -> Server: ...

    @property
    def template(self) -> str | None: ...


_EVICT = """
SELECT count(*) FROM pg_class AS c, LATERAL pg_buffercache_evict_relation(c.oid)
WHERE c.oid >= 16384 AND c.relkind IN ('r', 'i', 'm', 't') AND c.relpersistence = 'p'
"""
_SHAPE = """
SELECT n.nspname || '.' || c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
ORDER BY 1
"""
_FK_INDEXES = """
SELECT con.conname, n.nspname, c.relname,
       array(SELECT a.attname FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
             JOIN pg_attribute AS a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.ord)::text[],
       EXISTS (SELECT 1 FROM pg_index AS i
               WHERE i.indrelid = con.conrelid
                 AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)]
                     @> con.conkey
                 AND (string_to_array(i.indkey::text, ' ')::int2[])[1:cardinality(con.conkey)]
                     <@ con.conkey)
FROM pg_constraint AS con
JOIN pg_class AS c ON c.oid = con.conrelid
JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE con.contype = 'f'
ORDER BY 2, 3, 1
"""
_SETTINGS = """
SELECT name, setting, unit FROM pg_settings
WHERE source NOT IN ('default', 'override') OR name IN
  ('shared_buffers', 'work_mem', 'random_page_cost', 'effective_cache_size', 'jit',
   'max_parallel_workers_per_gather', 'plan_cache_mode')
ORDER BY name
"""


@dataclass
class _Arm:
    """One variant's database and connection during a scale."""

    variant: Variant
    dbname: str
    conn: psycopg.Connection
    hypothetical: bool
    statement: str = ""
    params: Any = None
    prepared_as: str | None = None
    notes: list[str] = field(default_factory=list)


def run_experiment(
    target: TemplateHolder | Server,
    experiment: Experiment,
    *,
    base_db: str | None = None,
    seed_fn: SeedFn | None = None,
    progress: bool = True,
) -> ExperimentResult:
    """Run ``experiment`` and return its :class:`~workbench.explain.result.ExperimentResult`.

    ``target`` is a Workbench session (its template is the default ``base_db``)
    or a Server (then ``base_db`` names the database holding the schema).
    ``seed_fn(conninfo, rows)`` fills a fresh clone for each data scale; it is
    required when the experiment has ``scales``.
    """
    from workbench.explain.result import ExperimentResult

    server, base = _resolve(target, base_db)
    if experiment.scales is not None and seed_fn is None:
        raise ExplainError(
            "the experiment has data scales but no seed_fn: pass seed_fn=lambda conninfo, "
            "rows: ... that fills the database with that many rows"
        )
    meta = _server_meta(server, base)
    hypopg = meta["hypopg_available"]
    if experiment.cache == "cold" and not meta["can_evict"]:
        raise ExplainError(
            "cache='cold' needs pg_buffercache_evict_relation() (pg_buffercache 1.6, "
            f"PostgreSQL 18); this server is {meta['server_version']}: use cache='warm'"
        )
    notes: list[str] = []
    if experiment.jit in ("on", "both") and not meta["jit_available"]:
        notes.append(
            "JIT is not available on this server (pg_jit_available() is false): "
            "'jit=on' ran without JIT"
        )
    for v in experiment.variants:
        if v.hypothetical_indexes and not hypopg:
            notes.append(
                f"variant {v.name!r}: HypoPG is not installed on this server, so its "
                "hypothetical indexes were created as real indexes and measured"
            )
    samples: list[tuple[Any, ...]] = []
    plans: dict[tuple[Any, ...], dict[str, Any]] = {}
    shapes: dict[str, Any] = {}
    fk_indexes: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    scales: Sequence[int | None] = experiment.scales or (None,)
    bar = _progress(experiment, len(scales), enabled=progress)
    started = datetime.now(UTC).isoformat(timespec="seconds")
    try:
        for scale in scales:
            _run_scale(
                server,
                base,
                experiment,
                scale,
                seed_fn,
                hypopg=hypopg,
                samples=samples,
                plans=plans,
                shapes=shapes,
                fk_indexes=fk_indexes,
                settings=settings,
                notes=notes,
                bar=bar,
            )
    finally:
        if bar is not None:
            bar.close()
    meta.update(started_at=started, settings=settings, shape=shapes, fk_indexes=fk_indexes)
    return ExperimentResult.build(
        experiment=experiment.describe(), meta=meta, samples=samples, plans=plans, notes=notes
    )


def _resolve(target: Any, base_db: str | None) -> tuple[Server, str]:
    server = getattr(target, "server", None)
    if server is not None and hasattr(target, "template"):
        base = base_db or target.template
        if base is None:
            raise ExplainError("the session has no template database (was it closed?)")
        return server, base
    if hasattr(target, "create_database"):
        if base_db is None:
            raise ExplainError(
                "run_experiment(server, ...) needs base_db=<database holding the schema>"
            )
        return target, base_db
    raise ExplainError(f"run_experiment needs a Workbench or a Server, got {type(target).__name__}")


def _server_meta(server: Server, base: str) -> dict[str, Any]:
    with server.connect(base, autocommit=True) as conn:
        # pg_jit_available() is false while jit = off (the local servers' default), so ask
        # with jit on: the question is whether the server *can* JIT.
        conn.execute("SET jit = on")
        row = conn.execute(
            "SELECT current_setting('server_version'), current_setting('server_version_num')::int,"
            " pg_jit_available(),"
            " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'),"
            " EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_buffercache'"
            "         AND default_version >= '1.6')"
        ).fetchone()
    assert row is not None
    return {
        "server_version": row[0],
        "server_version_num": row[1],
        "backend": getattr(server, "backend", "?"),
        "jit_available": bool(row[2]),
        "hypopg_available": bool(row[3]),
        "can_evict": bool(row[4]),
    }


def _progress(experiment: Experiment, n_scales: int, *, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    total = n_scales * len(experiment.queries) * len(experiment.conditions)
    return tqdm(total=total, desc="explain", unit="query")


def _statements(text: str) -> list[str]:
    return [s.text.strip() for s in split_sql(text) if s.text.strip()]


def _run_scale(
    server: Server,
    base: str,
    experiment: Experiment,
    scale: int | None,
    seed_fn: SeedFn | None,
    *,
    hypopg: bool,
    samples: list[tuple[Any, ...]],
    plans: dict[tuple[Any, ...], dict[str, Any]],
    shapes: dict[str, Any],
    fk_indexes: dict[str, Any],
    settings: dict[str, Any],
    notes: list[str],
    bar: Any,
) -> None:
    scale_key = "base" if scale is None else str(scale)
    seeded = server.create_database(template=base)
    made = [seeded]
    arms: list[_Arm] = []
    try:
        if scale is not None and seed_fn is not None:
            seed_fn(server.conninfo(seeded), scale)
        with server.connect(seeded, autocommit=True) as conn:
            if experiment.cache == "cold":
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_buffercache")
            conn.execute("VACUUM ANALYZE")
            shapes[scale_key] = [
                {"table": t, "rows": int(r), "bytes": int(b)} for t, r, b in conn.execute(_SHAPE)
            ]
        for variant in experiment.variants:
            dbname = server.create_database(template=seeded)
            made.append(dbname)
            arms.append(_open_arm(server, dbname, variant, hypopg=hypopg))
        for arm in arms:
            fk_indexes.setdefault(scale_key, {})[arm.variant.name] = [
                {"name": n, "table": f"{s}.{t}", "columns": list(cols), "indexed": bool(ix)}
                for n, s, t, cols, ix in arm.conn.execute(_FK_INDEXES)
            ]
            settings.setdefault(arm.variant.name, {}).update(
                {
                    n: (f"{v}{u}" if u and u not in ("B",) else v)
                    for n, v, u in arm.conn.execute(_SETTINGS)
                }
            )
        for query in experiment.queries:
            for condition in experiment.conditions:
                _measure(experiment, scale_key, query, condition, arms, samples, plans)
                if bar is not None:
                    bar.update(1)
    finally:
        for arm in arms:
            arm.conn.close()
        for name in reversed(made):
            server.drop_database(name)


def _open_arm(server: Server, dbname: str, variant: Variant, *, hypopg: bool) -> _Arm:
    hypothetical = bool(variant.hypothetical_indexes) and hypopg
    ddl = list(variant.ddl) + ([] if hypothetical else list(variant.hypothetical_indexes))
    with server.connect(dbname, autocommit=True) as conn:
        for text in ddl:
            for stmt in _statements(text):
                try:
                    conn.execute(stmt)
                except psycopg.Error as exc:
                    raise VariantError(
                        f"variant {variant.name!r}: {stmt!r} failed: {exc.diag.message_primary or exc}"
                    ) from exc
        if hypothetical:
            conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        conn.execute("ANALYZE")
    # No psycopg auto-prepare: the runner decides what is prepared (PREPARE/EXECUTE for
    # plan-cache conditions), and auto-prepared statements would not survive DISCARD ALL.
    conn = server.connect(dbname, autocommit=True, prepare_threshold=None)
    arm = _Arm(variant, dbname, conn, hypothetical)
    _apply_settings(arm, {})
    if hypothetical:
        for stmt in variant.hypothetical_indexes:
            try:
                conn.execute("SELECT * FROM hypopg_create_index(%s)", (stmt,))
            except psycopg.Error as exc:
                conn.close()
                raise VariantError(
                    f"variant {variant.name!r}: hypothetical index {stmt!r} failed: "
                    f"{exc.diag.message_primary or exc}"
                ) from exc
    return arm


def _apply_settings(arm: _Arm, extra: dict[str, str]) -> None:
    for name, value in {**arm.variant.settings, **extra}.items():
        try:
            arm.conn.execute(
                sql.SQL("SELECT set_config({}, {}, false)").format(
                    sql.Literal(name), sql.Literal(value)
                )
            )
        except psycopg.Error as exc:
            raise VariantError(
                f"variant {arm.variant.name!r}: cannot set {name} = {value!r}: "
                f"{exc.diag.message_primary or exc}"
            ) from exc


def _prepare(arm: _Arm, query: Query, condition: Condition) -> None:
    """Set the condition's settings and make the statement the timed loop executes."""
    _apply_settings(arm, condition.settings())
    if condition.prepared:
        text, values = query.dollar_sql()
        name = "wb_explain_q"
        arm.conn.execute(f"DEALLOCATE ALL; PREPARE {name} AS {text}")
        args = ", ".join(sql.Literal(v).as_string(arm.conn) for v in values)
        arm.statement = f"EXECUTE {name}({args})" if values else f"EXECUTE {name}"
        arm.params = None
        arm.prepared_as = name
    else:
        arm.statement, arm.params, arm.prepared_as = query.sql, query.params, None


def _reset(arm: _Arm, condition: Condition) -> None:
    if arm.prepared_as:
        arm.conn.execute("DEALLOCATE ALL")
    for name in condition.settings():
        if name not in arm.variant.settings:
            arm.conn.execute(sql.SQL("RESET {}").format(sql.Identifier(name)))


def _make_cold(arm: _Arm, query: Query, condition: Condition) -> None:
    arm.conn.execute("DISCARD ALL")  # also drops settings and prepared statements: redo them
    _prepare(arm, query, condition)
    arm.conn.execute(_EVICT)


def _measure(
    experiment: Experiment,
    scale_key: str,
    query: Query,
    condition: Condition,
    arms: list[_Arm],
    samples: list[tuple[Any, ...]],
    plans: dict[tuple[Any, ...], dict[str, Any]],
) -> None:
    cold = experiment.cache == "cold"
    runnable = [a for a in arms if not a.hypothetical]
    for arm in arms:
        _prepare(arm, query, condition)
    try:
        for _ in range(experiment.warmup):
            for arm in runnable:
                _timed(arm, query, scale_key)
        n = len(runnable)
        for rep in range(experiment.repetitions):
            for pos in range(n):
                arm = runnable[(rep + pos) % n]
                if cold:
                    _make_cold(arm, query, condition)
                ns = _timed(arm, query, scale_key)
                samples.append(
                    (scale_key, query.name, condition.name, arm.variant.name, rep, pos, ns)
                )
        for arm in arms:
            key = (scale_key, query.name, condition.name, arm.variant.name)
            entry: dict[str, Any] = {"hypothetical": arm.hypothetical}
            if arm.hypothetical:
                entry["plan"] = _explain(arm, query, scale_key, analyze=False, timing=False)
            else:
                for timing, name in ((experiment.timing, "plan"), (False, "plan_timing_off")):
                    docs = []
                    for _ in range(experiment.explain_runs):
                        if cold:
                            _make_cold(arm, query, condition)
                        docs.append(_explain(arm, query, scale_key, analyze=True, timing=timing))
                    docs.sort(key=lambda d: d.get("Execution Time", 0.0))
                    entry[name] = docs[len(docs) // 2]
                    entry[f"{name}_ms"] = [d.get("Execution Time") for d in docs]
            plans[key] = entry
    finally:
        for arm in arms:
            if not arm.conn.closed:
                _reset(arm, condition)


def _timed(arm: _Arm, query: Query, scale_key: str) -> int:
    """One execution, timed around execute + fetchall and nothing else."""
    try:
        return time_execution(arm.conn, arm.statement, arm.params)
    except psycopg.Error as exc:
        raise QueryError(
            f"query {query.name!r} failed in variant {arm.variant.name!r} at scale {scale_key}: "
            f"{exc.diag.message_primary or exc}"
        ) from exc


def time_execution(conn: psycopg.Connection, statement: str, params: Any = None) -> int:
    """Nanoseconds to execute ``statement`` and fetch every row: the harness's measurement.

    Only ``execute`` and ``fetchall`` sit between the two clock readings, so the
    figure is what a psycopg application waits for (benchmarks/bench_explain.py
    compares it with a bare psycopg loop).
    """
    cur = conn.cursor()
    try:
        t0 = time.perf_counter_ns()
        cur.execute(statement, params, prepare=False)
        if cur.description is not None:
            cur.fetchall()
        return time.perf_counter_ns() - t0
    finally:
        cur.close()


def _explain(
    arm: _Arm, query: Query, scale_key: str, *, analyze: bool, timing: bool
) -> dict[str, Any]:
    options = "BUFFERS, SETTINGS, FORMAT JSON"
    if analyze:
        options = f"ANALYZE, TIMING {'ON' if timing else 'OFF'}, " + options
    try:
        row = arm.conn.execute(
            f"EXPLAIN ({options}) {arm.statement}", arm.params, prepare=False
        ).fetchone()
    except psycopg.Error as exc:
        raise QueryError(
            f"EXPLAIN of query {query.name!r} failed in variant {arm.variant.name!r} at scale "
            f"{scale_key}: {exc.diag.message_primary or exc}"
        ) from exc
    assert row is not None
    doc = row[0]
    Plan.from_json(doc)  # fail here, naming the query, rather than at display time
    return doc[0] if isinstance(doc, list) else doc


def seed_with(schema: Any, *, seed: int = 0, **options: Any) -> SeedFn:
    """A ``seed_fn`` for :func:`run_experiment` built on :func:`workbench.seed.seed`.

    Each data scale ``rows`` is passed as the seeder's shape (rows per table);
    ``options`` go to the seeder as they are (``skew=``, ``columns=`` …).
    """
    from workbench.seed import seed as seed_database

    def fill(conninfo: str, rows: int) -> None:
        seed_database(conninfo, schema, rows, seed=seed, progress=False, **options)

    return fill

"""Run an :class:`~workbench.explain.experiment.Experiment` on a real server.

Isolation: per data scale the base database is cloned and seeded, then
``VACUUM (FREEZE, ANALYZE)``: every tuple frozen and hinted, the visibility map
all-visible, statistics gathered once. Per variant that seeded database is
cloned ``clones`` times (in a random order) and the variant's DDL applied; only
the tables the DDL changed are analysed again, so every other table keeps the
source's statistics byte for byte ("pinned" statistics: a fresh ANALYZE per
clone samples different rows and can give two clones of the same data
different estimates). Variants never see each other's indexes, and every clone
starts from byte-identical pages.

Measurement, in order, per scale × query × condition:

1. warm-up: ``warmup`` untimed runs per clone, in a random order;
2. timed runs: ``repetitions`` blocks; each block runs every clone of every
   variant once, in an order drawn afresh per block from a generator seeded by
   the experiment's ``seed`` (randomised complete blocks), so drift (autovacuum,
   CPU frequency, other engineers' load) and order effects (which backend ran
   last) hit all variants alike; each run is timed with
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

import random
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

import psycopg
from psycopg import sql

from workbench.errors import LoadError
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
# What ANALYZE depends on, per table: storage, columns and their statistics targets,
# indexes (expression indexes get statistics of their own), extended statistics, options.
_FINGERPRINT = """
SELECT n.nspname, c.relname, md5(concat_ws('|', c.relfilenode, c.relkind, c.reloptions::text,
  (SELECT string_agg(a.attname || ':' || a.atttypid || ':' || coalesce(a.attstattarget::text, '')
                     || ':' || a.attisdropped, ',' ORDER BY a.attnum)
   FROM pg_attribute AS a WHERE a.attrelid = c.oid AND a.attnum > 0),
  (SELECT string_agg(i.indexrelid::text || ':' || i.indkey::text || ':'
                     || coalesce(pg_get_expr(i.indexprs, i.indrelid), ''), ',' ORDER BY i.indexrelid)
   FROM pg_index AS i WHERE i.indrelid = c.oid),
  (SELECT string_agg(x.oid::text, ',' ORDER BY x.oid) FROM pg_statistic_ext AS x
   WHERE x.stxrelid = c.oid)))
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
"""
_DDL_VERBS = re.compile(
    r"^\s*(CREATE|ALTER|DROP|COMMENT|GRANT|REVOKE|SET|RESET|SECURITY|REINDEX|CLUSTER|ANALYZE)\b",
    re.IGNORECASE,
)


@dataclass
class _Arm:
    """One variant's database and connection during a scale."""

    variant: Variant
    dbname: str
    conn: psycopg.Connection
    hypothetical: bool
    clone: int = 0
    touched: list[str] = field(default_factory=list)
    statement: str = ""
    params: Any = None
    prepared_as: str | None = None
    notes: list[str] = field(default_factory=list)
    base_settings: dict[str, str] = field(default_factory=dict)


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
    notes: list[str] = list(experiment.skipped)
    if meta.get("fsync") == "off":
        notes.append(FSYNC_NOTE.format(sync=meta.get("synchronous_commit")))
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
    touched: dict[str, Any] = {}
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
                touched=touched,
                settings=settings,
                notes=notes,
                bar=bar,
            )
    finally:
        if bar is not None:
            bar.close()
    meta.update(
        started_at=started,
        settings=settings,
        shape=shapes,
        fk_indexes=fk_indexes,
        ddl_touched=touched,
        analyzed_by_runner=True,
        design={
            "clones": experiment.clones,
            "order": "randomised complete blocks",
            "source": "VACUUM (FREEZE, ANALYZE)",
            "statistics": "pinned (only tables the DDL changed are analysed again)",
        },
    )
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
            "         AND default_version >= '1.6'),"
            " current_setting('fsync'), current_setting('synchronous_commit')"
        ).fetchone()
    assert row is not None
    return {
        "server_version": row[0],
        "server_version_num": row[1],
        "backend": getattr(server, "backend", "?"),
        "jit_available": bool(row[2]),
        "hypopg_available": bool(row[3]),
        "can_evict": bool(row[4]),
        "fsync": row[5],
        "synchronous_commit": row[6],
    }


FSYNC_NOTE = (
    "this server runs with fsync = off (and synchronous_commit = {sync}): commits and "
    "checkpoints never wait for the disk. Read-only queries time the same as on a durable "
    "server with the data cached; anything that writes (DML queries, CREATE INDEX in a "
    "variant's DDL, a COMMIT) is faster here than in production"
)


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
    touched: dict[str, Any],
    settings: dict[str, Any],
    notes: list[str],
    bar: Any,
) -> None:
    scale_key = "base" if scale is None else str(scale)
    rng = random.Random(f"{experiment.seed}:{scale_key}")
    seeded = server.create_database(template=base)
    made = [seeded]
    arms: list[_Arm] = []
    try:
        if scale is not None and seed_fn is not None:
            seed_fn(server.conninfo(seeded), scale)
        with server.connect(seeded, autocommit=True) as conn:
            if experiment.cache == "cold":
                conn.execute("CREATE EXTENSION IF NOT EXISTS pg_buffercache")
            # Frozen and hinted before cloning: no clone sets hint bits or visibility-map
            # bits on its first reads (which dirties pages in one clone and not another),
            # and every clone inherits the same statistics.
            conn.execute("VACUUM (FREEZE, ANALYZE)")
            shapes[scale_key] = [
                {"table": t, "rows": int(r), "bytes": int(b)} for t, r, b in conn.execute(_SHAPE)
            ]
        slots = [
            (v, k)
            for v in experiment.variants
            for k in range(1 if _is_hypothetical(v, hypopg) else experiment.clones)
        ]
        rng.shuffle(slots)  # creation order (and so file and OID order) is not the variant order
        for variant, k in slots:
            dbname = server.create_database(template=seeded)
            made.append(dbname)
            arms.append(
                _open_arm(server, dbname, variant, hypopg=hypopg, clone=k, experiment=experiment)
            )
        order = {v.name: i for i, v in enumerate(experiment.variants)}
        arms.sort(key=lambda a: (order[a.variant.name], a.clone))
        for arm in arms:
            if arm.clone:
                continue
            touched.setdefault(scale_key, {})[arm.variant.name] = arm.touched
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


def _is_hypothetical(variant: Variant, hypopg: bool) -> bool:
    return bool(variant.hypothetical_indexes) and hypopg


def _fingerprint(conn: psycopg.Connection) -> dict[str, str]:
    return {f"{n}.{t}": h for n, t, h in conn.execute(_FINGERPRINT)}


def _open_arm(
    server: Server,
    dbname: str,
    variant: Variant,
    *,
    hypopg: bool,
    clone: int = 0,
    experiment: Experiment | None = None,
) -> _Arm:
    hypothetical = _is_hypothetical(variant, hypopg)
    ddl = list(variant.ddl) + ([] if hypothetical else list(variant.hypothetical_indexes))
    with server.connect(dbname, autocommit=True) as conn:
        before = _fingerprint(conn)
        writes_data = False
        for text in ddl:
            for stmt in _statements(text):
                writes_data = writes_data or not _DDL_VERBS.match(stmt)
                try:
                    conn.execute(stmt)
                except psycopg.Error as exc:
                    raise VariantError(
                        f"variant {variant.name!r}: {stmt!r} failed: {exc.diag.message_primary or exc}"
                    ) from exc
        if hypothetical:
            conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        after = _fingerprint(conn)
        changed = sorted(t for t, h in after.items() if before.get(t) != h)
        if writes_data:
            # DML in a variant changes rows the catalog does not show: analyse everything
            conn.execute("ANALYZE")
        else:
            # Pinned statistics: tables the DDL left alone keep the source's statistics.
            for table in changed:
                schema, _, name = table.partition(".")
                conn.execute(
                    sql.SQL("ANALYZE {}.{}").format(sql.Identifier(schema), sql.Identifier(name))
                )
    # No psycopg auto-prepare: the runner decides what is prepared (PREPARE/EXECUTE for
    # plan-cache conditions), and auto-prepared statements would not survive DISCARD ALL.
    conn = server.connect(dbname, autocommit=True, prepare_threshold=None)
    arm = _Arm(variant, dbname, conn, hypothetical, clone=clone, touched=changed)
    if experiment is not None and experiment.statement_timeout:
        arm.base_settings = {"statement_timeout": experiment.statement_timeout}
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
    for name, value in {**arm.base_settings, **arm.variant.settings, **extra}.items():
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


_PREPARE_PREFIX = "DEALLOCATE ALL; PREPARE wb_explain_q AS "


def _prepare(arm: _Arm, query: Query, condition: Condition) -> None:
    """Set the condition's settings and make the statement the timed loop executes."""
    _apply_settings(arm, condition.settings())
    if condition.prepared:
        text, values = query.dollar_sql()
        name = "wb_explain_q"
        try:
            arm.conn.execute(_PREPARE_PREFIX + text)
        except psycopg.Error as exc:
            raise query_error(
                query, exc, f"variant {arm.variant.name!r}, PREPARE", prefix=len(_PREPARE_PREFIX)
            ) from None
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


def _script(arm: _Arm, query: Query, statements: tuple[str, ...], what: str) -> None:
    """Run a query file's setup or teardown statements (once per clone)."""
    for stmt in statements:
        try:
            arm.conn.execute(stmt, prepare=False)
        except psycopg.Error as exc:
            raise QueryError(
                f"{query.path or query.name}: {what} statement {stmt[:60]!r} failed in variant "
                f"{arm.variant.name!r}: {exc.diag.message_primary or exc}"
            ) from None


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
    rng = random.Random(f"{experiment.seed}:{scale_key}:{query.name}:{condition.name}")
    for arm in arms:
        _script(arm, query, query.setup, "setup")
        _prepare(arm, query, condition)
    try:
        for _ in range(experiment.warmup):
            for arm in rng.sample(runnable, len(runnable)):
                _timed(arm, query, scale_key)
        for rep in range(experiment.repetitions):
            # a randomised complete block: every clone of every variant once, fresh order
            for pos, arm in enumerate(rng.sample(runnable, len(runnable))):
                if cold:
                    _make_cold(arm, query, condition)
                ns = _timed(arm, query, scale_key)
                samples.append(
                    (
                        scale_key,
                        query.name,
                        condition.name,
                        arm.variant.name,
                        rep,
                        pos,
                        ns,
                        arm.clone,
                    )
                )
        for arm in arms:
            if arm.clone:
                continue
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
                if query.teardown and not arm.conn.info.transaction_status:
                    _script(arm, query, query.teardown, "teardown")


def query_error(query: Query, exc: psycopg.Error, context: str, *, prefix: int = 0) -> QueryError:
    """A failed query located like a load error: ``file:line:col``, the line, a caret, SQLSTATE."""
    diag = exc.diag
    message = diag.message_primary or str(exc).strip()
    position = diag.statement_position
    hint = diag.message_hint
    if diag.sqlstate == "57014" and "statement timeout" in message:
        hint = (
            "the experiment's statement_timeout stopped it: raise it with "
            "Experiment(statement_timeout='10min') or `workbench explain --statement-timeout`"
        )
    located = query.locate(int(position) - prefix if position else None)
    if located is None:
        return QueryError(f"query {query.name!r} failed ({context}): {message}")
    line, column, text = located
    error = LoadError(
        path=query.path or f"query {query.name!r}",
        line=line,
        column=column,
        message=message,
        sqlstate=diag.sqlstate,
        detail=diag.message_detail,
        hint=hint,
        source_line=text,
    )
    out = QueryError(f"{error.render()}\n({context})")
    out.location = error.location  # type: ignore[attr-defined]
    out.sqlstate = diag.sqlstate  # type: ignore[attr-defined]
    return out


def _timed(arm: _Arm, query: Query, scale_key: str) -> int:
    """One execution, timed around execute + fetchall and nothing else."""
    try:
        return time_execution(arm.conn, arm.statement, arm.params)
    except psycopg.Error as exc:
        raise query_error(
            query,
            exc,
            f"variant {arm.variant.name!r}, scale {scale_key}",
            prefix=len("EXECUTE ") if arm.prepared_as else 0,
        ) from None


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
    prefix = f"EXPLAIN ({options}) "
    try:
        row = arm.conn.execute(prefix + arm.statement, arm.params, prepare=False).fetchone()
    except psycopg.Error as exc:
        raise query_error(
            query,
            exc,
            f"EXPLAIN in variant {arm.variant.name!r}, scale {scale_key}",
            prefix=len(prefix),
        ) from None
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

-- Functions, procedures and aggregates. pg_get_functiondef refuses aggregates,
-- so their parts come from pg_aggregate and Python writes CREATE AGGREGATE.
-- Functions PostgreSQL made itself (a range type's constructors: deptype 'i') are
-- left out: they come back with their type.
SELECT n.nspname AS schema, p.proname AS name,
  pg_catalog.pg_get_function_identity_arguments(p.oid) AS arguments,
  COALESCE(pg_catalog.pg_get_function_result(p.oid), '') AS returns,
  l.lanname AS language, p.prokind,
  CASE WHEN p.prokind <> 'a' THEN pg_catalog.pg_get_functiondef(p.oid) END AS definition,
  pg_catalog.pg_get_function_arguments(p.oid) AS full_arguments,
  ag.aggkind, ag.aggnumdirectargs,
  NULLIF(ag.aggtransfn, 0)::regproc::text AS sfunc,
  pg_catalog.format_type(ag.aggtranstype, NULL) AS stype,
  ag.aggtransspace AS sspace,
  NULLIF(ag.aggfinalfn, 0)::regproc::text AS finalfunc,
  ag.aggfinalextra AS finalfunc_extra,
  ag.aggfinalmodify AS finalfunc_modify,
  NULLIF(ag.aggcombinefn, 0)::regproc::text AS combinefunc,
  NULLIF(ag.aggserialfn, 0)::regproc::text AS serialfunc,
  NULLIF(ag.aggdeserialfn, 0)::regproc::text AS deserialfunc,
  ag.agginitval AS initcond,
  NULLIF(ag.aggmtransfn, 0)::regproc::text AS msfunc,
  NULLIF(ag.aggminvtransfn, 0)::regproc::text AS minvfunc,
  CASE WHEN ag.aggmtranstype <> 0 THEN pg_catalog.format_type(ag.aggmtranstype, NULL) END AS mstype,
  ag.aggmtransspace AS msspace,
  NULLIF(ag.aggmfinalfn, 0)::regproc::text AS mfinalfunc,
  ag.aggmfinalextra AS mfinalfunc_extra,
  ag.aggmfinalmodify AS mfinalfunc_modify,
  ag.aggminitval AS minitcond,
  NULLIF(ag.aggsortop, 0)::regoperator::text AS sortop,
  p.proparallel AS parallel,
  d.description AS comment
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
LEFT JOIN pg_catalog.pg_aggregate ag ON ag.aggfnoid = p.oid
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = p.oid AND d.classoid = 'pg_catalog.pg_proc'::regclass AND d.objsubid = 0
WHERE p.pronamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_proc'::regclass AND x.objid = p.oid AND x.deptype IN ('e', 'i'))
ORDER BY n.nspname, p.proname, 3

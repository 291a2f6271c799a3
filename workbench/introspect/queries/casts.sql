-- Casts created after initdb (oid >= 16384, as pg_dump decides) whose source,
-- target or function lives in an introspected schema; not the ones PostgreSQL
-- makes itself (range to multirange: deptype 'i').
SELECT pg_catalog.format_type(c.castsource, NULL) AS source,
  pg_catalog.format_type(c.casttarget, NULL) AS target,
  c.castmethod,
  CASE WHEN c.castfunc <> 0 THEN c.castfunc::regprocedure::text END AS function,
  c.castcontext,
  d.description AS comment
FROM pg_catalog.pg_cast c
JOIN pg_catalog.pg_type st ON st.oid = c.castsource
JOIN pg_catalog.pg_type tt ON tt.oid = c.casttarget
LEFT JOIN pg_catalog.pg_proc p ON p.oid = c.castfunc
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_cast'::regclass AND d.objsubid = 0
WHERE c.oid >= 16384
  AND (st.typnamespace = ANY (%(ns)s::oid[]) OR tt.typnamespace = ANY (%(ns)s::oid[])
       OR p.pronamespace = ANY (%(ns)s::oid[]))
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_cast'::regclass AND x.objid = c.oid AND x.deptype IN ('e', 'i'))
ORDER BY 1, 2

-- User-defined operators with their support functions and optimiser hints.
SELECT n.nspname AS schema, o.oprname AS name,
  CASE WHEN o.oprleft <> 0 THEN pg_catalog.format_type(o.oprleft, NULL) END AS "left",
  pg_catalog.format_type(o.oprright, NULL) AS "right",
  pg_catalog.format_type(o.oprresult, NULL) AS result,
  o.oprcode::regproc::text AS function,
  (SELECT cn.nspname || '.' || c.oprname FROM pg_catalog.pg_operator c
   JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprcom) AS commutator,
  (SELECT cn.nspname || '.' || c.oprname FROM pg_catalog.pg_operator c
   JOIN pg_catalog.pg_namespace cn ON cn.oid = c.oprnamespace WHERE c.oid = o.oprnegate) AS negator,
  NULLIF(o.oprrest, 0)::regproc::text AS restrict,
  NULLIF(o.oprjoin, 0)::regproc::text AS "join",
  o.oprcanhash AS hashes, o.oprcanmerge AS merges,
  d.description AS comment
FROM pg_catalog.pg_operator o
JOIN pg_catalog.pg_namespace n ON n.oid = o.oprnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = o.oid AND d.classoid = 'pg_catalog.pg_operator'::regclass AND d.objsubid = 0
WHERE o.oprnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_operator'::regclass AND x.objid = o.oid AND x.deptype = 'e')
ORDER BY n.nspname, o.oprname, 3 NULLS FIRST, 4

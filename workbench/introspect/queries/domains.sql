-- Domains with their CHECK constraints (NOT NULL is read from typnotnull).
SELECT n.nspname AS schema, t.typname AS name,
  pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type,
  t.typnotnull AS not_null,
  t.typdefault AS "default",
  CASE WHEN t.typcollation <> 0 AND t.typcollation <> bt.typcollation THEN
    (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                 ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
     FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
     WHERE co.oid = t.typcollation)
  END AS collation,
  d.description AS comment,
  COALESCE((
    SELECT json_agg(json_build_object(
             'name', c.conname,
             'definition', pg_catalog.pg_get_constraintdef(c.oid),
             'validated', c.convalidated,
             'comment', pg_catalog.obj_description(c.oid, 'pg_constraint'))
           ORDER BY c.conname)
    FROM pg_catalog.pg_constraint c
    WHERE c.contypid = t.oid AND c.contype = 'c'), '[]'::json) AS checks
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass AND d.objsubid = 0
WHERE t.typtype = 'd'
  AND t.typnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
ORDER BY n.nspname, t.typname

-- Views and materialised views; depends_on lists the relations the view's
-- rewrite rule references, for topological ordering in DDL.
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind = 'm' AS materialized,
  pg_catalog.pg_get_viewdef(c.oid) AS definition,
  ARRAY(SELECT DISTINCT dn.nspname || '.' || dc.relname
        FROM pg_catalog.pg_rewrite r
        JOIN pg_catalog.pg_depend dp
          ON dp.classid = 'pg_catalog.pg_rewrite'::regclass AND dp.objid = r.oid
         AND dp.refclassid = 'pg_catalog.pg_class'::regclass AND dp.refobjid <> c.oid
        JOIN pg_catalog.pg_class dc ON dc.oid = dp.refobjid
        JOIN pg_catalog.pg_namespace dn ON dn.oid = dc.relnamespace
        WHERE r.ev_class = c.oid
        ORDER BY 1) AS depends_on,
  d.description AS comment,
  COALESCE(c.reloptions, '{}'::text[]) AS options
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('v', 'm')
  AND c.relnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY n.nspname, c.relname

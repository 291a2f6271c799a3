-- Rewrite rules (CREATE RULE) on tables and views, except a view's own _RETURN rule.
SELECT n.nspname || '.' || c.relname AS "table", r.rulename AS name,
  CASE r.ev_type WHEN '1' THEN 'SELECT' WHEN '2' THEN 'UPDATE'
                 WHEN '3' THEN 'INSERT' WHEN '4' THEN 'DELETE' END AS event,
  pg_catalog.pg_get_ruledef(r.oid) AS definition,
  r.ev_enabled <> 'D' AS enabled,
  d.description AS comment
FROM pg_catalog.pg_rewrite r
JOIN pg_catalog.pg_class c ON c.oid = r.ev_class
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = r.oid AND d.classoid = 'pg_catalog.pg_rewrite'::regclass AND d.objsubid = 0
WHERE r.rulename <> '_RETURN'
  AND c.relnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY n.nspname, c.relname, r.rulename

-- User triggers on tables and views: internal ones (FK enforcement) and the clones on
-- partitions (tgparentid <> 0) are left out.
SELECT t.tgrelid AS rel, t.tgname AS name, t.tgtype,
  pn.nspname || '.' || p.proname AS function,
  pg_catalog.pg_get_triggerdef(t.oid) AS definition,
  t.tgenabled <> 'D' AS enabled,
  d.description AS comment
FROM pg_catalog.pg_trigger t
JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid
JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
JOIN pg_catalog.pg_namespace pn ON pn.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_trigger'::regclass AND d.objsubid = 0
WHERE NOT t.tgisinternal
  AND t.tgparentid = 0
  AND c.relkind IN ('r', 'p', 'v', 'm')
  AND c.relnamespace = ANY (%(ns)s::oid[])
ORDER BY t.tgrelid, t.tgname

-- Collations. The locale columns moved between versions (colliculocale in 15-16,
-- colllocale from 17, collicurules from 16), so they are read through to_jsonb.
SELECT n.nspname AS schema, co.collname AS name,
  CASE co.collprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' WHEN 'b' THEN 'builtin'
                       ELSE 'default' END AS provider,
  co.collcollate AS lc_collate, co.collctype AS lc_ctype,
  COALESCE(to_jsonb(co.*) ->> 'colllocale', to_jsonb(co.*) ->> 'colliculocale') AS locale,
  co.collisdeterministic AS deterministic,
  to_jsonb(co.*) ->> 'collicurules' AS rules,
  d.description AS comment
FROM pg_catalog.pg_collation co
JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = co.oid AND d.classoid = 'pg_catalog.pg_collation'::regclass AND d.objsubid = 0
WHERE co.collnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_collation'::regclass AND x.objid = co.oid AND x.deptype = 'e')
ORDER BY n.nspname, co.collname

-- Ordinary and partitioned tables, with partitioning, INHERITS parents, storage
-- parameters (the TOAST table's prefixed 'toast.'), RLS flags and comments.
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind,
  c.relrowsecurity AS rls_enabled, c.relforcerowsecurity AS rls_forced,
  c.relpersistence = 'u' AS unlogged,
  CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
  CASE WHEN c.relispartition THEN
    (SELECT pn.nspname || '.' || pc.relname
     FROM pg_catalog.pg_inherits i
     JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
     JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
     WHERE i.inhrelid = c.oid)
  END AS partition_of,
  CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
  d.description AS comment,
  ARRAY(SELECT pn.nspname || '.' || pc.relname
        FROM pg_catalog.pg_inherits i
        JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
        JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
        WHERE i.inhrelid = c.oid AND NOT c.relispartition
        ORDER BY i.inhseqno) AS inherits,
  COALESCE(c.reloptions, '{}'::text[])
    || COALESCE((SELECT array_agg('toast.' || o ORDER BY ord)
                 FROM pg_catalog.pg_class tc, unnest(tc.reloptions) WITH ORDINALITY AS u(o, ord)
                 WHERE tc.oid = c.reltoastrelid), '{}'::text[]) AS options
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY n.nspname, c.relname

-- Foreign keys from conkey/confkey. conparentid = 0 drops the clones
-- PostgreSQL keeps on partitions (and for partitioned referenced tables).
SELECT co.conrelid AS rel, co.conname AS name,
  n.nspname || '.' || c.relname AS "table",
  ARRAY(SELECT a.attname::text
        FROM unnest(co.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum
        ORDER BY k.ord) AS columns,
  rn.nspname || '.' || rc.relname AS ref_table,
  ARRAY(SELECT a.attname::text
        FROM unnest(co.confkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = co.confrelid AND a.attnum = k.attnum
        ORDER BY k.ord) AS ref_columns,
  co.confdeltype, co.confupdtype, co.confmatchtype,
  co.condeferrable AS deferrable, co.condeferred AS initially_deferred,
  co.convalidated AS validated,
  pg_catalog.pg_get_constraintdef(co.oid) AS definition,
  d.description AS comment
FROM pg_catalog.pg_constraint co
JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_class rc ON rc.oid = co.confrelid
JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = co.oid AND d.classoid = 'pg_catalog.pg_constraint'::regclass AND d.objsubid = 0
WHERE co.contype = 'f'
  AND co.conparentid = 0
  AND c.relnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY co.conrelid, co.conname

-- PRIMARY KEY, UNIQUE, CHECK and EXCLUDE constraints declared on the table
-- itself: copies PostgreSQL makes on partitions (conparentid <> 0, or a CHECK
-- that is not local) belong to the parent and are recreated with it.
SELECT co.conrelid AS rel, co.conname AS name, co.contype,
  ARRAY(SELECT a.attname::text
        FROM unnest(co.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_catalog.pg_attribute a ON a.attrelid = co.conrelid AND a.attnum = k.attnum
        ORDER BY k.ord) AS columns,
  pg_catalog.pg_get_constraintdef(co.oid) AS definition,
  CASE WHEN co.contype = 'c' THEN pg_catalog.pg_get_expr(co.conbin, co.conrelid) END AS expression,
  co.condeferrable AS deferrable, co.condeferred AS initially_deferred,
  co.convalidated AS validated,
  COALESCE(i.indnullsnotdistinct, false) AS nulls_not_distinct,
  d.description AS comment
FROM pg_catalog.pg_constraint co
JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = co.conindid AND co.contype = 'u'
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = co.oid AND d.classoid = 'pg_catalog.pg_constraint'::regclass AND d.objsubid = 0
WHERE co.contype IN ('p', 'u', 'c', 'x')
  AND co.conparentid = 0
  AND (co.contype <> 'c' OR co.conislocal)
  AND c.relkind IN ('r', 'p')
  AND c.relnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY co.conrelid, co.conname

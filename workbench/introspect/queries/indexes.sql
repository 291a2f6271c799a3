-- Indexes of tables and materialised views. Indexes that are partitions of a
-- parent index (relispartition) are PostgreSQL's copies and are left out.
SELECT i.indrelid AS rel, ic.relname AS name, i.indisunique AS "unique", am.amname AS method,
  i.indnkeyatts AS nkeys,
  ARRAY(SELECT pg_catalog.pg_get_indexdef(i.indexrelid, k.n::int, false)
        FROM generate_series(1, i.indnatts) AS k(n) ORDER BY k.n) AS keydefs,
  ARRAY(SELECT a.attname::text
        FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
        ORDER BY k.ord) AS attnames,
  i.indoption::int2[] AS options,
  pg_catalog.pg_get_expr(i.indpred, i.indrelid) AS predicate,
  (SELECT co.conname FROM pg_catalog.pg_constraint co
   WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x')
   LIMIT 1) AS "constraint",
  pg_catalog.pg_get_indexdef(i.indexrelid) AS definition,
  i.indnullsnotdistinct AS nulls_not_distinct,
  d.description AS comment
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = i.indexrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind IN ('r', 'p', 'm')
  AND NOT ic.relispartition
  AND c.relnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY i.indrelid, ic.relname

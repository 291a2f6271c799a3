-- Sequences, without identity columns' internal ones (pg_depend deptype 'i').
-- owned_by comes from the 'a' (auto) dependency that OWNED BY / serial creates.
SELECT n.nspname AS schema, c.relname AS name,
  pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
  s.seqstart AS start, s.seqincrement AS increment, s.seqmin AS min_value, s.seqmax AS max_value,
  s.seqcache AS cache, s.seqcycle AS cycle,
  (SELECT tn.nspname || '.' || tc.relname || '.' || a.attname
   FROM pg_catalog.pg_depend o
   JOIN pg_catalog.pg_class tc ON tc.oid = o.refobjid
   JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace
   JOIN pg_catalog.pg_attribute a ON a.attrelid = o.refobjid AND a.attnum = o.refobjsubid
   WHERE o.classid = 'pg_catalog.pg_class'::regclass AND o.objid = c.oid
     AND o.refclassid = 'pg_catalog.pg_class'::regclass AND o.deptype = 'a'
   LIMIT 1) AS owned_by,
  d.description AS comment
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = 0
WHERE c.relkind = 'S'
  AND c.relnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype IN ('e', 'i'))
ORDER BY n.nspname, c.relname

-- Range types; options print only when they differ from PostgreSQL's defaults
-- (as pg_dump does). The multirange name is compared with the default in Python.
SELECT n.nspname AS schema, t.typname AS name,
  pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
  (SELECT quote_ident(ocn.nspname) || '.' || quote_ident(oc.opcname)
   FROM pg_catalog.pg_opclass oc JOIN pg_catalog.pg_namespace ocn ON ocn.oid = oc.opcnamespace
   WHERE oc.oid = r.rngsubopc AND NOT oc.opcdefault) AS subtype_opclass,
  CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation THEN
    (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                 ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
     FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
     WHERE co.oid = r.rngcollation)
  END AS collation,
  NULLIF(r.rngcanonical, 0)::regproc::text AS canonical,
  NULLIF(r.rngsubdiff, 0)::regproc::text AS subtype_diff,
  mn.nspname AS multirange_schema, mt.typname AS multirange_name,
  d.description AS comment
FROM pg_catalog.pg_range r
JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
LEFT JOIN pg_catalog.pg_type mt ON mt.oid = r.rngmultitypid
LEFT JOIN pg_catalog.pg_namespace mn ON mn.oid = mt.typnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = t.oid AND d.classoid = 'pg_catalog.pg_type'::regclass AND d.objsubid = 0
WHERE t.typnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_type'::regclass AND x.objid = t.oid AND x.deptype = 'e')
ORDER BY n.nspname, t.typname

-- Columns of tables, views, materialised views and composite types, in attnum order. The element
-- type (for arrays) decides type_kind/type_ref; identity sequence options come
-- from the sequence the column owns with an 'i' dependency.
SELECT a.attrelid AS rel, a.attname AS name,
  pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
  NOT a.attnotnull AS nullable,
  CASE WHEN a.attgenerated = '' AND a.attidentity = ''
       THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END AS "default",
  a.attidentity AS identity,
  CASE WHEN a.attgenerated <> '' THEN pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) END AS generated,
  a.attgenerated = 'v' AS generated_virtual,
  CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN
    (SELECT CASE WHEN cn.nspname = 'pg_catalog' THEN quote_ident(co.collname)
                 ELSE quote_ident(cn.nspname) || '.' || quote_ident(co.collname) END
     FROM pg_catalog.pg_collation co JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
     WHERE co.oid = a.attcollation)
  END AS collation,
  d.description AS comment,
  et.typtype AS elem_typtype,
  et.oid AS elem_oid,
  CASE WHEN etn.nspname NOT IN ('pg_catalog', 'information_schema')
       THEN etn.nspname || '.' || et.typname END AS type_ref,
  et.oid <> t.oid AS is_array,
  a.atttypmod AS typmod,
  s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
  pg_catalog.format_type(s.seqtypid, NULL) AS seqtype
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_type et
  ON et.oid = CASE WHEN t.typelem <> 0 AND t.typlen = -1 AND t.typcategory = 'A' THEN t.typelem ELSE t.oid END
JOIN pg_catalog.pg_namespace etn ON etn.oid = et.typnamespace
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = a.attrelid AND d.classoid = 'pg_catalog.pg_class'::regclass AND d.objsubid = a.attnum
LEFT JOIN pg_catalog.pg_depend idd
  ON a.attidentity <> '' AND idd.refclassid = 'pg_catalog.pg_class'::regclass
 AND idd.refobjid = a.attrelid AND idd.refobjsubid = a.attnum
 AND idd.classid = 'pg_catalog.pg_class'::regclass AND idd.deptype = 'i'
LEFT JOIN pg_catalog.pg_sequence s ON s.seqrelid = idd.objid
WHERE a.attnum > 0 AND NOT a.attisdropped
  AND c.relkind IN ('r', 'p', 'v', 'm', 'c')
  AND c.relnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_class'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY a.attrelid, a.attnum

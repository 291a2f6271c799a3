-- Text-search dictionaries: template (always schema-qualified) and init options.
SELECT n.nspname AS schema, td.dictname AS name,
  (SELECT quote_ident(tn.nspname) || '.' || quote_ident(tt.tmplname)
   FROM pg_catalog.pg_ts_template tt JOIN pg_catalog.pg_namespace tn ON tn.oid = tt.tmplnamespace
   WHERE tt.oid = td.dicttemplate) AS template,
  td.dictinitoption AS options,
  d.description AS comment
FROM pg_catalog.pg_ts_dict td
JOIN pg_catalog.pg_namespace n ON n.oid = td.dictnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = td.oid AND d.classoid = 'pg_catalog.pg_ts_dict'::regclass AND d.objsubid = 0
WHERE td.dictnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_ts_dict'::regclass AND x.objid = td.oid AND x.deptype = 'e')
ORDER BY n.nspname, td.dictname

-- Text-search configurations: parser (schema-qualified) and the token mappings,
-- in token-type order, each with its dictionaries in mapseqno order.
SELECT n.nspname AS schema, c.cfgname AS name,
  (SELECT quote_ident(pn.nspname) || '.' || quote_ident(p.prsname)
   FROM pg_catalog.pg_ts_parser p JOIN pg_catalog.pg_namespace pn ON pn.oid = p.prsnamespace
   WHERE p.oid = c.cfgparser) AS parser,
  COALESCE((
    SELECT json_agg(json_build_object('token', tt.alias, 'dictionaries', m.dicts)
                    ORDER BY tt.tokid)
    FROM (SELECT maptokentype, array_agg(mapdict::regdictionary::text ORDER BY mapseqno) AS dicts
          FROM pg_catalog.pg_ts_config_map WHERE mapcfg = c.oid GROUP BY maptokentype) m
    JOIN pg_catalog.ts_token_type(c.cfgparser) tt ON tt.tokid = m.maptokentype), '[]'::json)
    AS mappings,
  d.description AS comment
FROM pg_catalog.pg_ts_config c
JOIN pg_catalog.pg_namespace n ON n.oid = c.cfgnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = c.oid AND d.classoid = 'pg_catalog.pg_ts_config'::regclass AND d.objsubid = 0
WHERE c.cfgnamespace = ANY (%(ns)s::oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = 'pg_catalog.pg_ts_config'::regclass AND x.objid = c.oid AND x.deptype = 'e')
ORDER BY n.nspname, c.cfgname

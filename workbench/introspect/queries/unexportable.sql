-- Objects of the user schemas that the model has no place for, named by
-- pg_describe_object (or a short description of the setting). The DDL export
-- would drop them silently; `workbench export` warns with this list. Kinds
-- pg_dump -s restores but the model lacks; keep in step with census.sql.
WITH ns AS (
  SELECT n.oid FROM pg_catalog.pg_namespace n
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname !~ '^pg_(toast|temp_)'
    AND NOT EXISTS (
      SELECT 1 FROM pg_catalog.pg_depend e
      WHERE e.classid = 'pg_catalog.pg_namespace'::regclass AND e.objid = n.oid AND e.deptype = 'e')
), ext AS (
  SELECT classid, objid FROM pg_catalog.pg_depend WHERE deptype = 'e'
), rel AS (
  SELECT c.* FROM pg_catalog.pg_class c
  WHERE c.relnamespace IN (SELECT oid FROM ns)
    AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_catalog.pg_class'::regclass AND objid = c.oid)
), objects(catalog, oid) AS (
  SELECT 'pg_catalog.pg_class'::regclass, oid FROM rel WHERE relkind = 'f'
  UNION ALL SELECT 'pg_catalog.pg_statistic_ext'::regclass, oid FROM pg_catalog.pg_statistic_ext
    WHERE stxnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'pg_catalog.pg_opclass'::regclass, oid FROM pg_catalog.pg_opclass
    WHERE opcnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'pg_catalog.pg_opfamily'::regclass, oid FROM pg_catalog.pg_opfamily
    WHERE opfnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'pg_catalog.pg_conversion'::regclass, oid FROM pg_catalog.pg_conversion
    WHERE connamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'pg_catalog.pg_ts_parser'::regclass, oid FROM pg_catalog.pg_ts_parser
    WHERE prsnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'pg_catalog.pg_ts_template'::regclass, oid FROM pg_catalog.pg_ts_template
    WHERE tmplnamespace IN (SELECT oid FROM ns)
  UNION ALL SELECT 'pg_catalog.pg_type'::regclass, t.oid FROM pg_catalog.pg_type t
    WHERE t.typnamespace IN (SELECT oid FROM ns) AND t.typtype IN ('b', 'p')
      AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)
  UNION ALL SELECT 'pg_catalog.pg_event_trigger'::regclass, oid FROM pg_catalog.pg_event_trigger
  UNION ALL SELECT 'pg_catalog.pg_foreign_data_wrapper'::regclass, oid
    FROM pg_catalog.pg_foreign_data_wrapper
  UNION ALL SELECT 'pg_catalog.pg_foreign_server'::regclass, oid FROM pg_catalog.pg_foreign_server
  UNION ALL SELECT 'pg_catalog.pg_user_mapping'::regclass, oid FROM pg_catalog.pg_user_mapping
  UNION ALL SELECT 'pg_catalog.pg_publication'::regclass, oid FROM pg_catalog.pg_publication
  UNION ALL SELECT 'pg_catalog.pg_language'::regclass, oid FROM pg_catalog.pg_language
    WHERE oid >= 16384
  UNION ALL SELECT 'pg_catalog.pg_am'::regclass, oid FROM pg_catalog.pg_am WHERE oid >= 16384
  UNION ALL SELECT 'pg_catalog.pg_transform'::regclass, oid FROM pg_catalog.pg_transform
  UNION ALL SELECT 'pg_catalog.pg_default_acl'::regclass, oid FROM pg_catalog.pg_default_acl
), named(description) AS (
  SELECT pg_catalog.pg_describe_object(o.catalog, o.oid, 0) FROM objects o
  WHERE NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = o.catalog AND ext.objid = o.oid)
  UNION ALL
  SELECT 'security label on ' || pg_catalog.pg_describe_object(classoid, objoid, objsubid)
  FROM pg_catalog.pg_seclabel
  UNION ALL
  SELECT 'storage, compression, statistics target or options of '
         || pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, a.attrelid, a.attnum)
  FROM pg_catalog.pg_attribute a JOIN rel c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
  WHERE a.attnum > 0 AND NOT a.attisdropped
    -- attoptions: only the two ALTER COLUMN SET (...) options (some builds store others)
    AND (a.attfdwoptions IS NOT NULL
         OR EXISTS (SELECT 1 FROM unnest(a.attoptions) o WHERE o ~ '^n_distinct(_inherited)?=')
         OR (a.attstattarget IS NOT NULL AND a.attstattarget <> -1)
         OR (c.relkind IN ('r', 'p', 'm') AND (a.attstorage <> t.typstorage OR a.attcompression <> '')))
  UNION ALL
  SELECT 'replica identity of ' || pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, oid, 0)
  FROM rel WHERE relkind IN ('r', 'p') AND relreplident <> 'd'
  UNION ALL
  SELECT 'tablespace of ' || pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, oid, 0)
  FROM rel WHERE reltablespace <> 0
  UNION ALL
  SELECT 'access method of ' || pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, rel.oid, 0)
  FROM rel JOIN pg_catalog.pg_am am ON am.oid = rel.relam
  WHERE rel.relkind IN ('r', 'm') AND am.amname <> 'heap'
  UNION ALL
  SELECT 'CLUSTER ON ' || pg_catalog.pg_describe_object('pg_catalog.pg_class'::regclass, i.indexrelid, 0)
  FROM pg_catalog.pg_index i JOIN rel ON rel.oid = i.indexrelid WHERE i.indisclustered
  UNION ALL
  SELECT 'ENABLE REPLICA/ALWAYS of ' || pg_catalog.pg_describe_object('pg_catalog.pg_trigger'::regclass, t.oid, 0)
  FROM pg_catalog.pg_trigger t JOIN rel ON rel.oid = t.tgrelid
  WHERE NOT t.tgisinternal AND t.tgenabled IN ('R', 'A')
  UNION ALL
  SELECT 'ENABLE REPLICA/ALWAYS of ' || pg_catalog.pg_describe_object('pg_catalog.pg_rewrite'::regclass, r.oid, 0)
  FROM pg_catalog.pg_rewrite r JOIN rel ON rel.oid = r.ev_class
  WHERE r.rulename <> '_RETURN' AND r.ev_enabled IN ('R', 'A')
)
SELECT description FROM named ORDER BY description

-- How many catalog objects of each kind the user schemas hold: what pg_dump -s
-- would restore, counted from the catalogs themselves (not through the model),
-- so an object kind the model does not know shows up as a count that the
-- reload of the DDL export fails to reproduce. Extension members (pg_depend
-- deptype 'e') are left out. One row per kind: (kind, n).
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
), typ AS (
  SELECT t.* FROM pg_catalog.pg_type t
  WHERE t.typnamespace IN (SELECT oid FROM ns)
    AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_catalog.pg_type'::regclass AND objid = t.oid)
), proc AS (
  SELECT p.* FROM pg_catalog.pg_proc p
  WHERE p.pronamespace IN (SELECT oid FROM ns)
    AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_catalog.pg_proc'::regclass AND objid = p.oid)
), att AS (
  SELECT a.*, c.relkind FROM pg_catalog.pg_attribute a JOIN rel c ON c.oid = a.attrelid
  WHERE a.attnum > 0 AND NOT a.attisdropped
), acl AS (
  SELECT relacl AS acl FROM rel
  UNION ALL SELECT attacl FROM att
  UNION ALL SELECT proacl FROM proc
  UNION ALL SELECT typacl FROM typ
  UNION ALL SELECT nspacl FROM pg_catalog.pg_namespace WHERE oid IN (SELECT oid FROM ns)
), counts(kind, n) AS (
  SELECT 'relation (relkind ' || relkind::text || ')', count(*) FROM rel GROUP BY relkind
  UNION ALL SELECT 'unlogged relation', count(*) FROM rel WHERE relpersistence = 'u'
  UNION ALL SELECT 'partition', count(*) FROM rel WHERE relispartition
  UNION ALL SELECT 'row security enabled', count(*) FROM rel WHERE relrowsecurity
  UNION ALL SELECT 'row security forced', count(*) FROM rel WHERE relforcerowsecurity
  UNION ALL SELECT 'replica identity ' || relreplident::text, count(*) FROM rel
    WHERE relkind IN ('r', 'p') GROUP BY relreplident
  UNION ALL SELECT 'relation in a tablespace', count(*) FROM rel WHERE reltablespace <> 0
  UNION ALL SELECT 'table access method ' || am.amname, count(*) FROM rel
    JOIN pg_catalog.pg_am am ON am.oid = rel.relam WHERE rel.relkind IN ('r', 'm') GROUP BY am.amname
  UNION ALL SELECT 'storage parameter', COALESCE(sum(cardinality(rel.reloptions))
      + sum(COALESCE((SELECT cardinality(t.reloptions) FROM pg_catalog.pg_class t
                      WHERE t.oid = rel.reltoastrelid), 0)), 0)
    FROM rel
  UNION ALL SELECT 'inheritance', count(*) FROM pg_catalog.pg_inherits i JOIN rel ON rel.oid = i.inhrelid
  UNION ALL SELECT 'column', count(*) FROM att
  UNION ALL SELECT 'column NOT NULL', count(*) FROM att WHERE attnotnull
  UNION ALL SELECT 'column default', count(*) FROM pg_catalog.pg_attrdef d JOIN rel ON rel.oid = d.adrelid
  UNION ALL SELECT 'column identity', count(*) FROM att WHERE attidentity <> ''
  UNION ALL SELECT 'column generated', count(*) FROM att WHERE attgenerated <> ''
  UNION ALL SELECT 'column collation', count(*) FROM att a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    WHERE a.attcollation <> t.typcollation
  UNION ALL SELECT 'column option (attoptions, fdw options)', count(*) FROM att
    WHERE attfdwoptions IS NOT NULL
       OR EXISTS (SELECT 1 FROM unnest(attoptions) o WHERE o ~ '^n_distinct(_inherited)?=')
  UNION ALL SELECT 'column statistics target', count(*) FROM att
    WHERE attstattarget IS NOT NULL AND attstattarget <> -1
  UNION ALL SELECT 'column storage or compression', count(*) FROM att a
    JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
    WHERE a.relkind IN ('r', 'p', 'm') AND (a.attstorage <> t.typstorage OR a.attcompression <> '')
  UNION ALL SELECT 'constraint (contype ' || co.contype::text || ')', count(*)
    FROM pg_catalog.pg_constraint co
    WHERE co.conrelid IN (SELECT oid FROM rel) OR co.contypid IN (SELECT oid FROM typ)
    GROUP BY co.contype
  UNION ALL SELECT 'constraint not valid', count(*) FROM pg_catalog.pg_constraint co
    WHERE (co.conrelid IN (SELECT oid FROM rel) OR co.contypid IN (SELECT oid FROM typ))
      AND NOT co.convalidated
  UNION ALL SELECT 'index', count(*) FROM pg_catalog.pg_index i JOIN rel ON rel.oid = i.indexrelid
  UNION ALL SELECT 'clustered index', count(*) FROM pg_catalog.pg_index i
    JOIN rel ON rel.oid = i.indexrelid WHERE i.indisclustered
  UNION ALL SELECT 'trigger (enabled ' || t.tgenabled::text || ')', count(*) FROM pg_catalog.pg_trigger t
    JOIN rel ON rel.oid = t.tgrelid WHERE NOT t.tgisinternal GROUP BY t.tgenabled
  UNION ALL SELECT 'rule (enabled ' || r.ev_enabled::text || ')', count(*) FROM pg_catalog.pg_rewrite r
    JOIN rel ON rel.oid = r.ev_class WHERE r.rulename <> '_RETURN' GROUP BY r.ev_enabled
  UNION ALL SELECT 'policy', count(*) FROM pg_catalog.pg_policy p JOIN rel ON rel.oid = p.polrelid
  UNION ALL SELECT 'type (typtype ' || typtype::text || ')', count(*) FROM typ GROUP BY typtype
  UNION ALL SELECT 'enum label', count(*) FROM pg_catalog.pg_enum e JOIN typ ON typ.oid = e.enumtypid
  UNION ALL SELECT 'range', count(*) FROM pg_catalog.pg_range r JOIN typ ON typ.oid = r.rngtypid
  UNION ALL SELECT 'function (prokind ' || prokind::text || ')', count(*) FROM proc GROUP BY prokind
  UNION ALL SELECT 'function option (SET, SECURITY DEFINER, LEAKPROOF, ...)', count(*) FROM proc
    WHERE proconfig IS NOT NULL OR prosecdef OR proleakproof
  UNION ALL SELECT 'operator', count(*) FROM pg_catalog.pg_operator o
    WHERE o.oprnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_operator'::regclass)
  UNION ALL SELECT 'operator class', count(*) FROM pg_catalog.pg_opclass o
    WHERE o.opcnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_opclass'::regclass)
  UNION ALL SELECT 'operator family', count(*) FROM pg_catalog.pg_opfamily o
    WHERE o.opfnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_opfamily'::regclass)
  UNION ALL SELECT 'collation', count(*) FROM pg_catalog.pg_collation o
    WHERE o.collnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_collation'::regclass)
  UNION ALL SELECT 'conversion', count(*) FROM pg_catalog.pg_conversion o
    WHERE o.connamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_conversion'::regclass)
  UNION ALL SELECT 'text search configuration', count(*) FROM pg_catalog.pg_ts_config o
    WHERE o.cfgnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_ts_config'::regclass)
  UNION ALL SELECT 'text search mapping', count(*) FROM pg_catalog.pg_ts_config_map m
    JOIN pg_catalog.pg_ts_config o ON o.oid = m.mapcfg
    WHERE o.cfgnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_ts_config'::regclass)
  UNION ALL SELECT 'text search dictionary', count(*) FROM pg_catalog.pg_ts_dict o
    WHERE o.dictnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_ts_dict'::regclass)
  UNION ALL SELECT 'text search parser', count(*) FROM pg_catalog.pg_ts_parser o
    WHERE o.prsnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_ts_parser'::regclass)
  UNION ALL SELECT 'text search template', count(*) FROM pg_catalog.pg_ts_template o
    WHERE o.tmplnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_ts_template'::regclass)
  UNION ALL SELECT 'statistics object', count(*) FROM pg_catalog.pg_statistic_ext o
    WHERE o.stxnamespace IN (SELECT oid FROM ns)
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_statistic_ext'::regclass)
  UNION ALL SELECT 'cast', count(*) FROM pg_catalog.pg_cast o
    WHERE o.oid >= 16384
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_cast'::regclass)
  UNION ALL SELECT 'schema', count(*) FROM ns
  UNION ALL SELECT 'extension', count(*) FROM pg_catalog.pg_extension
  UNION ALL SELECT 'default privileges', count(*) FROM pg_catalog.pg_default_acl
  UNION ALL SELECT 'privilege (ACL entry)', count(*) FROM acl, pg_catalog.aclexplode(acl.acl)
  UNION ALL SELECT 'event trigger', count(*) FROM pg_catalog.pg_event_trigger o
    WHERE o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_event_trigger'::regclass)
  UNION ALL SELECT 'foreign-data wrapper', count(*) FROM pg_catalog.pg_foreign_data_wrapper o
    WHERE o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_foreign_data_wrapper'::regclass)
  UNION ALL SELECT 'foreign server', count(*) FROM pg_catalog.pg_foreign_server o
    WHERE o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_foreign_server'::regclass)
  UNION ALL SELECT 'user mapping', count(*) FROM pg_catalog.pg_user_mapping
  UNION ALL SELECT 'publication', count(*) FROM pg_catalog.pg_publication
  UNION ALL SELECT 'language', count(*) FROM pg_catalog.pg_language o
    WHERE o.oid >= 16384
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_language'::regclass)
  UNION ALL SELECT 'access method', count(*) FROM pg_catalog.pg_am o
    WHERE o.oid >= 16384
      AND o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_am'::regclass)
  UNION ALL SELECT 'transform', count(*) FROM pg_catalog.pg_transform o
    WHERE o.oid NOT IN (SELECT objid FROM ext WHERE classid = 'pg_catalog.pg_transform'::regclass)
  UNION ALL SELECT 'comment', count(*) FROM pg_catalog.pg_description d
    WHERE d.objoid >= 16384
      AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = d.classoid AND objid = d.objoid)
  UNION ALL SELECT 'security label', count(*) FROM pg_catalog.pg_seclabel
)
SELECT kind, n::bigint AS n FROM counts WHERE n > 0 ORDER BY kind

-- Schema Workbench: export the optimizer statistics of this database as one JSON document.
--
-- Read-only: it reads pg_class, pg_index and pg_stats and writes nothing. Run it as a role
-- that can read the tables (pg_stats shows only columns the role may SELECT), e.g.
--     psql -XAt -d production -f export.sql > stats.json
-- or let `workbench stats export --url URL -o stats.json` run it (which can also replace the
-- most common values of personal-data columns by stand-ins). PostgreSQL 15 or newer.
SELECT json_build_object(
  'format', 'workbench-stats/1',
  'server_version', current_setting('server_version'),
  'server_version_num', current_setting('server_version_num')::int,
  'database', current_database(),
  'exported_at', now(),
  'relations', (
    SELECT coalesce(json_agg(json_build_object(
        'schema', n.nspname,
        'name', c.relname,
        'kind', c.relkind,
        'table', CASE WHEN c.relkind = 'i' THEN tn.nspname || '.' || t.relname END,
        'reltuples', c.reltuples,
        'relpages', c.relpages,
        'relallvisible', c.relallvisible
      ) ORDER BY n.nspname, c.relname), '[]'::json)
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_index i ON i.indexrelid = c.oid
    LEFT JOIN pg_class t ON t.oid = i.indrelid
    LEFT JOIN pg_namespace tn ON tn.oid = t.relnamespace
    WHERE c.relkind IN ('r', 'p', 'm', 'i')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_toast%'
      AND n.nspname NOT LIKE 'pg\_temp%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d
                      WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
  ),
  'columns', (
    SELECT coalesce(json_agg(json_build_object(
        'schema', s.schemaname,
        'table', s.tablename,
        'column', s.attname,
        'type', format_type(a.atttypid, a.atttypmod),
        'inherited', s.inherited,
        'null_frac', s.null_frac,
        'avg_width', s.avg_width,
        'n_distinct', s.n_distinct,
        'most_common_vals', s.most_common_vals::text,
        'most_common_freqs', s.most_common_freqs,
        'histogram_bounds', s.histogram_bounds::text,
        'correlation', s.correlation,
        'most_common_elems', s.most_common_elems::text,
        'most_common_elem_freqs', s.most_common_elem_freqs,
        'elem_count_histogram', s.elem_count_histogram
      ) ORDER BY s.schemaname, s.tablename, a.attnum, s.inherited), '[]'::json)
    FROM pg_stats s
    JOIN pg_namespace n ON n.nspname = s.schemaname
    JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = s.attname
    WHERE s.schemaname NOT IN ('pg_catalog', 'information_schema')
      AND s.schemaname NOT LIKE 'pg\_toast%'
  )
);

-- Privileges on tables, views, sequences, columns, functions, schemas and types
-- that differ from the baseline: pg_init_privs when the object has an entry
-- (initdb's public schema), else acldefault() for its owner. Rows granted beyond
-- the baseline are grants, rows of the baseline that are gone are revokes; the
-- owner's own entries are left out (ownership is not exported), as are
-- pg_database_owner's (the owner of initdb's public schema). One row per
-- privilege; Python groups them.
WITH objs AS (
  SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS object_type,
    n.nspname || '.' || c.relname AS object, NULL::text AS "column",
    c.relacl AS acl, c.relowner AS owner,
    (CASE c.relkind WHEN 'S' THEN 's' ELSE 'r' END)::"char" AS acltype,
    'pg_catalog.pg_class'::regclass AS classid, c.oid AS objid, 0 AS objsubid
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND c.relacl IS NOT NULL
    AND c.relnamespace = ANY (%(ns)s::oid[])
  UNION ALL
  SELECT 'TABLE', n.nspname || '.' || c.relname, a.attname::text, a.attacl, c.relowner,
    'c'::"char", 'pg_catalog.pg_class'::regclass, c.oid, a.attnum::int
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE a.attacl IS NOT NULL AND a.attnum > 0 AND NOT a.attisdropped
    AND c.relkind IN ('r', 'p', 'v', 'm') AND c.relnamespace = ANY (%(ns)s::oid[])
  UNION ALL
  SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,
    n.nspname || '.' || p.proname || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
    NULL, p.proacl, p.proowner, 'f'::"char", 'pg_catalog.pg_proc'::regclass, p.oid, 0
  FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE p.proacl IS NOT NULL AND p.pronamespace = ANY (%(ns)s::oid[])
  UNION ALL
  SELECT 'SCHEMA', n.nspname, NULL, n.nspacl, n.nspowner, 'n'::"char",
    'pg_catalog.pg_namespace'::regclass, n.oid, 0
  FROM pg_catalog.pg_namespace n
  WHERE n.nspacl IS NOT NULL AND n.oid = ANY (%(ns)s::oid[])
  UNION ALL
  SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname || '.' || t.typname,
    NULL, t.typacl, t.typowner, 'T'::"char", 'pg_catalog.pg_type'::regclass, t.oid, 0
  FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE t.typacl IS NOT NULL AND t.typnamespace = ANY (%(ns)s::oid[])
), scoped AS (
  SELECT o.* FROM objs o
  WHERE NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend x
    WHERE x.classid = o.classid AND x.objid = o.objid AND x.deptype = 'e')
), baseline AS (
  SELECT s.*, COALESCE(
      (SELECT ip.initprivs FROM pg_catalog.pg_init_privs ip
       WHERE ip.classoid = s.classid AND ip.objoid = s.objid AND ip.objsubid = s.objsubid),
      CASE WHEN s.acltype <> 'c' THEN pg_catalog.acldefault(s.acltype, s.owner) END
    ) AS base
  FROM scoped s
), actual AS (
  SELECT DISTINCT b.object_type, b.object, b."column", b.owner, x.grantee, x.privilege_type, x.is_grantable
  FROM baseline b, pg_catalog.aclexplode(b.acl) x
), base AS (
  SELECT DISTINCT b.object_type, b.object, b."column", b.owner, x.grantee, x.privilege_type, x.is_grantable
  FROM baseline b, pg_catalog.aclexplode(b.base) x
), changes AS (
  SELECT a.*, false AS revoked FROM actual a
  WHERE NOT EXISTS (
    SELECT 1 FROM base z
    WHERE (z.object_type, z.object, z."column", z.grantee, z.privilege_type, z.is_grantable)
      IS NOT DISTINCT FROM (a.object_type, a.object, a."column", a.grantee, a.privilege_type, a.is_grantable))
  UNION ALL
  SELECT z.*, true FROM base z
  WHERE NOT EXISTS (
    SELECT 1 FROM actual a
    WHERE (z.object_type, z.object, z."column", z.grantee, z.privilege_type)
      IS NOT DISTINCT FROM (a.object_type, a.object, a."column", a.grantee, a.privilege_type))
)
SELECT object_type, object, "column",
  CASE WHEN grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(grantee)::text END AS grantee,
  privilege_type AS privilege, is_grantable AS grantable, revoked
FROM changes
WHERE grantee <> owner
  -- pg_database_owner stands for the owner of the public schema (ALTER ... OWNER moves it)
  AND grantee <> 'pg_database_owner'::regrole
ORDER BY object_type, object, "column" NULLS FIRST, grantee, revoked, grantable, privilege

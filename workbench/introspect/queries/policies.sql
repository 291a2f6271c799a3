SELECT po.polrelid AS rel, po.polname AS name, po.polcmd, po.polpermissive AS permissive,
  ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r)::text END
        FROM unnest(po.polroles) AS r ORDER BY 1) AS roles,
  pg_catalog.pg_get_expr(po.polqual, po.polrelid) AS using,
  pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid) AS with_check,
  d.description AS comment
FROM pg_catalog.pg_policy po
JOIN pg_catalog.pg_class c ON c.oid = po.polrelid
LEFT JOIN pg_catalog.pg_description d
  ON d.objoid = po.oid AND d.classoid = 'pg_catalog.pg_policy'::regclass AND d.objsubid = 0
WHERE c.relnamespace = ANY (%(ns)s::oid[])
ORDER BY po.polrelid, po.polname

-- Schema Workbench stand-in for uuid-ossp, loaded only where the real extension is missing.
-- v4 and v3 are exact (gen_random_uuid, md5 with the version bits set); v1, v1mc and v5 need
-- C code the embedded build lacks, so they fail with a message that says what to use instead.
\echo Use "CREATE EXTENSION ""uuid-ossp""" to load this file. \quit

CREATE FUNCTION uuid_nil() RETURNS uuid IMMUTABLE PARALLEL SAFE LANGUAGE sql
AS $$ SELECT '00000000-0000-0000-0000-000000000000'::uuid $$;
CREATE FUNCTION uuid_ns_dns() RETURNS uuid IMMUTABLE PARALLEL SAFE LANGUAGE sql
AS $$ SELECT '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION uuid_ns_url() RETURNS uuid IMMUTABLE PARALLEL SAFE LANGUAGE sql
AS $$ SELECT '6ba7b811-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION uuid_ns_oid() RETURNS uuid IMMUTABLE PARALLEL SAFE LANGUAGE sql
AS $$ SELECT '6ba7b812-9dad-11d1-80b4-00c04fd430c8'::uuid $$;
CREATE FUNCTION uuid_ns_x500() RETURNS uuid IMMUTABLE PARALLEL SAFE LANGUAGE sql
AS $$ SELECT '6ba7b814-9dad-11d1-80b4-00c04fd430c8'::uuid $$;

CREATE FUNCTION uuid_generate_v4() RETURNS uuid VOLATILE PARALLEL SAFE LANGUAGE sql
AS $$ SELECT gen_random_uuid() $$;

CREATE FUNCTION uuid_generate_v3(namespace uuid, name text) RETURNS uuid
IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql AS $$
  SELECT encode(
    set_byte(set_byte(h, 6, (get_byte(h, 6) & 15) | 48), 8, (get_byte(h, 8) & 63) | 128),
    'hex')::uuid
  FROM (SELECT decode(md5(uuid_send(namespace) || convert_to(name, 'UTF8')), 'hex') AS h) AS d
$$;

CREATE FUNCTION uuid_generate_v1() RETURNS uuid VOLATILE LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'uuid_generate_v1() is not available on this server'
    USING HINT = 'The embedded PostgreSQL lacks the C uuid-ossp module: use gen_random_uuid() '
                 '(or uuidv7() on PostgreSQL 18), or the system backend (WORKBENCH_BACKEND=system).';
END $$;
CREATE FUNCTION uuid_generate_v1mc() RETURNS uuid VOLATILE LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'uuid_generate_v1mc() is not available on this server'
    USING HINT = 'Use gen_random_uuid() or the system backend (WORKBENCH_BACKEND=system).';
END $$;
CREATE FUNCTION uuid_generate_v5(namespace uuid, name text) RETURNS uuid
IMMUTABLE STRICT LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'uuid_generate_v5() is not available on this server'
    USING HINT = 'It needs SHA-1 from the C module: use uuid_generate_v3() or the system backend.';
END $$;

-- Schema Workbench stand-in for pgcrypto, loaded only where the real extension is missing.
-- Rails' db/structure.sql and many dumps carry CREATE EXTENSION pgcrypto yet only call the
-- core gen_random_uuid(). What can be exact in SQL is: digest() and hmac() for md5, sha224,
-- sha256, sha384 and sha512 (core's md5/sha2 functions plus the RFC 2104 construction),
-- and gen_random_bytes() (bytes of gen_random_uuid(), which comes from the server's strong
-- random source, minus its fixed version and variant bits). crypt(), gen_salt(), sha1 and
-- the encrypt/PGP functions need C code: they fail with a message that says what to use.
\echo Use "CREATE EXTENSION pgcrypto" to load this file. \quit

CREATE FUNCTION digest(bytea, text) RETURNS bytea IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
BEGIN
  CASE lower($2)
    WHEN 'md5' THEN RETURN decode(md5($1), 'hex');
    WHEN 'sha224' THEN RETURN sha224($1);
    WHEN 'sha256' THEN RETURN sha256($1);
    WHEN 'sha384' THEN RETURN sha384($1);
    WHEN 'sha512' THEN RETURN sha512($1);
    ELSE RAISE EXCEPTION 'Cannot use "%": No such hash algorithm', $2
      USING HINT = 'This is Schema Workbench''s SQL stand-in for pgcrypto (the embedded PostgreSQL '
                   'lacks the C module): md5, sha224, sha256, sha384 and sha512 are exact; for '
                   'others use the system backend (WORKBENCH_BACKEND=system).';
  END CASE;
END $$;

CREATE FUNCTION digest(text, text) RETURNS bytea IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
AS $$ SELECT digest(convert_to($1, 'UTF8'), $2) $$;

CREATE FUNCTION hmac(bytea, bytea, text) RETURNS bytea IMMUTABLE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
DECLARE
  block int := CASE lower($3) WHEN 'sha384' THEN 128 WHEN 'sha512' THEN 128 ELSE 64 END;
  k bytea := $2;
  ipad bytea;
  opad bytea;
BEGIN
  IF length(k) > block THEN
    k := digest(k, $3);
  END IF;
  k := k || decode(repeat('00', block - length(k)), 'hex');
  ipad := k;
  opad := k;
  FOR i IN 0 .. block - 1 LOOP
    ipad := set_byte(ipad, i, get_byte(k, i) # 54);   -- 0x36
    opad := set_byte(opad, i, get_byte(k, i) # 92);   -- 0x5c
  END LOOP;
  RETURN digest(opad || digest(ipad || $1, $3), $3);
END $$;

CREATE FUNCTION hmac(text, text, text) RETURNS bytea IMMUTABLE STRICT PARALLEL SAFE LANGUAGE sql
AS $$ SELECT hmac(convert_to($1, 'UTF8'), convert_to($2, 'UTF8'), $3) $$;

CREATE FUNCTION gen_random_bytes(integer) RETURNS bytea VOLATILE STRICT PARALLEL SAFE LANGUAGE plpgsql AS $$
DECLARE
  out bytea := '';
  u bytea;
BEGIN
  IF $1 < 1 OR $1 > 1024 THEN
    RAISE EXCEPTION 'Length not in range';
  END IF;
  WHILE length(out) < $1 LOOP
    u := uuid_send(gen_random_uuid());
    -- bytes 6 and 8 carry the version and variant bits; the other 14 are uniformly random
    out := out || substring(u FROM 1 FOR 6) || substring(u FROM 8 FOR 1) || substring(u FROM 10 FOR 7);
  END LOOP;
  RETURN substring(out FROM 1 FOR $1);
END $$;

CREATE FUNCTION _wb_pgcrypto_missing(fn text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '%() is not available on this server', fn
    USING HINT = 'The embedded PostgreSQL lacks the C pgcrypto module and Schema Workbench''s SQL '
                 'stand-in cannot do this exactly: use the system backend (WORKBENCH_BACKEND=system, '
                 'or backend="auto"), or a server that has pgcrypto (WORKBENCH_DATABASE_URL).';
END $$;

CREATE FUNCTION crypt(text, text) RETURNS text VOLATILE LANGUAGE plpgsql AS $$
BEGIN PERFORM _wb_pgcrypto_missing('crypt'); RETURN NULL; END $$;
CREATE FUNCTION gen_salt(text) RETURNS text VOLATILE LANGUAGE plpgsql AS $$
BEGIN PERFORM _wb_pgcrypto_missing('gen_salt'); RETURN NULL; END $$;
CREATE FUNCTION gen_salt(text, integer) RETURNS text VOLATILE LANGUAGE plpgsql AS $$
BEGIN PERFORM _wb_pgcrypto_missing('gen_salt'); RETURN NULL; END $$;
CREATE FUNCTION encrypt(bytea, bytea, text) RETURNS bytea VOLATILE LANGUAGE plpgsql AS $$
BEGIN PERFORM _wb_pgcrypto_missing('encrypt'); RETURN NULL; END $$;
CREATE FUNCTION decrypt(bytea, bytea, text) RETURNS bytea VOLATILE LANGUAGE plpgsql AS $$
BEGIN PERFORM _wb_pgcrypto_missing('decrypt'); RETURN NULL; END $$;
CREATE FUNCTION pgp_sym_encrypt(text, text) RETURNS bytea VOLATILE LANGUAGE plpgsql AS $$
BEGIN PERFORM _wb_pgcrypto_missing('pgp_sym_encrypt'); RETURN NULL; END $$;
CREATE FUNCTION pgp_sym_decrypt(bytea, text) RETURNS text VOLATILE LANGUAGE plpgsql AS $$
BEGIN PERFORM _wb_pgcrypto_missing('pgp_sym_decrypt'); RETURN NULL; END $$;
CREATE FUNCTION armor(bytea) RETURNS text VOLATILE LANGUAGE plpgsql AS $$
BEGIN PERFORM _wb_pgcrypto_missing('armor'); RETURN NULL; END $$;

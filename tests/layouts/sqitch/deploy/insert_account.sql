-- Deploy flipr:insert_account to pg (reworked after v1.0)
-- requires: accounts

BEGIN;

CREATE OR REPLACE FUNCTION flipr.insert_account(email text) RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO flipr.accounts (email) VALUES (lower($1)) RETURNING id;
$$;

COMMIT;

-- Deploy flipr:insert_account to pg
-- requires: accounts

BEGIN;

CREATE OR REPLACE FUNCTION flipr.insert_account(email text) RETURNS bigint
LANGUAGE sql AS $$
    INSERT INTO flipr.accounts (email) VALUES ($1) RETURNING id;
$$;

COMMIT;

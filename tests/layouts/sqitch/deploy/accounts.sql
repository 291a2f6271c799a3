-- Deploy flipr:accounts to pg
-- requires: appschema

BEGIN;

CREATE TABLE flipr.accounts (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE
);

COMMIT;

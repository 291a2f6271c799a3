-- Deploy flipr:projects to pg
-- requires: accounts

BEGIN;

CREATE TABLE flipr.projects (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES flipr.accounts
);

COMMIT;

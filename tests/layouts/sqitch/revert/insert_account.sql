-- Revert flipr:insert_account from pg

BEGIN;

-- (revert)

COMMIT;

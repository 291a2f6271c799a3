-- Revert flipr:accounts from pg

BEGIN;

-- (revert)

COMMIT;

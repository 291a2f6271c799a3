-- Revert flipr:projects from pg

BEGIN;

-- (revert)

COMMIT;

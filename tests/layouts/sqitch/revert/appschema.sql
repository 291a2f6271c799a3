-- Revert flipr:appschema from pg

BEGIN;

-- (revert)

COMMIT;

-- Verify flipr:accounts on pg

BEGIN;

SELECT 1;

ROLLBACK;

-- Verify flipr:insert_account on pg

BEGIN;

SELECT 1;

ROLLBACK;

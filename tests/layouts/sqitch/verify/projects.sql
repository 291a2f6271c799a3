-- Verify flipr:projects on pg

BEGIN;

SELECT 1;

ROLLBACK;

-- Verify flipr:appschema on pg

BEGIN;

SELECT 1;

ROLLBACK;

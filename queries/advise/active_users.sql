-- Trap: low selectivity. Most users are active; an index on is_active is useless.
SELECT count(*)
FROM users AS u
WHERE u.is_active = true;

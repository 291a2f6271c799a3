-- Trap: low selectivity. Most users are active; an index on is_active does not help a query reading whole rows.
SELECT u.id, u.email, u.display_name, u.last_login_at, u.created_at
FROM users AS u
WHERE u.is_active = true;

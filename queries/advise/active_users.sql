-- Trap: low selectivity. Most users are active; an index on is_active does not help.
SELECT count(*) AS users, max(u.created_at) AS newest, max(u.last_login_at) AS last_login
FROM users AS u
WHERE u.is_active = true;

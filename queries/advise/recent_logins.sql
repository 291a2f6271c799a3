-- Users who logged in within a day of the latest login: a range predicate on an unindexed column.
SELECT u.id, u.email
FROM users AS u
WHERE u.last_login_at >= (SELECT max(x.last_login_at) FROM users AS x) - interval '1 day';

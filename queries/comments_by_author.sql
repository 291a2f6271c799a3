-- What has one user (the first user by id) commented, newest first? Filters on comments.author_id, the deliberately unindexed foreign key.
SELECT c.id,
       c.task_id,
       c.created_at,
       left(c.body, 80) AS excerpt
FROM comments AS c
WHERE c.author_id = (SELECT u.id FROM users AS u ORDER BY u.id LIMIT 1)
ORDER BY c.created_at DESC;

-- One user's comments, newest first: comments.author_id has no index (a foreign key left bare on purpose).
SELECT c.id, c.task_id, c.created_at
FROM comments AS c
WHERE c.author_id = (SELECT u.id FROM users AS u ORDER BY u.id LIMIT 1)
ORDER BY c.created_at DESC;

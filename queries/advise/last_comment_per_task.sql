-- Trap: gains only from a covering index. idx_comments_task_id exists, but the newest comment per task needs created_at too.
SELECT c.task_id, max(c.created_at) AS last_comment_at
FROM comments AS c
GROUP BY c.task_id
ORDER BY last_comment_at DESC
LIMIT 20;

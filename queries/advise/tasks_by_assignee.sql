-- Trap: already served. tasks.assignee_id has idx_tasks_assignee_id, so the advisor should add nothing here.
SELECT t.id, t.title, t.status, t.due_date
FROM tasks AS t
WHERE t.assignee_id = (SELECT u.id FROM users AS u ORDER BY u.id LIMIT 1);

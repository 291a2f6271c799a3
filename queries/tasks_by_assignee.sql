-- Which open tasks (todo or in progress) are assigned to one user (the first user by id), soonest due date first?
SELECT t.id,
       t.title,
       t.status,
       t.priority,
       t.due_date
FROM tasks AS t
WHERE t.assignee_id = (SELECT u.id FROM users AS u ORDER BY u.id LIMIT 1)
  AND t.status IN ('todo', 'in_progress')
ORDER BY t.due_date NULLS LAST, t.id;

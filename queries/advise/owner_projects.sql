-- Trap: already served. Projects of one owner with their task counts: idx_projects_owner_id and idx_tasks_project_id do the work.
SELECT p.name, count(t.id) AS tasks
FROM projects AS p
LEFT JOIN tasks AS t ON t.project_id = p.id
WHERE p.owner_id = (SELECT u.id FROM users AS u ORDER BY u.id LIMIT 1)
GROUP BY p.name;

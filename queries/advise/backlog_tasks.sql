-- Trap: low selectivity. About a third of all tasks are in the backlog; an index on status does not help.
SELECT count(*) AS tasks, avg(t.priority) AS mean_priority, max(t.due_date) AS last_due
FROM tasks AS t
WHERE t.status = 'backlog';

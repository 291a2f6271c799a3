-- Trap: low selectivity. About a third of all tasks are in the backlog; an index on status does not help.
SELECT t.id, t.title, t.priority
FROM tasks AS t
WHERE t.status = 'backlog';

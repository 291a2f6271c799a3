-- For every project, with its organisation: how many open tasks (neither done nor cancelled) and how many tasks in total?
SELECT o.name                                                      AS organisation_name,
       p.name                                                      AS project_name,
       count(t.id) FILTER (WHERE t.status NOT IN ('done', 'cancelled')) AS open_tasks,
       count(t.id)                                                 AS total_tasks
FROM projects AS p
JOIN organisations AS o ON o.id = p.organisation_id
LEFT JOIN tasks AS t ON t.project_id = p.id
GROUP BY o.id, o.name, p.id, p.name
ORDER BY open_tasks DESC, o.name, p.name;

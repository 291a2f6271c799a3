-- 100_views.sql
-- Convenience views.
--
-- security_invoker (PostgreSQL 15+) makes the view run with the privileges
-- and row-level-security policies of the querying role instead of the view
-- owner, so app_user sees only its own organisation's projects through it.

CREATE VIEW open_tasks_per_project
WITH (security_invoker = true)
AS
SELECT
    p.id                                                    AS project_id,
    p.organisation_id                                       AS organisation_id,
    p.name                                                  AS project_name,
    count(t.id)                                             AS open_task_count,
    count(t.id) FILTER (WHERE t.due_date < current_date)    AS overdue_task_count,
    min(t.due_date)                                         AS next_due_date
FROM projects AS p
LEFT JOIN tasks AS t
       ON t.project_id = p.id
      AND t.status NOT IN ('done', 'cancelled')
WHERE p.archived_at IS NULL
GROUP BY p.id, p.organisation_id, p.name;

COMMENT ON VIEW open_tasks_per_project IS
    'One row per non-archived project with the number of open tasks (status other than done and cancelled), how many of them are overdue, and the earliest due date. Projects without open tasks appear with zero counts.';
COMMENT ON COLUMN open_tasks_per_project.project_id IS
    'The project (projects.id).';
COMMENT ON COLUMN open_tasks_per_project.organisation_id IS
    'Organisation owning the project.';
COMMENT ON COLUMN open_tasks_per_project.project_name IS
    'Project name, for display.';
COMMENT ON COLUMN open_tasks_per_project.open_task_count IS
    'Number of tasks of the project that are neither done nor cancelled.';
COMMENT ON COLUMN open_tasks_per_project.overdue_task_count IS
    'Open tasks whose due_date is before today.';
COMMENT ON COLUMN open_tasks_per_project.next_due_date IS
    'Earliest due date among the open tasks; NULL if none has a due date.';

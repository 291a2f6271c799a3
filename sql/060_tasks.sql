-- 060_tasks.sql
-- Units of work inside a project. Tasks can have sub-tasks (self-reference).

CREATE TABLE tasks (
    id              uuid          NOT NULL DEFAULT uuid_generate_v4(),
    project_id      uuid          NOT NULL,
    parent_task_id  uuid,
    assignee_id     uuid,
    reporter_id     uuid,
    title           varchar(300)  NOT NULL,
    description     text,
    status          task_status   NOT NULL DEFAULT 'todo',
    priority        smallint      NOT NULL DEFAULT 3,
    estimate_hours  numeric(6, 2),
    start_date      date,
    due_date        date,
    completed_at    timestamptz,
    created_at      timestamptz   NOT NULL DEFAULT now(),
    updated_at      timestamptz   NOT NULL DEFAULT now(),

    CONSTRAINT tasks_pkey PRIMARY KEY (id),
    CONSTRAINT tasks_project_id_fkey
        FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    -- Self-reference: deleting a task deletes its sub-tasks.
    CONSTRAINT tasks_parent_task_id_fkey
        FOREIGN KEY (parent_task_id) REFERENCES tasks (id) ON DELETE CASCADE,
    -- SET NULL on nullable FKs: the task survives its assignee or reporter.
    CONSTRAINT tasks_assignee_id_fkey
        FOREIGN KEY (assignee_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT tasks_reporter_id_fkey
        FOREIGN KEY (reporter_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT tasks_not_own_parent_check CHECK (parent_task_id <> id),
    CONSTRAINT tasks_title_check CHECK (btrim(title) <> ''),
    CONSTRAINT tasks_priority_check CHECK (priority BETWEEN 1 AND 5),
    CONSTRAINT tasks_estimate_hours_check CHECK (estimate_hours > 0),
    -- Cross-column check (NULL dates pass, as CHECK treats NULL as true).
    CONSTRAINT tasks_dates_check CHECK (due_date >= start_date)
);

CREATE INDEX idx_tasks_project_id ON tasks (project_id);
CREATE INDEX idx_tasks_parent_task_id ON tasks (parent_task_id);
CREATE INDEX idx_tasks_assignee_id ON tasks (assignee_id);
CREATE INDEX idx_tasks_reporter_id ON tasks (reporter_id);

-- Partial index: only open tasks are ever searched by due date ("what is
-- overdue / due this week"), and closed tasks pile up over time, so leave
-- them out of the index.
CREATE INDEX idx_tasks_due_date_open
    ON tasks (due_date)
    WHERE status NOT IN ('done', 'cancelled');

CREATE TRIGGER update_tasks_updated_at
    BEFORE UPDATE ON tasks
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE tasks IS
    'Work items of a project, optionally nested under a parent task. Protected by row-level security through the owning project''s organisation.';
COMMENT ON COLUMN tasks.id IS
    'Surrogate primary key.';
COMMENT ON COLUMN tasks.project_id IS
    'Project the task belongs to; tasks are cascade-deleted with their project.';
COMMENT ON COLUMN tasks.parent_task_id IS
    'Parent task when this is a sub-task (self-reference); NULL for top-level tasks. Sub-tasks are deleted with their parent.';
COMMENT ON COLUMN tasks.assignee_id IS
    'User currently responsible for the task; NULL when unassigned or when the assignee account is deleted.';
COMMENT ON COLUMN tasks.reporter_id IS
    'User who created the task; set to NULL if that account is deleted.';
COMMENT ON COLUMN tasks.title IS
    'One-line summary shown on boards and lists; must not be blank.';
COMMENT ON COLUMN tasks.description IS
    'Detailed description in Markdown; optional.';
COMMENT ON COLUMN tasks.status IS
    'Workflow state (PostgreSQL ENUM task_status); done and cancelled count as closed, every other value as open.';
COMMENT ON COLUMN tasks.priority IS
    'Urgency from 1 (highest) to 5 (lowest); 3 is normal.';
COMMENT ON COLUMN tasks.estimate_hours IS
    'Estimated effort in hours (two decimals); NULL when not estimated, otherwise positive.';
COMMENT ON COLUMN tasks.start_date IS
    'Date work is planned to begin; optional.';
COMMENT ON COLUMN tasks.due_date IS
    'Deadline; optional, cannot be earlier than start_date when both are set.';
COMMENT ON COLUMN tasks.completed_at IS
    'When the task last moved to done; NULL for tasks that are not done.';
COMMENT ON COLUMN tasks.created_at IS
    'When the task was created.';
COMMENT ON COLUMN tasks.updated_at IS
    'When the row was last modified; maintained by the update_tasks_updated_at trigger.';

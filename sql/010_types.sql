-- 010_types.sql
-- Enumerated types.
--
-- Two enum styles are used in this schema on purpose:
--   * a native PostgreSQL ENUM (task_status, below): compact, ordered, and
--     type-checked, but adding values needs ALTER TYPE and values cannot be
--     removed without rebuilding the type;
--   * VARCHAR + CHECK (memberships.role, invitations.role, organisations.plan):
--     easy to change with a constraint swap, portable across ORMs.

CREATE TYPE task_status AS ENUM (
    'backlog',
    'todo',
    'in_progress',
    'in_review',
    'done',
    'cancelled'
);

COMMENT ON TYPE task_status IS
    'Workflow state of a task. Declaration order is the board order; done and cancelled are the closed states.';

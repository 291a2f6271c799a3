-- 110_security.sql
-- Application role, privileges and row-level security.
--
-- Roles are cluster-wide, not per database: the role may already exist
-- because another database on the same server loaded this schema, possibly
-- at the same moment. Create it only if missing and tolerate losing that
-- race, so this file is safe to run in any number of fresh databases.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app_user') THEN
        CREATE ROLE app_user NOLOGIN;
    END IF;
EXCEPTION
    WHEN duplicate_object OR unique_violation THEN
        NULL;  -- created concurrently by another session; nothing to do
END
$$;

-- app_user is a group role (NOLOGIN): the application's login role is
-- granted membership in it. Privileges below are per database.
GRANT USAGE ON SCHEMA public TO app_user;

GRANT SELECT, INSERT, UPDATE, DELETE ON
    organisations,
    users,
    user_profiles,
    memberships,
    invitations,
    projects,
    tasks,
    tags,
    task_tags,
    comments,
    attachments,
    api_tokens
TO app_user;

-- The audit log is append-only for the application.
GRANT SELECT, INSERT ON audit_log TO app_user;

GRANT SELECT ON open_tasks_per_project TO app_user;


-- Row-level security: tenant isolation.
--
-- The application runs, per transaction,
--     SET LOCAL app.current_organisation_id = '<organisation uuid>';
-- and the policies compare against that setting. current_setting(..., true)
-- returns NULL when the setting was never defined, and NULLIF turns the
-- empty string (what a reset custom setting reads as) into NULL as well, so
-- a session without a tenant sees no rows instead of raising an error.
--
-- The table owner (the role that runs these migrations) and superusers
-- bypass RLS; only app_user is subject to it.

ALTER TABLE projects ENABLE ROW LEVEL SECURITY;

CREATE POLICY tenant_isolation ON projects
    FOR ALL
    TO app_user
    USING (organisation_id = NULLIF(current_setting('app.current_organisation_id', true), '')::uuid)
    WITH CHECK (organisation_id = NULLIF(current_setting('app.current_organisation_id', true), '')::uuid);

COMMENT ON POLICY tenant_isolation ON projects IS
    'app_user sees and writes only projects of the organisation named in the app.current_organisation_id setting.';


ALTER TABLE tasks ENABLE ROW LEVEL SECURITY;

-- tasks has no organisation_id of its own; it is reached through its project.
CREATE POLICY tenant_isolation ON tasks
    FOR ALL
    TO app_user
    USING (
        EXISTS (
            SELECT 1
            FROM projects AS p
            WHERE p.id = tasks.project_id
              AND p.organisation_id = NULLIF(current_setting('app.current_organisation_id', true), '')::uuid
        )
    )
    WITH CHECK (
        EXISTS (
            SELECT 1
            FROM projects AS p
            WHERE p.id = tasks.project_id
              AND p.organisation_id = NULLIF(current_setting('app.current_organisation_id', true), '')::uuid
        )
    );

COMMENT ON POLICY tenant_isolation ON tasks IS
    'app_user sees and writes only tasks whose project belongs to the organisation named in the app.current_organisation_id setting.';

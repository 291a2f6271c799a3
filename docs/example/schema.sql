--
-- Schema DDL exported by Schema Workbench (workbench.export.ddl.render_ddl).
-- Deterministic: equal schemas give byte-identical files. No ownership; privileges
-- as GRANT/REVOKE against PostgreSQL's defaults.
--

SET check_function_bodies = off;
SET client_min_messages = warning;
SET search_path = public;


-- Roles named by policies and grants (created only when missing; cluster-wide)
DO $roles$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'app_user') THEN
        CREATE ROLE app_user NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
END
$roles$;


-- Extensions

CREATE EXTENSION IF NOT EXISTS "uuid-ossp" WITH SCHEMA public;


-- Schemas

COMMENT ON SCHEMA public IS 'standard public schema';

CREATE TYPE public.task_status AS ENUM (
    'backlog',
    'todo',
    'in_progress',
    'in_review',
    'done',
    'cancelled'
);
COMMENT ON TYPE public.task_status IS 'Workflow state of a task. Declaration order is the board order; done and cancelled are the closed states.';

CREATE OR REPLACE FUNCTION public.update_updated_at_column()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    NEW.updated_at = now();
    RETURN NEW;
END;
$function$;
COMMENT ON FUNCTION public.update_updated_at_column() IS 'BEFORE UPDATE row trigger: stamps NEW.updated_at with the transaction timestamp so the application cannot forget to.';


-- Table public.api_tokens
CREATE TABLE public.api_tokens (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    user_id uuid NOT NULL,
    organisation_id uuid NOT NULL,
    name character varying(100) NOT NULL,
    token_prefix character varying(16) NOT NULL,
    token_hash text NOT NULL,
    scopes text[] DEFAULT '{}'::text[] NOT NULL,
    last_used_at timestamp with time zone,
    expires_at timestamp with time zone,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT api_tokens_expiry_check CHECK ((expires_at > created_at)),
    CONSTRAINT api_tokens_name_check CHECK ((btrim((name)::text) <> ''::text)),
    CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash)
);
COMMENT ON TABLE public.api_tokens IS 'Long-lived bearer tokens a user creates for scripts and integrations, valid in one organisation. The secret is shown once at creation; only its hash is stored.';
COMMENT ON COLUMN public.api_tokens.id IS 'Surrogate primary key.';
COMMENT ON COLUMN public.api_tokens.user_id IS 'User the token acts as; tokens are deleted with the user.';
COMMENT ON COLUMN public.api_tokens.organisation_id IS 'Organisation the token is valid in; tokens are deleted with the organisation.';
COMMENT ON COLUMN public.api_tokens.name IS 'Label chosen by the user to recognise the token, e.g. CI pipeline.';
COMMENT ON COLUMN public.api_tokens.token_prefix IS 'First characters of the token (e.g. swb_3f9a), safe to display so users can tell tokens apart.';
COMMENT ON COLUMN public.api_tokens.token_hash IS 'Sensitive: SHA-256 hex digest of the full token, looked up on each request. The plain token is never stored.';
COMMENT ON COLUMN public.api_tokens.scopes IS 'Permissions granted to the token, e.g. {tasks:read,tasks:write}; empty array means no access beyond identification.';
COMMENT ON COLUMN public.api_tokens.last_used_at IS 'When the token last authenticated a request; NULL if never used.';
COMMENT ON COLUMN public.api_tokens.expires_at IS 'Expiry instant; NULL for a token that does not expire. Must be after created_at.';
COMMENT ON COLUMN public.api_tokens.revoked_at IS 'When the token was revoked; a revoked token is rejected even before expiry.';
COMMENT ON COLUMN public.api_tokens.created_at IS 'When the token was issued.';
COMMENT ON COLUMN public.api_tokens.updated_at IS 'When the row was last modified (including last_used_at bumps); maintained by the update_api_tokens_updated_at trigger.';
CREATE INDEX idx_api_tokens_organisation_id ON public.api_tokens USING btree (organisation_id);
CREATE INDEX idx_api_tokens_user_id ON public.api_tokens USING btree (user_id);
CREATE TRIGGER update_api_tokens_updated_at BEFORE UPDATE ON public.api_tokens FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- Table public.attachments
CREATE TABLE public.attachments (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    task_id uuid NOT NULL,
    uploader_id uuid,
    file_name character varying(255) NOT NULL,
    content_type character varying(127) DEFAULT 'application/octet-stream'::character varying NOT NULL,
    byte_size bigint NOT NULL,
    storage_key text NOT NULL,
    checksum_sha256 character(64),
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT attachments_byte_size_check CHECK ((byte_size > 0)),
    CONSTRAINT attachments_checksum_sha256_check CHECK ((checksum_sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT attachments_content_type_check CHECK (((content_type)::text ~ '^[a-z]+/[A-Za-z0-9.+-]+$'::text)),
    CONSTRAINT attachments_file_name_check CHECK ((btrim((file_name)::text) <> ''::text)),
    CONSTRAINT attachments_pkey PRIMARY KEY (id),
    CONSTRAINT attachments_storage_key_key UNIQUE (storage_key)
);
COMMENT ON TABLE public.attachments IS 'Metadata of files uploaded to a task; the content itself is in object storage under storage_key. Deleting the row does not delete the object (a cleanup job does).';
COMMENT ON COLUMN public.attachments.id IS 'Surrogate primary key, generated with the built-in gen_random_uuid().';
COMMENT ON COLUMN public.attachments.task_id IS 'Task the file is attached to; attachment rows are cascade-deleted with it.';
COMMENT ON COLUMN public.attachments.uploader_id IS 'User who uploaded the file; set to NULL if that account is deleted.';
COMMENT ON COLUMN public.attachments.file_name IS 'Original file name as uploaded, used for the download Content-Disposition.';
COMMENT ON COLUMN public.attachments.content_type IS 'MIME type such as image/png, as detected at upload time.';
COMMENT ON COLUMN public.attachments.byte_size IS 'File size in bytes; positive.';
COMMENT ON COLUMN public.attachments.storage_key IS 'Unique object key in the storage bucket, e.g. org/<uuid>/tasks/<uuid>/<uuid>.';
COMMENT ON COLUMN public.attachments.checksum_sha256 IS 'Lower-case hex SHA-256 of the content, for integrity checks and de-duplication; NULL until computed.';
COMMENT ON COLUMN public.attachments.created_at IS 'When the file was uploaded.';
COMMENT ON COLUMN public.attachments.updated_at IS 'When the metadata was last modified (e.g. renamed); maintained by the update_attachments_updated_at trigger.';
CREATE INDEX idx_attachments_task_id ON public.attachments USING btree (task_id);
CREATE INDEX idx_attachments_uploader_id ON public.attachments USING btree (uploader_id);
CREATE TRIGGER update_attachments_updated_at BEFORE UPDATE ON public.attachments FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- Table public.audit_log
CREATE TABLE public.audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY NOT NULL,
    organisation_id uuid,
    actor_id uuid,
    action character varying(100) NOT NULL,
    entity_type character varying(50) NOT NULL,
    entity_id uuid,
    payload jsonb DEFAULT '{}'::jsonb NOT NULL,
    ip_address inet,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT audit_log_action_check CHECK ((btrim((action)::text) <> ''::text)),
    CONSTRAINT audit_log_payload_check CHECK ((jsonb_typeof(payload) = 'object'::text)),
    CONSTRAINT audit_log_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE public.audit_log IS 'Append-only audit trail of security- and data-relevant actions. The application only INSERTs and SELECTs (app_user has no UPDATE or DELETE on it); entries go away only with their organisation.';
COMMENT ON COLUMN public.audit_log.id IS 'Identity primary key (bigint GENERATED ALWAYS AS IDENTITY); increases with insertion order.';
COMMENT ON COLUMN public.audit_log.organisation_id IS 'Tenant the action happened in; NULL for installation-wide events such as a user signing up.';
COMMENT ON COLUMN public.audit_log.actor_id IS 'User who performed the action; NULL for system jobs or after the user account was deleted.';
COMMENT ON COLUMN public.audit_log.action IS 'What happened, as a dotted verb such as task.created, membership.role_changed or api_token.revoked.';
COMMENT ON COLUMN public.audit_log.entity_type IS 'Kind of object acted on, normally the table name (task, project, membership, ...).';
COMMENT ON COLUMN public.audit_log.entity_id IS 'Primary key of the object acted on; not a foreign key, so the entry survives the object''s deletion.';
COMMENT ON COLUMN public.audit_log.payload IS 'Action details as a JSON object, e.g. {"before": {...}, "after": {...}}; defaults to {}. Must never contain secrets.';
COMMENT ON COLUMN public.audit_log.ip_address IS 'Client IP address of the request, when the action came from one.';
COMMENT ON COLUMN public.audit_log.created_at IS 'When the action happened.';
CREATE INDEX idx_audit_log_actor_id ON public.audit_log USING btree (actor_id);
CREATE INDEX idx_audit_log_entity_type_entity_id ON public.audit_log USING btree (entity_type, entity_id);
CREATE INDEX idx_audit_log_organisation_id_created_at ON public.audit_log USING btree (organisation_id, created_at DESC);


-- Table public.comments
CREATE TABLE public.comments (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    task_id uuid NOT NULL,
    author_id uuid,
    parent_comment_id uuid,
    body text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT comments_body_check CHECK (((btrim(body) <> ''::text) AND (char_length(body) <= 10000))),
    CONSTRAINT comments_not_own_parent_check CHECK ((parent_comment_id <> id)),
    CONSTRAINT comments_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE public.comments IS 'Discussion messages on a task, threaded through parent_comment_id. Deleted with their task.';
COMMENT ON COLUMN public.comments.id IS 'Surrogate primary key.';
COMMENT ON COLUMN public.comments.task_id IS 'Task under discussion; comments are cascade-deleted with it.';
COMMENT ON COLUMN public.comments.author_id IS 'User who wrote the comment; NULL once that account is deleted. Deliberately NOT indexed (see the note in 070_comments.sql).';
COMMENT ON COLUMN public.comments.parent_comment_id IS 'Comment this one replies to (self-reference); NULL for a top-level comment.';
COMMENT ON COLUMN public.comments.body IS 'Comment text in Markdown, non-blank and at most 10000 characters.';
COMMENT ON COLUMN public.comments.created_at IS 'When the comment was posted.';
COMMENT ON COLUMN public.comments.updated_at IS 'When the comment was last edited; equal to created_at if never edited. Maintained by the update_comments_updated_at trigger.';
CREATE INDEX idx_comments_parent_comment_id ON public.comments USING btree (parent_comment_id);
CREATE INDEX idx_comments_task_id ON public.comments USING btree (task_id);
CREATE TRIGGER update_comments_updated_at BEFORE UPDATE ON public.comments FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- Table public.invitations
CREATE TABLE public.invitations (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    organisation_id uuid NOT NULL,
    inviter_id uuid,
    email character varying(255) NOT NULL,
    role character varying(20) DEFAULT 'member'::character varying NOT NULL,
    token_hash text NOT NULL,
    expires_at timestamp with time zone DEFAULT (now() + '7 days'::interval) NOT NULL,
    accepted_at timestamp with time zone,
    revoked_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT invitations_accepted_or_revoked_check CHECK (((accepted_at IS NULL) OR (revoked_at IS NULL))),
    CONSTRAINT invitations_email_format_check CHECK (((email)::text ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'::text)),
    CONSTRAINT invitations_email_lowercase_check CHECK (((email)::text = lower((email)::text))),
    CONSTRAINT invitations_expiry_check CHECK ((expires_at > created_at)),
    CONSTRAINT invitations_pkey PRIMARY KEY (id),
    CONSTRAINT invitations_role_check CHECK ((role IN ('admin'::character varying, 'member'::character varying, 'viewer'::character varying))),
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash)
);
COMMENT ON TABLE public.invitations IS 'Email invitations to join an organisation. An invitation is pending until accepted, revoked or expired; the accepting user gets a membership with the invited role.';
COMMENT ON COLUMN public.invitations.id IS 'Surrogate primary key.';
COMMENT ON COLUMN public.invitations.organisation_id IS 'Organisation the invitee is asked to join; invitations are deleted with it.';
COMMENT ON COLUMN public.invitations.inviter_id IS 'User who sent the invitation; set to NULL if that account is later deleted.';
COMMENT ON COLUMN public.invitations.email IS 'Address the invitation was sent to, lower case; need not belong to an existing user yet.';
COMMENT ON COLUMN public.invitations.role IS 'Role granted on acceptance (VARCHAR + CHECK enum): admin, member or viewer; owner cannot be granted by invitation.';
COMMENT ON COLUMN public.invitations.token_hash IS 'Sensitive: SHA-256 hex digest of the secret token in the invitation link. The token itself is only ever in the email, never stored.';
COMMENT ON COLUMN public.invitations.expires_at IS 'After this instant the link no longer works; defaults to seven days after creation.';
COMMENT ON COLUMN public.invitations.accepted_at IS 'When the invitee accepted; NULL while pending. Mutually exclusive with revoked_at.';
COMMENT ON COLUMN public.invitations.revoked_at IS 'When an admin withdrew the invitation; NULL unless revoked.';
COMMENT ON COLUMN public.invitations.created_at IS 'When the invitation was sent.';
COMMENT ON COLUMN public.invitations.updated_at IS 'When the row was last modified; maintained by the update_invitations_updated_at trigger.';
CREATE INDEX idx_invitations_inviter_id ON public.invitations USING btree (inviter_id);
CREATE INDEX idx_invitations_organisation_id ON public.invitations USING btree (organisation_id);
CREATE UNIQUE INDEX uq_invitations_pending_email ON public.invitations USING btree (organisation_id, email) WHERE ((accepted_at IS NULL) AND (revoked_at IS NULL));
CREATE TRIGGER update_invitations_updated_at BEFORE UPDATE ON public.invitations FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- Table public.memberships
CREATE TABLE public.memberships (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    organisation_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role character varying(20) DEFAULT 'member'::character varying NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT memberships_organisation_id_user_id_key UNIQUE (organisation_id, user_id),
    CONSTRAINT memberships_pkey PRIMARY KEY (id),
    CONSTRAINT memberships_role_check CHECK ((role IN ('owner'::character varying, 'admin'::character varying, 'member'::character varying, 'viewer'::character varying)))
);
COMMENT ON TABLE public.memberships IS 'Many-to-many between organisations and users, carrying the role the user has in that organisation. Removed automatically when either side is deleted.';
COMMENT ON COLUMN public.memberships.id IS 'Surrogate primary key, so a membership can be referenced and audited on its own.';
COMMENT ON COLUMN public.memberships.organisation_id IS 'Organisation the user belongs to; cascade-deleted with it.';
COMMENT ON COLUMN public.memberships.user_id IS 'Member user; cascade-deleted with the user.';
COMMENT ON COLUMN public.memberships.role IS 'Permission level inside the organisation (VARCHAR + CHECK enum): owner (billing, can delete the organisation), admin (manages members and projects), member (works on tasks), viewer (read-only).';
COMMENT ON COLUMN public.memberships.created_at IS 'When the user joined the organisation.';
COMMENT ON COLUMN public.memberships.updated_at IS 'When the membership (typically its role) last changed; maintained by the update_memberships_updated_at trigger.';
CREATE INDEX idx_memberships_user_id ON public.memberships USING btree (user_id);
CREATE TRIGGER update_memberships_updated_at BEFORE UPDATE ON public.memberships FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- Table public.organisations
CREATE TABLE public.organisations (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    name character varying(200) NOT NULL,
    slug character varying(63) NOT NULL,
    plan character varying(20) DEFAULT 'free'::character varying NOT NULL,
    settings jsonb DEFAULT '{}'::jsonb NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT organisations_name_check CHECK ((btrim((name)::text) <> ''::text)),
    CONSTRAINT organisations_pkey PRIMARY KEY (id),
    CONSTRAINT organisations_plan_check CHECK ((plan IN ('free'::character varying, 'team'::character varying, 'enterprise'::character varying))),
    CONSTRAINT organisations_settings_check CHECK ((jsonb_typeof(settings) = 'object'::text)),
    CONSTRAINT organisations_slug_check CHECK (((slug)::text ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text)),
    CONSTRAINT organisations_slug_key UNIQUE (slug)
);
COMMENT ON TABLE public.organisations IS 'Tenants of the application (a company or team). Deleting an organisation cascades to all of its projects, tags, memberships, invitations, API tokens and audit entries.';
COMMENT ON COLUMN public.organisations.id IS 'Surrogate primary key; also the value placed in the app.current_organisation_id setting for row-level security.';
COMMENT ON COLUMN public.organisations.name IS 'Display name shown in the UI; not unique, two companies may share a name.';
COMMENT ON COLUMN public.organisations.slug IS 'Globally unique URL identifier (lowercase letters, digits and single hyphens), e.g. acme-corp in /o/acme-corp.';
COMMENT ON COLUMN public.organisations.plan IS 'Billing plan, VARCHAR + CHECK enum: free, team or enterprise. Drives feature limits in the application.';
COMMENT ON COLUMN public.organisations.settings IS 'Tenant-level preferences as a JSON object (e.g. {"week_starts_on": "monday", "default_task_priority": 3}); must be an object, defaults to {}.';
COMMENT ON COLUMN public.organisations.created_at IS 'When the organisation signed up.';
COMMENT ON COLUMN public.organisations.updated_at IS 'When the row was last modified; maintained by the update_organisations_updated_at trigger.';
CREATE TRIGGER update_organisations_updated_at BEFORE UPDATE ON public.organisations FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- Table public.projects
CREATE TABLE public.projects (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    organisation_id uuid NOT NULL,
    owner_id uuid NOT NULL,
    name character varying(200) NOT NULL,
    slug character varying(63) NOT NULL,
    description text,
    starts_on date,
    ends_on date,
    archived_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT projects_dates_check CHECK ((ends_on >= starts_on)),
    CONSTRAINT projects_name_check CHECK ((btrim((name)::text) <> ''::text)),
    CONSTRAINT projects_organisation_id_slug_key UNIQUE (organisation_id, slug),
    CONSTRAINT projects_pkey PRIMARY KEY (id),
    CONSTRAINT projects_slug_check CHECK (((slug)::text ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text))
);
COMMENT ON TABLE public.projects IS 'A body of work inside one organisation, containing tasks. Protected by row-level security (policy tenant_isolation) so a session only sees the projects of app.current_organisation_id.';
COMMENT ON COLUMN public.projects.id IS 'Surrogate primary key.';
COMMENT ON COLUMN public.projects.organisation_id IS 'Owning tenant; the row-level-security policy compares it with the app.current_organisation_id setting. Cascade-deleted with the organisation.';
COMMENT ON COLUMN public.projects.owner_id IS 'User accountable for the project. ON DELETE RESTRICT: reassign the project before deleting this user.';
COMMENT ON COLUMN public.projects.name IS 'Human-readable project name, e.g. Website relaunch.';
COMMENT ON COLUMN public.projects.slug IS 'URL identifier, unique within the organisation (composite UNIQUE with organisation_id).';
COMMENT ON COLUMN public.projects.description IS 'Optional longer description (Markdown).';
COMMENT ON COLUMN public.projects.starts_on IS 'Planned start date; optional.';
COMMENT ON COLUMN public.projects.ends_on IS 'Planned end date; optional, and when both dates are set it cannot be before starts_on.';
COMMENT ON COLUMN public.projects.archived_at IS 'When the project was archived (hidden from active lists but kept); NULL for active projects.';
COMMENT ON COLUMN public.projects.created_at IS 'When the project was created.';
COMMENT ON COLUMN public.projects.updated_at IS 'When the row was last modified; maintained by the update_projects_updated_at trigger.';
CREATE INDEX idx_projects_owner_id ON public.projects USING btree (owner_id);
CREATE TRIGGER update_projects_updated_at BEFORE UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON public.projects
    AS PERMISSIVE
    FOR ALL
    TO app_user
    USING ((organisation_id = (NULLIF(current_setting('app.current_organisation_id'::text, true), ''::text))::uuid))
    WITH CHECK ((organisation_id = (NULLIF(current_setting('app.current_organisation_id'::text, true), ''::text))::uuid));
COMMENT ON POLICY tenant_isolation ON public.projects IS 'app_user sees and writes only projects of the organisation named in the app.current_organisation_id setting.';


-- Table public.tags
CREATE TABLE public.tags (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    organisation_id uuid NOT NULL,
    name character varying(50) NOT NULL,
    color character(7) DEFAULT '#6b7280'::bpchar NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tags_color_check CHECK ((color ~ '^#[0-9a-f]{6}$'::text)),
    CONSTRAINT tags_name_check CHECK ((btrim((name)::text) <> ''::text)),
    CONSTRAINT tags_organisation_id_name_key UNIQUE (organisation_id, name),
    CONSTRAINT tags_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE public.tags IS 'Labels an organisation defines once and attaches to any of its tasks (through task_tags).';
COMMENT ON COLUMN public.tags.id IS 'Surrogate primary key.';
COMMENT ON COLUMN public.tags.organisation_id IS 'Organisation that owns the tag; tags are deleted with it.';
COMMENT ON COLUMN public.tags.name IS 'Label text, e.g. bug or frontend; unique within the organisation.';
COMMENT ON COLUMN public.tags.color IS 'Badge colour as a lower-case #rrggbb hex string.';
COMMENT ON COLUMN public.tags.created_at IS 'When the tag was defined.';
COMMENT ON COLUMN public.tags.updated_at IS 'When the tag was last renamed or recoloured; maintained by the update_tags_updated_at trigger.';
CREATE TRIGGER update_tags_updated_at BEFORE UPDATE ON public.tags FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- Table public.task_tags
CREATE TABLE public.task_tags (
    task_id uuid NOT NULL,
    tag_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT task_tags_pkey PRIMARY KEY (task_id, tag_id)
);
COMMENT ON TABLE public.task_tags IS 'Junction table for the many-to-many relation between tasks and tags; a row means the tag is attached to the task. Rows are insert/delete only, hence no updated_at.';
COMMENT ON COLUMN public.task_tags.task_id IS 'Tagged task; the link disappears when the task is deleted.';
COMMENT ON COLUMN public.task_tags.tag_id IS 'Attached tag; the link disappears when the tag is deleted.';
COMMENT ON COLUMN public.task_tags.created_at IS 'When the tag was attached to the task.';
CREATE INDEX idx_task_tags_tag_id ON public.task_tags USING btree (tag_id);


-- Table public.tasks
CREATE TABLE public.tasks (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    project_id uuid NOT NULL,
    parent_task_id uuid,
    assignee_id uuid,
    reporter_id uuid,
    title character varying(300) NOT NULL,
    description text,
    status task_status DEFAULT 'todo'::task_status NOT NULL,
    priority smallint DEFAULT 3 NOT NULL,
    estimate_hours numeric(6,2),
    start_date date,
    due_date date,
    completed_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT tasks_dates_check CHECK ((due_date >= start_date)),
    CONSTRAINT tasks_estimate_hours_check CHECK ((estimate_hours > (0)::numeric)),
    CONSTRAINT tasks_not_own_parent_check CHECK ((parent_task_id <> id)),
    CONSTRAINT tasks_pkey PRIMARY KEY (id),
    CONSTRAINT tasks_priority_check CHECK (((priority >= 1) AND (priority <= 5))),
    CONSTRAINT tasks_title_check CHECK ((btrim((title)::text) <> ''::text))
);
COMMENT ON TABLE public.tasks IS 'Work items of a project, optionally nested under a parent task. Protected by row-level security through the owning project''s organisation.';
COMMENT ON COLUMN public.tasks.id IS 'Surrogate primary key.';
COMMENT ON COLUMN public.tasks.project_id IS 'Project the task belongs to; tasks are cascade-deleted with their project.';
COMMENT ON COLUMN public.tasks.parent_task_id IS 'Parent task when this is a sub-task (self-reference); NULL for top-level tasks. Sub-tasks are deleted with their parent.';
COMMENT ON COLUMN public.tasks.assignee_id IS 'User currently responsible for the task; NULL when unassigned or when the assignee account is deleted.';
COMMENT ON COLUMN public.tasks.reporter_id IS 'User who created the task; set to NULL if that account is deleted.';
COMMENT ON COLUMN public.tasks.title IS 'One-line summary shown on boards and lists; must not be blank.';
COMMENT ON COLUMN public.tasks.description IS 'Detailed description in Markdown; optional.';
COMMENT ON COLUMN public.tasks.status IS 'Workflow state (PostgreSQL ENUM task_status); done and cancelled count as closed, every other value as open.';
COMMENT ON COLUMN public.tasks.priority IS 'Urgency from 1 (highest) to 5 (lowest); 3 is normal.';
COMMENT ON COLUMN public.tasks.estimate_hours IS 'Estimated effort in hours (two decimals); NULL when not estimated, otherwise positive.';
COMMENT ON COLUMN public.tasks.start_date IS 'Date work is planned to begin; optional.';
COMMENT ON COLUMN public.tasks.due_date IS 'Deadline; optional, cannot be earlier than start_date when both are set.';
COMMENT ON COLUMN public.tasks.completed_at IS 'When the task last moved to done; NULL for tasks that are not done.';
COMMENT ON COLUMN public.tasks.created_at IS 'When the task was created.';
COMMENT ON COLUMN public.tasks.updated_at IS 'When the row was last modified; maintained by the update_tasks_updated_at trigger.';
CREATE INDEX idx_tasks_assignee_id ON public.tasks USING btree (assignee_id);
CREATE INDEX idx_tasks_due_date_open ON public.tasks USING btree (due_date) WHERE (status <> ALL (ARRAY['done'::task_status, 'cancelled'::task_status]));
CREATE INDEX idx_tasks_parent_task_id ON public.tasks USING btree (parent_task_id);
CREATE INDEX idx_tasks_project_id ON public.tasks USING btree (project_id);
CREATE INDEX idx_tasks_reporter_id ON public.tasks USING btree (reporter_id);
CREATE TRIGGER update_tasks_updated_at BEFORE UPDATE ON public.tasks FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();
ALTER TABLE public.tasks ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON public.tasks
    AS PERMISSIVE
    FOR ALL
    TO app_user
    USING ((EXISTS ( SELECT 1
   FROM projects p
  WHERE ((p.id = tasks.project_id) AND (p.organisation_id = (NULLIF(current_setting('app.current_organisation_id'::text, true), ''::text))::uuid)))))
    WITH CHECK ((EXISTS ( SELECT 1
   FROM projects p
  WHERE ((p.id = tasks.project_id) AND (p.organisation_id = (NULLIF(current_setting('app.current_organisation_id'::text, true), ''::text))::uuid)))));
COMMENT ON POLICY tenant_isolation ON public.tasks IS 'app_user sees and writes only tasks whose project belongs to the organisation named in the app.current_organisation_id setting.';


-- Table public.user_profiles
CREATE TABLE public.user_profiles (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    user_id uuid NOT NULL,
    full_name character varying(200),
    job_title character varying(100),
    bio text,
    avatar_url text,
    timezone character varying(64) DEFAULT 'UTC'::character varying NOT NULL,
    locale character varying(10) DEFAULT 'en'::character varying NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT user_profiles_avatar_url_check CHECK ((avatar_url ~ '^https://'::text)),
    CONSTRAINT user_profiles_bio_length_check CHECK ((char_length(bio) <= 2000)),
    CONSTRAINT user_profiles_locale_check CHECK (((locale)::text ~ '^[a-z]{2}(-[A-Z]{2})?$'::text)),
    CONSTRAINT user_profiles_pkey PRIMARY KEY (id),
    CONSTRAINT user_profiles_user_id_key UNIQUE (user_id)
);
COMMENT ON TABLE public.user_profiles IS 'Optional personal details of a user, one row per user (one-to-one via the UNIQUE user_id). Kept apart from users so the login table stays narrow.';
COMMENT ON COLUMN public.user_profiles.id IS 'Surrogate primary key, generated with the built-in gen_random_uuid().';
COMMENT ON COLUMN public.user_profiles.user_id IS 'The user this profile describes; UNIQUE, so at most one profile per user. Deleted together with the user.';
COMMENT ON COLUMN public.user_profiles.full_name IS 'Full legal or preferred name, if the user chose to give it.';
COMMENT ON COLUMN public.user_profiles.job_title IS 'Free-text role shown on the profile card, e.g. Backend Engineer.';
COMMENT ON COLUMN public.user_profiles.bio IS 'Short self-description, at most 2000 characters.';
COMMENT ON COLUMN public.user_profiles.avatar_url IS 'HTTPS URL of the profile picture; NULL shows generated initials.';
COMMENT ON COLUMN public.user_profiles.timezone IS 'IANA time-zone name (e.g. Europe/Paris) used to display due dates and times.';
COMMENT ON COLUMN public.user_profiles.locale IS 'Preferred UI language as a BCP 47 tag such as en or pt-BR.';
COMMENT ON COLUMN public.user_profiles.created_at IS 'When the profile was first saved.';
COMMENT ON COLUMN public.user_profiles.updated_at IS 'When the profile was last modified; maintained by the update_user_profiles_updated_at trigger.';
CREATE TRIGGER update_user_profiles_updated_at BEFORE UPDATE ON public.user_profiles FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- Table public.users
CREATE TABLE public.users (
    id uuid DEFAULT uuid_generate_v4() NOT NULL,
    email character varying(255) NOT NULL,
    password_hash text,
    display_name character varying(100) NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    last_login_at timestamp with time zone,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_display_name_check CHECK ((btrim((display_name)::text) <> ''::text)),
    CONSTRAINT users_email_format_check CHECK (((email)::text ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'::text)),
    CONSTRAINT users_email_key UNIQUE (email),
    CONSTRAINT users_email_lowercase_check CHECK (((email)::text = lower((email)::text))),
    CONSTRAINT users_pkey PRIMARY KEY (id)
);
COMMENT ON TABLE public.users IS 'Login accounts. A user can belong to several organisations through memberships. Prefer deactivating (is_active = false) to deleting: a user who owns projects cannot be deleted.';
COMMENT ON COLUMN public.users.id IS 'Surrogate primary key referenced by memberships, tasks, comments and the other user-related tables.';
COMMENT ON COLUMN public.users.email IS 'Login email, stored in lower case; unique across the whole installation and validated by a format CHECK.';
COMMENT ON COLUMN public.users.password_hash IS 'Sensitive: encoded password hash (argon2id or bcrypt, PHC string format). Never the plain-text password. NULL for accounts that sign in only via SSO.';
COMMENT ON COLUMN public.users.display_name IS 'Name shown next to tasks and comments.';
COMMENT ON COLUMN public.users.is_active IS 'False when the account is deactivated; inactive users cannot log in but their history is kept.';
COMMENT ON COLUMN public.users.last_login_at IS 'Time of the most recent successful login; NULL if the user never logged in (e.g. created by an invitation).';
COMMENT ON COLUMN public.users.created_at IS 'When the account was created.';
COMMENT ON COLUMN public.users.updated_at IS 'When the row was last modified; maintained by the update_users_updated_at trigger.';
CREATE TRIGGER update_users_updated_at BEFORE UPDATE ON public.users FOR EACH ROW EXECUTE FUNCTION update_updated_at_column();


-- View public.open_tasks_per_project
CREATE VIEW public.open_tasks_per_project WITH (security_invoker=true) AS
 SELECT p.id AS project_id,
    p.organisation_id,
    p.name AS project_name,
    count(t.id) AS open_task_count,
    count(t.id) FILTER (WHERE (t.due_date < CURRENT_DATE)) AS overdue_task_count,
    min(t.due_date) AS next_due_date
   FROM (projects p
     LEFT JOIN tasks t ON (((t.project_id = p.id) AND (t.status <> ALL (ARRAY['done'::task_status, 'cancelled'::task_status])))))
  WHERE (p.archived_at IS NULL)
  GROUP BY p.id, p.organisation_id, p.name;
COMMENT ON VIEW public.open_tasks_per_project IS 'One row per non-archived project with the number of open tasks (status other than done and cancelled), how many of them are overdue, and the earliest due date. Projects without open tasks appear with zero counts.';
COMMENT ON COLUMN public.open_tasks_per_project.project_id IS 'The project (projects.id).';
COMMENT ON COLUMN public.open_tasks_per_project.organisation_id IS 'Organisation owning the project.';
COMMENT ON COLUMN public.open_tasks_per_project.project_name IS 'Project name, for display.';
COMMENT ON COLUMN public.open_tasks_per_project.open_task_count IS 'Number of tasks of the project that are neither done nor cancelled.';
COMMENT ON COLUMN public.open_tasks_per_project.overdue_task_count IS 'Open tasks whose due_date is before today.';
COMMENT ON COLUMN public.open_tasks_per_project.next_due_date IS 'Earliest due date among the open tasks; NULL if none has a due date.';


-- Foreign keys

ALTER TABLE public.api_tokens
    ADD CONSTRAINT api_tokens_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations(id) ON DELETE CASCADE;

ALTER TABLE public.api_tokens
    ADD CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE public.attachments
    ADD CONSTRAINT attachments_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks(id) ON DELETE CASCADE;

ALTER TABLE public.attachments
    ADD CONSTRAINT attachments_uploader_id_fkey FOREIGN KEY (uploader_id) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE public.audit_log
    ADD CONSTRAINT audit_log_actor_id_fkey FOREIGN KEY (actor_id) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE public.audit_log
    ADD CONSTRAINT audit_log_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations(id) ON DELETE CASCADE;

ALTER TABLE public.comments
    ADD CONSTRAINT comments_author_id_fkey FOREIGN KEY (author_id) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE public.comments
    ADD CONSTRAINT comments_parent_comment_id_fkey FOREIGN KEY (parent_comment_id) REFERENCES comments(id) ON DELETE CASCADE;

ALTER TABLE public.comments
    ADD CONSTRAINT comments_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks(id) ON DELETE CASCADE;

ALTER TABLE public.invitations
    ADD CONSTRAINT invitations_inviter_id_fkey FOREIGN KEY (inviter_id) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE public.invitations
    ADD CONSTRAINT invitations_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations(id) ON DELETE CASCADE;

ALTER TABLE public.memberships
    ADD CONSTRAINT memberships_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations(id) ON DELETE CASCADE;

ALTER TABLE public.memberships
    ADD CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;

ALTER TABLE public.projects
    ADD CONSTRAINT projects_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations(id) ON DELETE CASCADE;

ALTER TABLE public.projects
    ADD CONSTRAINT projects_owner_id_fkey FOREIGN KEY (owner_id) REFERENCES users(id) ON DELETE RESTRICT;

ALTER TABLE public.tags
    ADD CONSTRAINT tags_organisation_id_fkey FOREIGN KEY (organisation_id) REFERENCES organisations(id) ON DELETE CASCADE;

ALTER TABLE public.task_tags
    ADD CONSTRAINT task_tags_tag_id_fkey FOREIGN KEY (tag_id) REFERENCES tags(id) ON DELETE CASCADE;

ALTER TABLE public.task_tags
    ADD CONSTRAINT task_tags_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks(id) ON DELETE CASCADE;

ALTER TABLE public.tasks
    ADD CONSTRAINT tasks_assignee_id_fkey FOREIGN KEY (assignee_id) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE public.tasks
    ADD CONSTRAINT tasks_parent_task_id_fkey FOREIGN KEY (parent_task_id) REFERENCES tasks(id) ON DELETE CASCADE;

ALTER TABLE public.tasks
    ADD CONSTRAINT tasks_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects(id) ON DELETE CASCADE;

ALTER TABLE public.tasks
    ADD CONSTRAINT tasks_reporter_id_fkey FOREIGN KEY (reporter_id) REFERENCES users(id) ON DELETE SET NULL;

ALTER TABLE public.user_profiles
    ADD CONSTRAINT user_profiles_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE;


-- Privileges

GRANT USAGE ON SCHEMA public TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.api_tokens TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.attachments TO app_user;
GRANT INSERT, SELECT ON TABLE public.audit_log TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.comments TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.invitations TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.memberships TO app_user;
GRANT SELECT ON TABLE public.open_tasks_per_project TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.organisations TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.projects TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.tags TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.task_tags TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.tasks TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.user_profiles TO app_user;
GRANT DELETE, INSERT, SELECT, UPDATE ON TABLE public.users TO app_user;

-- 020_organisations.sql
-- Tenants. Almost every other row in the schema belongs, directly or through
-- a parent, to exactly one organisation.

CREATE TABLE organisations (
    id          uuid         NOT NULL DEFAULT uuid_generate_v4(),
    name        varchar(200) NOT NULL,
    slug        varchar(63)  NOT NULL,
    plan        varchar(20)  NOT NULL DEFAULT 'free',
    settings    jsonb        NOT NULL DEFAULT '{}'::jsonb,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT organisations_pkey PRIMARY KEY (id),
    CONSTRAINT organisations_slug_key UNIQUE (slug),
    CONSTRAINT organisations_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT organisations_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT organisations_plan_check CHECK (plan IN ('free', 'team', 'enterprise')),
    CONSTRAINT organisations_settings_check CHECK (jsonb_typeof(settings) = 'object')
);

CREATE TRIGGER update_organisations_updated_at
    BEFORE UPDATE ON organisations
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE organisations IS
    'Tenants of the application (a company or team). Deleting an organisation cascades to all of its projects, tags, memberships, invitations, API tokens and audit entries.';
COMMENT ON COLUMN organisations.id IS
    'Surrogate primary key; also the value placed in the app.current_organisation_id setting for row-level security.';
COMMENT ON COLUMN organisations.name IS
    'Display name shown in the UI; not unique, two companies may share a name.';
COMMENT ON COLUMN organisations.slug IS
    'Globally unique URL identifier (lowercase letters, digits and single hyphens), e.g. acme-corp in /o/acme-corp.';
COMMENT ON COLUMN organisations.plan IS
    'Billing plan, VARCHAR + CHECK enum: free, team or enterprise. Drives feature limits in the application.';
COMMENT ON COLUMN organisations.settings IS
    'Tenant-level preferences as a JSON object (e.g. {"week_starts_on": "monday", "default_task_priority": 3}); must be an object, defaults to {}.';
COMMENT ON COLUMN organisations.created_at IS
    'When the organisation signed up.';
COMMENT ON COLUMN organisations.updated_at IS
    'When the row was last modified; maintained by the update_organisations_updated_at trigger.';

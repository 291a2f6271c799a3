-- 050_projects.sql
-- Projects group tasks inside one organisation.

CREATE TABLE projects (
    id               uuid         NOT NULL DEFAULT uuid_generate_v4(),
    organisation_id  uuid         NOT NULL,
    owner_id         uuid         NOT NULL,
    name             varchar(200) NOT NULL,
    slug             varchar(63)  NOT NULL,
    description      text,
    starts_on        date,
    ends_on          date,
    archived_at      timestamptz,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT projects_pkey PRIMARY KEY (id),
    -- Composite UNIQUE: slugs are unique per organisation, not globally.
    -- Its leading column also serves as the index for organisation_id.
    CONSTRAINT projects_organisation_id_slug_key UNIQUE (organisation_id, slug),
    CONSTRAINT projects_organisation_id_fkey
        FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE,
    -- RESTRICT: a user who owns projects cannot be deleted until ownership
    -- is handed over to someone else.
    CONSTRAINT projects_owner_id_fkey
        FOREIGN KEY (owner_id) REFERENCES users (id) ON DELETE RESTRICT,
    CONSTRAINT projects_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT projects_slug_check CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    CONSTRAINT projects_dates_check CHECK (ends_on >= starts_on)
);

CREATE INDEX idx_projects_owner_id ON projects (owner_id);

CREATE TRIGGER update_projects_updated_at
    BEFORE UPDATE ON projects
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE projects IS
    'A body of work inside one organisation, containing tasks. Protected by row-level security (policy tenant_isolation) so a session only sees the projects of app.current_organisation_id.';
COMMENT ON COLUMN projects.id IS
    'Surrogate primary key.';
COMMENT ON COLUMN projects.organisation_id IS
    'Owning tenant; the row-level-security policy compares it with the app.current_organisation_id setting. Cascade-deleted with the organisation.';
COMMENT ON COLUMN projects.owner_id IS
    'User accountable for the project. ON DELETE RESTRICT: reassign the project before deleting this user.';
COMMENT ON COLUMN projects.name IS
    'Human-readable project name, e.g. Website relaunch.';
COMMENT ON COLUMN projects.slug IS
    'URL identifier, unique within the organisation (composite UNIQUE with organisation_id).';
COMMENT ON COLUMN projects.description IS
    'Optional longer description (Markdown).';
COMMENT ON COLUMN projects.starts_on IS
    'Planned start date; optional.';
COMMENT ON COLUMN projects.ends_on IS
    'Planned end date; optional, and when both dates are set it cannot be before starts_on.';
COMMENT ON COLUMN projects.archived_at IS
    'When the project was archived (hidden from active lists but kept); NULL for active projects.';
COMMENT ON COLUMN projects.created_at IS
    'When the project was created.';
COMMENT ON COLUMN projects.updated_at IS
    'When the row was last modified; maintained by the update_projects_updated_at trigger.';

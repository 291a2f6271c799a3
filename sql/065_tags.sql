-- 065_tags.sql
-- Organisation-wide labels and the task <-> tag many-to-many junction.

CREATE TABLE tags (
    id               uuid        NOT NULL DEFAULT uuid_generate_v4(),
    organisation_id  uuid        NOT NULL,
    name             varchar(50) NOT NULL,
    color            char(7)     NOT NULL DEFAULT '#6b7280',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT tags_pkey PRIMARY KEY (id),
    -- Tag names are unique per organisation; the leading column also
    -- serves as the index for the organisation_id foreign key.
    CONSTRAINT tags_organisation_id_name_key UNIQUE (organisation_id, name),
    CONSTRAINT tags_organisation_id_fkey
        FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE,
    CONSTRAINT tags_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT tags_color_check CHECK (color ~ '^#[0-9a-f]{6}$')
);

CREATE TRIGGER update_tags_updated_at
    BEFORE UPDATE ON tags
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE tags IS
    'Labels an organisation defines once and attaches to any of its tasks (through task_tags).';
COMMENT ON COLUMN tags.id IS
    'Surrogate primary key.';
COMMENT ON COLUMN tags.organisation_id IS
    'Organisation that owns the tag; tags are deleted with it.';
COMMENT ON COLUMN tags.name IS
    'Label text, e.g. bug or frontend; unique within the organisation.';
COMMENT ON COLUMN tags.color IS
    'Badge colour as a lower-case #rrggbb hex string.';
COMMENT ON COLUMN tags.created_at IS
    'When the tag was defined.';
COMMENT ON COLUMN tags.updated_at IS
    'When the tag was last renamed or recoloured; maintained by the update_tags_updated_at trigger.';


-- Many-to-many junction with a composite primary key. The primary key
-- (task_id, tag_id) already indexes task_id as its leading column, so only
-- tag_id needs its own index.
CREATE TABLE task_tags (
    task_id     uuid        NOT NULL,
    tag_id      uuid        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT task_tags_pkey PRIMARY KEY (task_id, tag_id),
    CONSTRAINT task_tags_task_id_fkey
        FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
    CONSTRAINT task_tags_tag_id_fkey
        FOREIGN KEY (tag_id) REFERENCES tags (id) ON DELETE CASCADE
);

CREATE INDEX idx_task_tags_tag_id ON task_tags (tag_id);

COMMENT ON TABLE task_tags IS
    'Junction table for the many-to-many relation between tasks and tags; a row means the tag is attached to the task. Rows are insert/delete only, hence no updated_at.';
COMMENT ON COLUMN task_tags.task_id IS
    'Tagged task; the link disappears when the task is deleted.';
COMMENT ON COLUMN task_tags.tag_id IS
    'Attached tag; the link disappears when the tag is deleted.';
COMMENT ON COLUMN task_tags.created_at IS
    'When the tag was attached to the task.';

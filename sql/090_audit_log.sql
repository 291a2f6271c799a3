-- 090_audit_log.sql
-- Append-only record of who did what. Uses an identity column instead of a
-- UUID: rows are never referenced from elsewhere, and a bigint sequence
-- gives compact, insertion-ordered keys on a table that only grows.
-- No updated_at column (rows are never updated), so no trigger.

CREATE TABLE audit_log (
    id               bigint       GENERATED ALWAYS AS IDENTITY,
    organisation_id  uuid,
    actor_id         uuid,
    action           varchar(100) NOT NULL,
    entity_type      varchar(50)  NOT NULL,
    entity_id        uuid,
    payload          jsonb        NOT NULL DEFAULT '{}'::jsonb,
    ip_address       inet,
    created_at       timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT audit_log_pkey PRIMARY KEY (id),
    CONSTRAINT audit_log_organisation_id_fkey
        FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE,
    -- Keep the history when the acting user is deleted.
    CONSTRAINT audit_log_actor_id_fkey
        FOREIGN KEY (actor_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT audit_log_action_check CHECK (btrim(action) <> ''),
    CONSTRAINT audit_log_payload_check CHECK (jsonb_typeof(payload) = 'object')
);

-- Multi-column index: the activity feed shows an organisation's most recent
-- entries first. Its leading column also indexes the organisation_id FK.
CREATE INDEX idx_audit_log_organisation_id_created_at
    ON audit_log (organisation_id, created_at DESC);
CREATE INDEX idx_audit_log_actor_id ON audit_log (actor_id);
-- Multi-column index: the history of one entity ("show changes to this task").
CREATE INDEX idx_audit_log_entity_type_entity_id
    ON audit_log (entity_type, entity_id);

COMMENT ON TABLE audit_log IS
    'Append-only audit trail of security- and data-relevant actions. The application only INSERTs and SELECTs (app_user has no UPDATE or DELETE on it); entries go away only with their organisation.';
COMMENT ON COLUMN audit_log.id IS
    'Identity primary key (bigint GENERATED ALWAYS AS IDENTITY); increases with insertion order.';
COMMENT ON COLUMN audit_log.organisation_id IS
    'Tenant the action happened in; NULL for installation-wide events such as a user signing up.';
COMMENT ON COLUMN audit_log.actor_id IS
    'User who performed the action; NULL for system jobs or after the user account was deleted.';
COMMENT ON COLUMN audit_log.action IS
    'What happened, as a dotted verb such as task.created, membership.role_changed or api_token.revoked.';
COMMENT ON COLUMN audit_log.entity_type IS
    'Kind of object acted on, normally the table name (task, project, membership, ...).';
COMMENT ON COLUMN audit_log.entity_id IS
    'Primary key of the object acted on; not a foreign key, so the entry survives the object''s deletion.';
COMMENT ON COLUMN audit_log.payload IS
    'Action details as a JSON object, e.g. {"before": {...}, "after": {...}}; defaults to {}. Must never contain secrets.';
COMMENT ON COLUMN audit_log.ip_address IS
    'Client IP address of the request, when the action came from one.';
COMMENT ON COLUMN audit_log.created_at IS
    'When the action happened.';

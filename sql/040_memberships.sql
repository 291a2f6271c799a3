-- 040_memberships.sql
-- Who belongs to which organisation, with which role, and pending invitations.

CREATE TABLE memberships (
    id               uuid        NOT NULL DEFAULT uuid_generate_v4(),
    organisation_id  uuid        NOT NULL,
    user_id          uuid        NOT NULL,
    role             varchar(20) NOT NULL DEFAULT 'member',
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT memberships_pkey PRIMARY KEY (id),
    -- One membership per (organisation, user). Its leading column also
    -- serves as the index for the organisation_id foreign key.
    CONSTRAINT memberships_organisation_id_user_id_key UNIQUE (organisation_id, user_id),
    CONSTRAINT memberships_organisation_id_fkey
        FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE,
    CONSTRAINT memberships_user_id_fkey
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    -- Enum in the VARCHAR + CHECK style.
    CONSTRAINT memberships_role_check CHECK (role IN ('owner', 'admin', 'member', 'viewer'))
);

CREATE INDEX idx_memberships_user_id ON memberships (user_id);

CREATE TRIGGER update_memberships_updated_at
    BEFORE UPDATE ON memberships
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE memberships IS
    'Many-to-many between organisations and users, carrying the role the user has in that organisation. Removed automatically when either side is deleted.';
COMMENT ON COLUMN memberships.id IS
    'Surrogate primary key, so a membership can be referenced and audited on its own.';
COMMENT ON COLUMN memberships.organisation_id IS
    'Organisation the user belongs to; cascade-deleted with it.';
COMMENT ON COLUMN memberships.user_id IS
    'Member user; cascade-deleted with the user.';
COMMENT ON COLUMN memberships.role IS
    'Permission level inside the organisation (VARCHAR + CHECK enum): owner (billing, can delete the organisation), admin (manages members and projects), member (works on tasks), viewer (read-only).';
COMMENT ON COLUMN memberships.created_at IS
    'When the user joined the organisation.';
COMMENT ON COLUMN memberships.updated_at IS
    'When the membership (typically its role) last changed; maintained by the update_memberships_updated_at trigger.';


CREATE TABLE invitations (
    id               uuid         NOT NULL DEFAULT uuid_generate_v4(),
    organisation_id  uuid         NOT NULL,
    inviter_id       uuid,
    email            varchar(255) NOT NULL,
    role             varchar(20)  NOT NULL DEFAULT 'member',
    token_hash       text         NOT NULL,
    expires_at       timestamptz  NOT NULL DEFAULT now() + interval '7 days',
    accepted_at      timestamptz,
    revoked_at       timestamptz,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT invitations_pkey PRIMARY KEY (id),
    CONSTRAINT invitations_token_hash_key UNIQUE (token_hash),
    CONSTRAINT invitations_organisation_id_fkey
        FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE,
    -- Keep the invitation if the person who sent it is deleted.
    CONSTRAINT invitations_inviter_id_fkey
        FOREIGN KEY (inviter_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT invitations_email_lowercase_check CHECK (email = lower(email)),
    CONSTRAINT invitations_email_format_check
        CHECK (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
    -- Ownership is transferred, never granted by invitation.
    CONSTRAINT invitations_role_check CHECK (role IN ('admin', 'member', 'viewer')),
    CONSTRAINT invitations_expiry_check CHECK (expires_at > created_at),
    CONSTRAINT invitations_accepted_or_revoked_check
        CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);

CREATE INDEX idx_invitations_organisation_id ON invitations (organisation_id);
CREATE INDEX idx_invitations_inviter_id ON invitations (inviter_id);

-- Partial unique index: at most one *pending* invitation per address and
-- organisation, while accepted or revoked ones are kept as history.
CREATE UNIQUE INDEX uq_invitations_pending_email
    ON invitations (organisation_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

CREATE TRIGGER update_invitations_updated_at
    BEFORE UPDATE ON invitations
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE invitations IS
    'Email invitations to join an organisation. An invitation is pending until accepted, revoked or expired; the accepting user gets a membership with the invited role.';
COMMENT ON COLUMN invitations.id IS
    'Surrogate primary key.';
COMMENT ON COLUMN invitations.organisation_id IS
    'Organisation the invitee is asked to join; invitations are deleted with it.';
COMMENT ON COLUMN invitations.inviter_id IS
    'User who sent the invitation; set to NULL if that account is later deleted.';
COMMENT ON COLUMN invitations.email IS
    'Address the invitation was sent to, lower case; need not belong to an existing user yet.';
COMMENT ON COLUMN invitations.role IS
    'Role granted on acceptance (VARCHAR + CHECK enum): admin, member or viewer; owner cannot be granted by invitation.';
COMMENT ON COLUMN invitations.token_hash IS
    'Sensitive: SHA-256 hex digest of the secret token in the invitation link. The token itself is only ever in the email, never stored.';
COMMENT ON COLUMN invitations.expires_at IS
    'After this instant the link no longer works; defaults to seven days after creation.';
COMMENT ON COLUMN invitations.accepted_at IS
    'When the invitee accepted; NULL while pending. Mutually exclusive with revoked_at.';
COMMENT ON COLUMN invitations.revoked_at IS
    'When an admin withdrew the invitation; NULL unless revoked.';
COMMENT ON COLUMN invitations.created_at IS
    'When the invitation was sent.';
COMMENT ON COLUMN invitations.updated_at IS
    'When the row was last modified; maintained by the update_invitations_updated_at trigger.';

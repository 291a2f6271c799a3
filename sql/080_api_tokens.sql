-- 080_api_tokens.sql
-- Personal API tokens, scoped to one organisation. Only a hash is stored.

CREATE TABLE api_tokens (
    id               uuid         NOT NULL DEFAULT uuid_generate_v4(),
    user_id          uuid         NOT NULL,
    organisation_id  uuid         NOT NULL,
    name             varchar(100) NOT NULL,
    token_prefix     varchar(16)  NOT NULL,
    token_hash       text         NOT NULL,
    scopes           text[]       NOT NULL DEFAULT '{}',
    last_used_at     timestamptz,
    expires_at       timestamptz,
    revoked_at       timestamptz,
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT api_tokens_pkey PRIMARY KEY (id),
    CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
    CONSTRAINT api_tokens_user_id_fkey
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT api_tokens_organisation_id_fkey
        FOREIGN KEY (organisation_id) REFERENCES organisations (id) ON DELETE CASCADE,
    CONSTRAINT api_tokens_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT api_tokens_expiry_check CHECK (expires_at > created_at)
);

CREATE INDEX idx_api_tokens_user_id ON api_tokens (user_id);
CREATE INDEX idx_api_tokens_organisation_id ON api_tokens (organisation_id);

CREATE TRIGGER update_api_tokens_updated_at
    BEFORE UPDATE ON api_tokens
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE api_tokens IS
    'Long-lived bearer tokens a user creates for scripts and integrations, valid in one organisation. The secret is shown once at creation; only its hash is stored.';
COMMENT ON COLUMN api_tokens.id IS
    'Surrogate primary key.';
COMMENT ON COLUMN api_tokens.user_id IS
    'User the token acts as; tokens are deleted with the user.';
COMMENT ON COLUMN api_tokens.organisation_id IS
    'Organisation the token is valid in; tokens are deleted with the organisation.';
COMMENT ON COLUMN api_tokens.name IS
    'Label chosen by the user to recognise the token, e.g. CI pipeline.';
COMMENT ON COLUMN api_tokens.token_prefix IS
    'First characters of the token (e.g. swb_3f9a), safe to display so users can tell tokens apart.';
COMMENT ON COLUMN api_tokens.token_hash IS
    'Sensitive: SHA-256 hex digest of the full token, looked up on each request. The plain token is never stored.';
COMMENT ON COLUMN api_tokens.scopes IS
    'Permissions granted to the token, e.g. {tasks:read,tasks:write}; empty array means no access beyond identification.';
COMMENT ON COLUMN api_tokens.last_used_at IS
    'When the token last authenticated a request; NULL if never used.';
COMMENT ON COLUMN api_tokens.expires_at IS
    'Expiry instant; NULL for a token that does not expire. Must be after created_at.';
COMMENT ON COLUMN api_tokens.revoked_at IS
    'When the token was revoked; a revoked token is rejected even before expiry.';
COMMENT ON COLUMN api_tokens.created_at IS
    'When the token was issued.';
COMMENT ON COLUMN api_tokens.updated_at IS
    'When the row was last modified (including last_used_at bumps); maintained by the update_api_tokens_updated_at trigger.';

-- 030_users.sql
-- Accounts and their one-to-one profile. Users are global (one login across
-- organisations); membership in an organisation is in memberships.

CREATE TABLE users (
    id             uuid         NOT NULL DEFAULT uuid_generate_v4(),
    email          varchar(255) NOT NULL,
    password_hash  text,
    display_name   varchar(100) NOT NULL,
    is_active      boolean      NOT NULL DEFAULT true,
    last_login_at  timestamptz,
    created_at     timestamptz  NOT NULL DEFAULT now(),
    updated_at     timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT users_pkey PRIMARY KEY (id),
    CONSTRAINT users_email_key UNIQUE (email),
    -- Emails are stored normalised to lower case so the plain UNIQUE
    -- constraint is also case-insensitive (no citext extension needed).
    CONSTRAINT users_email_lowercase_check CHECK (email = lower(email)),
    CONSTRAINT users_email_format_check
        CHECK (email ~* '^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$'),
    CONSTRAINT users_display_name_check CHECK (btrim(display_name) <> '')
);

CREATE TRIGGER update_users_updated_at
    BEFORE UPDATE ON users
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE users IS
    'Login accounts. A user can belong to several organisations through memberships. Prefer deactivating (is_active = false) to deleting: a user who owns projects cannot be deleted.';
COMMENT ON COLUMN users.id IS
    'Surrogate primary key referenced by memberships, tasks, comments and the other user-related tables.';
COMMENT ON COLUMN users.email IS
    'Login email, stored in lower case; unique across the whole installation and validated by a format CHECK.';
COMMENT ON COLUMN users.password_hash IS
    'Sensitive: encoded password hash (argon2id or bcrypt, PHC string format). Never the plain-text password. NULL for accounts that sign in only via SSO.';
COMMENT ON COLUMN users.display_name IS
    'Name shown next to tasks and comments.';
COMMENT ON COLUMN users.is_active IS
    'False when the account is deactivated; inactive users cannot log in but their history is kept.';
COMMENT ON COLUMN users.last_login_at IS
    'Time of the most recent successful login; NULL if the user never logged in (e.g. created by an invitation).';
COMMENT ON COLUMN users.created_at IS
    'When the account was created.';
COMMENT ON COLUMN users.updated_at IS
    'When the row was last modified; maintained by the update_users_updated_at trigger.';


-- One-to-one with users: the UNIQUE constraint on user_id is what makes the
-- relationship 1:1 (and it also serves as the index for the foreign key).
CREATE TABLE user_profiles (
    id          uuid         NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid         NOT NULL,
    full_name   varchar(200),
    job_title   varchar(100),
    bio         text,
    avatar_url  text,
    timezone    varchar(64)  NOT NULL DEFAULT 'UTC',
    locale      varchar(10)  NOT NULL DEFAULT 'en',
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT user_profiles_pkey PRIMARY KEY (id),
    CONSTRAINT user_profiles_user_id_key UNIQUE (user_id),
    CONSTRAINT user_profiles_user_id_fkey
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_profiles_bio_length_check CHECK (char_length(bio) <= 2000),
    CONSTRAINT user_profiles_avatar_url_check CHECK (avatar_url ~ '^https://'),
    CONSTRAINT user_profiles_locale_check CHECK (locale ~ '^[a-z]{2}(-[A-Z]{2})?$')
);

CREATE TRIGGER update_user_profiles_updated_at
    BEFORE UPDATE ON user_profiles
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE user_profiles IS
    'Optional personal details of a user, one row per user (one-to-one via the UNIQUE user_id). Kept apart from users so the login table stays narrow.';
COMMENT ON COLUMN user_profiles.id IS
    'Surrogate primary key, generated with the built-in gen_random_uuid().';
COMMENT ON COLUMN user_profiles.user_id IS
    'The user this profile describes; UNIQUE, so at most one profile per user. Deleted together with the user.';
COMMENT ON COLUMN user_profiles.full_name IS
    'Full legal or preferred name, if the user chose to give it.';
COMMENT ON COLUMN user_profiles.job_title IS
    'Free-text role shown on the profile card, e.g. Backend Engineer.';
COMMENT ON COLUMN user_profiles.bio IS
    'Short self-description, at most 2000 characters.';
COMMENT ON COLUMN user_profiles.avatar_url IS
    'HTTPS URL of the profile picture; NULL shows generated initials.';
COMMENT ON COLUMN user_profiles.timezone IS
    'IANA time-zone name (e.g. Europe/Paris) used to display due dates and times.';
COMMENT ON COLUMN user_profiles.locale IS
    'Preferred UI language as a BCP 47 tag such as en or pt-BR.';
COMMENT ON COLUMN user_profiles.created_at IS
    'When the profile was first saved.';
COMMENT ON COLUMN user_profiles.updated_at IS
    'When the profile was last modified; maintained by the update_user_profiles_updated_at trigger.';

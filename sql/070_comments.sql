-- 070_comments.sql
-- Threaded discussion on tasks.

CREATE TABLE comments (
    id                 uuid        NOT NULL DEFAULT uuid_generate_v4(),
    task_id            uuid        NOT NULL,
    author_id          uuid,
    parent_comment_id  uuid,
    body               text        NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),

    CONSTRAINT comments_pkey PRIMARY KEY (id),
    CONSTRAINT comments_task_id_fkey
        FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
    -- The comment stays (shown as "deleted user") if its author is deleted.
    CONSTRAINT comments_author_id_fkey
        FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE SET NULL,
    -- Self-reference for threads: replies are deleted with the comment
    -- they answer.
    CONSTRAINT comments_parent_comment_id_fkey
        FOREIGN KEY (parent_comment_id) REFERENCES comments (id) ON DELETE CASCADE,
    CONSTRAINT comments_not_own_parent_check CHECK (parent_comment_id <> id),
    CONSTRAINT comments_body_check CHECK (btrim(body) <> '' AND char_length(body) <= 10000)
);

CREATE INDEX idx_comments_task_id ON comments (task_id);
CREATE INDEX idx_comments_parent_comment_id ON comments (parent_comment_id);
-- DELIBERATELY NO INDEX on comments.author_id.
-- This is the one foreign key in the schema left without an index, on
-- purpose, so that the FK-index lint has a finding and the EXPLAIN
-- experiments (queries/comments_by_author.sql) show a sequential scan, and
-- so that deleting a user (ON DELETE SET NULL) has to scan all comments.
-- The fix would be: CREATE INDEX idx_comments_author_id ON comments (author_id);

CREATE TRIGGER update_comments_updated_at
    BEFORE UPDATE ON comments
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE comments IS
    'Discussion messages on a task, threaded through parent_comment_id. Deleted with their task.';
COMMENT ON COLUMN comments.id IS
    'Surrogate primary key.';
COMMENT ON COLUMN comments.task_id IS
    'Task under discussion; comments are cascade-deleted with it.';
COMMENT ON COLUMN comments.author_id IS
    'User who wrote the comment; NULL once that account is deleted. Deliberately NOT indexed (see the note in 070_comments.sql).';
COMMENT ON COLUMN comments.parent_comment_id IS
    'Comment this one replies to (self-reference); NULL for a top-level comment.';
COMMENT ON COLUMN comments.body IS
    'Comment text in Markdown, non-blank and at most 10000 characters.';
COMMENT ON COLUMN comments.created_at IS
    'When the comment was posted.';
COMMENT ON COLUMN comments.updated_at IS
    'When the comment was last edited; equal to created_at if never edited. Maintained by the update_comments_updated_at trigger.';

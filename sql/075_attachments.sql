-- 075_attachments.sql
-- Files attached to tasks. The bytes live in object storage; the database
-- keeps only metadata and the storage key.

CREATE TABLE attachments (
    id               uuid         NOT NULL DEFAULT gen_random_uuid(),
    task_id          uuid         NOT NULL,
    uploader_id      uuid,
    file_name        varchar(255) NOT NULL,
    content_type     varchar(127) NOT NULL DEFAULT 'application/octet-stream',
    byte_size        bigint       NOT NULL,
    storage_key      text         NOT NULL,
    checksum_sha256  char(64),
    created_at       timestamptz  NOT NULL DEFAULT now(),
    updated_at       timestamptz  NOT NULL DEFAULT now(),

    CONSTRAINT attachments_pkey PRIMARY KEY (id),
    CONSTRAINT attachments_storage_key_key UNIQUE (storage_key),
    CONSTRAINT attachments_task_id_fkey
        FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
    CONSTRAINT attachments_uploader_id_fkey
        FOREIGN KEY (uploader_id) REFERENCES users (id) ON DELETE SET NULL,
    CONSTRAINT attachments_file_name_check CHECK (btrim(file_name) <> ''),
    CONSTRAINT attachments_content_type_check CHECK (content_type ~ '^[a-z]+/[A-Za-z0-9.+-]+$'),
    CONSTRAINT attachments_byte_size_check CHECK (byte_size > 0),
    CONSTRAINT attachments_checksum_sha256_check CHECK (checksum_sha256 ~ '^[0-9a-f]{64}$')
);

CREATE INDEX idx_attachments_task_id ON attachments (task_id);
CREATE INDEX idx_attachments_uploader_id ON attachments (uploader_id);

CREATE TRIGGER update_attachments_updated_at
    BEFORE UPDATE ON attachments
    FOR EACH ROW
    EXECUTE FUNCTION update_updated_at_column();

COMMENT ON TABLE attachments IS
    'Metadata of files uploaded to a task; the content itself is in object storage under storage_key. Deleting the row does not delete the object (a cleanup job does).';
COMMENT ON COLUMN attachments.id IS
    'Surrogate primary key, generated with the built-in gen_random_uuid().';
COMMENT ON COLUMN attachments.task_id IS
    'Task the file is attached to; attachment rows are cascade-deleted with it.';
COMMENT ON COLUMN attachments.uploader_id IS
    'User who uploaded the file; set to NULL if that account is deleted.';
COMMENT ON COLUMN attachments.file_name IS
    'Original file name as uploaded, used for the download Content-Disposition.';
COMMENT ON COLUMN attachments.content_type IS
    'MIME type such as image/png, as detected at upload time.';
COMMENT ON COLUMN attachments.byte_size IS
    'File size in bytes; positive.';
COMMENT ON COLUMN attachments.storage_key IS
    'Unique object key in the storage bucket, e.g. org/<uuid>/tasks/<uuid>/<uuid>.';
COMMENT ON COLUMN attachments.checksum_sha256 IS
    'Lower-case hex SHA-256 of the content, for integrity checks and de-duplication; NULL until computed.';
COMMENT ON COLUMN attachments.created_at IS
    'When the file was uploaded.';
COMMENT ON COLUMN attachments.updated_at IS
    'When the metadata was last modified (e.g. renamed); maintained by the update_attachments_updated_at trigger.';

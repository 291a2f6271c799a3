-- 10_ runs after 9_ (natural order): tasks references tags
CREATE TABLE tasks (
    id bigint PRIMARY KEY,
    project_id bigint NOT NULL REFERENCES projects,
    tag_id bigint REFERENCES tags
);

-- migrate:up transaction:false
CREATE TABLE tasks (id bigint PRIMARY KEY, project_id bigint NOT NULL REFERENCES projects);
CREATE INDEX CONCURRENTLY tasks_project_id_idx ON tasks (project_id);

-- migrate:down
DROP TABLE tasks;

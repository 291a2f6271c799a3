-- migrate:up
CREATE TABLE projects (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts);

-- migrate:down
DROP TABLE projects;

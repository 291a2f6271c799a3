CREATE TABLE projects (id bigint PRIMARY KEY, account_id bigint NOT NULL REFERENCES accounts);

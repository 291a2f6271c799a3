-- 001_extensions.sql
-- Extensions the schema depends on.
--
-- uuid-ossp provides uuid_generate_v4(), used as the primary-key default on
-- most tables. (gen_random_uuid() is built into PostgreSQL 13+ and is used on
-- a couple of tables to show both styles.)

CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

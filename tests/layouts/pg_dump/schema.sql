--
-- PostgreSQL database dump
--

\restrict Zx1oYb9
-- Dumped from database version 17.6
-- Dumped by pg_dump version 17.6

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET client_min_messages = warning;

CREATE TYPE public.status AS ENUM (
    'open',
    'done'
);

CREATE TABLE public.accounts (
    id bigint NOT NULL,
    email text NOT NULL
);

CREATE TABLE public.tasks (
    id bigint NOT NULL,
    account_id bigint NOT NULL,
    status public.status DEFAULT 'open'::public.status NOT NULL
);

COPY public.accounts (id, email) FROM stdin;
1	ann@example.com
\.

ALTER TABLE ONLY public.accounts
    ADD CONSTRAINT accounts_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);

ALTER TABLE ONLY public.tasks
    ADD CONSTRAINT tasks_account_id_fkey FOREIGN KEY (account_id) REFERENCES public.accounts(id);

--
-- PostgreSQL database dump complete
--

\unrestrict Zx1oYb9

-- version 2.1 (underscore-separated): after V2, before V10
ALTER TABLE projects ADD COLUMN title text NOT NULL DEFAULT '';

-- repeatable: applied after every versioned migration
CREATE OR REPLACE VIEW open_tasks AS
SELECT t.id, t.title, p.title AS project FROM tasks t JOIN projects p ON p.id = t.project_id;

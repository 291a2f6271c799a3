-- Find attachments by file name (a search box doing an exact match).
SELECT a.id, a.task_id, a.byte_size
FROM attachments AS a
WHERE a.file_name = (SELECT b.file_name FROM attachments AS b ORDER BY b.id LIMIT 1);

-- How many comments has that user written? The same author_id index serves it (one index, two queries).
SELECT count(*)
FROM comments AS c
WHERE c.author_id = (SELECT u.id FROM users AS u ORDER BY u.id DESC LIMIT 1);

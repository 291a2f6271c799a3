-- Trap: gains only from a partial (or multi-column) index: status = 'cancelled' alone is not selective enough, the sort is what costs.
SELECT t.id, t.title, t.created_at
FROM tasks AS t
WHERE t.status = 'cancelled'
ORDER BY t.created_at DESC
LIMIT 20;

-- Trap for estimate-only advisors: the oldest accounts with activity since 2026 (the seeder's default window ends on 2026-01-01, so they are the newest few per cent). The planner cannot estimate extract(...), guesses a third of the rows match and costs an index on created_at as finding 20 at once; they sit at the far end of that order, so the index scan reads most of the table and is slower than the sort.
SELECT u.id, u.email, u.created_at
FROM users AS u
WHERE extract(year FROM u.updated_at) >= 2026
ORDER BY u.created_at
LIMIT 20;

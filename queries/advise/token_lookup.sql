-- Look an API token up by its public prefix (what an API gateway does on every request).
SELECT k.id, k.user_id, k.scopes
FROM api_tokens AS k
WHERE k.token_prefix = (SELECT y.token_prefix FROM api_tokens AS y ORDER BY y.id LIMIT 1);

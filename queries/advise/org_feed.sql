-- Trap: already served by idx_audit_log_organisation_id_created_at (organisation_id, created_at DESC).
SELECT a.id, a.action, a.created_at
FROM audit_log AS a
WHERE a.organisation_id = (SELECT o.id FROM organisations AS o ORDER BY o.id LIMIT 1)
ORDER BY a.created_at DESC
LIMIT 20;

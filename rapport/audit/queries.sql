-- The audit log's statements.

-- record --
INSERT INTO audit_events (org_id, actor, action, target, details)
VALUES (%(org)s, %(actor)s, %(action)s, %(target)s, %(details)s::jsonb)

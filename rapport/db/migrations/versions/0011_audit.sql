-- The audit log: every admin action (keys, users, settings and policies, publishing agents,
-- legal holds, retention runs ...) with who, when and on what. Append-only for the
-- application: rapport_app may insert and read its org's rows, never change or delete one.
CREATE TABLE audit_events (
    org_id uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT rapport_uuid7(),
    at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor text NOT NULL,
    action text NOT NULL,
    target text,
    details jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (org_id, id)
);
CREATE INDEX audit_events_recent_idx ON audit_events (org_id, at DESC);
CREATE INDEX audit_events_action_idx ON audit_events (org_id, action, at DESC);

SELECT rapport_isolate('audit_events');
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM rapport_app;

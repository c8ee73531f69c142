-- Retention: per-org policies (orgs.settings.retention) enforced in batches, legal holds that
-- exempt a contact or a conversation, and a record of every run.
CREATE TABLE legal_holds (
    org_id uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT rapport_uuid7(),
    contact_id uuid,
    conversation_id uuid,
    reason text NOT NULL CHECK (reason <> ''),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, id),
    CHECK ((contact_id IS NULL) <> (conversation_id IS NULL)),
    FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE,
    FOREIGN KEY (org_id, conversation_id) REFERENCES conversations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX legal_holds_contact_idx ON legal_holds (org_id, contact_id)
  WHERE contact_id IS NOT NULL;
CREATE INDEX legal_holds_conversation_idx ON legal_holds (org_id, conversation_id)
  WHERE conversation_id IS NOT NULL;

CREATE TABLE retention_runs (
    org_id uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT rapport_uuid7(),
    trigger text NOT NULL CHECK (trigger IN ('schedule', 'request')),
    actor text,
    policies jsonb NOT NULL,
    removed jsonb NOT NULL DEFAULT '{}',
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    error text,
    PRIMARY KEY (org_id, id)
);
CREATE INDEX retention_runs_recent_idx ON retention_runs (org_id, started_at DESC);

-- What retention reads: messages by age (a BRIN index: messages arrive roughly in time
-- order, and it costs appends next to nothing), summaries and agent states by their last
-- change.
CREATE INDEX messages_age_idx ON messages USING brin (ts);
CREATE INDEX interaction_summaries_age_idx ON interaction_summaries (org_id, updated_at);
CREATE INDEX agent_states_age_idx ON agent_states (org_id, updated_at);

SELECT rapport_isolate('legal_holds'), rapport_isolate('retention_runs');

-- Every org (not deleted at its identity provider): what a scheduled job visits, one org at
-- a time (SECURITY DEFINER: it sees every org, 0006).
CREATE FUNCTION rapport_org_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT o.org_id FROM orgs AS o WHERE o.disabled_at IS NULL ORDER BY o.org_id $$;
SELECT rapport_grant_definers();

-- PII scrubbing and GDPR (issue 10).
--
-- The vault: what tokenising scrubbing took out of a message, encrypted with a key the
-- database never sees (rapport.privacy.keys); an admin can reverse a token
-- (POST /v1/pii/reveal). A token belongs to one conversation, so erasing a person takes
-- their tokens with their conversations; retention takes a token once it was last vaulted
-- longer ago than the org keeps messages (vaulted_at).
CREATE TABLE pii_vault (
    org_id uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
    token text NOT NULL,
    conversation_id uuid NOT NULL,
    kind text NOT NULL,
    secret bytea NOT NULL,
    vaulted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, token),
    FOREIGN KEY (org_id, conversation_id) REFERENCES conversations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX pii_vault_conversation_idx ON pii_vault (org_id, conversation_id);
CREATE INDEX pii_vault_age_idx ON pii_vault (org_id, vaulted_at);

-- Erasure receipts: what was erased about a contact and when, signed by the server
-- (Ed25519), so the org can prove it later. They hold counts and ids, no personal data.
CREATE TABLE erasures (
    org_id uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
    id uuid NOT NULL DEFAULT rapport_uuid7(),
    contact_id uuid NOT NULL,
    erased_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor text NOT NULL,
    counts jsonb NOT NULL,
    receipt_signature text NOT NULL,
    PRIMARY KEY (org_id, id)
);
CREATE UNIQUE INDEX erasures_contact_idx ON erasures (org_id, contact_id);

-- What scrubbing has still to do: messages not yet through the scrubber (few, in an org
-- that scrubs; in one that does not, the index is all of its messages but is never read
-- for it, and costs an append one small index entry).
CREATE INDEX messages_unscrubbed_idx ON messages (org_id, created_at) WHERE NOT pii_scrubbed;

SELECT rapport_isolate('pii_vault'), rapport_isolate('erasures');
REVOKE UPDATE, DELETE, TRUNCATE ON erasures FROM rapport_app;

-- The orgs that scrub: what the worker's scrubbing sweep visits (SECURITY DEFINER: it sees
-- every org, 0006).
CREATE FUNCTION rapport_scrubbing_orgs() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
  SELECT o.org_id FROM orgs AS o
  WHERE o.disabled_at IS NULL AND o.settings -> 'pii' ->> 'when' IN ('ingest', 'within_24h')
  ORDER BY o.org_id
$$;
SELECT rapport_grant_definers();

-- Query performance for GET /v1/health/data, where the engine has pg_stat_statements (the
-- embedded one preloads it; managed services mostly do). Without it, or without the right
-- to create it, nothing changes and the report says it is not available.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
EXCEPTION WHEN OTHERS THEN
  RAISE NOTICE 'pg_stat_statements is not available here: %', SQLERRM;
END
$$;

-- Whether pg_stat_statements can be read here (created, and loaded: otherwise reading it
-- raises, which this catches); the caller's rights, so the application's.
CREATE FUNCTION rapport_statements_ready() RETURNS boolean
LANGUAGE plpgsql STABLE AS $$
BEGIN
  PERFORM FROM pg_stat_statements LIMIT 1;
  RETURN true;
EXCEPTION WHEN OTHERS THEN
  RETURN false;
END
$$;

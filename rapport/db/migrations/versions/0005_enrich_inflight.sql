-- A batch of enrichment commits what it read from its messages, then writes, one row per
-- statement, what follows from them: the conversation's language and qualification, the
-- contact's summary tallies (rapport.memory.enrichment.after_commit). Between the two, a
-- reader that must see those writes (read-your-writes before routing, a flush) would find
-- nothing pending and read too early. So a batch marks the conversations it read, in its own
-- transaction, and clears the marks once those writes are done; readers wait for marks.
-- A mark older than a minute is a worker that died in between: readers ignore it.
CREATE UNLOGGED TABLE enrich_inflight (
    batch uuid NOT NULL,
    org_id uuid NOT NULL,
    conversation_id uuid NOT NULL,
    contact_id uuid NOT NULL,
    marked_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (batch, org_id, conversation_id)
);
CREATE INDEX enrich_inflight_conversation ON enrich_inflight (org_id, conversation_id);
CREATE INDEX enrich_inflight_contact ON enrich_inflight (org_id, contact_id);

-- Memory and retrieval (issue 3).
--
-- Vectors are all-MiniLM-L6-v2's 384 dimensions, compared by cosine distance through HNSW
-- indexes. A row is written first and enriched after (DESIGN.md: durable first): a message's
-- extraction and embedding arrive in a later statement, and "enriched_at IS NULL" marks the
-- ones still waiting, in a partial index that stays as small as the backlog.

-- ---------------------------------------------------------------- messages

ALTER TABLE messages
  ADD COLUMN embedding   vector(384),
  ADD COLUMN enriched_at timestamptz;
CREATE INDEX messages_embedding_idx ON messages USING hnsw (embedding vector_cosine_ops);
CREATE INDEX messages_pending_idx ON messages (org_id, created_at) WHERE enriched_at IS NULL;

-- ---------------------------------------------------------------- memories

-- One row per version of a memory. A memory's identity is (contact, agent, key); the current
-- version has valid_to NULL. A new value ends the current version (valid_to, ended_by,
-- ended_reason 'superseded') and starts the next, which names it in `supersedes`; deleting
-- ends it with reason 'deleted'. Rows are never removed by the memory verbs, so every past
-- version answers "what did we know on that day" (valid_from <= day < valid_to).
CREATE TABLE memories (
  org_id            uuid NOT NULL,
  id                uuid NOT NULL DEFAULT rapport_uuid7(),
  chain_id          uuid NOT NULL,  -- the first version's id: one memory's whole history
  contact_id        uuid NOT NULL,
  agent_id          uuid,
  conversation_id   uuid,
  key               text NOT NULL,
  value             jsonb,
  text              text NOT NULL,
  extracted_by      text NOT NULL,
  source_message_id uuid,
  confidence        double precision CHECK (confidence BETWEEN 0 AND 1),
  metadata          jsonb NOT NULL DEFAULT '{}',
  valid_from        timestamptz NOT NULL DEFAULT now(),
  valid_to          timestamptz,
  supersedes        uuid,
  ended_by          text,
  ended_reason      text CHECK (ended_reason IN ('superseded', 'deleted')),
  created_at        timestamptz NOT NULL DEFAULT now(),
  embedding         vector(384),
  search            tsvector GENERATED ALWAYS AS (
                      to_tsvector('english', replace(key, '_', ' ') || ' ' || text)) STORED,
  PRIMARY KEY (org_id, id),
  CHECK (valid_to IS NULL OR valid_to >= valid_from),
  FOREIGN KEY (org_id, contact_id) REFERENCES contacts ON DELETE CASCADE,
  FOREIGN KEY (org_id, agent_id) REFERENCES agents ON DELETE CASCADE,
  FOREIGN KEY (org_id, conversation_id) REFERENCES conversations
    ON DELETE SET NULL (conversation_id),
  FOREIGN KEY (org_id, source_message_id) REFERENCES messages
    ON DELETE SET NULL (source_message_id)
);
-- At most one current version per (contact, agent, key); agent NULL is its own scope.
CREATE UNIQUE INDEX memories_current_idx
  ON memories (org_id, contact_id, key, coalesce(agent_id, '00000000-0000-0000-0000-000000000000'))
  WHERE valid_to IS NULL;
CREATE INDEX memories_contact_idx ON memories (org_id, contact_id, valid_from);
CREATE INDEX memories_chain_idx ON memories (org_id, chain_id, valid_from);
CREATE INDEX memories_embedding_idx ON memories USING hnsw (embedding vector_cosine_ops);
CREATE INDEX memories_search_idx ON memories USING gin (search);
CREATE INDEX memories_pending_idx ON memories (org_id, created_at) WHERE embedding IS NULL;

-- ---------------------------------------------------------------- knowledge

-- Documents an agent may draw on (seed 001's research results, seed 004's knowledge
-- sources), split into chunks that are embedded and searched like messages.
CREATE TABLE knowledge_documents (
  org_id       uuid NOT NULL REFERENCES orgs ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT rapport_uuid7(),
  external_id  text NOT NULL,  -- the caller's id, else a hash of title and text
  title        text NOT NULL,
  text         text NOT NULL,
  source       text,
  url          text,
  metadata     jsonb NOT NULL DEFAULT '{}',
  chunk_count  integer NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, external_id)
);
CREATE INDEX knowledge_documents_recent_idx ON knowledge_documents (org_id, created_at DESC);

CREATE TABLE knowledge_chunks (
  org_id       uuid NOT NULL,
  id           uuid NOT NULL DEFAULT rapport_uuid7(),
  document_id  uuid NOT NULL,
  position     integer NOT NULL,
  text         text NOT NULL,
  embedding    vector(384),
  search       tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED,
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, document_id, position),
  FOREIGN KEY (org_id, document_id) REFERENCES knowledge_documents ON DELETE CASCADE
);
CREATE INDEX knowledge_chunks_embedding_idx
  ON knowledge_chunks USING hnsw (embedding vector_cosine_ops);
CREATE INDEX knowledge_chunks_search_idx ON knowledge_chunks USING gin (search);
CREATE INDEX knowledge_chunks_pending_idx ON knowledge_chunks (org_id) WHERE embedding IS NULL;

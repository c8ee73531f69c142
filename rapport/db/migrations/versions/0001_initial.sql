-- Rapport's first schema: tenancy, contacts, conversations (seed 000's document, seed 003's
-- sessions), messages, objections, agents and per-contact interaction summaries.
--
-- Every table carries org_id and leads its primary key with it; tables of one lead's history
-- also carry contact_id. Foreign keys include org_id, so a distributed PostgreSQL (Citus)
-- can shard every table by org_id and keep each tenant's rows together. A table whose rows
-- belong to a parent (a message to its conversation) references the parent by (org_id, id)
-- and reaches orgs through it, so each insert checks one foreign key, not two.

CREATE EXTENSION IF NOT EXISTS vector;

-- Time-ordered UUIDs (version 7): ids sort by creation time, so B-tree inserts stay local.
CREATE FUNCTION rapport_uuid7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;

-- RFC 7396 JSON merge patch: PATCH {"metadata": {"a": 1, "b": null}} sets a, removes b.
CREATE FUNCTION rapport_merge_patch(target jsonb, patch jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  merged jsonb;
  item record;
BEGIN
  IF patch IS NULL OR jsonb_typeof(patch) <> 'object' THEN
    RETURN patch;
  END IF;
  merged := CASE WHEN jsonb_typeof(target) = 'object' THEN target ELSE '{}'::jsonb END;
  FOR item IN SELECT key, value FROM jsonb_each(patch) LOOP
    IF jsonb_typeof(item.value) = 'null' THEN
      merged := merged - item.key;
    ELSE
      merged := jsonb_set(merged, ARRAY[item.key], rapport_merge_patch(merged -> item.key, item.value));
    END IF;
  END LOOP;
  RETURN merged;
END
$$;

-- Adds two {"key": count} objects key by key (intent and language tallies). A loop over the
-- few keys of the increment, not a regrouping of both objects: it runs on every message write.
CREATE FUNCTION rapport_add_counts(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  merged jsonb := coalesce(a, '{}'::jsonb);
  item record;
BEGIN
  FOR item IN SELECT key, value FROM jsonb_each_text(b) LOOP
    merged := jsonb_set(
      merged, ARRAY[item.key],
      to_jsonb(coalesce((merged ->> item.key)::numeric, 0) + item.value::numeric));
  END LOOP;
  RETURN merged;
END
$$;

-- The elements of a JSON array, declared to yield one row. Every create sends its rows as a
-- JSON array; with the default estimate (100 rows) the planner prefers scanning a whole
-- tenant's conversations or contacts to probing their primary keys, which is what a write of
-- one message needs (and a thousand probes is still what a bulk write needs). PL/pgSQL, so the
-- estimate is not lost to inlining.
CREATE FUNCTION rapport_rows(items jsonb) RETURNS SETOF jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE ROWS 1 AS $$
BEGIN
  RETURN QUERY SELECT jsonb_array_elements(items);
END
$$;

-- The most frequent key of a {"key": count} object (ties: alphabetical).
CREATE FUNCTION rapport_top_key(counts jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT key FROM jsonb_each_text(counts) ORDER BY value::numeric DESC, key LIMIT 1
$$;

-- ---------------------------------------------------------------- tenancy

CREATE TABLE orgs (
  org_id     uuid PRIMARY KEY DEFAULT rapport_uuid7(),
  name       text NOT NULL UNIQUE CHECK (name <> ''),
  settings   jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
  org_id      uuid NOT NULL REFERENCES orgs ON DELETE CASCADE,
  id          uuid NOT NULL DEFAULT rapport_uuid7(),
  external_id text,
  email       text NOT NULL,
  name        text,
  role        text NOT NULL DEFAULT 'operator'
              CHECK (role IN ('owner', 'admin', 'operator', 'viewer')),
  is_active   boolean NOT NULL DEFAULT true,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, email),
  UNIQUE (org_id, external_id)
);

CREATE TABLE api_keys (
  org_id       uuid NOT NULL REFERENCES orgs ON DELETE CASCADE,
  id           uuid NOT NULL DEFAULT rapport_uuid7(),
  name         text,
  role         text NOT NULL CHECK (role IN ('owner', 'admin', 'operator', 'viewer')),
  prefix       text NOT NULL,
  secret_hash  bytea NOT NULL UNIQUE,
  user_id      uuid,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at   timestamptz,
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, user_id) REFERENCES users ON DELETE SET NULL (user_id)
);

-- ---------------------------------------------------------------- contacts

CREATE TABLE contacts (
  org_id           uuid NOT NULL REFERENCES orgs ON DELETE CASCADE,
  id               uuid NOT NULL DEFAULT rapport_uuid7(),
  external_id      text,
  name             text,
  email            text,
  phone            text,
  instagram_handle text,
  channel_ids      jsonb NOT NULL DEFAULT '{}',
  source           text,
  campaign         text,
  tags             jsonb NOT NULL DEFAULT '[]',
  industry         text,
  company_size     text,
  job_title        text,
  lead_score       double precision,
  metadata         jsonb NOT NULL DEFAULT '{}',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  last_interaction timestamptz,
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, external_id),
  UNIQUE (org_id, phone),
  UNIQUE (org_id, instagram_handle)
) WITH (fillfactor = 90);  -- room for HOT updates of last_interaction on every message
CREATE INDEX contacts_email_idx ON contacts (org_id, email);
CREATE INDEX contacts_recent_idx ON contacts (org_id, created_at DESC);
CREATE INDEX contacts_tags_idx ON contacts USING gin (tags jsonb_path_ops);

-- ---------------------------------------------------------------- conversations

CREATE TABLE conversations (
  org_id                   uuid NOT NULL,
  id                       uuid NOT NULL DEFAULT rapport_uuid7(),
  contact_id               uuid NOT NULL,
  external_id              text,
  channel                  text NOT NULL,
  status                   text NOT NULL DEFAULT 'active'
                           CHECK (status IN ('active', 'inactive', 'completed', 'abandoned')),
  sales_stage              text NOT NULL DEFAULT 'qualification'
                           CHECK (sales_stage IN ('qualification', 'objection_handling', 'closing',
                                                  'not_qualified', 'won', 'lost')),
  is_qualified             boolean,
  current_agent            text,
  language                 text,
  qualification_budget     text,
  qualification_need       text,
  qualification_authority  text,
  qualification_timeline   text,
  qualification_score      double precision,
  follow_up_required       boolean NOT NULL DEFAULT false,
  follow_up_scheduled_date timestamptz,
  follow_up_reason         text,
  follow_up_notes          text,
  follow_up_reminder_sent  boolean NOT NULL DEFAULT false,
  metadata                 jsonb NOT NULL DEFAULT '{}',
  intents                  jsonb NOT NULL DEFAULT '{}',
  context                  jsonb NOT NULL DEFAULT '{}',
  outlet_id                text,
  start_time               timestamptz NOT NULL DEFAULT now(),
  end_time                 timestamptz,
  message_count            integer NOT NULL DEFAULT 0,
  last_message_at          timestamptz,
  created_at               timestamptz NOT NULL DEFAULT now(),
  updated_at               timestamptz NOT NULL DEFAULT now(),
  completed_at             timestamptz,
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, external_id),
  FOREIGN KEY (org_id, contact_id) REFERENCES contacts ON DELETE CASCADE
) WITH (fillfactor = 90);  -- every message updates its conversation's counters
-- Seed 000's indexes, each led by org_id. Every index is paid on every message append (the
-- conversation's updated_at moves), so there are only the ones a query pattern needs.
CREATE INDEX conversations_contact_recent_idx
  ON conversations (org_id, contact_id, updated_at DESC);           -- user_lookup_idx
CREATE INDEX conversations_pipeline_idx
  ON conversations (org_id, sales_stage, status, updated_at DESC);  -- sales_pipeline_idx
CREATE INDEX conversations_channel_idx ON conversations (org_id, channel);
CREATE INDEX conversations_recent_idx ON conversations (org_id, created_at DESC);
CREATE INDEX conversations_follow_up_idx
  ON conversations (org_id, follow_up_scheduled_date)
  WHERE follow_up_required;                                          -- follow_up_scheduling_idx
CREATE INDEX conversations_agent_workload_idx
  ON conversations (org_id, current_agent, status, updated_at DESC); -- agent_workload_idx
-- Seed 003's session timeline, and the 90-day expiry of completed conversations.
CREATE INDEX conversations_contact_start_idx ON conversations (org_id, contact_id, start_time DESC);
CREATE INDEX conversations_completed_idx
  ON conversations (org_id, completed_at) WHERE completed_at IS NOT NULL;

-- completed_at follows status, whichever way status was written.
CREATE FUNCTION rapport_stamp_completed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'completed' AND NEW.completed_at IS NULL THEN
    NEW.completed_at := now();
  ELSIF NEW.status <> 'completed' AND TG_OP = 'UPDATE' AND OLD.status = 'completed' THEN
    NEW.completed_at := NULL;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER conversations_completed_at
  BEFORE INSERT OR UPDATE OF status ON conversations
  FOR EACH ROW EXECUTE FUNCTION rapport_stamp_completed();

-- How many conversations sit in each (sales_stage, status, current_agent), kept by triggers
-- in the same transaction as every write, so the pipeline and the agents' workload read a
-- few rows however many conversations a tenant has ('' stands for no agent). A message
-- append does not touch these columns, so it never fires the update trigger.
CREATE TABLE conversation_tallies (
  org_id        uuid NOT NULL REFERENCES orgs ON DELETE CASCADE,
  sales_stage   text NOT NULL,
  status        text NOT NULL,
  current_agent text NOT NULL,
  n             bigint NOT NULL,
  PRIMARY KEY (org_id, sales_stage, status, current_agent)
);

CREATE FUNCTION rapport_tally_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO conversation_tallies AS t (org_id, sales_stage, status, current_agent, n)
  SELECT org_id, sales_stage, status, coalesce(current_agent, ''), count(*)
  FROM added GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (org_id, sales_stage, status, current_agent) DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_tally_insert
  AFTER INSERT ON conversations REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION rapport_tally_added();

CREATE FUNCTION rapport_tally_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE conversation_tallies AS t SET n = t.n - r.k
  FROM (SELECT org_id, sales_stage, status, coalesce(current_agent, '') AS current_agent,
               count(*) AS k
        FROM removed GROUP BY 1, 2, 3, 4) AS r
  WHERE t.org_id = r.org_id AND t.sales_stage = r.sales_stage AND t.status = r.status
    AND t.current_agent = r.current_agent;
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_tally_delete
  AFTER DELETE ON conversations REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION rapport_tally_removed();

CREATE FUNCTION rapport_tally_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE conversation_tallies SET n = n - 1
  WHERE org_id = OLD.org_id AND sales_stage = OLD.sales_stage AND status = OLD.status
    AND current_agent = coalesce(OLD.current_agent, '');
  INSERT INTO conversation_tallies AS t (org_id, sales_stage, status, current_agent, n)
  VALUES (NEW.org_id, NEW.sales_stage, NEW.status, coalesce(NEW.current_agent, ''), 1)
  ON CONFLICT (org_id, sales_stage, status, current_agent) DO UPDATE SET n = t.n + 1;
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_tally_update
  AFTER UPDATE OF sales_stage, status, current_agent ON conversations
  FOR EACH ROW
  WHEN (OLD.sales_stage IS DISTINCT FROM NEW.sales_stage OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.current_agent IS DISTINCT FROM NEW.current_agent)
  EXECUTE FUNCTION rapport_tally_moved();

-- ---------------------------------------------------------------- messages

CREATE TABLE messages (
  org_id          uuid NOT NULL,
  id              uuid NOT NULL DEFAULT rapport_uuid7(),
  conversation_id uuid NOT NULL,
  contact_id      uuid NOT NULL,
  external_id     text,
  role            text NOT NULL CHECK (role IN ('user', 'agent', 'assistant', 'system')),
  agent_type      text,
  content         text NOT NULL,
  language        text,
  intent          text,
  confidence      double precision CHECK (confidence BETWEEN 0 AND 1),
  sentiment       double precision CHECK (sentiment BETWEEN -1 AND 1),
  keywords        jsonb NOT NULL DEFAULT '[]',
  phase           text,
  media           jsonb,
  variant_id      text,
  context         jsonb NOT NULL DEFAULT '{}',
  pii_scrubbed    boolean NOT NULL DEFAULT false,
  ts              timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT now(),
  search          tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED,
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, conversation_id, external_id),
  FOREIGN KEY (org_id, conversation_id) REFERENCES conversations ON DELETE CASCADE
);
CREATE INDEX messages_conversation_ts_idx ON messages (org_id, conversation_id, ts, id);
CREATE INDEX messages_contact_ts_idx ON messages (org_id, contact_id, ts DESC);
CREATE INDEX messages_intent_idx
  ON messages (org_id, intent, confidence DESC) WHERE intent IS NOT NULL;
CREATE INDEX messages_created_idx ON messages (org_id, created_at);
CREATE INDEX messages_search_idx ON messages USING gin (search);

-- ---------------------------------------------------------------- objections

CREATE TABLE objections (
  org_id          uuid NOT NULL,
  id              uuid NOT NULL DEFAULT rapport_uuid7(),
  conversation_id uuid NOT NULL,
  contact_id      uuid NOT NULL,
  message_id      uuid,
  type            text NOT NULL
                  CHECK (type IN ('price', 'timing', 'trust', 'competitor', 'authority', 'need', 'other')),
  description     text,
  raised_at       timestamptz NOT NULL DEFAULT now(),
  resolved        boolean NOT NULL DEFAULT false,
  resolution      text,
  resolved_at     timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, conversation_id) REFERENCES conversations ON DELETE CASCADE,
  FOREIGN KEY (org_id, message_id) REFERENCES messages ON DELETE SET NULL (message_id)
);
CREATE INDEX objections_conversation_idx ON objections (org_id, conversation_id, raised_at);
CREATE INDEX objections_type_idx ON objections (org_id, type, resolved);

-- resolved_at follows resolved, whichever way resolved was written.
CREATE FUNCTION rapport_stamp_resolved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.resolved AND NEW.resolved_at IS NULL THEN
    NEW.resolved_at := now();
  ELSIF NOT NEW.resolved THEN
    NEW.resolved_at := NULL;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER objections_resolved_at
  BEFORE INSERT OR UPDATE OF resolved ON objections
  FOR EACH ROW EXECUTE FUNCTION rapport_stamp_resolved();

-- ---------------------------------------------------------------- agents

CREATE TABLE agents (
  org_id      uuid NOT NULL REFERENCES orgs ON DELETE CASCADE,
  id          uuid NOT NULL DEFAULT rapport_uuid7(),
  name        text NOT NULL,
  role        text NOT NULL
              CHECK (role IN ('supervisor', 'qualifier', 'objection_handler', 'closer', 'custom')),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  description text,
  config      jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, name)
);

-- ---------------------------------------------------------------- interaction summaries

-- One row per contact (seed 003's user_interaction_summaries), kept current in the same
-- statement as every conversation and message write. Only the columns a message does not
-- change are indexed, so a message's update of its summary is a HOT update (no index writes).
CREATE TABLE interaction_summaries (
  org_id               uuid NOT NULL,
  contact_id           uuid NOT NULL,
  total_conversations  integer NOT NULL DEFAULT 0,
  total_messages       integer NOT NULL DEFAULT 0,
  common_intents       jsonb NOT NULL DEFAULT '{}',
  language_counts      jsonb NOT NULL DEFAULT '{}',
  preferred_language   text GENERATED ALWAYS AS (rapport_top_key(language_counts)) STORED,
  avg_satisfaction     double precision,
  satisfaction_samples integer NOT NULL DEFAULT 0,
  first_interaction    timestamptz,
  last_interaction     timestamptz,
  metadata             jsonb NOT NULL DEFAULT '{}',
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, contact_id),
  FOREIGN KEY (org_id, contact_id) REFERENCES contacts ON DELETE CASCADE
) WITH (fillfactor = 90);
CREATE INDEX interaction_summaries_conversations_idx
  ON interaction_summaries (org_id, total_conversations DESC);

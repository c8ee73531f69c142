-- The learning loop (issue 12): what happens to every message an agent sends, the
-- prompt variants that compete for it, the triggers that follow up silence, and the daily
-- metrics that say whether the whole system is improving. rapport/learning maps the code.

-- Engagement events (seed 001's time series), partitioned by month of ``at``. A partitioned
-- table's unique indexes must contain ``at``, so the idempotency key (org, external_id)
-- lives in event_keys, which also answers a retry with the stored ids. Events name their
-- message, conversation and contact without foreign keys: a check per row would cost a
-- third of ingest, and the ingest statement already proves each exists; a deleted
-- conversation takes its events with it (trigger conversations_forget_events), an erased
-- person all of theirs (rapport.privacy's erase).
CREATE TABLE events (
  org_id          uuid NOT NULL,
  id              uuid NOT NULL DEFAULT rapport_uuid7(),
  type            text NOT NULL
                  CHECK (type IN ('sent', 'delivered', 'read', 'replied', 'clicked', 'failed')),
  at              timestamptz NOT NULL,
  external_id     text NOT NULL,
  message_id      uuid,
  conversation_id uuid,
  contact_id      uuid,
  agent           text,
  channel         text,
  variant_id      text,
  data            jsonb NOT NULL DEFAULT '{}',
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, at, id)
) PARTITION BY RANGE (at);
CREATE INDEX events_message_idx ON events (org_id, message_id, at) WHERE message_id IS NOT NULL;
CREATE INDEX events_conversation_idx ON events (org_id, conversation_id, at);
-- Events naming only a contact (GDPR export and erasure find the others by conversation).
CREATE INDEX events_contact_idx ON events (org_id, contact_id) WHERE conversation_id IS NULL;
SELECT rapport_isolate('events');

CREATE TABLE event_keys (
  org_id      uuid NOT NULL,
  external_id text NOT NULL,
  event_id    uuid NOT NULL,
  at          timestamptz NOT NULL,
  PRIMARY KEY (org_id, external_id)
);
SELECT rapport_isolate('event_keys');

-- How far each message has got: sent < failed < delivered < read < clicked < replied. An
-- event that arrives late (delivered after read) never moves a message back.
CREATE FUNCTION rapport_event_rank(type text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE type WHEN 'sent' THEN 1 WHEN 'failed' THEN 2 WHEN 'delivered' THEN 3
    WHEN 'read' THEN 4 WHEN 'clicked' THEN 5 WHEN 'replied' THEN 6 ELSE 0 END
$$;

CREATE TABLE message_status (
  org_id          uuid NOT NULL,
  message_id      uuid NOT NULL,
  conversation_id uuid NOT NULL,
  contact_id      uuid NOT NULL,
  variant_id      text,
  status          text NOT NULL,
  at              timestamptz NOT NULL,
  PRIMARY KEY (org_id, message_id),
  FOREIGN KEY (org_id, message_id) REFERENCES messages (org_id, id) ON DELETE CASCADE
);
-- read_no_reply: the messages read longest ago and still unanswered.
CREATE INDEX message_status_waiting_idx ON message_status (org_id, status, at);
-- An experiment's funnel: its variants' messages by status, and who replied.
CREATE INDEX message_status_variant_idx ON message_status (org_id, variant_id, status)
  INCLUDE (contact_id) WHERE variant_id IS NOT NULL;
SELECT rapport_isolate('message_status');

-- Monthly partitions are made when the first event of a month arrives (the ingest and the
-- reply trigger call this first). It runs as the schema's owner, so the application role
-- needs no CREATE; each partition gets the tenant policy like every other table.
CREATE FUNCTION rapport_event_partitions(months timestamptz[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  month date;
  name text;
BEGIN
  FOR month IN SELECT DISTINCT date_trunc('month', m AT TIME ZONE 'UTC')::date
               FROM unnest(months) AS m WHERE m IS NOT NULL LOOP
    name := format('events_%s', to_char(month, 'YYYY_MM'));
    CONTINUE WHEN to_regclass(name) IS NOT NULL;
    -- Another transaction may be making it: one at a time, and the second finds it made
    -- (its catalog snapshot may not show it yet, so the duplicate is caught too).
    PERFORM pg_advisory_xact_lock(hashtext('rapport_event_partitions'));
    BEGIN
      EXECUTE format(
        'CREATE TABLE %I PARTITION OF events FOR VALUES FROM (%L) TO (%L)', name,
        (month::timestamp AT TIME ZONE 'UTC'),
        ((month + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
      PERFORM rapport_isolate(name::regclass);
    EXCEPTION WHEN duplicate_table THEN
      NULL;
    END;
  END LOOP;
END
$$;

-- A lead's message records ``replied`` for the last agent message before it (once per
-- agent message: its key is the message's id), and moves that message's status.
CREATE FUNCTION rapport_record_replies() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NOT EXISTS (
    SELECT FROM added AS u
    WHERE u.role = 'user' AND EXISTS (
      SELECT FROM messages AS m
      WHERE m.org_id = u.org_id AND m.conversation_id = u.conversation_id
        AND m.role IN ('agent', 'assistant') AND m.ts <= u.ts)) THEN
    RETURN NULL;  -- no lead's message answers an agent's
  END IF;
  PERFORM rapport_event_partitions(ARRAY(SELECT DISTINCT ts FROM added WHERE role = 'user'));
  WITH replies AS (
    SELECT DISTINCT ON (a.id) u.org_id, a.id AS message_id, a.conversation_id, a.contact_id,
           a.agent_type AS agent, a.variant_id, u.ts AS at, u.id AS reply_id
    FROM added AS u
    CROSS JOIN LATERAL (
      SELECT m.id, m.conversation_id, m.contact_id, m.agent_type, m.variant_id
      FROM messages AS m
      WHERE m.org_id = u.org_id AND m.conversation_id = u.conversation_id
        AND m.role IN ('agent', 'assistant') AND m.ts <= u.ts
      ORDER BY m.ts DESC, m.id DESC LIMIT 1) AS a
    WHERE u.role = 'user'
    ORDER BY a.id, u.ts, u.id
  ),
  fresh AS (
    INSERT INTO event_keys (org_id, external_id, event_id, at)
    SELECT org_id, 'replied:' || message_id, rapport_uuid7(), at FROM replies
    ON CONFLICT DO NOTHING
    RETURNING external_id, event_id
  ),
  recorded AS (
    INSERT INTO events (org_id, id, type, at, external_id, message_id, conversation_id,
                        contact_id, agent, channel, variant_id, data)
    SELECT r.org_id, f.event_id, 'replied', r.at, f.external_id, r.message_id,
           r.conversation_id, r.contact_id, r.agent, c.channel, r.variant_id,
           jsonb_build_object('reply_id', r.reply_id)
    FROM replies AS r
    JOIN fresh AS f ON f.external_id = 'replied:' || r.message_id
    JOIN conversations AS c ON c.org_id = r.org_id AND c.id = r.conversation_id
  )
  INSERT INTO message_status AS s (org_id, message_id, conversation_id, contact_id,
                                   variant_id, status, at)
  SELECT org_id, message_id, conversation_id, contact_id, variant_id, 'replied', at
  FROM replies
  ON CONFLICT (org_id, message_id) DO UPDATE SET status = 'replied', at = excluded.at
  WHERE rapport_event_rank(s.status) < rapport_event_rank('replied');
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_record_replies AFTER INSERT ON messages
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION rapport_record_replies();

CREATE FUNCTION rapport_forget_events() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- A contact's events with a conversation go with the conversation (its delete cascades).
  IF TG_TABLE_NAME = 'contacts' THEN
    WITH gone AS (
      DELETE FROM events AS e USING removed AS r
      WHERE e.org_id = r.org_id AND e.conversation_id IS NULL AND e.contact_id = r.id
      RETURNING e.org_id, e.external_id)
    DELETE FROM event_keys AS k USING gone AS g
    WHERE k.org_id = g.org_id AND k.external_id = g.external_id;
  ELSE
    WITH gone AS (
      DELETE FROM events AS e USING removed AS r
      WHERE e.org_id = r.org_id AND e.conversation_id = r.id
      RETURNING e.org_id, e.external_id)
    DELETE FROM event_keys AS k USING gone AS g
    WHERE k.org_id = g.org_id AND k.external_id = g.external_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_forget_events AFTER DELETE ON conversations
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION rapport_forget_events();
CREATE TRIGGER contacts_forget_events AFTER DELETE ON contacts
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION rapport_forget_events();

-- When a lead last wrote (trigger no_inbound) and when a conversation qualified (trigger
-- qualified_no_closing): kept by the messages' insert statement and by a trigger.
ALTER TABLE conversations ADD COLUMN last_inbound_at timestamptz,
                          ADD COLUMN qualified_at timestamptz;
UPDATE conversations AS c SET last_inbound_at = m.ts
FROM (SELECT org_id, conversation_id, max(ts) AS ts FROM messages WHERE role = 'user'
      GROUP BY 1, 2) AS m
WHERE c.org_id = m.org_id AND c.id = m.conversation_id;
UPDATE conversations SET qualified_at = updated_at WHERE is_qualified;
CREATE INDEX conversations_silent_idx
  ON conversations (org_id, (coalesce(last_inbound_at, start_time))) WHERE status = 'active';
CREATE INDEX conversations_qualified_idx ON conversations (org_id, qualified_at)
  WHERE is_qualified AND sales_stage IN ('qualification', 'objection_handling');

CREATE FUNCTION rapport_stamp_qualified() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.is_qualified IS TRUE AND (TG_OP = 'INSERT' OR OLD.is_qualified IS NOT TRUE) THEN
    NEW.qualified_at := coalesce(NEW.qualified_at, now());
  ELSIF NEW.is_qualified IS NOT TRUE THEN
    NEW.qualified_at := NULL;
  END IF;
  RETURN NEW;
END
$$;
-- Named to run after conversations_qualify, which may set is_qualified.
CREATE TRIGGER conversations_stamp_qualified BEFORE INSERT OR UPDATE OF is_qualified,
  qualification_score ON conversations FOR EACH ROW EXECUTE FUNCTION rapport_stamp_qualified();

-- Feedback (seed 001): a lead's reply, rating, CSAT or words about a conversation or message.
CREATE TABLE feedback (
  org_id          uuid NOT NULL,
  id              uuid NOT NULL DEFAULT rapport_uuid7(),
  conversation_id uuid NOT NULL,
  contact_id      uuid NOT NULL,
  message_id      uuid,
  external_id     text,
  kind            text NOT NULL CHECK (kind IN ('reply', 'rating', 'csat', 'text')),
  score           double precision,
  text            text,
  created_by      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, external_id),
  FOREIGN KEY (org_id, conversation_id) REFERENCES conversations (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, message_id) REFERENCES messages (org_id, id)
    ON DELETE SET NULL (message_id)
);
CREATE INDEX feedback_conversation_idx ON feedback (org_id, conversation_id, created_at);
CREATE INDEX feedback_created_idx ON feedback (org_id, created_at);
SELECT rapport_isolate('feedback');

-- Prompt variants (seed 001) and the experiments that make them compete.
CREATE TABLE prompt_variants (
  org_id        uuid NOT NULL,
  id            uuid NOT NULL DEFAULT rapport_uuid7(),
  agent         text NOT NULL,
  name          text NOT NULL,
  template      text NOT NULL,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  weight        double precision NOT NULL DEFAULT 1 CHECK (weight >= 0),
  paused_reason text,
  paused_at     timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, agent, name)
);
SELECT rapport_isolate('prompt_variants');

CREATE TABLE experiments (
  org_id      uuid NOT NULL,
  id          uuid NOT NULL DEFAULT rapport_uuid7(),
  name        text NOT NULL,
  agent       text NOT NULL,
  variants    uuid[] NOT NULL CHECK (cardinality(variants) >= 2),
  control     uuid NOT NULL CHECK (control = ANY (variants)),
  strategy    text NOT NULL DEFAULT 'sticky'
              CHECK (strategy IN ('sticky', 'round_robin', 'thompson')),
  metric      text NOT NULL DEFAULT 'replied' CHECK (metric IN ('replied', 'qualified', 'won')),
  min_sample  integer NOT NULL DEFAULT 100 CHECK (min_sample >= 1),
  pause_below double precision NOT NULL DEFAULT 0.05 CHECK (pause_below >= 0 AND pause_below < 1),
  status      text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'paused', 'stopped')),
  -- Assignments made so far: round robin's turn, and what serialises assignments.
  assigned    bigint NOT NULL DEFAULT 0,
  -- Thompson sampling's weights, as the last reweighting left them (variant id -> weight).
  weights     jsonb NOT NULL DEFAULT '{}',
  decisions   jsonb NOT NULL DEFAULT '[]',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, name)
);
SELECT rapport_isolate('experiments');

CREATE TABLE experiment_assignments (
  org_id        uuid NOT NULL,
  experiment_id uuid NOT NULL,
  contact_id    uuid NOT NULL,
  variant_id    uuid NOT NULL,
  seq           bigint NOT NULL,
  assigned_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, experiment_id, contact_id),
  FOREIGN KEY (org_id, experiment_id) REFERENCES experiments (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, contact_id) REFERENCES contacts (org_id, id) ON DELETE CASCADE
);
-- An agent message without a variant takes its contact's latest assignment for the agent.
CREATE INDEX experiment_assignments_contact_idx
  ON experiment_assignments (org_id, contact_id, assigned_at DESC);
CREATE INDEX experiment_assignments_variant_idx
  ON experiment_assignments (org_id, experiment_id, variant_id);
SELECT rapport_isolate('experiment_assignments');

-- A moment as text that reads the same whatever the session's time zone (a cause's key).
CREATE FUNCTION rapport_instant(at timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- Triggers: rules the worker evaluates; each cause fires once (trigger_firings' key).
CREATE FUNCTION rapport_after(after text) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT left(after, -1)::integer * CASE right(after, 1)
    WHEN 'm' THEN interval '1 minute' WHEN 'h' THEN interval '1 hour'
    WHEN 'd' THEN interval '1 day' WHEN 'w' THEN interval '1 week' END
$$;

CREATE TABLE triggers (
  org_id        uuid NOT NULL,
  id            uuid NOT NULL DEFAULT rapport_uuid7(),
  name          text NOT NULL,
  -- Its public name is "when" (a reserved word in SQL).
  kind          text NOT NULL
                CHECK (kind IN ('read_no_reply', 'no_inbound', 'qualified_no_closing', 'custom')),
  -- How long the cause must last: a number and a unit (m, h, d or w), as "24h" or "3d".
  after         text NOT NULL CHECK (after ~ '^[1-9][0-9]{0,4}[mhdw]$'),
  filter        jsonb NOT NULL DEFAULT '{}',
  event         jsonb,
  reason        text,
  agent         text,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  last_run_at   timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, name)
);
SELECT rapport_isolate('triggers');

CREATE TABLE trigger_firings (
  org_id          uuid NOT NULL,
  trigger_id      uuid NOT NULL,
  conversation_id uuid NOT NULL,
  cause           text NOT NULL,
  follow_up_id    uuid,
  fired_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, trigger_id, conversation_id, cause),
  FOREIGN KEY (org_id, trigger_id) REFERENCES triggers (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, conversation_id) REFERENCES conversations (org_id, id) ON DELETE CASCADE
);
CREATE INDEX trigger_firings_conversation_idx ON trigger_firings (org_id, conversation_id);
SELECT rapport_isolate('trigger_firings');

-- What the daily metrics count by day: conversations by start, agents' messages by time.
CREATE INDEX conversations_started_idx ON conversations (org_id, start_time);
CREATE INDEX messages_sent_idx ON messages (org_id, ts) WHERE role IN ('agent', 'assistant');

-- One row per org and UTC day, recomputed from the data by the worker (seed 002's
-- learning_metrics; rapport.learning.metrics says what each column counts).
CREATE TABLE learning_daily (
  org_id              uuid NOT NULL,
  day                 date NOT NULL,
  conversations       integer NOT NULL DEFAULT 0,
  calls               integer NOT NULL DEFAULT 0,
  leads               integer NOT NULL DEFAULT 0,
  qualified           integer NOT NULL DEFAULT 0,
  won                 integer NOT NULL DEFAULT 0,
  engagement_sum      double precision NOT NULL DEFAULT 0,
  engagement_n        integer NOT NULL DEFAULT 0,
  transfers_attempted integer NOT NULL DEFAULT 0,
  transfers_ok        integer NOT NULL DEFAULT 0,
  agent_messages      integer NOT NULL DEFAULT 0,
  replied             integer NOT NULL DEFAULT 0,
  computed_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, day)
);
SELECT rapport_isolate('learning_daily');

-- The orgs with something for the worker's minute (an active trigger or a running
-- experiment), across orgs, so as the schema's owner.
CREATE FUNCTION rapport_learning_orgs() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT o.org_id FROM orgs AS o
  WHERE o.disabled_at IS NULL
    AND (EXISTS (SELECT FROM triggers AS t WHERE t.org_id = o.org_id AND t.status = 'active')
         OR EXISTS (SELECT FROM experiments AS e
                    WHERE e.org_id = o.org_id AND e.status = 'running'))
  ORDER BY o.org_id
$$;

SELECT rapport_grant_definers();

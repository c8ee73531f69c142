-- The sales pipeline, agents and voice calls (issue 4): agents with persona, knowledge,
-- quick tasks and visibility; per-(subject, agent) state with a version; validated stage
-- transitions with their history; follow-ups as their own resource, mirrored into seed
-- 000's conversation.follow_up; voice calls with analysis and outcome factors; closers'
-- availability.

-- ---------------------------------------------------------------- agents (seed 004)

ALTER TABLE agents
  ADD COLUMN visibility text NOT NULL DEFAULT 'private'
    CHECK (visibility IN ('public', 'private', 'hidden')),
  ADD COLUMN persona jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN knowledge_sources jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN quick_tasks jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN shared_with jsonb NOT NULL DEFAULT '[]';
-- The description moves into the persona, beside the instructions and the model config.
UPDATE agents SET persona = jsonb_build_object('description', description)
WHERE description IS NOT NULL;
ALTER TABLE agents DROP COLUMN description;
-- Other organizations find public agents, and private ones shared with them.
CREATE INDEX agents_public_idx ON agents (name) WHERE visibility = 'public';
CREATE INDEX agents_shared_idx ON agents USING gin (shared_with jsonb_path_ops);
-- A shared or public agent is named by its id alone, from another org.
CREATE INDEX agents_id_idx ON agents (id);

-- One JSON state per (subject, agent): a contact's or an operator's, kept across sessions.
-- ``version`` counts writes, so a writer that read version n can only replace version n.
CREATE TABLE agent_states (
  org_id       uuid NOT NULL,
  agent_id     uuid NOT NULL,
  subject_id   uuid NOT NULL,
  subject_type text NOT NULL CHECK (subject_type IN ('contact', 'user')),
  state        jsonb NOT NULL,
  version      integer NOT NULL CHECK (version > 0),
  updated_by   text,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, agent_id, subject_id)
);
CREATE INDEX agent_states_subject_idx ON agent_states (org_id, subject_id);
CREATE INDEX agent_states_agent_idx ON agent_states (agent_id);
-- The agent may belong to another org (a public or shared agent), so no foreign key: its
-- states go when it does.
CREATE FUNCTION rapport_forget_agent_states() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM agent_states WHERE agent_id = OLD.id;
  RETURN NULL;
END
$$;
CREATE TRIGGER agents_forget_states
  AFTER DELETE ON agents FOR EACH ROW EXECUTE FUNCTION rapport_forget_agent_states();

-- ---------------------------------------------------------------- stage transitions

-- The allowed moves between sales stages. won is final; a lost or not-qualified lead can
-- be re-opened into qualification.
CREATE FUNCTION rapport_next_stages(stage text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE stage
    WHEN 'qualification' THEN ARRAY['objection_handling', 'closing', 'not_qualified', 'lost']
    WHEN 'objection_handling' THEN ARRAY['qualification', 'closing', 'not_qualified', 'lost']
    WHEN 'closing' THEN ARRAY['objection_handling', 'won', 'lost']
    WHEN 'not_qualified' THEN ARRAY['qualification']
    WHEN 'lost' THEN ARRAY['qualification']
    ELSE ARRAY[]::text[]
  END
$$;

-- Every write path (PATCH, bulk update, routing, call outcomes) passes this check.
CREATE FUNCTION rapport_check_stage() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  allowed text[] := rapport_next_stages(OLD.sales_stage);
BEGIN
  IF NOT NEW.sales_stage = ANY(allowed) THEN
    RAISE EXCEPTION 'sales_stage: % -> % is not allowed for conversation %; from % the allowed stages are: %',
      OLD.sales_stage, NEW.sales_stage, NEW.id, OLD.sales_stage,
      coalesce(nullif(array_to_string(allowed, ', '), ''), 'none (it is final)')
      USING ERRCODE = 'check_violation', CONSTRAINT = 'rapport_stage_transition',
            COLUMN = 'sales_stage', DETAIL = array_to_string(allowed, ',');
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER conversations_stage_check
  BEFORE UPDATE OF sales_stage ON conversations
  FOR EACH ROW WHEN (OLD.sales_stage IS DISTINCT FROM NEW.sales_stage)
  EXECUTE FUNCTION rapport_check_stage();

-- Who moved a conversation, why and when: a stage change or a hand-off between agents.
-- The writer names itself and its reason in the transaction settings rapport.actor and
-- rapport.reason (the service layer sets them; a bare SQL write records 'sql').
CREATE TABLE stage_transitions (
  org_id          uuid NOT NULL,
  id              uuid NOT NULL DEFAULT rapport_uuid7(),
  conversation_id uuid NOT NULL,
  contact_id      uuid NOT NULL,
  from_stage      text NOT NULL,
  to_stage        text NOT NULL,
  from_agent      text,
  to_agent        text,
  actor           text NOT NULL,
  reason          text,
  at              timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (org_id, id),
  FOREIGN KEY (org_id, conversation_id) REFERENCES conversations ON DELETE CASCADE
);
CREATE INDEX stage_transitions_conversation_idx
  ON stage_transitions (org_id, conversation_id, at);

CREATE FUNCTION rapport_record_transition() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO stage_transitions
    (org_id, conversation_id, contact_id, from_stage, to_stage, from_agent, to_agent,
     actor, reason)
  VALUES (NEW.org_id, NEW.id, NEW.contact_id, OLD.sales_stage, NEW.sales_stage,
          OLD.current_agent, NEW.current_agent,
          coalesce(nullif(current_setting('rapport.actor', true), ''), 'sql'),
          nullif(current_setting('rapport.reason', true), ''));
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_record_transition
  AFTER UPDATE OF sales_stage, current_agent ON conversations
  FOR EACH ROW
  WHEN (OLD.sales_stage IS DISTINCT FROM NEW.sales_stage
        OR OLD.current_agent IS DISTINCT FROM NEW.current_agent)
  EXECUTE FUNCTION rapport_record_transition();

-- is_qualified turns true when the qualification score reaches the org's threshold
-- (orgs.settings.pipeline.qualified_threshold, default 70), however the score was written.
CREATE FUNCTION rapport_qualify() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  threshold double precision;
BEGIN
  IF NEW.qualification_score IS NULL OR NEW.is_qualified IS TRUE THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.qualification_score IS NOT DISTINCT FROM NEW.qualification_score THEN
    RETURN NEW;
  END IF;
  SELECT coalesce((settings #>> '{pipeline,qualified_threshold}')::double precision, 70)
    INTO threshold FROM orgs WHERE org_id = NEW.org_id;
  IF NEW.qualification_score >= threshold
     AND (TG_OP = 'INSERT' OR OLD.qualification_score IS NULL
          OR OLD.qualification_score < threshold) THEN
    NEW.is_qualified := true;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER conversations_qualify
  BEFORE INSERT OR UPDATE OF qualification_score ON conversations
  FOR EACH ROW WHEN (NEW.qualification_score IS NOT NULL)
  EXECUTE FUNCTION rapport_qualify();

-- ---------------------------------------------------------------- follow-ups

CREATE TABLE follow_ups (
  org_id          uuid NOT NULL,
  id              uuid NOT NULL DEFAULT rapport_uuid7(),
  conversation_id uuid NOT NULL,
  contact_id      uuid NOT NULL,
  external_id     text,
  due_at          timestamptz NOT NULL,
  reason          text,
  notes           text,
  status          text NOT NULL DEFAULT 'scheduled'
                  CHECK (status IN ('scheduled', 'done', 'cancelled')),
  agent           text,
  cancel_on_reply boolean NOT NULL DEFAULT false,
  reminder_sent   boolean NOT NULL DEFAULT false,
  created_by      text,
  closed_at       timestamptz,
  closed_reason   text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, external_id),
  FOREIGN KEY (org_id, conversation_id) REFERENCES conversations ON DELETE CASCADE
);
CREATE INDEX follow_ups_due_idx ON follow_ups (org_id, due_at) WHERE status = 'scheduled';
CREATE INDEX follow_ups_agent_idx
  ON follow_ups (org_id, agent, due_at) WHERE status = 'scheduled';
CREATE INDEX follow_ups_conversation_idx
  ON follow_ups (org_id, conversation_id, due_at) WHERE status = 'scheduled';
CREATE INDEX follow_ups_all_idx ON follow_ups (org_id, conversation_id, created_at);

-- closed_at follows status.
CREATE FUNCTION rapport_stamp_follow_up() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.status = 'scheduled' THEN
    NEW.closed_at := NULL;
    NEW.closed_reason := NULL;
  ELSIF TG_OP = 'INSERT' OR OLD.status = 'scheduled' THEN
    NEW.closed_at := coalesce(NEW.closed_at, now());
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER follow_ups_closed_at
  BEFORE INSERT OR UPDATE OF status ON follow_ups
  FOR EACH ROW EXECUTE FUNCTION rapport_stamp_follow_up();

-- The conversation's follow_up (seed 000's field) mirrors its next scheduled follow-up.
-- With none scheduled, follow_up.required turns false and the rest is left as it was.
CREATE FUNCTION rapport_mirror_follow_up(org uuid, conversation uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  next_one follow_ups%ROWTYPE;
BEGIN
  SELECT * INTO next_one FROM follow_ups
  WHERE org_id = org AND conversation_id = conversation AND status = 'scheduled'
  ORDER BY due_at, id LIMIT 1;
  IF FOUND THEN
    UPDATE conversations SET
      follow_up_required = true, follow_up_scheduled_date = next_one.due_at,
      follow_up_reason = next_one.reason, follow_up_notes = next_one.notes,
      follow_up_reminder_sent = next_one.reminder_sent
    WHERE org_id = org AND id = conversation
      AND (follow_up_required, follow_up_scheduled_date, follow_up_reason, follow_up_notes,
           follow_up_reminder_sent)
          IS DISTINCT FROM (true, next_one.due_at, next_one.reason, next_one.notes,
                            next_one.reminder_sent);
  ELSE
    UPDATE conversations SET follow_up_required = false
    WHERE org_id = org AND id = conversation AND follow_up_required;
  END IF;
END
$$;

CREATE FUNCTION rapport_follow_up_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('rapport.mirror', true) = 'off' THEN
    RETURN NULL;  -- written from the conversation's own follow_up: already what it shows
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM rapport_mirror_follow_up(OLD.org_id, OLD.conversation_id);
  ELSE
    PERFORM rapport_mirror_follow_up(NEW.org_id, NEW.conversation_id);
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER follow_ups_mirror
  AFTER INSERT OR DELETE OR UPDATE OF due_at, reason, notes, status, reminder_sent ON follow_ups
  FOR EACH ROW EXECUTE FUNCTION rapport_follow_up_changed();

-- Writing a conversation's follow_up creates or updates its next follow-up; turning
-- follow_up.required off marks that one done. Skipped when the write is the mirror's own.
CREATE FUNCTION rapport_conversation_follow_up() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  next_id uuid;
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  SELECT id INTO next_id FROM follow_ups
  WHERE org_id = NEW.org_id AND conversation_id = NEW.id AND status = 'scheduled'
  ORDER BY due_at, id LIMIT 1;
  IF NEW.follow_up_required AND NEW.follow_up_scheduled_date IS NOT NULL THEN
    IF next_id IS NULL THEN
      INSERT INTO follow_ups (org_id, conversation_id, contact_id, due_at, reason, notes,
                              reminder_sent, agent, created_by)
      VALUES (NEW.org_id, NEW.id, NEW.contact_id, NEW.follow_up_scheduled_date,
              NEW.follow_up_reason, NEW.follow_up_notes, NEW.follow_up_reminder_sent,
              NEW.current_agent,
              coalesce(nullif(current_setting('rapport.actor', true), ''), 'conversation'));
    ELSE
      UPDATE follow_ups SET due_at = NEW.follow_up_scheduled_date,
        reason = NEW.follow_up_reason, notes = NEW.follow_up_notes,
        reminder_sent = NEW.follow_up_reminder_sent, updated_at = now()
      WHERE org_id = NEW.org_id AND id = next_id;
    END IF;
  ELSIF NOT NEW.follow_up_required AND next_id IS NOT NULL THEN
    UPDATE follow_ups SET status = 'done', closed_reason = 'follow_up.required set to false',
      updated_at = now()
    WHERE org_id = NEW.org_id AND id = next_id;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_follow_up_written
  AFTER UPDATE OF follow_up_required, follow_up_scheduled_date, follow_up_reason,
                  follow_up_notes, follow_up_reminder_sent ON conversations
  FOR EACH ROW
  WHEN ((OLD.follow_up_required, OLD.follow_up_scheduled_date, OLD.follow_up_reason,
         OLD.follow_up_notes, OLD.follow_up_reminder_sent)
        IS DISTINCT FROM
        (NEW.follow_up_required, NEW.follow_up_scheduled_date, NEW.follow_up_reason,
         NEW.follow_up_notes, NEW.follow_up_reminder_sent))
  EXECUTE FUNCTION rapport_conversation_follow_up();

CREATE FUNCTION rapport_conversations_follow_ups() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  mirror text := current_setting('rapport.mirror', true);
BEGIN
  -- Each new conversation's only follow-up is the one its follow_up shows: nothing to mirror
  -- back (which would cost a lookup per row of a bulk create).
  PERFORM set_config('rapport.mirror', 'off', true);
  INSERT INTO follow_ups (org_id, conversation_id, contact_id, due_at, reason, notes,
                          reminder_sent, agent, created_by)
  SELECT org_id, id, contact_id, follow_up_scheduled_date, follow_up_reason, follow_up_notes,
         follow_up_reminder_sent, current_agent, 'conversation'
  FROM added WHERE follow_up_required AND follow_up_scheduled_date IS NOT NULL;
  PERFORM set_config('rapport.mirror', coalesce(mirror, ''), true);
  RETURN NULL;
END
$$;
CREATE TRIGGER conversations_follow_up_created
  AFTER INSERT ON conversations REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION rapport_conversations_follow_ups();

-- Existing conversations' follow-ups become follow-up records.
INSERT INTO follow_ups (org_id, conversation_id, contact_id, due_at, reason, notes,
                        reminder_sent, agent, created_by)
SELECT org_id, id, contact_id, follow_up_scheduled_date, follow_up_reason, follow_up_notes,
       follow_up_reminder_sent, current_agent, 'conversation'
FROM conversations WHERE follow_up_required AND follow_up_scheduled_date IS NOT NULL;

-- A reply from the lead cancels the follow-ups that were waiting for it (cancel_on_reply).
CREATE INDEX follow_ups_waiting_idx
  ON follow_ups (org_id, conversation_id) WHERE status = 'scheduled' AND cancel_on_reply;
CREATE FUNCTION rapport_cancel_on_reply() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE follow_ups AS f SET status = 'cancelled', closed_reason = 'the lead replied',
    updated_at = now()
  FROM (SELECT org_id, conversation_id, max(ts) AS ts FROM added
        WHERE role = 'user' GROUP BY org_id, conversation_id) AS r
  WHERE f.org_id = r.org_id AND f.conversation_id = r.conversation_id
    AND f.status = 'scheduled' AND f.cancel_on_reply AND f.created_at <= r.ts;
  RETURN NULL;
END
$$;
CREATE TRIGGER messages_cancel_follow_ups
  AFTER INSERT ON messages REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION rapport_cancel_on_reply();

-- ---------------------------------------------------------------- voice calls (seed 002)

-- A call with a lead (a contact, unique by phone); its transcript is the messages of its
-- own conversation (channel 'voice'), so calls are enriched and searched like any message.
CREATE TABLE calls (
  org_id              uuid NOT NULL,
  id                  uuid NOT NULL DEFAULT rapport_uuid7(),
  contact_id          uuid NOT NULL,
  conversation_id     uuid,
  external_id         text,
  start_time          timestamptz NOT NULL,
  end_time            timestamptz,
  duration            integer GENERATED ALWAYS AS
                        (extract(epoch FROM end_time - start_time)::integer) STORED,
  outcome             text CHECK (outcome IN ('qualified', 'not_qualified', 'callback',
                                              'transferred', 'no_answer')),
  transfer_attempted  boolean NOT NULL DEFAULT false,
  transfer_successful boolean NOT NULL DEFAULT false,
  engagement_score    double precision CHECK (engagement_score BETWEEN 0 AND 10),
  phase_reached       integer CHECK (phase_reached >= 0),
  closer_available    boolean,
  closer              text,
  analysis            jsonb NOT NULL DEFAULT '{}',
  factors             jsonb NOT NULL DEFAULT '{}',
  learning_patterns   jsonb NOT NULL DEFAULT '[]',
  metadata            jsonb NOT NULL DEFAULT '{}',
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, external_id),
  UNIQUE (org_id, contact_id, start_time),
  CHECK (end_time IS NULL OR end_time >= start_time),
  CHECK (transfer_attempted OR NOT transfer_successful),
  FOREIGN KEY (org_id, contact_id) REFERENCES contacts ON DELETE CASCADE,
  FOREIGN KEY (org_id, conversation_id) REFERENCES conversations ON DELETE SET NULL (conversation_id)
);
CREATE INDEX calls_start_idx ON calls (org_id, start_time DESC);
CREATE INDEX calls_outcome_idx ON calls (org_id, outcome, start_time DESC);
CREATE INDEX calls_engagement_idx ON calls (org_id, engagement_score DESC);

-- A closer's availability: weekly windows in a time zone, plus dated overrides.
CREATE TABLE availability (
  org_id     uuid NOT NULL REFERENCES orgs ON DELETE CASCADE,
  closer     text NOT NULL,
  timezone   text NOT NULL,
  weekly     jsonb NOT NULL DEFAULT '[]',
  overrides  jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, closer)
);

-- ---------------------------------------------------------------- striped tallies

-- Every transaction that creates a conversation used to update the same tally row (org,
-- stage, status, agent) and hold its lock until commit, so concurrent call learns (each a
-- conversation plus 30 messages) ran one at a time. Each backend now counts into its own
-- stripe of the tallies (its pid modulo 16); readers already sum, so they sum the stripes.
-- A stripe may go negative (a conversation counted in one stripe, moved in another); the
-- sum is what is true.
ALTER TABLE conversation_tallies ADD COLUMN stripe smallint NOT NULL DEFAULT 0;
ALTER TABLE conversation_tallies DROP CONSTRAINT conversation_tallies_pkey;
ALTER TABLE conversation_tallies
  ADD PRIMARY KEY (org_id, sales_stage, status, current_agent, stripe);

CREATE FUNCTION rapport_tally_stripe() RETURNS smallint
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$ SELECT (pg_backend_pid() % 16)::smallint $$;

CREATE OR REPLACE FUNCTION rapport_tally_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO conversation_tallies AS t (org_id, sales_stage, status, current_agent, stripe, n)
  SELECT org_id, sales_stage, status, coalesce(current_agent, ''), rapport_tally_stripe(),
         count(*)
  FROM added GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (org_id, sales_stage, status, current_agent, stripe)
  DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION rapport_tally_removed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO conversation_tallies AS t (org_id, sales_stage, status, current_agent, stripe, n)
  SELECT org_id, sales_stage, status, coalesce(current_agent, ''), rapport_tally_stripe(),
         -count(*)
  FROM removed GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT (org_id, sales_stage, status, current_agent, stripe)
  DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION rapport_tally_moved() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- The two keys in a fixed order, so two moves in opposite directions cannot deadlock.
  INSERT INTO conversation_tallies AS t (org_id, sales_stage, status, current_agent, stripe, n)
  SELECT NEW.org_id, k.sales_stage, k.status, k.current_agent, rapport_tally_stripe(), k.n
  FROM (VALUES (OLD.sales_stage, OLD.status, coalesce(OLD.current_agent, ''), -1),
               (NEW.sales_stage, NEW.status, coalesce(NEW.current_agent, ''), 1))
       AS k(sales_stage, status, current_agent, n)
  ORDER BY 2, 3, 4
  ON CONFLICT (org_id, sales_stage, status, current_agent, stripe)
  DO UPDATE SET n = t.n + excluded.n;
  RETURN NULL;
END
$$;

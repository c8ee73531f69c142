-- The pattern graph (seed 002's Lead -> Call -> Pattern -> Outcome, on PostgreSQL): what
-- happened in a conversation or call (an objection raised and handled, a question asked, a
-- phase or stage reached, a hand-off, a follow-up kept, or a technique the caller names)
-- joined to how it ended. rapport/patterns maps the code that reads it.

-- A pattern: its type (the extractor's kind, or "technique" for the caller's own) and name
-- (price, budget, phase 3, roi_reframe ...), unique per org; ``text`` is what gets
-- embedded (by the enricher, as memories are), so best practices find patterns by meaning.
CREATE TABLE patterns (
  org_id      uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
  id          uuid NOT NULL DEFAULT rapport_uuid7(),
  type        text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]{0,63}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  description text CHECK (length(description) <= 2000),
  text        text GENERATED ALWAYS AS (
                coalesce(description, replace(type, '_', ' ') || ': ' || name)) STORED,
  embedding   vector(384),
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (org_id, id),
  UNIQUE (org_id, type, name)
);
SELECT rapport_isolate('patterns');

-- An edge conversation (and its call, if it was one) -> pattern -> outcome, with the
-- effectiveness the caller gave it or the call's engagement (0-10). ``source``: derived
-- from what is stored (rapport_derive_patterns keeps these in step), or posted by the
-- caller (POST /v1/patterns/observations; derivation never touches those).
CREATE TABLE pattern_edges (
  org_id          uuid NOT NULL,
  conversation_id uuid NOT NULL,
  pattern_id      uuid NOT NULL,
  contact_id      uuid NOT NULL,
  call_id         uuid,
  outcome         text NOT NULL,
  effectiveness   double precision CHECK (effectiveness BETWEEN 0 AND 10),
  source          text NOT NULL CHECK (source IN ('derived', 'caller')),
  at              timestamptz NOT NULL,
  PRIMARY KEY (org_id, conversation_id, pattern_id),
  FOREIGN KEY (org_id, conversation_id) REFERENCES conversations (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, pattern_id) REFERENCES patterns (org_id, id) ON DELETE CASCADE,
  FOREIGN KEY (org_id, call_id) REFERENCES calls (org_id, id) ON DELETE SET NULL (call_id)
);
CREATE INDEX pattern_edges_contact_idx ON pattern_edges (org_id, contact_id, at);
CREATE INDEX pattern_edges_pattern_idx ON pattern_edges (org_id, pattern_id, outcome);
-- The conversations that ended so (best practices' candidates).
CREATE INDEX pattern_edges_outcome_idx ON pattern_edges (org_id, outcome, conversation_id);
CREATE INDEX pattern_edges_call_idx ON pattern_edges (org_id, call_id) WHERE call_id IS NOT NULL;
-- A conversation's calls, latest first (how it ended, and its facts).
CREATE INDEX calls_conversation_idx ON calls (org_id, conversation_id, start_time DESC)
  WHERE conversation_id IS NOT NULL;
SELECT rapport_isolate('pattern_edges');

-- Edges counted per (pattern, outcome) as they change, so a ranking reads a few rows per
-- pattern however many edges there are (variant_funnel's scheme, 0018: signed rows
-- appended without locks, summed by the reader, folded by the worker).
CREATE TABLE pattern_tallies (
  org_id            uuid NOT NULL,
  pattern_id        uuid NOT NULL,
  outcome           text NOT NULL,
  id                bigint GENERATED ALWAYS AS IDENTITY,
  edges             bigint NOT NULL,
  effectiveness_sum double precision NOT NULL,
  effectiveness_n   bigint NOT NULL,
  PRIMARY KEY (org_id, pattern_id, outcome, id)
);
SELECT rapport_isolate('pattern_tallies');

CREATE FUNCTION rapport_count_patterns() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO pattern_tallies (org_id, pattern_id, outcome, edges, effectiveness_sum,
                                 effectiveness_n)
    SELECT org_id, pattern_id, outcome, count(*), coalesce(sum(effectiveness), 0),
           count(effectiveness)
    FROM added GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO pattern_tallies (org_id, pattern_id, outcome, edges, effectiveness_sum,
                                 effectiveness_n)
    SELECT org_id, pattern_id, outcome, -count(*), -coalesce(sum(effectiveness), 0),
           -count(effectiveness)
    FROM gone GROUP BY 1, 2, 3;
  ELSE
    INSERT INTO pattern_tallies (org_id, pattern_id, outcome, edges, effectiveness_sum,
                                 effectiveness_n)
    SELECT org_id, pattern_id, outcome, sum(n), coalesce(sum(e), 0), sum(en) FROM (
      SELECT org_id, pattern_id, outcome, 1 AS n, effectiveness AS e,
             (effectiveness IS NOT NULL)::int AS en FROM added
      UNION ALL
      SELECT org_id, pattern_id, outcome, -1, -effectiveness,
             -(effectiveness IS NOT NULL)::int FROM gone) AS change
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0 OR coalesce(sum(e), 0) <> 0 OR sum(en) <> 0;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER pattern_edges_counted_insert AFTER INSERT ON pattern_edges
  REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_patterns();
CREATE TRIGGER pattern_edges_counted_update AFTER UPDATE ON pattern_edges
  REFERENCING OLD TABLE AS gone NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_patterns();
CREATE TRIGGER pattern_edges_counted_delete AFTER DELETE ON pattern_edges
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION rapport_count_patterns();

-- How a conversation ended, one rule for the graph: won or lost as its stage says; else its
-- latest call's outcome; else qualified, not qualified, or still open.
CREATE FUNCTION rapport_outcome(stage text, qualified boolean, call_outcome text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN stage IN ('won', 'lost') THEN stage
    WHEN call_outcome IS NOT NULL THEN call_outcome
    WHEN stage = 'not_qualified' OR qualified = false THEN 'not_qualified'
    WHEN qualified THEN 'qualified'
    ELSE 'open' END
$$;

-- How these conversations ended (rapport_outcome), with their contact, and their latest
-- call and its engagement if they were calls: what an edge records of its conversation.
CREATE FUNCTION rapport_conversation_ends(org uuid, talks uuid[])
RETURNS TABLE (conversation_id uuid, contact_id uuid, call_id uuid,
               engagement_score double precision, outcome text)
LANGUAGE sql STABLE AS $$
  SELECT c.id, c.contact_id, k.id, k.engagement_score,
         rapport_outcome(c.sales_stage, c.is_qualified, k.outcome)
  FROM conversations AS c
  LEFT JOIN LATERAL (
    SELECT k.id, k.outcome, k.engagement_score FROM calls AS k
    WHERE k.org_id = org AND k.conversation_id = c.id
    ORDER BY k.start_time DESC LIMIT 1) AS k ON true
  WHERE c.org_id = org AND c.id = ANY(talks)
$$;

-- What an agent's question asks about (a question's pattern name): the BANT topic its
-- words name, else "open".
CREATE FUNCTION rapport_question_topic(content text)
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN content ~* '\m(budget|price|pricing|cost|spend|afford)' THEN 'budget'
    WHEN content ~* '\m(when|timeline|timeframe|deadline|how soon|by when)\M' THEN 'timeline'
    WHEN content ~* '\m(decision|decide|sign off|approve|who else|your boss|team)' THEN 'authority'
    WHEN content ~* '\m(need|problem|challenge|pain|goal|looking for|trying to)' THEN 'need'
    ELSE 'open' END
$$;

-- The facts of these conversations that make their derived edges: objections raised and
-- handled, agents' questions by topic, phases (of messages and calls) and stages reached,
-- hand-offs (agent to agent, transfers to the closer), follow-ups kept, and the patterns a
-- call's caller listed (learning_patterns: {type, name, description?, effectiveness?}; an
-- entry without a name, or a bare string, is a technique of that name).
CREATE FUNCTION rapport_pattern_facts(org uuid, talks uuid[])
RETURNS TABLE (conversation_id uuid, type text, name text, description text,
               effectiveness double precision, at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT f.conversation_id, f.type, left(f.name, 200), max(f.description),
         max(f.effectiveness), min(f.at)
  FROM (
    SELECT o.conversation_id, 'objection_raised' AS type, o.type AS name,
           NULL::text AS description, NULL::float8 AS effectiveness, o.raised_at AS at
    FROM objections AS o WHERE o.org_id = org AND o.conversation_id = ANY(talks)
    UNION ALL
    SELECT o.conversation_id, 'objection_handled', o.type, NULL, NULL,
           coalesce(o.resolved_at, o.raised_at)
    FROM objections AS o WHERE o.org_id = org AND o.conversation_id = ANY(talks) AND o.resolved
    UNION ALL
    SELECT m.conversation_id, 'question_asked', rapport_question_topic(m.content), NULL, NULL,
           m.ts
    FROM messages AS m
    WHERE m.org_id = org AND m.conversation_id = ANY(talks)
      AND m.role IN ('agent', 'assistant') AND strpos(m.content, '?') > 0
    UNION ALL
    SELECT m.conversation_id, 'phase_reached',
           CASE WHEN m.phase ~ '^[0-9]+$' THEN 'phase ' || m.phase ELSE m.phase END,
           NULL, NULL, m.ts
    FROM messages AS m
    WHERE m.org_id = org AND m.conversation_id = ANY(talks) AND m.phase IS NOT NULL
    UNION ALL
    SELECT s.conversation_id, 'stage_reached', s.to_stage, NULL, NULL, s.at
    FROM stage_transitions AS s
    WHERE s.org_id = org AND s.conversation_id = ANY(talks) AND s.to_stage <> s.from_stage
    UNION ALL
    SELECT s.conversation_id, 'hand_off', s.from_agent || ' to ' || s.to_agent, NULL, NULL, s.at
    FROM stage_transitions AS s
    WHERE s.org_id = org AND s.conversation_id = ANY(talks)
      AND s.from_agent IS NOT NULL AND s.to_agent IS NOT NULL AND s.from_agent <> s.to_agent
    UNION ALL
    SELECT f.conversation_id, 'follow_up_kept', coalesce(f.agent, 'follow-up'), NULL, NULL,
           coalesce(f.closed_at, f.due_at)
    FROM follow_ups AS f
    WHERE f.org_id = org AND f.conversation_id = ANY(talks) AND f.status = 'done'
    UNION ALL
    SELECT k.conversation_id, 'phase_reached', 'phase ' || k.phase_reached, NULL, NULL,
           coalesce(k.end_time, k.start_time)
    FROM calls AS k
    WHERE k.org_id = org AND k.conversation_id = ANY(talks) AND k.phase_reached IS NOT NULL
    UNION ALL
    SELECT k.conversation_id, 'hand_off', 'transfer to ' || coalesce(k.closer, 'closer'),
           NULL, NULL, coalesce(k.end_time, k.start_time)
    FROM calls AS k
    WHERE k.org_id = org AND k.conversation_id = ANY(talks) AND k.transfer_attempted
    UNION ALL
    SELECT k.conversation_id,
           CASE WHEN jsonb_typeof(e) = 'object' AND jsonb_typeof(e -> 'name') = 'string'
                THEN e ->> 'type' ELSE 'technique' END,
           CASE WHEN jsonb_typeof(e) = 'string' THEN e #>> '{}'
                WHEN jsonb_typeof(e -> 'name') = 'string' THEN e ->> 'name'
                ELSE e ->> 'type' END,
           CASE WHEN jsonb_typeof(e -> 'description') = 'string'
                THEN left(e ->> 'description', 2000) END,
           CASE WHEN jsonb_typeof(e -> 'effectiveness') = 'number'
                 AND (e ->> 'effectiveness')::float8 BETWEEN 0 AND 10
                THEN (e ->> 'effectiveness')::float8 END,
           k.start_time
    FROM calls AS k CROSS JOIN LATERAL jsonb_array_elements(
      CASE WHEN jsonb_typeof(k.learning_patterns) = 'array' THEN k.learning_patterns
           ELSE '[]' END) AS e
    WHERE k.org_id = org AND k.conversation_id = ANY(talks)
      AND (jsonb_typeof(e) = 'string' OR jsonb_typeof(e -> 'type') = 'string')
  ) AS f
  WHERE f.conversation_id IS NOT NULL AND f.name IS NOT NULL AND f.name <> ''
    AND f.type ~ '^[a-z][a-z0-9_]{0,63}$'
  GROUP BY f.conversation_id, f.type, left(f.name, 200)
$$;

-- The derived edges of these conversations made to match what is stored now (called by
-- the triggers below, and by enrichment after each batch, for the messages it read); edges
-- the caller posted are left alone but follow the outcome. The rows that changed.
CREATE FUNCTION rapport_derive_patterns(org uuid, talks uuid[]) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  changed integer;
BEGIN
  -- New patterns first, in a statement of their own: one a concurrent derivation makes at
  -- the same moment is then seen by the next statement, not lost to ON CONFLICT.
  INSERT INTO patterns (org_id, type, name, description)
  SELECT DISTINCT ON (f.type, f.name) org, f.type, f.name, f.description
  FROM rapport_pattern_facts(org, talks) AS f
  ORDER BY f.type, f.name, f.description NULLS LAST
  ON CONFLICT (org_id, type, name) DO NOTHING;

  WITH outcome AS (SELECT * FROM rapport_conversation_ends(org, talks)),
  wanted AS (
    SELECT f.conversation_id, p.id AS pattern_id, o.contact_id, o.call_id, o.outcome,
           coalesce(f.effectiveness, o.engagement_score) AS effectiveness, f.at
    FROM rapport_pattern_facts(org, talks) AS f
    JOIN patterns AS p ON p.org_id = org AND p.type = f.type AND p.name = f.name
    JOIN outcome AS o USING (conversation_id)
  ),
  gone AS (
    DELETE FROM pattern_edges AS e
    WHERE e.org_id = org AND e.conversation_id = ANY(talks) AND e.source = 'derived'
      AND NOT EXISTS (SELECT FROM wanted AS w
                      WHERE w.conversation_id = e.conversation_id
                        AND w.pattern_id = e.pattern_id)
    RETURNING 1
  ),
  -- A caller's edge keeps what the caller said; it follows the conversation's outcome.
  moved AS (
    UPDATE pattern_edges AS e SET outcome = o.outcome, contact_id = o.contact_id
    FROM outcome AS o
    WHERE e.org_id = org AND e.conversation_id = o.conversation_id AND e.source = 'caller'
      AND (e.outcome, e.contact_id) IS DISTINCT FROM (o.outcome, o.contact_id)
    RETURNING 1
  ),
  put AS (
    INSERT INTO pattern_edges AS e (org_id, conversation_id, pattern_id, contact_id, call_id,
                                    outcome, effectiveness, source, at)
    SELECT org, conversation_id, pattern_id, contact_id, call_id, outcome, effectiveness,
           'derived', at
    FROM wanted ORDER BY conversation_id, pattern_id
    ON CONFLICT (org_id, conversation_id, pattern_id) DO UPDATE
      SET contact_id = excluded.contact_id, call_id = excluded.call_id,
          outcome = excluded.outcome, effectiveness = excluded.effectiveness, at = excluded.at
      WHERE e.source = 'derived'
        AND (e.contact_id, e.call_id, e.outcome, e.effectiveness, e.at) IS DISTINCT FROM
            (excluded.contact_id, excluded.call_id, excluded.outcome, excluded.effectiveness,
             excluded.at)
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM moved) + (SELECT count(*) FROM put)
  INTO changed;
  RETURN changed;
END
$$;

-- What changes a conversation's edges, outside enrichment (which derives after each batch
-- for the messages it read): objections, calls, follow-ups kept, and the conversation's
-- stage, qualification and agent. Per statement where rows arrive or leave in bulk, per
-- row (and only on a real change) where they are edited one by one.
CREATE FUNCTION rapport_patterns_of_statement() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  one record;
BEGIN
  FOR one IN
    SELECT org_id, array_agg(DISTINCT conversation_id) AS talks FROM touched
    WHERE conversation_id IS NOT NULL GROUP BY org_id
  LOOP
    PERFORM rapport_derive_patterns(one.org_id, one.talks);
  END LOOP;
  RETURN NULL;
END
$$;

CREATE FUNCTION rapport_patterns_of_row() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'conversations' THEN
    PERFORM rapport_derive_patterns(NEW.org_id, ARRAY[NEW.id]);
  ELSIF NEW.conversation_id IS NOT NULL THEN
    PERFORM rapport_derive_patterns(NEW.org_id, ARRAY[NEW.conversation_id]);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER objections_patterns_added AFTER INSERT ON objections
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_patterns_of_statement();
CREATE TRIGGER objections_patterns_changed AFTER UPDATE OF type, resolved, resolved_at
  ON objections FOR EACH ROW
  WHEN (old.type IS DISTINCT FROM new.type
        OR old.resolved IS DISTINCT FROM new.resolved
        OR old.resolved_at IS DISTINCT FROM new.resolved_at)
  EXECUTE FUNCTION rapport_patterns_of_row();
CREATE TRIGGER objections_patterns_removed AFTER DELETE ON objections
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_patterns_of_statement();
CREATE TRIGGER calls_patterns_added AFTER INSERT ON calls
  REFERENCING NEW TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_patterns_of_statement();
CREATE TRIGGER calls_patterns_changed AFTER UPDATE OF outcome, engagement_score,
  phase_reached, transfer_attempted, closer, learning_patterns, conversation_id
  ON calls FOR EACH ROW
  WHEN (old.outcome IS DISTINCT FROM new.outcome
        OR old.engagement_score IS DISTINCT FROM new.engagement_score
        OR old.phase_reached IS DISTINCT FROM new.phase_reached
        OR old.transfer_attempted IS DISTINCT FROM new.transfer_attempted
        OR old.closer IS DISTINCT FROM new.closer
        OR old.learning_patterns IS DISTINCT FROM new.learning_patterns
        OR old.conversation_id IS DISTINCT FROM new.conversation_id)
  EXECUTE FUNCTION rapport_patterns_of_row();
CREATE TRIGGER calls_patterns_removed AFTER DELETE ON calls
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_patterns_of_statement();
CREATE TRIGGER follow_ups_patterns_removed AFTER DELETE ON follow_ups
  REFERENCING OLD TABLE AS touched FOR EACH STATEMENT EXECUTE FUNCTION rapport_patterns_of_statement();
CREATE TRIGGER follow_ups_patterns_changed AFTER UPDATE OF status ON follow_ups FOR EACH ROW
  WHEN (old.status IS DISTINCT FROM new.status AND 'done' IN (old.status, new.status))
  EXECUTE FUNCTION rapport_patterns_of_row();
-- Named to fire after conversations_record_transition (triggers fire in name order), so
-- the transition it records is a fact here already.
CREATE TRIGGER conversations_track_patterns AFTER UPDATE OF sales_stage, is_qualified,
  current_agent ON conversations FOR EACH ROW
  WHEN (old.sales_stage IS DISTINCT FROM new.sales_stage
        OR old.is_qualified IS DISTINCT FROM new.is_qualified
        OR old.current_agent IS DISTINCT FROM new.current_agent)
  EXECUTE FUNCTION rapport_patterns_of_row();

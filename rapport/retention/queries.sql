-- Retention's statements: what is past its policy, and the batches that delete it.
-- {kept}: the condition that a row's contact or conversation holds no legal hold.

-- past_policy --
-- How many rows of each kind are past the org's policies now (not held).
SELECT
  (SELECT count(*) FROM messages AS m
   WHERE m.org_id = %(org)s AND m.ts < now() - make_interval(days => %(messages_days)s)
     AND {kept_message}),
  (SELECT count(*) FROM messages AS m JOIN conversations AS c
     ON c.org_id = m.org_id AND c.id = m.conversation_id
   WHERE m.org_id = %(org)s
     AND c.completed_at < now() - make_interval(days => %(completed_days)s)
     AND m.ts >= now() - make_interval(days => %(messages_days)s) AND {kept_message}),
  (SELECT count(*) FROM interaction_summaries AS s
   WHERE s.org_id = %(org)s AND s.updated_at < now() - make_interval(days => %(summaries_days)s)
     AND NOT EXISTS (SELECT FROM legal_holds AS h
                     WHERE h.org_id = s.org_id AND h.contact_id = s.contact_id)),
  (SELECT count(*) FROM agent_states AS a
   WHERE a.org_id = %(org)s AND a.updated_at < now() - make_interval(days => %(state_days)s)
     AND NOT EXISTS (SELECT FROM legal_holds AS h
                     WHERE h.org_id = a.org_id AND h.contact_id = a.subject_id)),
  (SELECT count(*) FROM legal_holds WHERE org_id = %(org)s),
  (SELECT count(*) FROM events AS e
   WHERE e.org_id = %(org)s AND e.at < now() - make_interval(days => %(events_days)s)
     AND {kept_event})

-- expire_messages --
-- One batch of messages past {past} and not held, with what was derived from them: their
-- embedding and search entry are on the row; the memories and objections they left go too
-- (every version a message wrote). Rows another transaction holds are left for the next
-- batch, so ordinary writes never wait on retention.
WITH doomed AS (
  SELECT m.id FROM messages AS m
  WHERE m.org_id = %(org)s AND {past} AND {kept_message}
  LIMIT %(batch)s
  FOR UPDATE OF m SKIP LOCKED
), memories_gone AS (
  DELETE FROM memories AS x
  WHERE x.org_id = %(org)s AND x.source_message_id IN (SELECT id FROM doomed)
  RETURNING 1
), objections_gone AS (
  DELETE FROM objections AS x
  WHERE x.org_id = %(org)s AND x.message_id IN (SELECT id FROM doomed)
  RETURNING 1
), messages_gone AS (
  DELETE FROM messages AS x WHERE x.org_id = %(org)s AND x.id IN (SELECT id FROM doomed)
  RETURNING 1
)
SELECT (SELECT count(*) FROM messages_gone), (SELECT count(*) FROM memories_gone),
       (SELECT count(*) FROM objections_gone)

-- expire_summaries --
WITH doomed AS (
  SELECT s.contact_id FROM interaction_summaries AS s
  WHERE s.org_id = %(org)s AND s.updated_at < now() - make_interval(days => %(days)s)
    AND NOT EXISTS (SELECT FROM legal_holds AS h
                    WHERE h.org_id = s.org_id AND h.contact_id = s.contact_id)
  LIMIT %(batch)s
  FOR UPDATE OF s SKIP LOCKED
)
DELETE FROM interaction_summaries AS x
WHERE x.org_id = %(org)s AND x.contact_id IN (SELECT contact_id FROM doomed)

-- expire_agent_states --
WITH doomed AS (
  SELECT a.agent_id, a.subject_id FROM agent_states AS a
  WHERE a.org_id = %(org)s AND a.updated_at < now() - make_interval(days => %(days)s)
    AND NOT EXISTS (SELECT FROM legal_holds AS h
                    WHERE h.org_id = a.org_id AND h.contact_id = a.subject_id)
  LIMIT %(batch)s
  FOR UPDATE OF a SKIP LOCKED
)
DELETE FROM agent_states AS x
WHERE x.org_id = %(org)s AND (x.agent_id, x.subject_id) IN (SELECT * FROM doomed)

-- expire_vault --
-- PII tokens last vaulted longer ago than messages are kept, and not held: the messages
-- that carried them are past the same policy.
WITH doomed AS (
  SELECT v.token FROM pii_vault AS v
  WHERE v.org_id = %(org)s AND v.vaulted_at < now() - make_interval(days => %(days)s)
    AND NOT EXISTS (SELECT FROM legal_holds AS h
                    WHERE h.org_id = v.org_id AND h.conversation_id = v.conversation_id)
    AND NOT EXISTS (SELECT FROM legal_holds AS h JOIN conversations AS c
                      ON c.org_id = h.org_id AND c.contact_id = h.contact_id
                    WHERE h.org_id = v.org_id AND c.id = v.conversation_id)
  LIMIT %(batch)s
  FOR UPDATE OF v SKIP LOCKED
)
DELETE FROM pii_vault AS x WHERE x.org_id = %(org)s AND x.token IN (SELECT token FROM doomed)

-- expire_events --
-- One batch of engagement events older than the policy and not held, with their keys.
WITH doomed AS (
  SELECT e.at, e.id, e.external_id FROM events AS e
  WHERE e.org_id = %(org)s AND e.at < now() - make_interval(days => %(days)s) AND {kept_event}
  LIMIT %(batch)s
  FOR UPDATE OF e SKIP LOCKED
), keys_gone AS (
  DELETE FROM event_keys AS k
  WHERE k.org_id = %(org)s AND k.external_id IN (SELECT external_id FROM doomed)
)
DELETE FROM events AS x
WHERE x.org_id = %(org)s AND (x.at, x.id) IN (SELECT at, id FROM doomed)

-- run_started --
INSERT INTO retention_runs (org_id, trigger, actor, policies)
VALUES (%(org)s, %(trigger)s, %(actor)s, %(policies)s::jsonb)
RETURNING id

-- run_finished --
UPDATE retention_runs
SET finished_at = clock_timestamp(), removed = %(removed)s::jsonb, error = %(error)s
WHERE org_id = %(org)s AND id = %(id)s
RETURNING json_build_object('id', id, 'trigger', trigger, 'actor', actor,
                            'policies', policies, 'removed', removed,
                            'started_at', started_at, 'finished_at', finished_at,
                            'error', error)

-- last_run --
SELECT json_build_object('id', id, 'trigger', trigger, 'actor', actor, 'policies', policies,
                         'removed', removed, 'started_at', started_at,
                         'finished_at', finished_at, 'error', error)
FROM retention_runs WHERE org_id = %(org)s ORDER BY started_at DESC LIMIT 1

-- The learning loop's statements: engagement events, experiments' assignments and
-- results, triggers, and the daily learning metrics.
--
-- Rules the schema holds for this capability (migration 0017, rapport/db/schema.sql):
-- rapport_event_rank (how far a message has got; a late event never moves it back),
-- rapport_event_partitions (a month's partition of events, made on its first event),
-- rapport_record_replies (a lead's message records ``replied`` for the agent's message
-- before it), rapport_forget_events (a deleted conversation's events go with it),
-- rapport_stamp_qualified (conversations.qualified_at), and the messages' insert keeps
-- conversations.last_inbound_at (rapport/conversations/queries.sql).

-- event_partitions --
SELECT rapport_event_partitions(%(at)s::timestamptz[])

-- ingest_events --
-- A batch of events, all or nothing. Each is linked through its message to the
-- conversation, contact, agent and variant (what the caller sent wins), and through its
-- conversation to the channel. If any names a message, conversation or contact the org does
-- not have, nothing is stored and the first such item is returned (``bad``). An event whose
-- external_id is stored already is skipped (a retry), and every item gets its event's id
-- back, in the order sent (a new event's is the id its item brought, made by
-- ``events.record``). Each message's status moves up to its furthest event.
WITH input AS (
  SELECT i.id, i.type, i.at, i.external_id, i.message_id, i.conversation_id, i.contact_id,
         i.agent, i.channel, i.variant_id, i.data, (i.n - 1)::integer AS idx
  FROM ROWS FROM (jsonb_to_recordset(%(items)s::jsonb) AS (
    id uuid, type text, at timestamptz, external_id text, message_id uuid,
    conversation_id uuid, contact_id uuid, agent text, channel text, variant_id text,
    data jsonb))
    WITH ORDINALITY AS i(id, type, at, external_id, message_id, conversation_id, contact_id,
                         agent, channel, variant_id, data, n)
),
-- Each message and conversation the batch names is read once (a message's sent, delivered
-- and read often come in one batch), and a conversation only for what the message and the
-- caller did not say (an event naming its message and channel needs no second lookup).
-- MATERIALIZED: the conversation to look up is coalesce(...) of the join, which row
-- security counts as possibly leaky, so inlined it could not use the primary key under
-- the policy (measured: a scan of the org's conversations per event, 690 ms a batch).
named AS MATERIALIZED (
  SELECT m.id, m.conversation_id, m.contact_id, m.agent_type, m.variant_id
  FROM (SELECT DISTINCT message_id FROM input WHERE message_id IS NOT NULL) AS i
  CROSS JOIN LATERAL (
    SELECT m.id, m.conversation_id, m.contact_id, m.agent_type, m.variant_id FROM messages AS m
    WHERE m.org_id = %(org)s AND m.id = i.message_id LIMIT 1) AS m
),
found AS MATERIALIZED (
  SELECT i.*, m.id AS m_id, m.contact_id AS m_contact, m.agent_type AS m_agent,
         m.variant_id AS m_variant, coalesce(m.conversation_id, i.conversation_id) AS talk
  FROM input AS i LEFT JOIN named AS m ON m.id = i.message_id
),
talks AS MATERIALIZED (
  SELECT c.id, c.contact_id, c.current_agent, c.channel
  FROM (SELECT DISTINCT talk FROM found
        WHERE talk IS NOT NULL
          AND (m_id IS NULL OR channel IS NULL OR coalesce(agent, m_agent) IS NULL)) AS f
  CROSS JOIN LATERAL (
    SELECT c.id, c.contact_id, c.current_agent, c.channel FROM conversations AS c
    WHERE c.org_id = %(org)s AND c.id = f.talk LIMIT 1) AS c
),
linked AS (
  SELECT DISTINCT ON (f.external_id)
    f.idx, f.id, f.type, f.at, f.external_id, f.message_id, f.talk AS conversation_id,
    coalesce(f.m_contact, c.contact_id, f.contact_id) AS contact_id,
    coalesce(f.agent, f.m_agent, c.current_agent) AS agent,
    coalesce(f.channel, c.channel) AS channel,
    coalesce(f.variant_id, f.m_variant) AS variant_id,
    coalesce(f.data, '{}') AS data,
    CASE WHEN f.message_id IS NOT NULL AND f.m_id IS NULL THEN 'message'
         WHEN f.m_id IS NULL AND f.conversation_id IS NOT NULL AND c.id IS NULL
           THEN 'conversation'
         WHEN f.contact_id IS NOT NULL AND k.id IS NULL THEN 'contact' END AS missing
  FROM found AS f
  LEFT JOIN talks AS c ON c.id = f.talk  -- what it says is only a fallback, as above
  LEFT JOIN LATERAL (
    SELECT k.id FROM contacts AS k
    WHERE k.org_id = %(org)s AND k.id = f.contact_id AND f.m_id IS NULL AND c.id IS NULL
    LIMIT 1) AS k ON true
  ORDER BY f.external_id, f.idx
),
bad AS (
  SELECT i.idx, l.missing, i.message_id, i.conversation_id, i.contact_id
  FROM linked AS l JOIN input AS i ON i.idx = l.idx
  WHERE l.missing IS NOT NULL ORDER BY i.idx LIMIT 1
),
fresh AS (
  INSERT INTO event_keys (org_id, external_id, event_id, at)
  SELECT %(org)s, external_id, id, at FROM linked
  WHERE NOT EXISTS (SELECT FROM bad)
  ON CONFLICT DO NOTHING
  RETURNING external_id, event_id
),
stored AS (
  INSERT INTO events (org_id, id, type, at, external_id, message_id, conversation_id,
                      contact_id, agent, channel, variant_id, data)
  SELECT %(org)s, f.event_id, l.type, l.at, l.external_id, l.message_id, l.conversation_id,
         l.contact_id, l.agent, l.channel, l.variant_id, l.data
  FROM linked AS l JOIN fresh AS f ON f.external_id = l.external_id
  RETURNING message_id, conversation_id, contact_id, variant_id, type, at
),
moved AS (
  INSERT INTO message_status AS s (org_id, message_id, conversation_id, contact_id,
                                   variant_id, status, at)
  SELECT DISTINCT ON (message_id) %(org)s, message_id, conversation_id, contact_id,
         variant_id, type, at
  FROM stored WHERE message_id IS NOT NULL
  ORDER BY message_id, rapport_event_rank(type) DESC, at DESC
  ON CONFLICT (org_id, message_id) DO UPDATE SET status = excluded.status, at = excluded.at
  WHERE rapport_event_rank(s.status) < rapport_event_rank(excluded.status)
)
SELECT (SELECT row_to_json(b) FROM bad AS b),
       (SELECT count(*) FROM fresh),
       ARRAY(SELECT coalesce(f.event_id,
                             (SELECT k.event_id FROM event_keys AS k
                              WHERE k.org_id = %(org)s AND k.external_id = i.external_id))::text
             FROM input AS i
             LEFT JOIN fresh AS f ON f.external_id = i.external_id
             ORDER BY i.idx)

-- messages_conversations --
SELECT id, conversation_id FROM messages
WHERE org_id = %(org)s AND id = ANY(%(ids)s::uuid[])

-- variants_of --
SELECT id, agent, status, weight FROM prompt_variants
WHERE org_id = %(org)s AND id = ANY(%(ids)s::uuid[])

-- assignment_facts --
-- What an assignment needs: the experiment's status and strategy, its active variants
-- ([id, weight], in its order), a bandit's weights, the contact's current variant if it is
-- still active, and whether the contact exists.
SELECT e.status, e.strategy,
       ARRAY(SELECT json_build_array(p.id, p.weight)
             FROM unnest(e.variants) WITH ORDINALITY AS v(id, n)
             JOIN prompt_variants AS p ON p.org_id = e.org_id AND p.id = v.id
             WHERE p.status = 'active' ORDER BY v.n),
       e.weights,
       (SELECT a.variant_id FROM experiment_assignments AS a
        JOIN prompt_variants AS p ON p.org_id = a.org_id AND p.id = a.variant_id
        WHERE a.org_id = e.org_id AND a.experiment_id = e.id
          AND a.contact_id = %(contact)s AND p.status = 'active'),
       EXISTS (SELECT FROM contacts AS k WHERE k.org_id = e.org_id AND k.id = %(contact)s)
FROM experiments AS e
WHERE e.org_id = %(org)s AND e.id = %(id)s

-- assignment_turn --
-- The experiment's next turn; its row lock orders concurrent assignments, so a contact
-- assigned twice at once gets one variant (the second finds the first's row).
UPDATE experiments SET assigned = assigned + 1
WHERE org_id = %(org)s AND id = %(id)s
RETURNING assigned

-- assignment_store --
-- A new assignment, or a new variant for a contact whose variant was paused; a contact
-- whose active variant was stored meanwhile keeps it.
INSERT INTO experiment_assignments AS a (org_id, experiment_id, contact_id, variant_id, seq)
VALUES (%(org)s, %(id)s, %(contact)s, %(variant)s, %(seq)s)
ON CONFLICT (org_id, experiment_id, contact_id) DO UPDATE
SET variant_id = excluded.variant_id, seq = excluded.seq, assigned_at = now()
WHERE NOT EXISTS (SELECT FROM prompt_variants AS p
                  WHERE p.org_id = a.org_id AND p.id = a.variant_id AND p.status = 'active')

-- assignment_read --
SELECT json_build_object(
  'experiment_id', a.experiment_id, 'contact_id', a.contact_id, 'variant_id', a.variant_id,
  'variant', json_build_object('name', p.name, 'template', p.template, 'agent', p.agent,
                               'status', p.status),
  'strategy', e.strategy, 'assigned_at', a.assigned_at)
FROM experiment_assignments AS a
JOIN experiments AS e ON e.org_id = a.org_id AND e.id = a.experiment_id
JOIN prompt_variants AS p ON p.org_id = a.org_id AND p.id = a.variant_id
WHERE a.org_id = %(org)s AND a.experiment_id = %(id)s AND a.contact_id = %(contact)s

-- experiment_results --
-- Per variant, in the experiment's order: exposures (contacts assigned to it), its
-- messages by how far they got (a message counts at every stage it passed), and its
-- exposed contacts who replied to it, qualified, or were won.
WITH e AS (
  SELECT org_id, id, variants FROM experiments WHERE org_id = %(org)s AND id = %(id)s
),
v AS (
  SELECT v.id, v.n, p.name, p.status, p.weight, p.paused_reason, p.paused_at
  FROM e CROSS JOIN unnest(e.variants) WITH ORDINALITY AS v(id, n)
  JOIN prompt_variants AS p ON p.org_id = e.org_id AND p.id = v.id
),
-- The org's contacts with a qualified or a won conversation, once, from the index alone
-- (conversations_outcome_idx): one pass beats a probe per exposed contact (bench/learning.py,
-- 50,000 exposures: results 469 ms p50 with the probes, 205 ms with a pass over the table).
outcomes AS (
  SELECT contact_id, bool_or(is_qualified) AS qualified, bool_or(sales_stage = 'won') AS won
  FROM conversations
  WHERE org_id = %(org)s AND (is_qualified OR sales_stage = 'won')
  GROUP BY contact_id
),
exposed AS (
  SELECT a.variant_id, count(*) AS exposures,
         count(*) FILTER (WHERE o.qualified) AS qualified,
         count(*) FILTER (WHERE o.won) AS won
  FROM experiment_assignments AS a
  LEFT JOIN outcomes AS o ON o.contact_id = a.contact_id
  WHERE a.org_id = %(org)s AND a.experiment_id = %(id)s
  GROUP BY a.variant_id
),
-- Messages at each status, from the counts the statuses' changes keep (migration 0018).
funnel AS (
  SELECT n.variant_id,
         sum(n.messages) AS sent,
         sum(n.messages) FILTER (WHERE rapport_event_rank(n.status) >= 3) AS delivered,
         sum(n.messages) FILTER (WHERE rapport_event_rank(n.status) >= 4) AS read,
         sum(n.messages) FILTER (WHERE n.status = 'replied') AS replied,
         sum(n.messages) FILTER (WHERE n.status = 'failed') AS failed
  FROM variant_funnel AS n
  WHERE n.org_id = %(org)s AND n.variant_id = ANY(ARRAY(SELECT id::text FROM v))
  GROUP BY n.variant_id
),
-- Who replied, distinct, in contact order from message_status_replied_idx (no sort).
answered AS (
  SELECT s.variant_id, count(DISTINCT s.contact_id) AS replied_contacts
  FROM message_status AS s
  WHERE s.org_id = %(org)s AND s.variant_id = ANY(ARRAY(SELECT id::text FROM v))
    AND s.status = 'replied'
  GROUP BY s.variant_id
)
SELECT json_build_object(
  'variant_id', v.id, 'name', v.name, 'status', v.status, 'weight', v.weight,
  'paused_reason', v.paused_reason, 'paused_at', v.paused_at,
  'exposures', coalesce(x.exposures, 0),
  'sent', coalesce(f.sent, 0), 'delivered', coalesce(f.delivered, 0),
  'read', coalesce(f.read, 0), 'replied', coalesce(f.replied, 0),
  'failed', coalesce(f.failed, 0),
  'replied_contacts', coalesce(r.replied_contacts, 0),
  'qualified', coalesce(x.qualified, 0), 'won', coalesce(x.won, 0))
FROM v
LEFT JOIN exposed AS x ON x.variant_id = v.id
LEFT JOIN funnel AS f ON f.variant_id = v.id::text
LEFT JOIN answered AS r ON r.variant_id = v.id::text
ORDER BY v.n

-- experiment_lock --
-- One new assignment of an experiment at a time (its turn and its variant agree).
SELECT FROM experiments WHERE org_id = %(org)s AND id = %(id)s FOR UPDATE

-- variant_pause --
UPDATE prompt_variants
SET status = 'paused', paused_reason = %(reason)s, paused_at = now(), updated_at = now()
WHERE org_id = %(org)s AND id = %(id)s AND status = 'active'

-- experiment_reviewed --
UPDATE experiments
SET weights = %(weights)s::jsonb, decisions = decisions || %(decisions)s::jsonb,
    updated_at = CASE WHEN %(decisions)s::jsonb = '[]' THEN updated_at ELSE now() END
WHERE org_id = %(org)s AND id = %(id)s

-- experiments_running --
SELECT id::text FROM experiments WHERE org_id = %(org)s AND status = 'running' ORDER BY id

-- learning_orgs --
-- Runs as no org: through the definer function of migration 0017.
SELECT org_id::text FROM rapport_learning_orgs() AS due(org_id)

-- triggers_active --
SELECT json_build_object('id', id, 'name', name, 'when', kind, 'after', after,
                         'filter', filter, 'event', event, 'reason', reason, 'agent', agent)
FROM triggers WHERE org_id = %(org)s AND status = 'active' ORDER BY created_at, id

-- trigger_fire --
-- One trigger's pass: each {causes} row (conversation_id, cause, at: when it began) that
-- has lasted %(after)s in an active conversation ({filtered}; {unanswered}: the lead has
-- not written since) and has not fired yet fires once: a firing keyed by its cause, and a
-- follow-up due when the cause came due, cancelled by the lead's next message. rule.since
-- bounds the causes looked at: those due since the trigger's previous run (or its
-- creation), less a day for events that arrive late. A pass fires at most %(cap)s, the
-- earliest due first; one that had more leaves last_run_at where it was, so that the next
-- pass looks at the same causes again (``more``). Returns the follow-ups created.
WITH rule AS (
  SELECT coalesce(last_run_at, created_at) - interval '1 day' AS since
  FROM triggers WHERE org_id = %(org)s AND id = %(trigger)s
),
cause AS ({causes}),
pending AS MATERIALIZED (
  SELECT c.id AS conversation_id, c.contact_id, cause.cause,
         cause.at + rapport_after(%(after)s) AS due_at,
         coalesce(%(agent)s, c.current_agent) AS agent
  FROM cause
  JOIN conversations AS c ON c.org_id = %(org)s AND c.id = cause.conversation_id
  -- A probe of the firings' key per cause, whatever the statistics say: as NOT EXISTS,
  -- a trigger's firings (not yet analyzed) looked like one row and were compared with
  -- every cause (measured: 1.8 s a pass at 10k firings).
  LEFT JOIN LATERAL (
    SELECT true AS done FROM trigger_firings AS t
    WHERE t.org_id = %(org)s AND t.trigger_id = %(trigger)s
      AND t.conversation_id = cause.conversation_id AND t.cause = cause.cause
    LIMIT 1) AS fired ON true
  WHERE c.status = 'active' AND {unanswered} AND {filtered} AND fired.done IS NULL
  ORDER BY due_at LIMIT %(cap)s + 1
),
eligible AS MATERIALIZED (
  SELECT p.*, rapport_uuid7() AS follow_up_id FROM pending AS p ORDER BY p.due_at LIMIT %(cap)s
),
fired AS (
  INSERT INTO trigger_firings (org_id, trigger_id, conversation_id, cause, follow_up_id)
  SELECT %(org)s, %(trigger)s, conversation_id, cause, follow_up_id FROM eligible
  ON CONFLICT DO NOTHING
  RETURNING conversation_id, cause, follow_up_id
),
made AS (
  INSERT INTO follow_ups (org_id, id, conversation_id, contact_id, external_id, due_at,
                          reason, agent, cancel_on_reply, created_by)
  SELECT %(org)s, f.follow_up_id, f.conversation_id, e.contact_id,
         'trigger:' || %(trigger)s || ':' || f.conversation_id || ':' || f.cause,
         e.due_at, %(reason)s, e.agent, true, 'trigger:' || %(name)s
  FROM fired AS f
  JOIN eligible AS e ON e.conversation_id = f.conversation_id AND e.cause = f.cause
  ON CONFLICT (org_id, external_id) DO NOTHING
  RETURNING id
),
more AS (SELECT count(*) > %(cap)s AS more FROM pending),
ran AS (
  UPDATE triggers SET last_run_at = now()
  WHERE org_id = %(org)s AND id = %(trigger)s AND NOT (SELECT more FROM more)
)
SELECT ARRAY(SELECT id::text FROM made), (SELECT more FROM more)

-- causes_stopped --
-- The conversation's latest message that got to %(event)s and no further, at least
-- %(after)s ago (read_no_reply: read, as a reply would have moved it to replied).
SELECT DISTINCT ON (s.conversation_id) s.conversation_id,
       %(event)s || ':' || s.message_id AS cause, s.at
FROM message_status AS s, rule
WHERE s.org_id = %(org)s AND s.status = %(event)s
  AND s.at > rule.since - rapport_after(%(after)s) AND s.at <= now() - rapport_after(%(after)s)
ORDER BY s.conversation_id, s.at DESC

-- causes_no_inbound --
-- The lead's last message (or the conversation's start, if they never wrote).
SELECT c.id AS conversation_id,
       'silent:' || rapport_instant(coalesce(c.last_inbound_at, c.start_time)) AS cause,
       coalesce(c.last_inbound_at, c.start_time) AS at
FROM conversations AS c, rule
WHERE c.org_id = %(org)s AND c.status = 'active'
  AND coalesce(c.last_inbound_at, c.start_time) > rule.since - rapport_after(%(after)s)
  AND coalesce(c.last_inbound_at, c.start_time) <= now() - rapport_after(%(after)s)

-- causes_qualified_no_closing --
SELECT c.id AS conversation_id, 'qualified:' || rapport_instant(c.qualified_at) AS cause,
       c.qualified_at AS at
FROM conversations AS c, rule
WHERE c.org_id = %(org)s AND c.is_qualified
  AND c.sales_stage IN ('qualification', 'objection_handling')
  AND c.qualified_at > rule.since - rapport_after(%(after)s)
  AND c.qualified_at <= now() - rapport_after(%(after)s)

-- causes_custom_quiet --
SELECT c.id AS conversation_id,
       'quiet:' || rapport_instant(coalesce(c.last_message_at, c.start_time)) AS cause,
       coalesce(c.last_message_at, c.start_time) AS at
FROM conversations AS c, rule
WHERE c.org_id = %(org)s AND c.status = 'active'
  AND coalesce(c.last_message_at, c.start_time) > rule.since - rapport_after(%(after)s)
  AND coalesce(c.last_message_at, c.start_time) <= now() - rapport_after(%(after)s)

-- metrics_count --
-- The days [%(from)s, %(to)s) of an org counted from the data ({days}: which of them):
-- conversations and calls by their start, agents' messages by their time.
WITH days AS ({days}),
conv AS (
  SELECT (c.start_time AT TIME ZONE 'UTC')::date AS day, count(*) AS conversations,
         count(*) FILTER (WHERE c.is_qualified) AS qualified,
         count(*) FILTER (WHERE c.sales_stage = 'won') AS won
  FROM conversations AS c
  WHERE c.org_id = %(org)s AND c.start_time >= %(from)s::date AND c.start_time < %(to)s::date
  GROUP BY 1
),
spoken AS (
  SELECT (k.start_time AT TIME ZONE 'UTC')::date AS day, count(*) AS calls,
         count(*) FILTER (WHERE k.conversation_id IS NULL) AS lone,
         count(*) FILTER (WHERE k.conversation_id IS NULL AND k.outcome = 'qualified')
           AS lone_qualified,
         coalesce(sum(k.engagement_score), 0) AS engagement_sum,
         count(k.engagement_score) AS engagement_n,
         count(*) FILTER (WHERE k.transfer_attempted) AS transfers_attempted,
         count(*) FILTER (WHERE k.transfer_successful) AS transfers_ok
  FROM calls AS k
  WHERE k.org_id = %(org)s AND k.start_time >= %(from)s::date AND k.start_time < %(to)s::date
  GROUP BY 1
),
sent AS (
  SELECT (m.ts AT TIME ZONE 'UTC')::date AS day, count(*) AS agent_messages,
         count(s.message_id) FILTER (WHERE s.status = 'replied') AS replied
  FROM messages AS m
  LEFT JOIN message_status AS s ON s.org_id = m.org_id AND s.message_id = m.id
  WHERE m.org_id = %(org)s AND m.role IN ('agent', 'assistant')
    AND m.ts >= %(from)s::date AND m.ts < %(to)s::date
  GROUP BY 1
)
INSERT INTO learning_daily AS l (
  org_id, day, conversations, calls, leads, qualified, won, engagement_sum, engagement_n,
  transfers_attempted, transfers_ok, agent_messages, replied, computed_at)
SELECT %(org)s, d.day, coalesce(c.conversations, 0), coalesce(k.calls, 0),
       coalesce(c.conversations, 0) + coalesce(k.lone, 0),
       coalesce(c.qualified, 0) + coalesce(k.lone_qualified, 0), coalesce(c.won, 0),
       coalesce(k.engagement_sum, 0), coalesce(k.engagement_n, 0),
       coalesce(k.transfers_attempted, 0), coalesce(k.transfers_ok, 0),
       coalesce(s.agent_messages, 0), coalesce(s.replied, 0), now()
FROM days AS d
LEFT JOIN conv AS c ON c.day = d.day
LEFT JOIN spoken AS k ON k.day = d.day
LEFT JOIN sent AS s ON s.day = d.day
ON CONFLICT (org_id, day) DO UPDATE SET
  conversations = excluded.conversations, calls = excluded.calls, leads = excluded.leads,
  qualified = excluded.qualified, won = excluded.won,
  engagement_sum = excluded.engagement_sum, engagement_n = excluded.engagement_n,
  transfers_attempted = excluded.transfers_attempted, transfers_ok = excluded.transfers_ok,
  agent_messages = excluded.agent_messages, replied = excluded.replied,
  computed_at = excluded.computed_at

-- metrics_periods --
-- The counted days of [%(from)s, %(to)s) summed by %(grain)s (day, or ISO week), with
-- their rates; null where there is nothing to divide by.
SELECT json_build_object(
  'period', to_char(date_trunc(%(grain)s, day::timestamp), 'YYYY-MM-DD'),
  'calls', sum(calls), 'conversations', sum(conversations), 'leads', sum(leads),
  'qualified_rate', sum(qualified)::float8 / nullif(sum(leads), 0),
  'avg_engagement', sum(engagement_sum) / nullif(sum(engagement_n), 0),
  'transfer_success_rate', sum(transfers_ok)::float8 / nullif(sum(transfers_attempted), 0),
  'reply_rate', sum(replied)::float8 / nullif(sum(agent_messages), 0),
  'won_rate', sum(won)::float8 / nullif(sum(leads), 0),
  'agent_messages', sum(agent_messages), 'replied', sum(replied),
  'transfers_attempted', sum(transfers_attempted))
FROM learning_daily
WHERE org_id = %(org)s AND day >= %(from)s::date AND day < %(to)s::date
GROUP BY date_trunc(%(grain)s, day::timestamp)
ORDER BY date_trunc(%(grain)s, day::timestamp)

-- days_every --
SELECT generate_series(%(from)s::date, %(to)s::date - 1, interval '1 day')::date AS day

-- days_missing --
-- The first day of [%(from)s, %(to)s) not counted yet, and the day after the last.
SELECT min(d.day)::date, max(d.day)::date + 1
FROM generate_series(%(from)s::date, %(to)s::date - 1, interval '1 day') AS d(day)
WHERE NOT EXISTS (SELECT FROM learning_daily AS l
                  WHERE l.org_id = %(org)s AND l.day = d.day::date)

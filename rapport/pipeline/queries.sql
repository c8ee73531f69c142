-- The pipeline's statements: views (counts, workload), routing, stages and transitions,
-- follow-ups, agents and their state. {conversation}, {agent}, ... are those resources'
-- rows as their public documents.
--
-- Business rules the schema holds, one place each (rapport/db/migrations, schema.sql):
-- rapport_next_stages (allowed moves) and rapport_check_stage (every write of sales_stage),
-- rapport_record_transition (who moved it, why), rapport_qualify with
-- rapport_qualified_threshold (is_qualified at the org's threshold), the tallies
-- (rapport_tally_*: counts by stage x status x agent), and the follow-up triggers
-- (a conversation's follow_up mirrors its next follow-up; cancel_on_reply).

-- agent_load --
-- How many conversations each agent holds in %(statuses)s, from the tallies (a few rows
-- at any scale), and every active agent of the org with its role, holding 0 if nothing:
-- the one definition of an agent's load, behind routing's choice and the workload view.
-- MATERIALIZED: inlined, an agent's name is coalesce(...) of the join, which row security
-- counts as possibly leaky, so "current_agent = l.agent" could not use the index under the
-- policy (measured at 100k conversations: 58 ms instead of 0.9).
agent_load AS MATERIALIZED (
  SELECT coalesce(h.agent, a.name) AS agent, a.role, coalesce(h.n, 0) AS held
  FROM (SELECT current_agent AS agent, sum(n) AS n FROM conversation_tallies
        WHERE org_id = %(org)s AND status = ANY(%(statuses)s::text[]) AND current_agent <> ''
        GROUP BY current_agent HAVING sum(n) > 0) AS h
  FULL JOIN (SELECT name, role FROM agents WHERE org_id = %(org)s AND status = 'active') AS a
    ON a.name = h.agent
)

-- workload --
-- Per agent: its load, and the oldest and newest updated_at among what it holds (one
-- probe of conversations_agent_workload_idx each, per status).
WITH {agent_load}
SELECT json_build_object(
  'agent', l.agent, 'role', l.role, 'count', l.held,
  'oldest_updated_at', (
    SELECT min(edge.at) FROM unnest(%(statuses)s::text[]) AS s(status), LATERAL (
      SELECT t.updated_at AS at FROM conversations AS t
      WHERE t.org_id = %(org)s AND t.current_agent = l.agent AND t.status = s.status
      ORDER BY t.updated_at LIMIT 1) AS edge),
  'newest_updated_at', (
    SELECT max(edge.at) FROM unnest(%(statuses)s::text[]) AS s(status), LATERAL (
      SELECT t.updated_at AS at FROM conversations AS t
      WHERE t.org_id = %(org)s AND t.current_agent = l.agent AND t.status = s.status
      ORDER BY t.updated_at DESC LIMIT 1) AS edge))
FROM agent_load AS l
ORDER BY l.held DESC, l.agent

-- route_agent --
-- Who takes a conversation for a role: its own agent if that one is active with the role,
-- else the least-loaded active agent of the role (active conversations held; ties by name).
WITH {agent_load}
SELECT l.agent FROM agent_load AS l
WHERE l.role = %(role)s
ORDER BY l.agent IS NOT DISTINCT FROM %(current)s DESC, l.held, l.agent
LIMIT 1

-- route_lock --
-- Routes of one org and role one at a time, so concurrent routes see each other's choice.
SELECT pg_advisory_xact_lock(hashtext(%(key)s))

-- route_facts --
-- What routing decides on: the conversation, its open objections, where it may move
-- (rapport_next_stages), the org's threshold (rapport_qualified_threshold) and whether it
-- matches each of the org's rules ({matches}, one boolean per rule). {lock}: FOR UPDATE
-- when the decision is to be applied.
SELECT {conversation},
  coalesce((SELECT array_agg(o.type ORDER BY o.raised_at) FROM objections AS o
            WHERE o.org_id = t.org_id AND o.conversation_id = t.id AND NOT o.resolved),
           '{}'),
  rapport_next_stages(t.sales_stage),
  {matches},
  (SELECT rapport_qualified_threshold(o.settings) FROM orgs AS o WHERE o.org_id = t.org_id)
FROM conversations AS t
WHERE t.org_id = %(org)s AND t.id = %(id)s::uuid
{lock}

-- counts --
-- Conversations by sales_stage x status over those {condition} matches.
SELECT t.sales_stage, t.status, count(*)
FROM conversations AS t
WHERE t.org_id = %(org)s AND {condition}
GROUP BY t.sales_stage, t.status
ORDER BY t.sales_stage, t.status

-- tallies --
-- The same, unfiltered, from the tallies the triggers keep (a few rows at any scale).
SELECT sales_stage, status, sum(n)::bigint
FROM conversation_tallies
WHERE org_id = %(org)s
GROUP BY sales_stage, status
HAVING sum(n) > 0
ORDER BY sales_stage, status

-- record_as --
-- Who is writing and why, for the transition trigger, until the transaction ends.
SELECT set_config('rapport.actor', %(actor)s, true), set_config('rapport.reason', %(reason)s, true)

-- transition_latest --
-- The transition a move just recorded.
SELECT {transition} FROM stage_transitions AS s
WHERE s.org_id = %(org)s AND s.conversation_id = %(id)s::uuid AND s.at >= now()
ORDER BY s.at DESC LIMIT 1

-- stage_now --
SELECT sales_stage, rapport_next_stages(sales_stage) FROM conversations
WHERE org_id = %(org)s AND id = %(id)s::uuid

-- transitions --
-- A page of a conversation's transitions, oldest first (ids are time-ordered).
SELECT {transition} FROM stage_transitions AS s
WHERE s.org_id = %(org)s AND s.conversation_id = %(id)s::uuid
  AND (%(after)s::uuid IS NULL OR s.id > %(after)s::uuid)
ORDER BY s.id LIMIT %(limit)s

-- follow_ups_conversations --
-- The conversations of a page of follow-ups.
SELECT t.id::text, {conversation} FROM conversations AS t
WHERE t.org_id = %(org)s AND t.id = ANY(%(ids)s::uuid[])

-- agent_named --
SELECT 1 FROM agents WHERE org_id = %(org)s AND name = %(name)s

-- knowledge_documents_found --
-- Which of these knowledge documents the org has.
SELECT array_agg(id::text) FROM knowledge_documents
WHERE org_id = %(org)s AND id = ANY(%(ids)s::uuid[])

-- orgs_found --
-- Which of these are organizations (other orgs' rows are seen only through 0006's
-- SECURITY DEFINER functions).
SELECT rapport_orgs_found(%(ids)s::uuid[])

-- agent_usable --
-- The agent with id %(key)s (or, without one, named %(name)s in this org) if this org may
-- use it: its own, else a public one or one shared with it (as much of it as another org may
-- see: rapport_foreign_agents, 0006).
SELECT found FROM (
  SELECT {agent}::jsonb || jsonb_build_object('own', true) AS found, 0 AS rank
  FROM agents AS t
  WHERE t.org_id = %(org)s
    AND (t.id = %(key)s::uuid OR (%(key)s::uuid IS NULL AND t.name = %(name)s))
  UNION ALL
  SELECT t, 1 FROM rapport_foreign_agents() AS t WHERE (t ->> 'id')::uuid = %(key)s::uuid
) AS usable
ORDER BY rank LIMIT 1

-- agents_available --
-- Active agents this org may use: its own (not hidden), then public ones and ones shared
-- with it, each shown as much as another org may see (rapport_foreign_agents, 0006).
SELECT found FROM (
  SELECT {agent}::jsonb || jsonb_build_object('own', true) AS found, 0 AS rank,
         t.name, t.id
  FROM agents AS t
  WHERE t.org_id = %(org)s AND t.status = 'active' AND t.visibility <> 'hidden'
    AND (%(role)s::text IS NULL OR t.role = %(role)s)
  UNION ALL
  SELECT t, 1, t ->> 'name', (t ->> 'id')::uuid
  FROM rapport_foreign_agents() AS t
  WHERE t ->> 'status' = 'active' AND t ->> 'visibility' <> 'hidden'
    AND (%(role)s::text IS NULL OR t ->> 'role' = %(role)s)
) AS usable
ORDER BY rank, name, id
LIMIT 1000

-- state_subject --
-- Whether a subject is a contact or an operator user of the org.
SELECT CASE
  WHEN EXISTS (SELECT 1 FROM contacts WHERE org_id = %(org)s AND id = %(subject)s::uuid)
  THEN 'contact'
  WHEN EXISTS (SELECT 1 FROM users WHERE org_id = %(org)s AND id = %(subject)s::uuid)
  THEN 'user'
END

-- state_current --
SELECT {state} FROM agent_states AS s
WHERE s.org_id = %(org)s AND s.agent_id = %(agent)s::uuid AND s.subject_id = %(subject)s::uuid
{lock}

-- state_insert --
INSERT INTO agent_states AS s
  (org_id, agent_id, subject_id, subject_type, state, version, updated_by)
VALUES (%(org)s, %(agent)s::uuid, %(subject)s::uuid, %(kind)s, %(state)s::jsonb, 1, %(by)s)
ON CONFLICT DO NOTHING
RETURNING {state}

-- state_update --
-- The next version, only if the writer read the current one.
UPDATE agent_states AS s SET state = %(state)s::jsonb, version = version + 1,
  updated_by = %(by)s, updated_at = now()
WHERE s.org_id = %(org)s AND s.agent_id = %(agent)s::uuid AND s.subject_id = %(subject)s::uuid
  AND s.version = %(version)s
RETURNING {state}

-- state_delete --
DELETE FROM agent_states
WHERE org_id = %(org)s AND agent_id = %(agent)s::uuid AND subject_id = %(subject)s::uuid

-- states_of_subject --
SELECT {state} FROM agent_states AS s
WHERE s.org_id = %(org)s AND s.subject_id = %(subject)s::uuid
ORDER BY s.updated_at DESC

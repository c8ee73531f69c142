-- The pattern graph's statements (tables and the rules that keep edges in step: migration
-- 0020_patterns.sql).

-- ranking --
-- The org's patterns seen in conversations that ended %(outcome)s: how often (frequency:
-- such conversations with the pattern), the share of the pattern's conversations that
-- ended so (rate) against the share of all edges that did (lift), and the average
-- effectiveness of its edges with that outcome; from the tallies, a few rows per pattern.
WITH tally AS (
  SELECT t.pattern_id, t.outcome, sum(t.edges) AS edges,
         sum(t.effectiveness_sum) AS effectiveness_sum, sum(t.effectiveness_n) AS effectiveness_n
  FROM pattern_tallies AS t WHERE t.org_id = %(org)s
  GROUP BY t.pattern_id, t.outcome HAVING sum(t.edges) > 0
),
per AS (
  SELECT pattern_id, sum(edges) AS edges,
         coalesce(sum(edges) FILTER (WHERE outcome = %(outcome)s), 0) AS hits,
         sum(effectiveness_sum) FILTER (WHERE outcome = %(outcome)s)
           / nullif(sum(effectiveness_n) FILTER (WHERE outcome = %(outcome)s), 0)
           AS avg_effectiveness
  FROM tally GROUP BY pattern_id
),
base AS (SELECT sum(hits)::float8 / nullif(sum(edges), 0) AS rate FROM per),
ranked AS (
  SELECT p.id, p.type, p.name, p.description, per.hits, per.edges,
         per.hits::float8 / per.edges AS rate,
         per.hits::float8 / per.edges / nullif(base.rate, 0) AS lift, per.avg_effectiveness
  FROM per CROSS JOIN base JOIN patterns AS p ON p.org_id = %(org)s AND p.id = per.pattern_id
  WHERE per.hits >= %(min_frequency)s AND per.hits > 0
    AND (%(type)s::text IS NULL OR p.type = %(type)s)
)
SELECT json_build_object(
  'pattern', json_build_object('id', id, 'type', type, 'name', name,
                               'description', description),
  'frequency', hits, 'conversations', edges, 'rate', rate, 'lift', lift,
  'avg_effectiveness', avg_effectiveness)
FROM ranked
ORDER BY CASE %(order)s WHEN 'frequency' THEN hits::float8 WHEN 'lift' THEN lift
                        ELSE avg_effectiveness END DESC NULLS LAST,
         hits DESC, lift DESC NULLS LAST, id
LIMIT %(limit)s

-- lead_path --
-- A lead's conversations (and calls) in time order, each with the patterns it showed in
-- the order they happened and how it ended.
SELECT json_build_object(
  'conversation_id', c.id, 'channel', c.channel, 'started_at', c.start_time,
  'call_id', e.call_id, 'outcome', e.outcome, 'engagement', e.engagement_score,
  'patterns', coalesce((
    SELECT json_agg(json_build_object(
             'id', p.id, 'type', p.type, 'name', p.name, 'at', g.at,
             'effectiveness', g.effectiveness, 'source', g.source) ORDER BY g.at, p.type, p.name)
    FROM pattern_edges AS g JOIN patterns AS p ON p.org_id = g.org_id AND p.id = g.pattern_id
    WHERE g.org_id = c.org_id AND g.conversation_id = c.id), '[]'))
FROM conversations AS c
CROSS JOIN LATERAL rapport_conversation_ends(c.org_id, ARRAY[c.id]) AS e
WHERE c.org_id = %(org)s AND c.contact_id = %(id)s
ORDER BY c.start_time, c.id
LIMIT %(limit)s

-- lead_exists --
SELECT EXISTS (SELECT FROM contacts WHERE org_id = %(org)s AND id = %(id)s)

-- pattern_put --
-- A pattern by its (type, name): made if new (its description kept if it had none), and
-- whether this statement made it.
INSERT INTO patterns AS p (org_id, type, name, description)
VALUES (%(org)s, %(type)s, %(name)s, %(description)s)
ON CONFLICT (org_id, type, name) DO UPDATE
  SET description = coalesce(p.description, excluded.description)
RETURNING id, xmax = 0

-- observation_put --
-- The caller's edge: this conversation showed this pattern, with this effectiveness; its
-- outcome and contact are the conversation's (rapport_conversation_ends). A retry of the
-- same observation changes nothing; a derived edge of the same pattern becomes the caller's.
INSERT INTO pattern_edges AS g (org_id, conversation_id, pattern_id, contact_id, call_id,
                                outcome, effectiveness, source, at)
SELECT %(org)s, e.conversation_id, %(pattern)s, e.contact_id, e.call_id, e.outcome,
       coalesce(%(effectiveness)s, e.engagement_score), 'caller',
       coalesce(%(at)s::timestamptz, now())
FROM rapport_conversation_ends(%(org)s, ARRAY[%(conversation)s::uuid]) AS e
ON CONFLICT (org_id, conversation_id, pattern_id) DO UPDATE
  SET effectiveness = excluded.effectiveness, source = 'caller', at = excluded.at
  WHERE (g.source, g.effectiveness, g.at) IS DISTINCT FROM
        ('caller', excluded.effectiveness, excluded.at)
RETURNING xmax = 0

-- observation_get --
SELECT json_build_object(
  'conversation_id', g.conversation_id, 'contact_id', g.contact_id, 'call_id', g.call_id,
  'outcome', g.outcome, 'effectiveness', g.effectiveness, 'source', g.source, 'at', g.at,
  'pattern', json_build_object('id', p.id, 'type', p.type, 'name', p.name,
                               'description', p.description))
FROM pattern_edges AS g JOIN patterns AS p ON p.org_id = g.org_id AND p.id = g.pattern_id
WHERE g.org_id = %(org)s AND g.conversation_id = %(conversation)s AND g.pattern_id = %(pattern)s

-- patterns_list --
-- The org's patterns (of one type), most seen first, with their edges.
SELECT json_build_object('id', p.id, 'type', p.type, 'name', p.name,
                         'description', p.description, 'created_at', p.created_at,
                         'conversations', coalesce(n.edges, 0))
FROM patterns AS p
LEFT JOIN (SELECT pattern_id, sum(edges) AS edges FROM pattern_tallies
           WHERE org_id = %(org)s GROUP BY pattern_id) AS n ON n.pattern_id = p.id
WHERE p.org_id = %(org)s AND (%(type)s::text IS NULL OR p.type = %(type)s)
ORDER BY coalesce(n.edges, 0) DESC, p.type, p.name
LIMIT %(limit)s

-- derive --
-- Bring these conversations' derived edges in step with what is stored.
SELECT rapport_derive_patterns(%(org)s, %(talks)s::uuid[])

-- similar --
-- Conversations like %(vector)s that pass the filter ({filter} over t: how each ended, its
-- call, its lead), each by its nearest message: the HNSW walk goes on past messages of
-- other conversations (iterative scans, practices.settings), up to %(pool)s messages. How
-- each ended, its contact and its call are what its edges already record (the edge rules
-- keep them the conversation's), read from pattern_edges_outcome_idx.
WITH ended AS (
  SELECT DISTINCT ON (g.conversation_id) g.conversation_id, g.contact_id, g.call_id,
         g.outcome
  FROM pattern_edges AS g
  WHERE g.org_id = %(org)s AND g.outcome = ANY(%(outcomes)s::text[])
  ORDER BY g.conversation_id
),
chosen AS MATERIALIZED (
  SELECT t.* FROM (
    SELECT e.conversation_id, e.contact_id, c.channel, c.sales_stage, e.outcome, e.call_id,
           k.engagement_score, k.phase_reached, k.closer_available, k.transfer_successful,
           n.industry, n.company_size, n.job_title
    FROM ended AS e
    JOIN conversations AS c ON c.org_id = %(org)s AND c.id = e.conversation_id
    LEFT JOIN calls AS k ON k.org_id = %(org)s AND k.id = e.call_id
    JOIN contacts AS n ON n.org_id = %(org)s AND n.id = e.contact_id
  ) AS t
  WHERE {filter}
),
near AS (
  SELECT m.conversation_id, m.id, m.content, m.embedding <=> %(vector)s::vector AS distance
  FROM messages AS m
  WHERE m.org_id = %(org)s AND m.embedding IS NOT NULL
    AND m.conversation_id IN (SELECT conversation_id FROM chosen)
  ORDER BY m.embedding <=> %(vector)s::vector
  LIMIT %(pool)s
),
best AS (
  SELECT DISTINCT ON (conversation_id) conversation_id, id, content, distance FROM near
  ORDER BY conversation_id, distance
)
SELECT json_build_object(
  'conversation_id', t.conversation_id, 'contact_id', t.contact_id, 'channel', t.channel,
  'outcome', t.outcome, 'call_id', t.call_id, 'engagement', t.engagement_score,
  'industry', t.industry, 'job_title', t.job_title,
  'similarity', round((1 - b.distance)::numeric, 4), 'message_id', b.id,
  'excerpt', left(b.content, 300))
FROM best AS b JOIN chosen AS t USING (conversation_id)
ORDER BY b.distance, t.conversation_id
LIMIT %(limit)s

-- practice_patterns --
-- The patterns of these conversations (%(weights)s: each one's similarity), with how each
-- pattern does overall: edges, those that ended in %(outcomes)s, the share of all edges
-- that did, and its effectiveness there.
WITH weights AS (
  SELECT w.conversation_id, w.similarity
  FROM jsonb_to_recordset(%(weights)s::jsonb) AS w(conversation_id uuid, similarity float8)
),
seen AS (
  SELECT g.pattern_id, count(*) AS conversations, sum(w.similarity) AS weight,
         array_agg(g.conversation_id ORDER BY w.similarity DESC) AS examples
  FROM pattern_edges AS g JOIN weights AS w USING (conversation_id)
  WHERE g.org_id = %(org)s
  GROUP BY g.pattern_id
),
tally AS (
  SELECT t.pattern_id, sum(t.edges) AS edges,
         sum(t.edges) FILTER (WHERE t.outcome = ANY(%(outcomes)s::text[])) AS wins,
         sum(t.effectiveness_sum) FILTER (WHERE t.outcome = ANY(%(outcomes)s::text[]))
           / nullif(sum(t.effectiveness_n) FILTER (
               WHERE t.outcome = ANY(%(outcomes)s::text[])), 0) AS avg_effectiveness
  FROM pattern_tallies AS t WHERE t.org_id = %(org)s
  GROUP BY t.pattern_id
),
base AS (
  SELECT sum(edges) FILTER (WHERE outcome = ANY(%(outcomes)s::text[]))::float8
         / nullif(sum(edges), 0) AS rate
  FROM pattern_tallies WHERE org_id = %(org)s
)
SELECT json_build_object(
  'pattern', json_build_object('id', p.id, 'type', p.type, 'name', p.name,
                               'description', p.description),
  'in_similar', s.conversations, 'weight', s.weight, 'examples', s.examples[1:3],
  'conversations', coalesce(t.edges, 0), 'successes', coalesce(t.wins, 0),
  'rate', coalesce(t.wins, 0)::float8 / nullif(t.edges, 0), 'base_rate', base.rate,
  'avg_effectiveness', t.avg_effectiveness,
  'relevance', CASE WHEN p.embedding IS NULL THEN NULL
                    ELSE round((1 - (p.embedding <=> %(vector)s::vector))::numeric, 4) END)
FROM seen AS s
JOIN patterns AS p ON p.org_id = %(org)s AND p.id = s.pattern_id
LEFT JOIN tally AS t ON t.pattern_id = s.pattern_id
CROSS JOIN base

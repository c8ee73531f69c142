-- Privacy's statements: the org's scrubbing policy, the vault, the sweep, the status.

-- policy --
-- What scrubbing needs to know of an org: its settings.pii and the region its phone
-- numbers are read in.
SELECT settings -> 'pii', settings -> 'calls' ->> 'default_region'
FROM orgs WHERE org_id = %(org)s

-- vault_put --
-- Originals behind tokens, encrypted; a token already vaulted is the same original (tokens
-- are keyed by conversation, kind and value), so it is only marked as used again now, for
-- retention (expire_vault).
INSERT INTO pii_vault (org_id, token, conversation_id, kind, secret)
SELECT %(org)s, x.token, x.conversation_id, x.kind, decode(x.secret, 'base64')
FROM jsonb_to_recordset(%(secrets)s::jsonb) AS x(token text, conversation_id uuid, kind text,
                                                  secret text)
ON CONFLICT (org_id, token) DO UPDATE SET vaulted_at = now()

-- vault_get --
SELECT token, kind, secret FROM pii_vault
WHERE org_id = %(org)s AND token = ANY(%(tokens)s::text[])

-- scrub_one --
-- An edited message's text, scrubbed.
UPDATE messages SET content = %(content)s, pii_scrubbed = true
WHERE org_id = %(org)s AND id = %(id)s::uuid

-- sweep_claim --
-- Messages not yet through the scrubber, oldest first, locked for this sweep (enrichment
-- skips them, and they it).
SELECT m.id, m.conversation_id, m.content, m.enriched_at IS NOT NULL
FROM messages AS m
WHERE m.org_id = %(org)s AND NOT m.pii_scrubbed
ORDER BY m.created_at
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED

-- sweep_write --
-- Each claimed message scrubbed: its new content (null when nothing was found), and, for one
-- already enriched whose text changed, enrichment once more (its embedding and what
-- extraction filled were read from the original).
WITH given AS (
  SELECT * FROM jsonb_to_recordset(%(payload)s::jsonb) AS x(id uuid, content text)
)
UPDATE messages AS m SET
  pii_scrubbed = true,
  content = coalesce(g.content, m.content),
  enriched_at = CASE WHEN g.content IS NULL THEN m.enriched_at END,
  embedding = CASE WHEN g.content IS NULL THEN m.embedding END,
  intent = CASE WHEN g.content IS NOT NULL AND 'intent' = ANY(m.extracted) THEN NULL
                ELSE m.intent END,
  confidence = CASE WHEN g.content IS NOT NULL AND 'confidence' = ANY(m.extracted) THEN NULL
                    ELSE m.confidence END,
  sentiment = CASE WHEN g.content IS NOT NULL AND 'sentiment' = ANY(m.extracted) THEN NULL
                   ELSE m.sentiment END,
  keywords = CASE WHEN g.content IS NOT NULL AND 'keywords' = ANY(m.extracted) THEN '[]'
                  ELSE m.keywords END,
  extracted = CASE WHEN g.content IS NULL THEN m.extracted ELSE '{}' END
FROM given AS g
WHERE m.org_id = %(org)s AND m.id = g.id

-- sweep_derived --
-- What earlier enrichment derived from messages whose text the sweep changed: every version
-- of the memories they left, and the objections they raised.
-- Each with the conversation of its message (what its tokens are keyed by).
SELECT 'memory', r.id, m.conversation_id, r.text, r.value
FROM memories AS r JOIN messages AS m ON m.org_id = r.org_id AND m.id = r.source_message_id
WHERE r.org_id = %(org)s AND r.source_message_id = ANY(%(ids)s::uuid[])
UNION ALL
SELECT 'objection', o.id, o.conversation_id, coalesce(o.description, ''), to_jsonb(o.resolution)
FROM objections AS o
WHERE o.org_id = %(org)s AND o.message_id = ANY(%(ids)s::uuid[])

-- sweep_write_derived --
-- Those rows scrubbed; a memory is embedded again from its scrubbed text.
WITH given AS (
  SELECT * FROM jsonb_to_recordset(%(payload)s::jsonb) AS x(kind text, id uuid, text text,
                                                            value jsonb)
),
memories_done AS (
  UPDATE memories AS m SET text = g.text, value = g.value, embedding = NULL
  FROM given AS g WHERE g.kind = 'memory' AND m.org_id = %(org)s AND m.id = g.id
  RETURNING 1
),
objections_done AS (
  UPDATE objections AS o SET description = nullif(g.text, ''), resolution = g.value #>> '{}'
  FROM given AS g WHERE g.kind = 'objection' AND o.org_id = %(org)s AND o.id = g.id
  RETURNING 1
)
SELECT (SELECT count(*) FROM memories_done) + (SELECT count(*) FROM objections_done)

-- status --
-- How far scrubbing has got: the org's messages, and those not yet through the scrubber.
SELECT (SELECT count(*) FROM messages WHERE org_id = %(org)s),
       (SELECT count(*) FROM messages WHERE org_id = %(org)s AND NOT pii_scrubbed),
       (SELECT count(*) FROM pii_vault WHERE org_id = %(org)s)

-- scrubbing_orgs --
-- The orgs that scrub (across orgs: a SECURITY DEFINER function, 0012).
SELECT rapport_scrubbing_orgs()

-- export --
-- Everything held about one person, each part as its public documents ({contact},
-- {conversation}...: Resource.json_sql); memories with every version; stage moves and agent
-- states, which have no resource, as their rows. Null when there is no such contact.
WITH chats AS (
  SELECT id FROM conversations WHERE org_id = %(org)s AND contact_id = %(id)s::uuid
)
SELECT json_build_object(
  'contact', (SELECT {contact} FROM contacts AS t WHERE t.org_id = %(org)s AND t.id = %(id)s::uuid),
  'conversations', (SELECT coalesce(json_agg({conversation} ORDER BY t.id), '[]')
                    FROM conversations AS t
                    WHERE t.org_id = %(org)s AND t.contact_id = %(id)s::uuid),
  'messages', (SELECT coalesce(json_agg({message} ORDER BY t.ts, t.id), '[]') FROM messages AS t
               WHERE t.org_id = %(org)s AND t.conversation_id IN (SELECT id FROM chats)),
  'memories', (SELECT coalesce(json_agg({memory} ORDER BY t.valid_from, t.id), '[]')
               FROM memories AS t
               WHERE t.org_id = %(org)s AND (t.contact_id = %(id)s::uuid
                                             OR t.conversation_id IN (SELECT id FROM chats))),
  'objections', (SELECT coalesce(json_agg({objection} ORDER BY t.id), '[]') FROM objections AS t
                 WHERE t.org_id = %(org)s AND t.conversation_id IN (SELECT id FROM chats)),
  'calls', (SELECT coalesce(json_agg({call} ORDER BY t.id), '[]') FROM calls AS t
            WHERE t.org_id = %(org)s AND (t.contact_id = %(id)s::uuid
                                          OR t.conversation_id IN (SELECT id FROM chats))),
  'follow_ups', (SELECT coalesce(json_agg({follow_up} ORDER BY t.id), '[]') FROM follow_ups AS t
                 WHERE t.org_id = %(org)s AND t.conversation_id IN (SELECT id FROM chats)),
  'summaries', (SELECT coalesce(json_agg({summary}), '[]') FROM interaction_summaries AS t
                WHERE t.org_id = %(org)s AND t.contact_id = %(id)s::uuid),
  'stage_transitions', (SELECT coalesce(json_agg(to_jsonb(t) - 'org_id' ORDER BY t.at, t.id), '[]')
                        FROM stage_transitions AS t
                        WHERE t.org_id = %(org)s AND t.conversation_id IN (SELECT id FROM chats)),
  'agent_states', (SELECT coalesce(json_agg(to_jsonb(t) - 'org_id' ORDER BY t.agent_id), '[]')
                   FROM agent_states AS t
                   WHERE t.org_id = %(org)s AND t.subject_type = 'contact'
                     AND t.subject_id = %(id)s::uuid),
  'legal_holds', (SELECT coalesce(json_agg({legal_hold} ORDER BY t.id), '[]') FROM legal_holds AS t
                  WHERE t.org_id = %(org)s AND (t.contact_id = %(id)s::uuid
                                                OR t.conversation_id IN (SELECT id FROM chats))),
  'events', (SELECT coalesce(json_agg({event} ORDER BY t.at, t.id), '[]') FROM events AS t
             WHERE t.org_id = %(org)s AND (t.conversation_id IN (SELECT id FROM chats)
               OR (t.conversation_id IS NULL AND t.contact_id = %(id)s::uuid))),
  'feedback', (SELECT coalesce(json_agg({feedback} ORDER BY t.id), '[]') FROM feedback AS t
               WHERE t.org_id = %(org)s AND t.conversation_id IN (SELECT id FROM chats)),
  'experiment_assignments', (SELECT coalesce(json_agg(to_jsonb(t) - 'org_id'
                                                      ORDER BY t.assigned_at), '[]')
                             FROM experiment_assignments AS t
                             WHERE t.org_id = %(org)s AND t.contact_id = %(id)s::uuid),
  'patterns', (SELECT coalesce(json_agg(json_build_object(
                       'conversation_id', t.conversation_id, 'call_id', t.call_id,
                       'type', p.type, 'name', p.name, 'outcome', t.outcome,
                       'effectiveness', t.effectiveness, 'source', t.source, 'at', t.at)
                     ORDER BY t.at, p.type, p.name), '[]')
               FROM pattern_edges AS t JOIN patterns AS p ON p.org_id = t.org_id
                                                     AND p.id = t.pattern_id
               WHERE t.org_id = %(org)s AND t.conversation_id IN (SELECT id FROM chats)),
  'vault', (SELECT coalesce(json_agg(json_build_object(
                     'token', t.token, 'kind', t.kind, 'conversation_id', t.conversation_id,
                     'secret', encode(t.secret, 'base64')) ORDER BY t.token), '[]')
            FROM pii_vault AS t
            WHERE t.org_id = %(org)s AND t.conversation_id IN (SELECT id FROM chats))
)
WHERE EXISTS (SELECT FROM contacts WHERE org_id = %(org)s AND id = %(id)s::uuid)

-- erasure_of --
-- The receipt of an erasure, by its id or by the contact erased.
SELECT id, contact_id, erased_at, actor, counts, receipt_signature FROM erasures
WHERE org_id = %(org)s AND (id = %(id)s::uuid OR contact_id = %(contact)s::uuid)

-- erase_hold --
-- A legal hold on the contact or on any conversation of theirs (erasing them is refused).
SELECT h.id, h.reason FROM legal_holds AS h
WHERE h.org_id = %(org)s
  AND (h.contact_id = %(id)s::uuid
       OR h.conversation_id IN (SELECT c.id FROM conversations AS c
                                WHERE c.org_id = %(org)s AND c.contact_id = %(id)s::uuid))
ORDER BY h.id LIMIT 1

-- erase_lock --
-- The contact and their conversations locked against new writes for the erasure (an append
-- waits, then finds its conversation gone); what will go, counted. Null when no contact.
WITH person AS (
  SELECT id FROM contacts WHERE org_id = %(org)s AND id = %(id)s::uuid FOR UPDATE
),
chats AS (
  SELECT id FROM conversations
  WHERE org_id = %(org)s AND contact_id = %(id)s::uuid AND EXISTS (SELECT FROM person)
  FOR UPDATE
)
SELECT jsonb_build_object(
  'contacts', (SELECT count(*) FROM person),
  'conversations', (SELECT count(*) FROM chats),
  'messages', (SELECT count(*) FROM messages
               WHERE org_id = %(org)s AND conversation_id IN (SELECT id FROM chats)),
  'embeddings', (SELECT count(*) FROM messages WHERE org_id = %(org)s
                 AND conversation_id IN (SELECT id FROM chats) AND embedding IS NOT NULL)
              + (SELECT count(*) FROM memories WHERE org_id = %(org)s
                 AND (contact_id = %(id)s::uuid OR conversation_id IN (SELECT id FROM chats))
                 AND embedding IS NOT NULL),
  'memories', (SELECT count(*) FROM memories WHERE org_id = %(org)s
               AND (contact_id = %(id)s::uuid OR conversation_id IN (SELECT id FROM chats))),
  'objections', (SELECT count(*) FROM objections
                 WHERE org_id = %(org)s AND conversation_id IN (SELECT id FROM chats)),
  'calls', (SELECT count(*) FROM calls WHERE org_id = %(org)s
            AND (contact_id = %(id)s::uuid OR conversation_id IN (SELECT id FROM chats))),
  'follow_ups', (SELECT count(*) FROM follow_ups
                 WHERE org_id = %(org)s AND conversation_id IN (SELECT id FROM chats)),
  'stage_transitions', (SELECT count(*) FROM stage_transitions
                        WHERE org_id = %(org)s AND conversation_id IN (SELECT id FROM chats)),
  'summaries', (SELECT count(*) FROM interaction_summaries
                WHERE org_id = %(org)s AND contact_id = %(id)s::uuid),
  'agent_states', (SELECT count(*) FROM agent_states WHERE org_id = %(org)s
                   AND subject_type = 'contact' AND subject_id = %(id)s::uuid),
  'events', (SELECT count(*) FROM events WHERE org_id = %(org)s
             AND (conversation_id IN (SELECT id FROM chats)
                  OR (conversation_id IS NULL AND contact_id = %(id)s::uuid))),
  'feedback', (SELECT count(*) FROM feedback
               WHERE org_id = %(org)s AND conversation_id IN (SELECT id FROM chats)),
  'vaulted', (SELECT count(*) FROM pii_vault
              WHERE org_id = %(org)s AND conversation_id IN (SELECT id FROM chats))
)
WHERE EXISTS (SELECT FROM person)

-- erase_changes --
-- The change stream's rows naming the person's contact, conversations, messages, calls,
-- follow-ups, memories, objections or events, gone; and, for the rest of the transaction,
-- writes publish no changes (rapport_publish_changes, migration 0022).
WITH chats AS (
  SELECT id FROM conversations WHERE org_id = %(org)s AND contact_id = %(id)s::uuid
),
named AS (
  SELECT %(id)s::text AS id
  UNION ALL SELECT id::text FROM chats
  UNION ALL SELECT id::text FROM messages
            WHERE org_id = %(org)s AND conversation_id IN (SELECT id FROM chats)
  UNION ALL SELECT id::text FROM calls WHERE org_id = %(org)s
            AND (contact_id = %(id)s::uuid OR conversation_id IN (SELECT id FROM chats))
  UNION ALL SELECT id::text FROM follow_ups
            WHERE org_id = %(org)s AND conversation_id IN (SELECT id FROM chats)
  UNION ALL SELECT id::text FROM memories WHERE org_id = %(org)s
            AND (contact_id = %(id)s::uuid OR conversation_id IN (SELECT id FROM chats))
  UNION ALL SELECT id::text FROM objections
            WHERE org_id = %(org)s AND conversation_id IN (SELECT id FROM chats)
  UNION ALL SELECT id::text FROM events WHERE org_id = %(org)s
            AND (conversation_id IN (SELECT id FROM chats)
                 OR (conversation_id IS NULL AND contact_id = %(id)s::uuid))
),
quiet AS (SELECT set_config('rapport.publish', 'off', true))
DELETE FROM changes
WHERE org_id = %(org)s AND ids && ARRAY(SELECT id FROM named)
  AND (SELECT count(*) FROM quiet) = 1

-- erase --
-- Everything of the person, in the transaction that locked it: what hangs off the contact
-- without a foreign key (agent states, engagement events and their keys) or by a nullable
-- one (memories and calls of their conversations), then the contact, whose foreign keys take
-- the rest with it (conversations, and with them messages with their embeddings and search
-- entries, objections, follow-ups, stage moves, vault tokens, feedback, message statuses,
-- trigger firings; summaries; memories; experiment assignments). The pipeline's tallies follow the
-- conversations out (their triggers), so every count still adds up.
WITH chats AS (
  SELECT id FROM conversations WHERE org_id = %(org)s AND contact_id = %(id)s::uuid
),
states AS (
  DELETE FROM agent_states WHERE org_id = %(org)s AND subject_type = 'contact'
    AND subject_id = %(id)s::uuid
),
remembered AS (
  DELETE FROM memories WHERE org_id = %(org)s
    AND (contact_id = %(id)s::uuid OR conversation_id IN (SELECT id FROM chats))
),
called AS (
  DELETE FROM calls WHERE org_id = %(org)s
    AND (contact_id = %(id)s::uuid OR conversation_id IN (SELECT id FROM chats))
),
inflight AS (
  DELETE FROM enrich_inflight WHERE org_id = %(org)s AND contact_id = %(id)s::uuid
),
happened AS (
  DELETE FROM events WHERE org_id = %(org)s
    AND (conversation_id IN (SELECT id FROM chats)
         OR (conversation_id IS NULL AND contact_id = %(id)s::uuid))
  RETURNING external_id
),
unkeyed AS (
  DELETE FROM event_keys WHERE org_id = %(org)s
    AND external_id IN (SELECT external_id FROM happened)
)
DELETE FROM contacts WHERE org_id = %(org)s AND id = %(id)s::uuid

-- erasure_record --
INSERT INTO erasures (org_id, id, contact_id, erased_at, actor, counts, receipt_signature)
VALUES (%(org)s, %(id)s::uuid, %(contact)s::uuid, %(erased_at)s, %(actor)s, %(counts)s::jsonb,
        %(signature)s)

-- erasure_stamp --
-- The receipt's id and time, made before it is signed.
SELECT rapport_uuid7(), date_trunc('milliseconds', clock_timestamp())

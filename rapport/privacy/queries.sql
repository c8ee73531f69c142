-- Privacy's statements: the org's scrubbing policy, the vault, the sweep, the status.

-- policy --
-- What scrubbing needs to know of an org: its settings.pii and the region its phone
-- numbers are read in.
SELECT settings -> 'pii', settings -> 'calls' ->> 'default_region'
FROM orgs WHERE org_id = %(org)s

-- vault_put --
-- Originals behind tokens, encrypted; a token already vaulted is the same original (tokens
-- are keyed by conversation, kind and value), so a retry writes nothing.
INSERT INTO pii_vault (org_id, token, conversation_id, kind, secret)
SELECT %(org)s, x.token, x.conversation_id, x.kind, decode(x.secret, 'base64')
FROM jsonb_to_recordset(%(secrets)s::jsonb) AS x(token text, conversation_id uuid, kind text,
                                                  secret text)
ON CONFLICT (org_id, token) DO NOTHING

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

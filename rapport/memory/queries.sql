-- Memory's statements: versioned memories, knowledge documents and their chunks, and
-- enrichment (extraction and embeddings of what was stored without them).
-- {memory}, {knowledge}: those resources' rows as their public documents.

-- memory_lock_slots --
-- Writers of one (contact, agent, key) one at a time, until their transaction ends: every
-- slot a batch writes, in one order (each slot as org:contact:agent:key, as memory_lock
-- names it), so two enrichers never hold one slot each and wait for the other's.
SELECT count(pg_advisory_xact_lock(hashtextextended(s.slot, 0)))
FROM (SELECT slot FROM unnest(%(slots)s::text[]) AS slot ORDER BY slot) AS s

-- memory_current_values --
-- The contact-wide current versions of the slots a batch writes, read once it holds them:
-- what each reading is compared with (rapport.memory.evidence).
SELECT contact_id::text, key, id, value, confidence FROM memories
WHERE org_id = %(org)s AND contact_id = ANY(%(contacts)s::uuid[]) AND key = ANY(%(keys)s)
  AND agent_id IS NULL AND valid_to IS NULL

-- memory_lock --
-- The same, and the conversation's contact, so a memory cannot name another lead's
-- conversation.
SELECT pg_advisory_xact_lock(hashtextextended(
         %(org)s || ':' || %(contact)s || ':' || %(agent)s || ':' || %(key)s, 0)),
       (SELECT contact_id FROM conversations
        WHERE org_id = %(org)s::uuid AND id = %(conversation)s::uuid)

-- memory_write --
-- One statement: keep an identical current version, or end it (valid_to = the new
-- valid_from, "superseded") and insert the next, which names it in supersedes. Versions
-- never overlap: a new value dated before the current one began starts where it started.
WITH current_version AS (
  SELECT id, chain_id, value, text, metadata, confidence, valid_from FROM memories
  WHERE org_id = %(org)s AND contact_id = %(contact)s::uuid AND key = %(key)s
    AND coalesce(agent_id, '00000000-0000-0000-0000-000000000000')
        = coalesce(%(agent)s::uuid, '00000000-0000-0000-0000-000000000000')
    AND valid_to IS NULL
),
same AS (
  SELECT id FROM current_version
  WHERE value IS NOT DISTINCT FROM %(value)s::jsonb AND text = %(text)s
    AND metadata = %(metadata)s::jsonb
    AND confidence IS NOT DISTINCT FROM %(confidence)s::float8
),
ended AS (
  UPDATE memories AS m SET
    valid_to = greatest(%(valid_from)s::timestamptz, c.valid_from),
    ended_by = %(by)s, ended_reason = 'superseded'
  FROM current_version AS c
  WHERE m.org_id = %(org)s AND m.id = c.id AND NOT EXISTS (SELECT FROM same)
  RETURNING m.id, m.chain_id, m.valid_to
),
inserted AS (
  INSERT INTO memories AS t (id, chain_id, contact_id, agent_id, conversation_id, key, value,
                             text, extracted_by, source_message_id, evidence, confidence,
                             metadata, valid_from, supersedes, org_id)
  SELECT %(id)s::uuid, coalesce((SELECT chain_id FROM ended), %(id)s::uuid),
         %(contact)s::uuid, %(agent)s::uuid, %(conversation)s::uuid, %(key)s::text,
         %(value)s::jsonb, %(text)s::text, %(by)s::text, %(source)s::uuid,
         array_remove(ARRAY[%(source)s::uuid], NULL), %(confidence)s::float8, %(metadata)s::jsonb,
         coalesce((SELECT valid_to FROM ended), %(valid_from)s::timestamptz),
         (SELECT id FROM ended), %(org)s::uuid
  WHERE NOT EXISTS (SELECT FROM same)
  RETURNING {memory}
)
SELECT doc, true FROM inserted AS i(doc)
UNION ALL
SELECT {memory}, false FROM memories AS t
WHERE t.org_id = %(org)s AND t.id = (SELECT id FROM same)

-- memory_support --
-- One more message says what this version says: it joins the evidence (once), and the
-- confidence is the two readings'.
UPDATE memories SET evidence = evidence || %(message)s::uuid,
                    confidence = coalesce(%(confidence)s::float8, confidence)
WHERE org_id = %(org)s AND id = %(id)s AND NOT (%(message)s::uuid = ANY(evidence))

-- memory_current_of_chain --
SELECT id FROM memories WHERE org_id = %(org)s AND chain_id = %(chain)s AND valid_to IS NULL

-- memory_end --
-- Deleting ends validity (now, or at its start if it begins later); nothing is erased.
UPDATE memories SET valid_to = greatest(now(), valid_from), ended_by = %(by)s,
                    ended_reason = %(reason)s
WHERE org_id = %(org)s AND id = %(id)s AND valid_to IS NULL
RETURNING key, source_message_id, extracted_by

-- memory_chain --
-- Every version of the memory this one belongs to, oldest first.
SELECT {memory} FROM memories AS t
WHERE t.org_id = %(org)s
  AND t.chain_id = (SELECT chain_id FROM memories WHERE org_id = %(org)s AND id = %(id)s::uuid)
ORDER BY t.valid_from, t.created_at

-- knowledge_insert --
-- A document and its chunks (embedded later), once per external_id.
WITH document AS (
  INSERT INTO knowledge_documents AS t (org_id, id, external_id, title, text, source, url,
                                        metadata, chunk_count)
  VALUES (%(org)s, %(id)s, %(external_id)s, %(title)s, %(text)s, %(source)s, %(url)s,
          %(metadata)s::jsonb, %(chunk_count)s)
  ON CONFLICT (org_id, external_id) DO NOTHING
  RETURNING t.*
),
pieces AS (
  INSERT INTO knowledge_chunks (org_id, document_id, position, text)
  SELECT d.org_id, d.id, p.position - 1, p.text
  FROM document AS d, unnest(%(chunks)s::text[]) WITH ORDINALITY AS p(text, position)
)
SELECT {knowledge} FROM document AS t

-- knowledge_by_external_id --
SELECT {knowledge} FROM knowledge_documents AS t
WHERE t.org_id = %(org)s AND t.external_id = %(external_id)s

-- enrich_claim --
-- A batch of pending messages ({scope}: of the org, or one conversation or contact), locked for
-- this enricher (others skip them). A message is enriched only together with, or after,
-- every earlier pending message of its conversation: objections must be raised before a
-- later message can resolve them, and two enrichers may hold different parts of the
-- backlog; claimed rows that must wait stay pending for the next batch. Timestamps are
-- read within what Python can hold, so one row stored with an absurd one (years 1 BC or
-- 10000) cannot stop the batch for everyone. The org's extraction model, if it has its own,
-- comes as its version (rapport.extraction.examples).
WITH claimed AS MATERIALIZED (
  SELECT m.org_id, m.id, m.conversation_id, m.contact_id, m.role, m.content,
         least(greatest(m.ts, '0001-01-02 00:00+00'), '9999-12-30 00:00+00') AS ts,
         m.intent, m.sentiment, m.language, m.keywords = '[]' AS no_keywords, m.created_at,
         m.ts AS stored_ts, m.pii_scrubbed
  FROM messages AS m
  WHERE m.enriched_at IS NULL {scope}
  ORDER BY m.created_at, m.ts
  LIMIT %(limit)s
  FOR UPDATE SKIP LOCKED
)
SELECT c.org_id, c.id, c.conversation_id, c.contact_id, c.role, c.content, c.ts,
       coalesce(o.settings -> 'intents', '{}'), c.intent, c.sentiment, c.language,
       c.no_keywords, o.settings -> 'pii', o.settings -> 'calls' ->> 'default_region',
       c.pii_scrubbed, em.version::text
FROM claimed AS c JOIN orgs AS o ON o.org_id = c.org_id
LEFT JOIN extraction_models AS em ON em.org_id = c.org_id
WHERE NOT EXISTS (
  SELECT FROM messages AS p
  WHERE p.org_id = c.org_id AND p.conversation_id = c.conversation_id
    AND p.enriched_at IS NULL AND (p.created_at, p.ts) < (c.created_at, c.stored_ts)
    AND p.id NOT IN (SELECT id FROM claimed))
ORDER BY c.created_at, c.ts

-- enrich_write_messages --
-- What enrichment read from each message: its embedding, and only the fields the caller
-- left empty (the payload holds null for the rest); ``extracted`` names those it filled,
-- so an edit of the content can take exactly them back.
WITH given AS (
  SELECT * FROM jsonb_to_recordset(%(payload)s::jsonb) AS x(
    org_id uuid, id uuid, conversation_id uuid, embedding text, intent text,
    confidence float8, sentiment float8, language text, keywords jsonb, content text)
),
updated AS (
  UPDATE messages AS m SET
    content = coalesce(g.content, m.content),  -- scrubbed (rapport.privacy.scrubbing)
    pii_scrubbed = m.pii_scrubbed OR g.content IS NOT NULL,
    embedding = g.embedding::vector,
    enriched_at = now(),
    intent = coalesce(m.intent, g.intent),
    confidence = coalesce(m.confidence, g.confidence),
    sentiment = coalesce(m.sentiment, g.sentiment),
    language = coalesce(m.language, g.language),
    keywords = coalesce(g.keywords, m.keywords),
    extracted = ARRAY(SELECT f FROM unnest(ARRAY[
      CASE WHEN m.intent IS NULL AND g.intent IS NOT NULL THEN 'intent' END,
      CASE WHEN m.confidence IS NULL AND g.confidence IS NOT NULL THEN 'confidence' END,
      CASE WHEN m.sentiment IS NULL AND g.sentiment IS NOT NULL THEN 'sentiment' END,
      CASE WHEN m.language IS NULL AND g.language IS NOT NULL THEN 'language' END,
      CASE WHEN g.keywords IS NOT NULL THEN 'keywords' END]) AS f WHERE f IS NOT NULL)
  FROM given AS g
  WHERE m.org_id = g.org_id AND m.id = g.id
  RETURNING m.id
)
SELECT count(*) FROM updated

-- enrich_next --
-- The message the next claim of {scope} would take first.
SELECT m.org_id::text, m.id::text FROM messages AS m
WHERE m.enriched_at IS NULL {scope}
ORDER BY m.created_at, m.ts
LIMIT 1

-- enrich_set_aside --
-- A message enrichment failed on even alone: stored enriched, with the reason, so the
-- queue behind it moves on (it stays findable by its words).
UPDATE messages SET enriched_at = now(), enrich_error = %(error)s
WHERE org_id = %(org)s AND id = %(id)s::uuid

-- enrich_raise_objection --
INSERT INTO objections (org_id, conversation_id, contact_id, message_id, type, description,
                        raised_at)
SELECT %(org)s, %(conversation)s, %(contact)s, %(message)s, %(type)s, %(description)s, %(at)s
WHERE NOT EXISTS (SELECT FROM objections WHERE org_id = %(org)s
                  AND conversation_id = %(conversation)s AND type = %(type)s AND NOT resolved)

-- enrich_resolve_objections --
UPDATE objections SET resolved = true, resolution = %(resolution)s, resolved_at = %(at)s,
                      updated_at = now()
WHERE org_id = %(org)s AND conversation_id = %(conversation)s AND NOT resolved
  AND (type = ANY(%(types)s::text[]) OR '*' = ANY(%(types)s::text[]))
RETURNING type

-- enrich_bant_now --
-- A contact's current BANT memories (contact-wide, not one agent's).
SELECT key, value, valid_from, text FROM memories
WHERE org_id = %(org)s AND contact_id = %(contact)s AND agent_id IS NULL
  AND valid_to IS NULL AND key = ANY(%(keys)s::text[])

-- enrich_qualify --
-- A part no memory speaks to keeps what the caller wrote; the score follows the memories.
UPDATE conversations SET
  qualification_budget = coalesce(%(budget)s, qualification_budget),
  qualification_authority = coalesce(%(authority)s, qualification_authority),
  qualification_need = coalesce(%(need)s, qualification_need),
  qualification_timeline = coalesce(%(timeline)s, qualification_timeline),
  qualification_score = %(score)s
WHERE org_id = %(org)s AND id = %(id)s

-- enrich_language --
UPDATE conversations SET language = %(language)s
WHERE org_id = %(org)s AND id = %(id)s AND language IS NULL

-- enrich_summary_deltas --
-- What extraction adds to contacts' summaries, for summary_upsert (the one writer).
SELECT * FROM jsonb_to_recordset(%(deltas)s::jsonb) AS d(
  contact_id uuid, conversations int, messages int, intents jsonb, languages jsonb,
  sentiment_sum float8, sentiment_n int, first_at timestamptz, last_at timestamptz)

-- embed_claim --
-- A batch of memories or knowledge chunks ({table}) without a vector, locked for this
-- enricher ({scope}: of the org, or one conversation or contact).
SELECT org_id, id, text FROM {table}
WHERE embedding IS NULL {scope}
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED

-- embed_write --
UPDATE {table} AS t SET embedding = g.embedding::vector
FROM jsonb_to_recordset(%(payload)s::jsonb) AS g(org_id uuid, id uuid, embedding text)
WHERE t.org_id = g.org_id AND t.id = g.id

-- pending_in --
-- The ids of one conversation's (or contact's, {kind}) messages waiting for enrichment,
-- and whether a batch that read some of them has its after-commit writes still to do
-- (table enrich_inflight; a mark older than a minute is a worker that died).
SELECT (SELECT coalesce(array_agg(m.id::text), '{}') FROM messages AS m
        WHERE m.org_id = %(org)s AND m.{kind}_id = %(id)s::uuid AND m.enriched_at IS NULL),
       EXISTS (SELECT FROM enrich_inflight AS f
               WHERE f.org_id = %(org)s AND f.{kind}_id = %(id)s::uuid
                 AND f.marked_at > now() - interval '1 minute')

-- sourced_bant --
-- A conversation's contact, now, and whether these messages left a current BANT memory.
SELECT c.contact_id, now(), EXISTS (
  SELECT FROM memories AS m WHERE m.org_id = c.org_id AND m.contact_id = c.contact_id
    AND m.valid_to IS NULL AND m.key = ANY(%(keys)s::text[])
    AND m.source_message_id = ANY(%(messages)s::uuid[]))
FROM conversations AS c WHERE c.org_id = %(org)s AND c.id = %(id)s::uuid

-- orgs_pending --
-- The orgs with enrichment to do (a SECURITY DEFINER function: it sees every org, 0006).
SELECT rapport_enrichment_orgs()

-- pending --
-- How many rows of the org wait for enrichment.
SELECT (SELECT count(*) FROM messages WHERE enriched_at IS NULL AND org_id = %(org)s),
       (SELECT count(*) FROM memories WHERE embedding IS NULL AND org_id = %(org)s),
       (SELECT count(*) FROM knowledge_chunks WHERE embedding IS NULL AND org_id = %(org)s)

-- enrich_forget_unsaid --
-- After a batch read its messages: the extractor's current memories of the batch's contacts
-- that one of them supported earlier (it is in their evidence; its text was edited since)
-- and that it does not say now. That message leaves the evidence; a memory no message
-- supports any more ends, so what the old text said is no longer known (objections keep
-- their own course). %(said)s: the (message id, key) pairs just read.
WITH unsaid AS (
  SELECT m.id, array_agg(x) AS gone, cardinality(m.evidence) AS had
  FROM memories AS m CROSS JOIN LATERAL unnest(m.evidence) AS x
  WHERE m.org_id = %(org)s AND m.contact_id = ANY(%(contacts)s::uuid[])
    AND m.valid_to IS NULL AND m.extracted_by LIKE 'extractor:%%' AND m.key NOT LIKE 'objection.%%'
    AND x = ANY(%(messages)s::uuid[])
    AND NOT EXISTS (SELECT FROM jsonb_to_recordset(%(said)s::jsonb) AS s(message uuid, key text)
                    WHERE s.message = x AND s.key = m.key)
  GROUP BY m.id, m.evidence
),
thinned AS (
  UPDATE memories AS m
  SET evidence = ARRAY(SELECT e FROM unnest(m.evidence) AS e WHERE e <> ALL(u.gone))
  FROM unsaid AS u WHERE m.org_id = %(org)s AND m.id = u.id AND cardinality(u.gone) < u.had
  RETURNING m.id
)
UPDATE memories AS m SET valid_to = greatest(now(), m.valid_from),
  ended_by = m.extracted_by || ' (message edited)', ended_reason = 'deleted'
FROM unsaid AS u
WHERE m.org_id = %(org)s AND m.id = u.id AND cardinality(u.gone) >= u.had
RETURNING m.conversation_id::text, m.contact_id::text, m.key

-- inflight_mark --
-- The conversations a batch read, marked in its transaction: their after-commit writes
-- (language, qualification, summary tallies) are still to come (table enrich_inflight).
INSERT INTO enrich_inflight (batch, org_id, conversation_id, contact_id)
SELECT DISTINCT %(batch)s::uuid, x.org_id, x.conversation_id, x.contact_id
FROM jsonb_to_recordset(%(marks)s::jsonb) AS x(org_id uuid, conversation_id uuid,
                                               contact_id uuid)
ON CONFLICT DO NOTHING

-- inflight_clear --
-- A batch's after-commit writes are done; marks of workers that died long ago go too.
DELETE FROM enrich_inflight
WHERE batch = %(batch)s::uuid OR marked_at < now() - interval '1 hour'

-- inflight --
-- How many batches of the org have after-commit writes still to do.
SELECT count(DISTINCT batch) FROM enrich_inflight
WHERE marked_at > now() - interval '1 minute' AND org_id = %(org)s

-- The conversations capability's statements: contacts, conversations, messages, their
-- interaction summaries, the seed 000 document, analytics, import and export.
-- {json}-style holes are a resource's row as its public document (Resource.json_sql).

-- summary_upsert --
-- The one writer of interaction summaries (seed 003): adds {deltas} (a relation of
-- contact_id, conversations, messages, intents, languages, sentiment_sum, sentiment_n,
-- first_at, last_at) to each contact's summary, making it if it is new. Appends, new
-- conversations and enrichment all count through here, in their own statements.
INSERT INTO interaction_summaries AS s (
  org_id, contact_id, total_conversations, total_messages, common_intents, language_counts,
  avg_satisfaction, satisfaction_samples, first_interaction, last_interaction)
SELECT %(org)s, d.contact_id, d.conversations, d.messages, d.intents, d.languages,
       d.sentiment_sum / nullif(d.sentiment_n, 0), d.sentiment_n, d.first_at, d.last_at
FROM {deltas} AS d
ON CONFLICT (org_id, contact_id) DO UPDATE SET
  total_conversations = s.total_conversations + excluded.total_conversations,
  total_messages = s.total_messages + excluded.total_messages,
  common_intents = rapport_add_counts(s.common_intents, excluded.common_intents),
  language_counts = rapport_add_counts(s.language_counts, excluded.language_counts),
  avg_satisfaction = CASE
    WHEN excluded.satisfaction_samples = 0 THEN s.avg_satisfaction
    ELSE (coalesce(s.avg_satisfaction, 0) * s.satisfaction_samples
          + excluded.avg_satisfaction * excluded.satisfaction_samples)
         / (s.satisfaction_samples + excluded.satisfaction_samples)
  END,
  satisfaction_samples = s.satisfaction_samples + excluded.satisfaction_samples,
  first_interaction = least(s.first_interaction, excluded.first_interaction),
  last_interaction = greatest(s.last_interaction, excluded.last_interaction),
  updated_at = now()

-- messages_after_insert --
-- Runs in the statement that inserts messages (the resource's insert, as CTEs after
-- "inserted"), so counters move only for rows really inserted: the conversation's
-- message_count, last_message_at, last_inbound_at, updated_at and language, the contact's
-- last_interaction, and the contact's summary ({summary}: summary_upsert over
-- summary_deltas). "id = ANY(ARRAY(...))" makes each UPDATE probe the primary key for
-- exactly the touched rows, whatever the planner believes about the table (its statistics
-- lag behind a growing tenant).
per_conversation AS (
  SELECT conversation_id, count(*) AS n, max(ts) AS last_ts,
         max(ts) FILTER (WHERE role = 'user') AS last_inbound,
         (array_agg(language ORDER BY ts DESC) FILTER (WHERE language IS NOT NULL))[1] AS language
  FROM inserted GROUP BY conversation_id
),
conversation_counts AS (
  UPDATE conversations AS c SET
    message_count = c.message_count + p.n,
    last_message_at = greatest(c.last_message_at, p.last_ts),
    last_inbound_at = greatest(c.last_inbound_at, p.last_inbound),
    updated_at = greatest(c.updated_at, p.last_ts),
    language = coalesce(c.language, p.language)
  FROM per_conversation AS p
  WHERE c.org_id = %(org)s AND c.id = p.conversation_id
    AND c.id = ANY(ARRAY(SELECT conversation_id FROM per_conversation))
),
per_contact AS (
  SELECT contact_id, count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts,
         sum(sentiment) FILTER (WHERE role = 'user') AS sentiment_sum,
         count(sentiment) FILTER (WHERE role = 'user') AS sentiment_n
  FROM inserted GROUP BY contact_id
),
intent_tally AS (
  SELECT contact_id, jsonb_object_agg(intent, n) AS counts
  FROM (SELECT contact_id, intent, count(*) AS n FROM inserted
        WHERE role = 'user' AND intent IS NOT NULL GROUP BY 1, 2) AS i
  GROUP BY contact_id
),
language_tally AS (
  SELECT contact_id, jsonb_object_agg(language, n) AS counts
  FROM (SELECT contact_id, language, count(*) AS n FROM inserted
        WHERE role = 'user' AND language IS NOT NULL GROUP BY 1, 2) AS l
  GROUP BY contact_id
),
contact_seen AS (
  UPDATE contacts AS k SET last_interaction = greatest(k.last_interaction, p.last_ts)
  FROM per_contact AS p
  WHERE k.org_id = %(org)s AND k.id = p.contact_id
    AND k.id = ANY(ARRAY(SELECT contact_id FROM per_contact))
),
summary_deltas AS (
  SELECT p.contact_id, 0 AS conversations, p.n AS messages,
         coalesce(i.counts, '{}') AS intents, coalesce(l.counts, '{}') AS languages,
         p.sentiment_sum, p.sentiment_n, p.first_ts AS first_at, p.last_ts AS last_at
  FROM per_contact AS p
  LEFT JOIN intent_tally AS i USING (contact_id)
  LEFT JOIN language_tally AS l USING (contact_id)
),
summary AS ({summary})

-- conversations_after_insert --
-- Each new conversation counts toward its contact's summary, in the same statement.
summary_deltas AS (
  SELECT contact_id, count(*) AS conversations, 0 AS messages, '{}'::jsonb AS intents,
         '{}'::jsonb AS languages, 0::float8 AS sentiment_sum, 0 AS sentiment_n,
         min(start_time) AS first_at, NULL::timestamptz AS last_at
  FROM inserted GROUP BY contact_id
),
counted AS ({summary})

-- documents --
-- Seed 000's documents of the given conversations, in one read: the conversation, its
-- contact, its messages, its objections, and the contact's current memories.
SELECT
  (SELECT {conversation} FROM conversations AS t
   WHERE t.org_id = c.org_id AND t.id = c.id),
  (SELECT {contact} FROM contacts AS t
   WHERE t.org_id = c.org_id AND t.id = c.contact_id),
  coalesce((SELECT json_agg({message} ORDER BY t.ts, t.id) FROM messages AS t
            WHERE t.org_id = c.org_id AND t.conversation_id = c.id), '[]'),
  coalesce((SELECT json_agg({objection} ORDER BY t.raised_at, t.id) FROM objections AS t
            WHERE t.org_id = c.org_id AND t.conversation_id = c.id), '[]'),
  coalesce((SELECT json_agg(json_build_object(
              'id', t.id, 'key', t.key, 'value', t.value, 'text', t.text,
              'timestamp', t.valid_from, 'extracted_by', t.extracted_by,
              'confidence', t.confidence, 'agent_id', t.agent_id) ORDER BY t.valid_from, t.id)
            FROM memories AS t
            WHERE t.org_id = c.org_id AND t.contact_id = c.contact_id AND t.valid_to IS NULL),
           '[]')
FROM conversations AS c
WHERE c.org_id = %(org)s AND c.id = ANY(%(ids)s::uuid[])
ORDER BY c.id

-- interactions --
-- Seed 003's contact analytics over the interaction summaries {condition} matches.
WITH base AS (
  SELECT * FROM interaction_summaries AS t WHERE t.org_id = %(org)s AND {condition}
)
SELECT json_build_object(
  'contacts', count(*),
  'conversations', coalesce(sum(total_conversations), 0),
  'messages', coalesce(sum(total_messages), 0),
  'avg_messages_per_contact', coalesce(avg(total_messages), 0),
  'avg_satisfaction',
    sum(avg_satisfaction * satisfaction_samples) / nullif(sum(satisfaction_samples), 0),
  'active_last_7_days', count(*) FILTER (WHERE last_interaction >= now() - interval '7 days'),
  'active_last_30_days', count(*) FILTER (WHERE last_interaction >= now() - interval '30 days'),
  'first_interaction', min(first_interaction),
  'last_interaction', max(last_interaction),
  'languages', (
    SELECT coalesce(json_object_agg(preferred_language, n ORDER BY n DESC), '{}')
    FROM (SELECT preferred_language, count(*) AS n FROM base
          WHERE preferred_language IS NOT NULL GROUP BY 1) AS l),
  'top_intents', (
    SELECT coalesce(json_object_agg(key, total ORDER BY total DESC), '{}')
    FROM (SELECT key, sum(value::numeric) AS total FROM base, jsonb_each_text(common_intents)
          GROUP BY key ORDER BY total DESC LIMIT %(top)s) AS i)
)
FROM base

-- import_find_conversation --
-- An imported document's conversation, if a first import stored it already.
SELECT id::text FROM conversations
WHERE org_id = %(org)s AND (external_id = %(key)s OR id = %(id)s::uuid)
LIMIT 1

-- import_find_contact --
-- The contact an imported document's user_info names, by its strongest identity.
SELECT id::text FROM contacts
WHERE org_id = %(org)s AND (external_id = %(external_id)s OR phone = %(phone)s
                            OR instagram_handle = %(handle)s OR email = %(email)s)
ORDER BY (external_id = %(external_id)s) DESC NULLS LAST, (phone = %(phone)s) DESC NULLS LAST
LIMIT 1

-- export_ids_after --
-- A page of conversation ids, in id (creation) order, for the export.
SELECT id::text FROM conversations
WHERE org_id = %(org)s AND id > %(after)s::uuid ORDER BY id LIMIT %(limit)s

-- message_reread --
-- A message whose content was edited is read again: it waits for enrichment once more,
-- and what enrichment filled last time (``extracted``) is taken back, except the fields
-- the edit itself sets (%(kept)s). The memories the old text left end when the new text
-- is read and does not say them again (enrich_forget_unsaid). The new text has yet to go
-- through the scrubber (rapport.privacy.scrubbing).
UPDATE messages SET
  enriched_at = NULL, embedding = NULL, enrich_error = NULL, pii_scrubbed = false,
  intent = CASE WHEN 'intent' = ANY(extracted) AND NOT 'intent' = ANY(%(kept)s::text[])
                THEN NULL ELSE intent END,
  confidence = CASE WHEN 'confidence' = ANY(extracted)
                     AND NOT 'confidence' = ANY(%(kept)s::text[]) THEN NULL ELSE confidence END,
  sentiment = CASE WHEN 'sentiment' = ANY(extracted) AND NOT 'sentiment' = ANY(%(kept)s::text[])
                   THEN NULL ELSE sentiment END,
  language = CASE WHEN 'language' = ANY(extracted) AND NOT 'language' = ANY(%(kept)s::text[])
                  THEN NULL ELSE language END,
  keywords = CASE WHEN 'keywords' = ANY(extracted) AND NOT 'keywords' = ANY(%(kept)s::text[])
                  THEN '[]' ELSE keywords END,
  extracted = '{}'
WHERE org_id = %(org)s AND id = %(id)s::uuid

-- message_variant --
-- An agent message's variant when it names none: its contact's latest assignment in a
-- running experiment of the message's agent (or the conversation's), read per row of the
-- messages' insert (``source``).
(SELECT a.variant_id::text
 FROM experiment_assignments AS a
 JOIN experiments AS e ON e.org_id = a.org_id AND e.id = a.experiment_id
 WHERE source.role IN ('agent', 'assistant')
   AND a.org_id = %(org)s AND a.contact_id = source.contact_id AND e.status = 'running'
   AND e.agent = coalesce(source.agent_type,
                          (SELECT c.current_agent FROM conversations AS c
                           WHERE c.org_id = %(org)s AND c.id = source.conversation_id))
 ORDER BY a.assigned_at DESC LIMIT 1)

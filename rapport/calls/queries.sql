-- The voice calls' statements: leads by phone, learned calls, closers' availability.
-- {contact}, {call}: those resources' rows as their public documents.

-- lead_lookup --
-- The org's settings (for the region national numbers are read in) beside the lead found
-- with the number read as most orgs would read it: one round trip in the common case.
SELECT (SELECT settings FROM orgs WHERE org_id = %(org)s),
       (SELECT {contact} FROM contacts AS t WHERE t.org_id = %(org)s AND t.phone = %(phone)s)

-- lead_by_phone --
SELECT {contact} FROM contacts AS t WHERE t.org_id = %(org)s AND t.phone = %(phone)s

-- lead_upsert --
-- A learned call's lead under its phone: the first source and campaign are kept (where the
-- lead came from), the latest name and email taken, tags and metadata added to.
INSERT INTO contacts AS t (org_id, id, name, email, phone, source, campaign, tags, metadata)
VALUES (%(org)s, %(id)s::uuid, %(name)s, %(email)s, %(phone)s, %(source)s, %(campaign)s,
        %(tags)s::jsonb, %(metadata)s::jsonb)
ON CONFLICT (org_id, phone) DO UPDATE SET
  name = excluded.name,
  email = coalesce(excluded.email, t.email),
  source = coalesce(t.source, excluded.source),
  campaign = coalesce(t.campaign, excluded.campaign),
  tags = t.tags || (SELECT coalesce(jsonb_agg(x), '[]') FROM jsonb_array_elements(excluded.tags)
                    AS x WHERE NOT t.tags @> jsonb_build_array(x)),
  metadata = t.metadata || excluded.metadata,
  updated_at = now()
RETURNING {contact}, (xmax = 0)

-- learn_lock --
-- Learns of one lead one at a time, until the transaction ends.
SELECT pg_advisory_xact_lock(hashtextextended(%(key)s, 0))

-- learned --
-- A call already stored under a learn's idempotency key ({match}), as a retry answers it:
-- the call, its lead, its conversation and how many messages its transcript has.
SELECT c.doc, (SELECT {contact} FROM contacts AS t
               WHERE t.org_id = %(org)s AND t.id = c.contact_id),
       c.conversation_id::text,
       (SELECT count(*) FROM messages AS m
        WHERE m.org_id = %(org)s AND m.conversation_id = c.conversation_id)
FROM (SELECT {call} AS doc, t.contact_id, t.conversation_id FROM calls AS t
      WHERE t.org_id = %(org)s AND {match} LIMIT 1) AS c

-- call_conversation --
SELECT conversation_id::text FROM calls WHERE org_id = %(org)s AND id = %(id)s::uuid

-- availability_put --
-- A closer's whole schedule; the same schedule again changes nothing (no row returned).
INSERT INTO availability AS a (org_id, closer, timezone, weekly, overrides)
VALUES (%(org)s, %(closer)s, %(timezone)s, %(weekly)s::jsonb, %(overrides)s::jsonb)
ON CONFLICT (org_id, closer) DO UPDATE SET
  timezone = excluded.timezone, weekly = excluded.weekly, overrides = excluded.overrides,
  updated_at = now()
WHERE (a.timezone, a.weekly, a.overrides)
      IS DISTINCT FROM (excluded.timezone, excluded.weekly, excluded.overrides)
RETURNING {schedule}, (xmax = 0)

-- availability_one --
SELECT {schedule} FROM availability AS a WHERE a.org_id = %(org)s AND a.closer = %(closer)s

-- availability_all --
-- Every closer's schedule, or the one named (%(closer)s null: all).
SELECT {schedule} FROM availability AS a
WHERE a.org_id = %(org)s AND (%(closer)s::text IS NULL OR a.closer = %(closer)s)
ORDER BY a.closer

-- conversation_qualified --
SELECT is_qualified FROM conversations WHERE org_id = %(org)s AND id = %(id)s::uuid

-- closer_availability --
-- The org's calls started in the window (one closer's when %(closer)s is named) grouped
-- by whether the closer was available: calls, transfers tried and made, the success rate
-- and average engagement, of all and of those transferred. Whole UTC days
-- [%(day_from)s, %(day_to)s) come from the counts kept per day (call_tallies, 0023; either
-- end open when null; none when %(days)s is false), the partial days at either end,
-- [%(a_from)s, %(a_to)s) and [%(b_from)s, %(b_to)s), from the calls themselves.
WITH parts AS (
  SELECT c.closer_available, sum(c.calls) AS calls, sum(c.attempted) AS attempted,
         sum(c.successful) AS successful, sum(c.engagement_sum) AS engagement_sum,
         sum(c.engagement_n) AS engagement_n,
         sum(c.successful_engagement_sum) AS successful_engagement_sum,
         sum(c.successful_engagement_n) AS successful_engagement_n
  FROM call_tallies AS c
  WHERE c.org_id = %(org)s AND %(days)s
    AND c.day >= coalesce(%(day_from)s::date, '-infinity')
    AND c.day < coalesce(%(day_to)s::date, 'infinity')
    AND (%(closer)s::text IS NULL OR c.closer = %(closer)s)
  GROUP BY c.closer_available
  UNION ALL
  SELECT k.closer_available, count(*), count(*) FILTER (WHERE k.transfer_attempted),
         count(*) FILTER (WHERE k.transfer_successful), coalesce(sum(k.engagement_score), 0),
         count(k.engagement_score),
         coalesce(sum(k.engagement_score) FILTER (WHERE k.transfer_successful), 0),
         count(k.engagement_score) FILTER (WHERE k.transfer_successful)
  FROM calls AS k
  WHERE k.org_id = %(org)s
    AND ((k.start_time >= %(a_from)s::timestamptz AND k.start_time < %(a_to)s::timestamptz)
         OR (k.start_time >= %(b_from)s::timestamptz AND k.start_time < %(b_to)s::timestamptz))
    AND (%(closer)s::text IS NULL OR k.closer = %(closer)s)
  GROUP BY k.closer_available
)
SELECT json_build_object(
         'closer_available', closer_available, 'calls', sum(calls),
         'transfers_attempted', sum(attempted), 'transfers_successful', sum(successful),
         'success_rate', sum(successful)::float8 / nullif(sum(attempted), 0),
         'avg_engagement', sum(engagement_sum) / nullif(sum(engagement_n), 0),
         'avg_engagement_successful',
           sum(successful_engagement_sum) / nullif(sum(successful_engagement_n), 0))
FROM parts
GROUP BY closer_available
HAVING sum(calls) > 0

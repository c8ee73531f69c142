-- Personas' statements (the facet columns on contacts: migration 0021_facets.sql).

-- facets --
-- Contacts counted per value of each facet ({counting}: facets_scanned or facets_kept, the
-- CTEs ``counted`` (facet, value, n) and ``total`` (n)), the %(size)s most common values
-- of each facet in %(facets)s, the contacts with none, and the total (the last column of
-- every row; a row with no facet when no contact counted).
WITH {counting},
ranked AS (
  SELECT facet, value, n,
         row_number() OVER (PARTITION BY facet, value IS NULL ORDER BY n DESC, value) AS place
  FROM counted WHERE n > 0 AND facet = ANY(%(facets)s::text[])
)
SELECT r.facet, r.value, r.n, total.n
FROM total
LEFT JOIN ranked AS r ON r.value IS NULL OR r.place <= %(size)s
ORDER BY r.facet, r.value IS NULL, r.n DESC, r.value

-- facets_scanned --
-- Counting the org's contacts that pass {filter}: each facet's values ({counts}) over the
-- facet {columns}.
chosen AS MATERIALIZED (
  SELECT {columns} FROM contacts AS t WHERE t.org_id = %(org)s AND {filter}
),
counted AS ({counts}),
total AS (SELECT count(*) AS n FROM chosen)

-- facets_kept --
-- Counting all the org's contacts from the counts kept as contacts change
-- (contact_facet_tallies, 0021): every contact has one industry, so its counts add up to
-- the total.
counted AS (
  SELECT facet, value, sum(contacts) AS n FROM contact_facet_tallies
  WHERE org_id = %(org)s AND facet = ANY(%(facets)s::text[] || ARRAY['industry'])
  GROUP BY facet, value
),
total AS (SELECT coalesce(sum(n), 0) AS n FROM counted WHERE facet = 'industry')

-- keywords_add --
-- The keywords of these inbound messages (extracted, or sent with them) added to their
-- contacts' keywords: lower case, at most 64 characters, each once.
WITH said AS (
  SELECT DISTINCT m.contact_id, lower(left(btrim(x), 64)) AS keyword
  FROM messages AS m CROSS JOIN LATERAL jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(m.keywords) = 'array' THEN m.keywords ELSE '[]' END) AS x
  WHERE m.org_id = %(org)s AND m.id = ANY(%(messages)s::uuid[]) AND m.role = 'user'
    AND btrim(x) <> ''
),
merged AS (
  SELECT t.id, (SELECT array_agg(DISTINCT k ORDER BY k) FROM (
                  SELECT unnest(t.keywords) UNION SELECT s.keyword FROM said AS s
                  WHERE s.contact_id = t.id) AS u (k)) AS keywords
  FROM contacts AS t
  WHERE t.org_id = %(org)s AND t.id IN (SELECT contact_id FROM said)
)
UPDATE contacts AS t SET keywords = merged.keywords
FROM merged
WHERE t.org_id = %(org)s AND t.id = merged.id AND t.keywords IS DISTINCT FROM merged.keywords

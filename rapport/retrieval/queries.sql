-- Retrieval's statements: the one keyword ranker, the semantic retriever, their fusion,
-- and full-text search over messages. {table} is the scope searched (messages, memories,
-- knowledge_chunks), {condition} its filter, {json} its rows as their public documents.

-- keyword_everything --
-- The keyword ranker's candidates within one contact or conversation: every row matching
-- %(tsquery)s (a few thousand at most, up to %(cap)s), found through the filter's index;
-- document frequencies and the collection's size are then counted among them, so a word
-- in nearly every one of them (a speaker's name, the product's name) weighs almost nothing.
terms AS (SELECT l.lexeme, 0::float8 AS df FROM unnest(%(lexemes)s::text[]) AS l(lexeme)),
documents AS (SELECT 0::float8 AS n),
matching AS (
  SELECT t.id, t.search, length(t.search)::float8 AS dl
  FROM {table} AS t
  WHERE t.org_id = %(org)s AND t.search @@ %(tsquery)s::tsquery AND {condition}
  LIMIT %(cap)s),

-- keyword_sampled --
-- The keyword ranker's candidates org-wide, bounded whatever the words and however many
-- rows they match, so a search costs about the same at 1,000 rows or 1M. The org's term
-- statistics (search_terms, counted by the worker: rapport.retrieval.terms) give each of
-- %(lexemes)s its document frequency and the table its size. A term in at most %(rare)s of
-- the org's rows brings up to %(per_term)s of its rows through the GIN index (whose posting
-- list for it is short), kept if they match %(tsquery)s (checked after the LIMIT, so that
-- the index reads this one term's list); the commoner ones bring, together, the matches
-- among the newest %(window)s rows (a walk of fixed length down the primary key), and score
-- every candidate. A term the statistics do not know (new, or in fewer than terms.MIN_DF
-- rows) counts as rare.
terms AS (
  SELECT l.lexeme, coalesce((SELECT s.df FROM search_terms AS s WHERE s.org_id = %(org)s
           AND s.table_name = '{table}' AND s.lexeme = l.lexeme), 0)::float8 AS df
  FROM unnest(%(lexemes)s::text[]) AS l(lexeme)),
documents AS (
  SELECT coalesce((SELECT s.df FROM search_terms AS s WHERE s.org_id = %(org)s
           AND s.table_name = '{table}' AND s.lexeme = ''), 0)::float8 AS n),
matching AS (
  SELECT DISTINCT ON (c.id) c.id, c.search, length(c.search)::float8 AS dl FROM (
    SELECT r.id, r.search FROM terms AS g CROSS JOIN LATERAL (
      SELECT t.id, t.search FROM {table} AS t
      WHERE t.org_id = %(org)s AND t.search @@ quote_literal(g.lexeme)::tsquery
        AND {condition}
      LIMIT %(per_term)s) AS r
    WHERE g.df <= %(rare)s AND r.search @@ %(tsquery)s::tsquery
    UNION ALL
    SELECT w.id, w.search FROM (
      SELECT t.id, t.search FROM {table} AS t
      WHERE t.org_id = %(org)s AND {condition}
        AND (SELECT bool_or(g.df > %(rare)s) FROM terms AS g)
      ORDER BY t.id DESC LIMIT %(window)s) AS w
    WHERE w.search @@ %(tsquery)s::tsquery) AS c),

-- keyword_ranker --
-- BM25 (k1 = 1.2, b = 0.75) over PostgreSQL's own tsvectors, the one keyword ranker (POST
-- /v1/search and GET /v1/messages/search), after either candidate set above ({candidates}):
-- term frequencies read from each candidate's positions of %(lexemes)s; a term's document
-- frequency and the collection's size from the org's statistics, or counted among the
-- candidates where that is more. Its best %(n)s, as CTE "keyword" (id, bm25, rank).
{candidates}
term_hits AS (
  SELECT m.id, m.dl, u.lexeme, coalesce(cardinality(u.positions), 1)::float8 AS tf
  FROM matching AS m, unnest(m.search) AS u
  WHERE u.lexeme = ANY(%(lexemes)s::text[])),
collection AS (
  SELECT greatest(count(*), (SELECT n FROM documents))::float8 AS n,
         greatest(avg(dl), 1) AS avgdl
  FROM matching),
frequency AS (
  SELECT h.lexeme, greatest(count(*), max(g.df))::float8 AS df
  FROM term_hits AS h JOIN terms AS g USING (lexeme) GROUP BY h.lexeme),
scored AS (
  SELECT h.id, sum(ln(1 + (c.n - f.df + 0.5) / (f.df + 0.5))
                   * h.tf * 2.2 / (h.tf + 1.2 * (0.25 + 0.75 * h.dl / c.avgdl))) AS bm25
  FROM term_hits AS h JOIN frequency AS f USING (lexeme), collection AS c
  GROUP BY h.id),
keyword AS (
  SELECT id, bm25, row_number() OVER (ORDER BY bm25 DESC, id) AS rank FROM scored
  ORDER BY rank LIMIT %(n)s)

-- semantic_retriever --
-- The %(n)s nearest by cosine distance to %(vector)s: through the HNSW index ({order}
-- without "+ 0"; iterative scans go on past rows the filter removes), or exactly ("+ 0"
-- keeps the planner off the index) when the filter names a contact or a conversation.
nearest AS (
  SELECT t.id, t.embedding <=> %(vector)s::vector AS distance FROM {table} AS t
  WHERE t.org_id = %(org)s AND t.embedding IS NOT NULL AND {condition}
  ORDER BY {order} LIMIT %(n)s),
semantic AS (
  SELECT id, distance, row_number() OVER (ORDER BY distance, id) AS rank FROM nearest)

-- fused --
-- The retrievers ({retrievers}), their results ({hits}: one retriever's, or both fused, after
-- the CTEs that fuse them, {fusion}), the top %(k)s with their documents, the turn whose
-- neighbour a result is, how many rows the index walk found ({walked}), and which of the
-- query's words (stemmed, as the keyword retriever matched them) each result contains.
WITH {retrievers},
{fusion}
hits AS ({hits} ORDER BY score DESC, id LIMIT %(k)s)
SELECT h.id, h.keyword_rank, h.semantic_rank, h.similarity, h.score, h.context_of, {walked},
       ARRAY(SELECT u.lexeme FROM unnest(t.search) AS u
             WHERE u.lexeme = ANY(%(lexemes)s::text[]) ORDER BY u.lexeme),
       {json}
FROM hits AS h JOIN {table} AS t ON t.org_id = %(org)s AND t.id = h.id
ORDER BY h.score DESC, h.id

-- fusion --
-- Hybrid: each list's scores min-max normalised over that list (BM25 over the keyword
-- candidates, similarity over the nearest; a list of one, or of equal scores, counts 1),
-- summed with weights %(wk)s and %(ws)s; then each of the best %(lift)s lifts its
-- neighbours ({neighbours}) by %(beta)s of its score, so that the answer to a matching
-- question, or the question a matching answer replies to, ranks with it.
fused AS (
  SELECT coalesce(k.id, s.id) AS id, k.rank AS keyword_rank, s.rank AS semantic_rank,
    1 - s.distance AS similarity,
    %(wk)s * CASE WHEN k.id IS NULL THEN 0 WHEN kb.hi > kb.lo
                  THEN (k.bm25 - kb.lo) / (kb.hi - kb.lo) ELSE 1 END
    + %(ws)s * CASE WHEN s.id IS NULL THEN 0 WHEN sb.hi > sb.lo
                    THEN (sb.hi - s.distance) / (sb.hi - sb.lo) ELSE 1 END AS score
  FROM keyword AS k FULL JOIN semantic AS s ON k.id = s.id,
    (SELECT min(bm25) AS lo, max(bm25) AS hi FROM keyword) AS kb,
    (SELECT min(distance) AS lo, max(distance) AS hi FROM semantic) AS sb),
lifting AS (SELECT id, score FROM fused WHERE score > 0 ORDER BY score DESC, id LIMIT %(lift)s),
{neighbours},
lifted AS (
  SELECT DISTINCT ON (n.id) n.id, n.by AS context_of, %(beta)s * n.score AS lift
  FROM neighbours AS n ORDER BY n.id, n.score DESC, n.by),

-- neighbours_messages --
-- A message's neighbours: the one before and the one after it in its conversation that
-- the filter lets through (two probes of messages_conversation_ts_idx each).
neighbours AS (
  SELECT n.id, l.id AS by, l.score
  FROM lifting AS l
  JOIN messages AS m ON m.org_id = %(org)s AND m.id = l.id
  CROSS JOIN LATERAL (
    (SELECT t.id FROM messages AS t
     WHERE t.org_id = %(org)s AND t.conversation_id = m.conversation_id
       AND (t.ts, t.id) < (m.ts, m.id) AND {condition}
     ORDER BY t.ts DESC, t.id DESC LIMIT 1)
    UNION ALL
    (SELECT t.id FROM messages AS t
     WHERE t.org_id = %(org)s AND t.conversation_id = m.conversation_id
       AND (t.ts, t.id) > (m.ts, m.id) AND {condition}
     ORDER BY t.ts, t.id LIMIT 1)) AS n)

-- neighbours_none --
-- Memories and knowledge have no neighbours here.
neighbours AS (SELECT NULL::uuid AS id, NULL::uuid AS by, NULL::float8 AS score WHERE false)

-- hits_hybrid --
SELECT coalesce(f.id, l.id) AS id, f.keyword_rank, f.semantic_rank, f.similarity,
  coalesce(f.score, 0) + coalesce(l.lift, 0) AS score, l.context_of
FROM fused AS f FULL JOIN lifted AS l ON l.id = f.id

-- hits_semantic --
SELECT id, NULL::bigint AS keyword_rank, rank AS semantic_rank,
  1 - distance AS similarity, 1 - distance AS score, NULL::uuid AS context_of FROM semantic

-- hits_keyword --
SELECT id, rank AS keyword_rank, NULL::bigint AS semantic_rank,
  NULL::float8 AS similarity, bm25 AS score, NULL::uuid AS context_of FROM keyword

-- search_terms --
-- A question's words as the ranker reads them: lexemes (English stemming, stop words
-- dropped), OR-ed.
SELECT coalesce(string_agg(quote_literal(lexeme), ' | '), ''), coalesce(array_agg(lexeme), '{}')
FROM unnest(to_tsvector('english', %(text)s))

-- search_settings --
-- How this search's statements run, for its transaction only. Planned for their values:
-- psycopg prepares a statement it has run five times, and PostgreSQL would then keep one
-- generic plan for every word (at 1M messages that sent one contact's keyword search
-- through the full-text index for common words too: 15 ms at the median instead of 0.7).
-- How far HNSW walks (%(ef_search)s), and, where pgvector has them (0.8+), iterative scans:
-- a filtered search keeps walking until it has enough rows.
SELECT set_config('plan_cache_mode', 'force_custom_plan', true),
       set_config('hnsw.ef_search', %(ef_search)s, true),
       CASE WHEN string_to_array(e.extversion, '.')::int[] >= '{0,8}'
            THEN set_config('hnsw.iterative_scan', 'relaxed_order', true) END
FROM pg_extension AS e WHERE e.extname = 'vector'

-- message_search --
-- Full-text search over messages: the words match as web-search syntax (phrases, or,
-- -excluded), the matches are ranked by the one keyword ranker ({ranker}: BM25, shared
-- with POST /v1/search), and only the top ones get their documents and snippets.
WITH {ranker}
SELECT {json}, 1.0 / k.rank AS rank,
       ts_headline('english', t.content, %(tsquery)s::tsquery,
                   'MaxFragments=2, MaxWords=18, MinWords=6, FragmentDelimiter=" … "')
FROM keyword AS k JOIN messages AS t ON t.org_id = %(org)s AND t.id = k.id
ORDER BY k.rank

-- websearch_terms --
-- What a web-search query matches, and its words' lexemes (for the ranker's frequencies).
SELECT websearch_to_tsquery('english', %(text)s)::text,
       coalesce(array_agg(lexeme), '{}')
FROM unnest(to_tsvector('english', %(text)s))


-- count_terms --
-- An org's term statistics of {table}, counted afresh: every lexeme in at least %(min_df)s
-- of its rows, and under '' the number of rows; lexemes no longer counted go. Rows whose
-- count did not change are not rewritten. (rows, lexemes kept).
WITH counted AS (
  SELECT u.lexeme, count(*) AS df FROM {table} AS t, unnest(t.search) AS u
  WHERE t.org_id = %(org)s GROUP BY u.lexeme HAVING count(*) >= %(min_df)s
  UNION ALL
  SELECT '', count(*) FROM {table} AS t WHERE t.org_id = %(org)s),
gone AS (
  DELETE FROM search_terms AS s
  WHERE s.org_id = %(org)s AND s.table_name = '{table}'
    AND NOT EXISTS (SELECT FROM counted AS c WHERE c.lexeme = s.lexeme)),
written AS (
  INSERT INTO search_terms AS s (org_id, table_name, lexeme, df)
  SELECT %(org)s, '{table}', c.lexeme, c.df FROM counted AS c
  ON CONFLICT (org_id, table_name, lexeme)
  DO UPDATE SET df = excluded.df, counted_at = excluded.counted_at
  WHERE s.df <> excluded.df OR s.lexeme = '')
SELECT (SELECT c.df FROM counted AS c WHERE c.lexeme = ''), count(*) - 1 FROM counted

-- terms_counted --
-- When an org's term statistics of {table} were last counted, and the rows it had then,
-- beside the rows it has now.
SELECT (SELECT s.counted_at FROM search_terms AS s
        WHERE s.org_id = %(org)s AND s.table_name = '{table}' AND s.lexeme = ''),
       (SELECT s.df FROM search_terms AS s
        WHERE s.org_id = %(org)s AND s.table_name = '{table}' AND s.lexeme = ''),
       (SELECT count(*) FROM {table} AS t WHERE t.org_id = %(org)s)

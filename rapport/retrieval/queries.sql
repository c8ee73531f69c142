-- Retrieval's statements: the one keyword ranker, the semantic retriever, their fusion,
-- and full-text search over messages. {table} is the scope searched (messages, memories,
-- knowledge_chunks), {condition} its filter, {json} its rows as their public documents.

-- keyword_ranker --
-- BM25 (k1 = 1.2, b = 0.75) over PostgreSQL's own tsvectors, the one keyword ranker (POST
-- /v1/search and GET /v1/messages/search): rows matching %(tsquery)s, term frequencies
-- read from each candidate's positions of %(lexemes)s, document frequencies counted among
-- the candidates, so a word in nearly every candidate (a speaker's name, the product's
-- name) weighs almost nothing. Scoring reads every candidate's tsvector, so candidates are
-- bounded (%(cap)s): within one contact or conversation, every match; org-wide, the most
-- recent ({order}: by id, which is time-ordered). Its best %(n)s, as CTE "keyword".
matching AS (
  SELECT t.id, t.search, length(t.search)::float8 AS dl
  FROM {table} AS t
  WHERE t.org_id = %(org)s AND t.search @@ %(tsquery)s::tsquery AND {condition}
  {order} LIMIT %(cap)s),
term_hits AS (
  SELECT m.id, m.dl, u.lexeme, coalesce(cardinality(u.positions), 1)::float8 AS tf
  FROM matching AS m, unnest(m.search) AS u
  WHERE u.lexeme = ANY(%(lexemes)s::text[])),
collection AS (SELECT count(*)::float8 AS n, greatest(avg(dl), 1) AS avgdl FROM matching),
frequency AS (SELECT lexeme, count(*)::float8 AS df FROM term_hits GROUP BY lexeme),
keyword AS (
  SELECT h.id, row_number() OVER (ORDER BY sum(
           ln(1 + (c.n - f.df + 0.5) / (f.df + 0.5))
           * h.tf * 2.2 / (h.tf + 1.2 * (0.25 + 0.75 * h.dl / c.avgdl))) DESC, h.id) AS rank
  FROM term_hits AS h JOIN frequency AS f USING (lexeme), collection AS c
  GROUP BY h.id
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
-- The retrievers ({retrievers}), their results ({hits}: one retriever's, or both fused by
-- weighted reciprocal rank fusion, score = sum of weight / (%(rrf)s + rank)), the top %(k)s
-- with their documents and how many the index walk found ({walked}).
WITH {retrievers},
hits AS ({hits} ORDER BY score DESC, id LIMIT %(k)s)
SELECT h.id, h.keyword_rank, h.semantic_rank, h.similarity, h.score, {walked}, {json}
FROM hits AS h JOIN {table} AS t ON t.org_id = %(org)s AND t.id = h.id
ORDER BY h.score DESC, h.id

-- hits_hybrid --
SELECT coalesce(k.id, s.id) AS id, k.rank AS keyword_rank,
  s.rank AS semantic_rank, 1 - s.distance AS similarity,
  coalesce(%(wk)s / (%(rrf)s + k.rank), 0) + coalesce(%(ws)s / (%(rrf)s + s.rank), 0) AS score
FROM keyword AS k FULL JOIN semantic AS s ON k.id = s.id

-- hits_semantic --
SELECT id, NULL::bigint AS keyword_rank, rank AS semantic_rank,
  1 - distance AS similarity, 1 - distance AS score FROM semantic

-- hits_keyword --
SELECT id, rank AS keyword_rank, NULL::bigint AS semantic_rank,
  NULL::float8 AS similarity, 1.0 / rank AS score FROM keyword

-- search_terms --
-- A question's words as the ranker reads them: lexemes (English stemming, stop words
-- dropped), OR-ed, sent back as a constant so the planner estimates how many rows match
-- (for a common word it walks the newest rows and stops at the cap).
SELECT coalesce(string_agg(quote_literal(lexeme), ' | '), ''), coalesce(array_agg(lexeme), '{}')
FROM unnest(to_tsvector('english', %(text)s))

-- vector_scan --
-- How far HNSW walks for this search, and, where pgvector has them (0.8+), iterative
-- scans: a filtered search keeps walking until it has enough rows.
SELECT set_config('hnsw.ef_search', %(ef_search)s, true),
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


-- Term statistics for the org-wide keyword ranker (issue 11).
--
-- In how many of an org's rows of a searched table (messages, memories, knowledge_chunks)
-- each lexeme occurs (df), and under the lexeme '' how many rows the table held then. The
-- worker counts them afresh when they are due (rapport.retrieval.terms), so they are a
-- snapshot: BM25's weights lag the data by up to an hour, matching never does (it reads
-- the GIN index). Lexemes in fewer rows than terms.MIN_DF are not kept: the ranker fetches
-- every match of such a word and counts it among them, and a name or an address said a few
-- times is not copied here. Aggregates of the org's own text, under its row security.
CREATE TABLE search_terms (
    org_id uuid NOT NULL REFERENCES orgs (org_id) ON DELETE CASCADE,
    table_name text NOT NULL CHECK (table_name IN ('messages', 'memories', 'knowledge_chunks')),
    lexeme text NOT NULL,
    df bigint NOT NULL CHECK (df >= 0),
    counted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, table_name, lexeme)
);

SELECT rapport_isolate('search_terms');

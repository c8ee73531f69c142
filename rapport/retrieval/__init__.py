"""Retrieval: finding what was said, by meaning and by words.

- ``embeddings``: the embedder interface and the offline all-MiniLM-L6-v2 (``onnx_minilm``
  runs it on ONNX Runtime).
- ``search``: ``POST /v1/search`` over messages, memories and knowledge: the keyword ranker
  (BM25), the semantic retriever (HNSW, iterative scans on pgvector 0.8), their fusion, and
  how a search filter becomes SQL per scope (``_messages``, ``_memories``, ``_knowledge``).
- ``keyword``: full-text search over messages with the same ranker.
- ``verbs``: ``r.search(...)``; ``queries.sql``: every statement above, ``keyword_ranker``
  defined once.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

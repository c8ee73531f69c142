"""Retrieval: finding what was said, by meaning and by words.

- ``embeddings``: the embedder interface and the offline all-MiniLM-L6-v2 (``onnx_minilm``
  runs it on ONNX Runtime).
- ``search``: ``POST /v1/search`` over messages, memories and knowledge: the semantic
  retriever (HNSW, iterative scans on pgvector 0.8), its fusion with the keyword ranker and
  the lift of the best results' neighbouring messages, and
  how a search filter becomes SQL per scope (``_messages``, ``_memories``, ``_knowledge``).
- ``bm25``: the one keyword ranker (BM25), over every match within a contact, over a
  bounded candidate set org-wide; ``terms``: the per-org term statistics it reads, counted
  by the worker.
- ``keyword``: full-text search over messages with the same ranker.
- ``verbs``: ``r.search(...)``; ``queries.sql``: every statement above, ``keyword_ranker``
  defined once.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

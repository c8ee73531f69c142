"""The pattern graph (seed 002's Lead -> Call -> Pattern -> Outcome, on PostgreSQL) and the
best practices drawn from it.

- ``graph``: patterns ranked for an outcome (``GET /v1/patterns/ranking``), a lead's path
  (``GET /v1/contacts/{id}/path``), the org's patterns, and the caller's observations
  (``POST /v1/patterns/observations``); derived edges are kept by migration 0020's
  triggers and by enrichment after each batch.
- ``practices``: ``POST /v1/best-practices``: similar successful conversations and the
  patterns that won in them, one ranked answer with its reasons.
- ``verbs``: their declarations (``r.patterns``); ``queries.sql``: their statements.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

"""Insight into an org's data: how healthy it is (seed 003's monitoring).

- ``data_health``: ``GET /v1/health/data``: rows past retention, PII scrubbing completion,
  orphaned sessions, volume (sessions per day, messages per session, active contacts) and,
  where the engine has ``pg_stat_statements``, the statements that cost the most.
- ``verbs``: its declaration; ``queries.sql``: its statements.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

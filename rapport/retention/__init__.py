"""Retention: how long each kind of data is kept, per org, and the runs that enforce it.

- ``settings``: ``settings.retention`` of an org (days per kind; the seeds' defaults).
- ``holds``: the ``legal-holds`` resource; a held contact or conversation is never expired.
- ``enforce``: what is past its policy, and a run that deletes it in batches (messages with
  what was derived from them: embeddings and search entries live on the row, memories and
  objections they left go with them; conversations stay as sessions; counts stay as they
  were, being counts of what happened), recorded in ``retention_runs``.
- ``verbs``: ``POST /v1/retention/run``, ``GET /v1/retention`` and ``r.legal_holds``;
  ``queries.sql``: every statement above.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

"""The learning loop: what happens to every message an agent sends, prompt variants that
compete on real outcomes, triggers that follow up silence, and whether the system improves.

- ``events``: engagement events (sent, delivered, read, replied, clicked, failed), ingested
  in batches, idempotent on ``external_id``, linked to their message; each message's status.
- ``feedback``: the ``feedback`` resource (a reply, rating, CSAT or words about a
  conversation or message).
- ``variants``: the ``prompt-variants`` resource; ``experiments``: the ``experiments``
  resource, assignment (sticky, round robin, Thompson sampling), results and auto-pause.
- ``stats``: GrowthBook's gbstats methods (Bayesian chance to win, SRM, bandit weights),
  with scipy.
- ``triggers``: the ``triggers`` resource and their evaluation by the worker.
- ``metrics``: the daily learning metrics and their periods.
- ``verbs``: the SDK sections ``events``, ``feedback``, ``prompt_variants``,
  ``experiments``, ``triggers``, ``learning``; ``queries.sql``: every statement above.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

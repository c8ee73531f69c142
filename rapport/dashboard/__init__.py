"""The operator's dashboard (issue 13): ``/dashboard``, live, from local assets.

- ``overview``: ``GET /v1/dashboard``, everything the page draws in one answer (and
  ``r.dashboard.overview()``); ``queries.sql``: the statements it adds.
- ``page``: the page and its assets (``static/``: the HTML, its script and styles, and
  Chart.js 4.5.1, MIT, vendored so nothing loads from a CDN). The page logs in with an
  API key (or an identity provider's token), follows ``GET /v1/changes/stream`` and
  redraws what moved; a variant's pause button is ``PATCH /v1/prompt-variants/{id}``.
- ``verbs``: the overview's declaration.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

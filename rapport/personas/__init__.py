"""Personas: contacts cut by any facet (seed 001).

- ``facets``: ``GET /v1/contacts/facets``: contacts counted per value of industry, company
  size, job title, sales stage, channel and keyword under any filter; the stage, channels
  and keywords it counts live on the contact (migration 0021 keeps the first two as
  conversations change; enrichment adds keywords after each batch, ``keywords``).
- ``verbs``: its declaration (``r.contacts.facets``); ``queries.sql``: its statements.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

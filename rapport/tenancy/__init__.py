"""Tenancy: who is asking, for which organization, with which rights.

- ``principal``: the organization a call acts for and its role (viewer < operator < admin
  < owner); every service takes one, every statement is scoped by its org.
- ``orgs``: organizations; ``api_keys``: keys (SHA-256 of a 32-byte secret) and
  authentication; ``users``: the ``users`` resource (operators and their roles).
- ``settings``: an organization's settings, the one reader of them; each capability owns
  its section (``pipeline.settings``, ``calls.settings``).
- ``verbs``: ``r.org()``, ``r.update_org(...)``, ``r.keys``; ``queries.sql``: every
  statement above.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

"""The change stream: every write of a tracked table, org-scoped, resumable.

- ``feed``: reading it: ``GET /v1/changes?after=`` (a page, for the SDK and for polling)
  and the position a new reader starts from; event ids are ``<xid>-<id>`` positions.
- ``listener``: one LISTEN connection per server process, waking each org's readers
  when its writes commit.
- ``stream``: ``GET /v1/changes/stream``, server-sent events (sse-starlette) from a
  position, a ``Last-Event-ID`` or now.
- ``verbs``: the page's declaration (``r.changes``); ``queries.sql``: its statements; the
  outbox and its triggers: migration 0022.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

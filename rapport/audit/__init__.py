"""The audit log: who did which admin action, when, on what.

- ``log``: the ``audit_events`` resource (read-only through the API), ``record`` (one event),
  ``audited`` (an operation followed by its event, on the same connection and, for an
  atomic operation, in the same transaction) and ``GET /v1/audit``.

Every verb that needs the admin role or more is audited by the dispatcher
(``rapport.resources.dispatch``), so a new admin verb cannot forget it; the CLI's key
commands and the worker's scheduled runs record theirs too. Events name ids and fields, not
values that could be personal data; settings patches (no personal data) are kept whole.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

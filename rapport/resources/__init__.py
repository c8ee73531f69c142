"""What every resource and verb shares: the nine operations, filters, paging, and the verb
machinery that makes REST routes and SDK methods from one declaration.

- ``fields``: a resource's public fields, read off its output model; ``resource``: a
  resource (table, models) and the SQL the nine operations run on it; ``crud``: the nine
  operations; ``catalog``: every resource and the service behind each operation.
- ``filters``: the Mongo-style filter language, compiled to parameterised SQL (a search
  filter becomes SQL here too, per scope); ``paging``: ``order_by`` and keyset cursors.
- ``verbs``: a verb declared once (``verb``, ``writing``, ``Section``); ``signatures``: how
  its parameters travel; ``params``: the parameters many verbs share; ``dispatch``: the
  one place a call runs (role, read-your-writes, the service, enrichment);
  ``generic``: the nine operations as verbs; ``sections``: their typed SDK methods;
  ``registry``: every verb.
- ``queries.sql``: the nine operations' statements, with holes for each resource.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

"""Memory: what each person told us, the knowledge agents draw on, and the enrichment that
reads every message after it is stored.

- ``memories``: the ``memories`` resource, versioned: a new value supersedes, delete ends
  validity, ``as_of`` and ``history`` tell what we knew when.
- ``evidence``: the same fact read again in other words is evidence for the current
  version (its ``evidence`` and confidence grow), not a new version.
- ``knowledge``: the ``knowledge`` resource, documents chunked for search.
- ``enrichment``: the operations of enrichment (claim, extract, remember, raise and resolve
  objections, qualify, embed), each batch in one transaction with SKIP LOCKED.
- ``enricher``: running them: inline, in a background thread, ``flush``, and ``settle``
  (read-your-writes: one conversation's or contact's pending messages, now).
- ``verbs``: the SDK sections ``memories``, ``knowledge``, ``enrichment``;
  ``queries.sql``: every statement above.

Rules the schema holds for this capability (``rapport/db/schema.sql``):
- a batch's after-commit writes (language, qualification, summary tallies) are marked in
  table ``enrich_inflight`` until done, so ``settle`` and ``flush`` wait for them
  (migration 0005);
- a memory's ``evidence`` lists the messages that support it, its source first (0016).
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

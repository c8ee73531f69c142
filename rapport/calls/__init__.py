"""Voice calls (seed 002): leads by phone, learning from a finished call, closer availability.

A voice agent's call is stored with the same machinery as every other conversation, so it is
enriched, searched and routed like one: the lead is a contact (unique by phone), the call has
a conversation on channel ``voice`` whose messages are the transcript, and a ``calls`` row
holds what only a call has (outcome, transfer, engagement, analysis and outcome factors).

- ``models``: the call's output model and the body of ``POST /v1/calls/learn``.
- ``records``: the ``calls`` resource (call rows, with the nine operations).
- ``checks``: the cross-field rules of a learn body, each error naming its field.
- ``analysis``: what the server computes from a transcript, and the outcome factors.
- ``leads``: lookup by phone and the lead upsert.
- ``learn``: seed 002's learnFromCall, one transaction, idempotent.
- ``schedule`` / ``availability``: closers' weekly hours and overrides, and "available now?".
- ``transfer``: whether the agent should hand the lead to a closer now.
- ``correlation``: transfer success with and without the closer available (seed 002).
- ``settings``: this package's sections of org settings (``transfer``, ``calls``).
- ``verbs``: the SDK sections ``calls`` and ``availability``; ``queries.sql``: every
  statement above. Phone numbers are read by ``rapport.conversations.phones``.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

"""Conversations: the people agents talk to, every conversation and message, and what they
add up to (seed 000's document, seed 003's sessions and summaries).

- ``contacts``: the ``contacts`` resource, found by phone, handle, email or your own id;
  phones read in the org's region on every write (``with_phones``); top contacts.
- ``phones``: the one phone normaliser (E.164 in the org's ``calls.default_region``).
- ``conversations``: the ``conversations`` resource (seed 000's document fields, seed 003's
  session), a contact's latest conversation and sessions in a window.
- ``messages``: the ``messages`` resource and the append (one statement with the counters,
  the contact's last_interaction and the summary), batches, history by role, by intent.
- ``objections``: the ``objections`` resource (raised and resolved by enrichment too).
- ``summaries``: the ``interaction-summaries`` resource, kept current by every write.
- ``documents``: seed 000's whole document of a conversation, in one read.
- ``analytics``: totals, satisfaction, languages and intents over the summaries.
- ``portability``: import (seed 000 JSONL, MongoDB exports) and export.
- ``verbs``: the SDK sections ``contacts``, ``conversations``, ``messages``, ``analytics``.
- ``queries.sql``: every statement above, including ``summary_upsert``, the one writer of
  interaction summaries, and ``messages_after_insert``.

Rules the schema holds for this capability: ``rapport_stamp_completed`` (completed_at),
``rapport_stamp_resolved`` (an objection's resolved_at), the conversation tallies
(``rapport_tally_*``, counted for the pipeline), and ``rapport_cancel_on_reply`` (a lead's
message cancels the follow-ups waiting for it; see ``rapport.pipeline``).
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

"""Personal data: found in what people write, scrubbed per org, and handed back or erased
on request.

- ``detect``: offline detectors (emails, phone numbers, card numbers, IBANs, IP addresses,
  national ids), each a pattern confirmed by a checksum or a parser, and masking.
- ``settings``: ``settings.pii`` (when: off, ingest, within_24h; mode: redact, mask,
  tokenize); ``policy``: the org's policy as the hot paths read it (a short cache).
- ``scrub``: one text scrubbed; ``scrubbing``: messages scrubbed on append, in enrichment
  and by the worker's sweep; ``vault``: tokens' originals, encrypted, revealed to admins.
- ``keys``: the server's secret and what is derived from it (the vault's key, tokens, the
  erasure receipts' signing key).
- ``gdpr``: a person's data exported (JSON or CSV) and erased, with a signed receipt.
- ``verbs``: ``GET /v1/pii``, ``POST /v1/pii/reveal``, ``GET /v1/contacts/{id}/export``,
  ``POST /v1/contacts/{id}/erase``, ``GET /v1/erasures/{id}``; ``queries.sql``: every
  statement above.
"""

from rapport.db import sql

QUERIES = sql.Queries(__name__)

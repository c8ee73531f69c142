"""``settings.pii``: whether an org's messages are scrubbed of personal data, when, and how.

- ``when``: ``off``; ``ingest`` (before the message is stored, so the original never reaches
  the database); ``within_24h`` (the message is stored as sent, at full speed, and scrubbed
  by enrichment before anything is derived from it, seconds later; the worker's sweep
  catches any left, so none stays unscrubbed a day).
- ``mode``: ``redact`` (``[EMAIL]``), ``mask`` (``j***@example.com``, ``********4242``) or
  ``tokenize`` (``[EMAIL:3f9a...]``, the original encrypted in the vault; admins reveal it
  with ``POST /v1/pii/reveal``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

When = Literal["off", "ingest", "within_24h"]
Mode = Literal["redact", "mask", "tokenize"]


class PiiSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    when: When = Field(default="off", description="off, ingest, or within_24h")
    mode: Mode = Field(default="redact", description="redact, mask, or tokenize")

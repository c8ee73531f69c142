"""An org's scrubbing policy, as the hot paths read it: from a short per-process cache.

Appending a message must not wait on a second statement to learn whether to scrub it, so
the policy is read once per org every ``TTL`` seconds, and forgotten here at once when this
process changes the org's settings. Another process may append for up to ``TTL`` seconds
under the old policy after a change; enrichment then scrubs what it let through before
anything is derived from it (``rapport.privacy.scrubbing``), so the gap is seconds of
stored originals, never a derived copy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rapport.config import get_settings
from rapport.db.operation import Query, Steps
from rapport.privacy import QUERIES
from rapport.privacy.settings import Mode, PiiSettings, When

FALLBACK = "US"  # as rapport.conversations.phones (which imports what imports this)

TTL = 5.0


@dataclass(frozen=True, slots=True)
class Policy:
    when: When
    mode: Mode
    region: str

    @property
    def on(self) -> bool:
        return self.when != "off"


_cache: dict[str, tuple[float, Policy]] = {}


def of(pii: object, region: str | None) -> Policy:
    """The policy of stored ``settings.pii`` (checked when it was written); phone numbers
    are read in the org's region as ``rapport.conversations.phones.region`` has it."""
    parsed = PiiSettings.model_validate(pii or {})
    return Policy(parsed.when, parsed.mode, region or get_settings().phone_region or FALLBACK)


def policy(org_id: str) -> Steps[Policy]:
    """The org's policy, from the cache when it is fresh."""
    now = time.monotonic()
    cached = _cache.get(org_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    row = yield Query(QUERIES["policy"], {"org": org_id})
    found = of(row[0], row[1]) if row else of(None, None)
    _cache[org_id] = (now + TTL, found)
    return found


def forget(org_id: str) -> None:
    """Read the org's policy afresh next time (its settings changed)."""
    _cache.pop(org_id, None)

"""An org's scrubbing policy, as the hot paths read it: from a short per-process cache.

Appending a message must not wait on a second statement to learn whether to scrub it. Every
request authenticated by an API key or a token refreshes its org's entry here (``remember``:
the credential lookup brings the policy along, migration 0013), so a request appends under
the policy as it stands when the request begins, whichever server changed it. Otherwise
(the in-process SDK, the worker) the policy is read once per org every ``TTL`` seconds, and
forgotten at once when this process changes the org's settings; what another process let
through meanwhile is scrubbed by enrichment before anything is derived from it
(``rapport.privacy.scrubbing``). Reports read it afresh (``policy(org, fresh=True)``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rapport.conversations.phones import region_of
from rapport.db.operation import Query, Steps
from rapport.privacy import QUERIES
from rapport.privacy.settings import Mode, PiiSettings, When

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
    """The policy of stored ``settings.pii`` (checked when it was written) and the org's
    ``calls.default_region`` (phone numbers are read in the region it gives)."""
    parsed = PiiSettings.model_validate(pii or {})
    return Policy(parsed.when, parsed.mode, region_of(region))


def remember(org_id: str, pii: object, region: str | None) -> Policy:
    """The org's policy as a statement just read it (a credential's lookup), cached."""
    found = of(pii, region)
    _cache[org_id] = (time.monotonic() + TTL, found)
    return found


def policy(org_id: str, fresh: bool = False) -> Steps[Policy]:
    """The org's policy, from the cache when it is fresh (and ``fresh`` is not asked)."""
    cached = _cache.get(org_id)
    if not fresh and cached is not None and cached[0] > time.monotonic():
        return cached[1]
    row = yield Query(QUERIES["policy"], {"org": org_id})
    return remember(org_id, *(row or (None, None)))


def forget(org_id: str) -> None:
    """Read the org's policy afresh next time (its settings changed)."""
    _cache.pop(org_id, None)

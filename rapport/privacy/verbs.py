"""Privacy's verbs: ``r.pii.status()`` and ``r.pii.reveal(...)``."""

from __future__ import annotations

from typing import Any

from rapport.privacy import vault
from rapport.resources.verbs import Section, verb


class Pii(Section):
    section = "pii"

    status = verb(
        vault.status, "GET", "/v1/pii", response=dict[str, Any],
        summary="Your scrubbing policy and its completion rate",
    )  # fmt: skip
    reveal = verb(
        vault.reveal, "POST", "/v1/pii/reveal", response=dict[str, Any], role="admin",
        body="*", body_name="PiiReveal", summary="Reveal tokenised personal data (audited)",
    )  # fmt: skip

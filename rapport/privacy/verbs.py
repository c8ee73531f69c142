"""Privacy's verbs: ``r.pii`` (status, reveal) and ``r.gdpr`` (export, erase, receipt)."""

from __future__ import annotations

from typing import Any

from rapport.privacy import gdpr, vault
from rapport.resources.verbs import Section, Settle, verb, writing


class Pii(Section):
    section = "pii"

    status = verb(
        vault.status, "GET", "/v1/pii", response=dict[str, Any],
        summary="Your scrubbing policy and its completion rate",
    )  # fmt: skip
    reveal = verb(
        vault.reveal, "POST", "/v1/pii/reveal", response=dict[str, Any], role="admin",
        body="*", body_name="PiiReveal", summary="Reveal tokenised personal data (audited)",
        examples=[{"text": "Reach me at [EMAIL:3f9a0c1d2e4b5a69]"},
                  {"tokens": ["3f9a0c1d2e4b5a69"]}],
    )  # fmt: skip


class Gdpr(Section):
    section = "gdpr"

    export = verb(
        gdpr.export, "GET", "/v1/contacts/{id}/export", response=dict[str, Any], role="admin",
        files=("text/csv",), summary="Everything held about a person (JSON or CSV; audited)",
        settles=Settle("contact", "id"),  # what their latest messages imply is in it
    )  # fmt: skip
    erase = writing(
        gdpr.erase, "POST", "/v1/contacts/{id}/erase", response=dict[str, Any], role="admin",
        summary="Erase a person and everything derived, with a signed receipt",
    )  # fmt: skip
    receipt = verb(
        gdpr.receipt, "GET", "/v1/erasures/{id}", response=dict[str, Any],
        summary="An erasure's receipt, verified",
    )  # fmt: skip

"""Retention's verbs, by SDK section: ``r.retention`` and ``r.legal_holds``."""

from __future__ import annotations

from typing import Any

from rapport.resources.sections import ResourceSection
from rapport.resources.verbs import Section, verb
from rapport.retention import enforce


class Retention(Section):
    section = "retention"

    status = verb(
        enforce.status, "GET", "/v1/retention", response=dict[str, Any],
        summary="Retention policies and what is past them",
    )  # fmt: skip
    run = verb(
        enforce.run_now, "POST", "/v1/retention/run", response=dict[str, Any], role="admin",
        summary="Enforce retention now",
    )  # fmt: skip


class LegalHolds(ResourceSection):
    """Legal holds: ``create`` a hold on a contact or conversation, ``delete`` releases it."""

    section = "legal_holds"
    resource = "legal-holds"

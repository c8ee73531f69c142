"""The audit log's verb: ``r.audit.list(filter=...)``, ``GET /v1/audit``."""

from __future__ import annotations

from rapport.audit import log
from rapport.resources.params import Page
from rapport.resources.verbs import Section, verb


class Audit(Section):
    section = "audit"

    list = verb(
        log.events, "GET", "/v1/audit", response=Page, role="admin",
        summary="The audit log", over=log.AUDIT,
    )  # fmt: skip

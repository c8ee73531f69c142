"""Insight's verbs: ``r.health.data()``, ``GET /v1/health/data``."""

from __future__ import annotations

from typing import Any

from rapport.insight import data_health
from rapport.resources.verbs import Section, verb


class Health(Section):
    section = "health"

    data = verb(
        data_health.report, "GET", "/v1/health/data", response=dict[str, Any],
        summary="Your data's health: retention, scrubbing, orphans, volume, query performance",
    )  # fmt: skip

"""The dashboard's verb: ``r.dashboard.overview()``, ``GET /v1/dashboard``."""

from __future__ import annotations

from rapport.dashboard import overview
from rapport.resources.verbs import Section, verb


class Dashboard(Section):
    """What the operator's page shows, in one answer.

    >>> r.dashboard.overview()["pipeline"]
    """

    section = "dashboard"

    overview = verb(
        overview.overview, "GET", "/v1/dashboard", response=overview.Overview,
        summary="Everything the dashboard shows, now",
    )  # fmt: skip

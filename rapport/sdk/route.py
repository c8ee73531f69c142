"""Where an SDK verb lives in the REST API (shared by the verb tables)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

PAGE = {"limit": "limit", "cursor": "cursor"}


@dataclass(frozen=True)
class Route:
    """Where a verb lives in the REST API and how its arguments travel."""

    method: str
    path: str
    body: str | None = None
    query: Mapping[str, str] | None = None  # SDK argument -> query parameter
    result: str | None = None  # key of the response to return, or the whole response

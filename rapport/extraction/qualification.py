"""The qualification score of seed 000's document, derived from a lead's BANT memories.

    score = budget + authority + need + timeline, 0-100, where
      budget     25 when an amount is known
      authority  25 decision maker, 10 title known but not whether they decide,
                  5 someone else decides
      need       25 when a need is stated
      timeline   25 by 30 days after the lead said it, 20 by 90, 10 by 180, 5 later

A lead who states all four and can buy within a month scores 100; a lead we know nothing
about scores 0. Each part counts the contact's current memory of that key.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any


def score(memories: Mapping[str, Mapping[str, Any]], now: datetime.date) -> float:
    """``memories``: key -> {"value": ..., "valid_from": ...} for the current BANT memories."""
    total = 0.0
    budget = memories.get("budget")
    if budget and isinstance(budget.get("value"), dict) and budget["value"].get("amount"):
        total += 25
    authority = memories.get("authority")
    if authority and isinstance(authority.get("value"), dict):
        decider = authority["value"].get("decision_maker")
        total += 25 if decider is True else 5 if decider is False else 10
    if memories.get("need"):
        total += 25
    timeline = memories.get("timeline")
    if timeline and isinstance(timeline.get("value"), dict) and timeline["value"].get("date"):
        try:
            when = datetime.date.fromisoformat(str(timeline["value"]["date"])[:10])
        except ValueError:
            when = None
        if when is not None:
            said = _day(timeline.get("valid_from")) or now
            days = (when - said).days
            total += 25 if days <= 30 else 20 if days <= 90 else 10 if days <= 180 else 5
    return total


def _day(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None

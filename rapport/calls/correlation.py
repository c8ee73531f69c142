"""Transfers with and without the closer available (seed 002's "Kevin availability
correlation": does the closer's being there lift transfers?).

Calls are grouped by what the dialer recorded when the call ran (``closer_available``: true,
false, or not recorded), over a window of start times and, if named, one closer's calls. Each
group has its calls, transfers tried and made, the success rate, and the average engagement of
all its calls and of its successful transfers (the seed's query returned the last); ``lift``
is the success rate with the closer available less the rate without. Whole UTC days come
from counts kept per day as calls change (migration 0023), the partial days at either end
of the window from the calls themselves, so a year of calls reads a few hundred rows.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from rapport import errors
from rapport.calls import QUERIES
from rapport.calls.availability import Closer
from rapport.db import counts
from rapport.db.counts import Counts
from rapport.db.operation import Query, Steps, operation
from rapport.resources.filters import parse_timestamp
from rapport.resources.params import When
from rapport.tenancy.principal import Principal

GROUPS = (True, False, None)  # available, not available, not recorded: always all three
ONE_DAY = datetime.timedelta(days=1)


class Group(BaseModel):
    closer_available: bool | None = Field(description="null: the call did not record it")
    calls: int
    transfers_attempted: int
    transfers_successful: int
    success_rate: float | None = Field(description="Made / tried; null when none was tried")
    avg_engagement: float | None = Field(description="Of the group's calls (0-10)")
    avg_engagement_successful: float | None = Field(description="Of its successful transfers")


class Correlation(BaseModel):
    """Transfers by the closer's availability, as ``GET /v1/calls/closer-availability``."""

    model_config = {"json_schema_extra": {"examples": [{
        "from": "2025-01-01T00:00:00+00:00", "to": None, "closer": "kevin",
        "groups": [
            {"closer_available": True, "calls": 420, "transfers_attempted": 180,
             "transfers_successful": 117, "success_rate": 0.65, "avg_engagement": 6.9,
             "avg_engagement_successful": 8.1},
            {"closer_available": False, "calls": 310, "transfers_attempted": 95,
             "transfers_successful": 38, "success_rate": 0.4, "avg_engagement": 6.2,
             "avg_engagement_successful": 7.7},
            {"closer_available": None, "calls": 12, "transfers_attempted": 0,
             "transfers_successful": 0, "success_rate": None, "avg_engagement": 5.0,
             "avg_engagement_successful": None},
        ],
        "lift": 0.25,
    }]}}  # fmt: skip

    from_: str | None = Field(alias="from", description="The window's start, if given")
    to: str | None = Field(description="The window's end (exclusive), if given")
    closer: str | None
    groups: list[Group] = Field(description="Available, not available, not recorded")
    lift: float | None = Field(description="Success rate available less not available")


@operation
def closer_availability(
    principal: Principal,
    start: Annotated[When, Field(description="Calls that started at or after; default all")] = None,
    end: Annotated[When, Field(description="Calls that started before; default all")] = None,
    closer: Annotated[Closer | None, Field(description="One closer's calls")] = None,
) -> Steps[dict[str, Any]]:
    """Transfer success with and without the closer available, with counts and average
    engagement, e.g. ``r.calls.closer_availability(start="2025-01-01")``."""
    first = parse_timestamp(start, "from") if start is not None else None
    last = parse_timestamp(end, "to") if end is not None else None
    if first is not None and last is not None and last <= first:
        raise errors.BadRequest("to: must be later than from", field="to")
    rows = yield Query(
        QUERIES["closer_availability"],
        {"org": principal.org_id, "closer": closer, **window(first, last)},
        fetch="scalars",
    )
    found = {row["closer_available"]: row for row in rows}
    groups = [found.get(value) or _empty(value) for value in GROUPS]
    rate = {g["closer_available"]: g["success_rate"] for g in groups}
    lift = None if rate[True] is None or rate[False] is None else rate[True] - rate[False]
    return {
        "from": first.isoformat() if first else None,
        "to": last.isoformat() if last else None,
        "closer": closer,
        "groups": groups,
        "lift": lift,
    }


def window(first: datetime.datetime | None, last: datetime.datetime | None) -> dict[str, Any]:
    """[first, last) as the whole UTC days the kept counts answer (``day_from``, ``day_to``,
    either open when None) and the partial days at either end, read from the calls
    themselves (``a_*`` and ``b_*``; an empty range is two Nones)."""

    def midnight(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(), datetime.UTC)

    start = first.astimezone(datetime.UTC) if first is not None else None
    end = last.astimezone(datetime.UTC) if last is not None else None
    day_from = None if start is None else (
        start.date() if start == midnight(start.date()) else start.date() + ONE_DAY
    )  # fmt: skip
    day_to = None if end is None else end.date()
    if day_from is not None and day_to is not None and day_from >= day_to:  # within a day
        return {"days": False, "day_from": None, "day_to": None, "a_from": start,
                "a_to": end, "b_from": None, "b_to": None}  # fmt: skip
    head = (start, midnight(day_from)) if start is not None and day_from is not None else None
    tail = (midnight(day_to), end) if end is not None and day_to is not None else None
    return {
        "days": True, "day_from": day_from, "day_to": day_to,
        "a_from": head[0] if head and head[0] < head[1] else None,
        "a_to": head[1] if head and head[0] < head[1] else None,
        "b_from": tail[0] if tail and tail[0] < tail[1] else None,
        "b_to": tail[1] if tail and tail[0] < tail[1] else None,
    }  # fmt: skip


TALLIES = Counts(
    "call_tallies",
    ("day", "closer", "closer_available"),
    (
        "calls",
        "attempted",
        "successful",
        "engagement_sum",
        "engagement_n",
        "successful_engagement_sum",
        "successful_engagement_n",
    ),
)


@operation
def fold(org_id: str) -> Steps[int]:
    """The worker's: the org's call counts folded into one row per (day, closer, availability)."""
    return int((yield from counts.fold(TALLIES, org_id).steps))


def _empty(value: bool | None) -> dict[str, Any]:
    return {"closer_available": value, "calls": 0, "transfers_attempted": 0,
            "transfers_successful": 0, "success_rate": None, "avg_engagement": None,
            "avg_engagement_successful": None}  # fmt: skip

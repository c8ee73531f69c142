"""Closers' availability (seed 002's kevin_availability), stored one schedule per closer.

``PUT``-like: posting a closer's schedule replaces it whole, so the dialer's admin screen can
send what it shows, and sending the same schedule again changes nothing. A schedule is checked
when it is written (known time zone, windows that end after they start and do not overlap),
so "available now?" never meets a schedule it cannot read.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from rapport import errors
from rapport.calls import QUERIES, schedule
from rapport.calls.models import iso
from rapport.db import sql
from rapport.db.operation import Query, Steps, operation
from rapport.resources.filters import parse_timestamp
from rapport.resources.params import Input, When
from rapport.resources.verbs import Written
from rapport.tenancy.principal import Principal
from rapport.validation import Moment, failure, json_text, validate

_CLOCK = r"^(([01]\d|2[0-3]):[0-5]\d|24:00)$"
_NAMES = {name.lower(): n for n, name in enumerate(schedule.DAYS)}
_NAMES |= {name[:3]: n for name, n in list(_NAMES.items())}
DEFAULT_CLOSER = "default"  # the closer of an org that has one, as seed 002 does (Kevin)
# A closer's name travels in URL paths: no slash, no control characters, single spaces.
_WORD = r"[^\s/\x00-\x1f\x7f]+"
Closer = Annotated[str, Field(min_length=1, max_length=100, pattern=rf"^{_WORD}( {_WORD})*$")]


def _day(value: Any) -> Any:
    """Day names (Monday, mon) as numbers, 0=Sunday."""
    if isinstance(value, str) and value.strip().lower() in _NAMES:
        return _NAMES[value.strip().lower()]
    return value


class WeeklyWindow(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day_of_week: Annotated[int, BeforeValidator(_day), Field(ge=0, le=6)] = Field(
        description="0=Sunday .. 6=Saturday, or a day name (Monday, mon)"
    )
    start: Annotated[str, Field(pattern=_CLOCK, examples=["09:00"])]
    end: Annotated[str, Field(pattern=_CLOCK, examples=["17:00"], description="24:00 = midnight")]


class OverrideIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    start: Moment = Field(description="Without an offset: the closer's local time")
    end: Moment
    available: bool
    reason: Annotated[str, Field(max_length=500)] | None = None


EXAMPLES: list[Any] = [
    {
        "closer": "kevin",
        "timezone": "America/New_York",
        "weekly": [{"day_of_week": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)],
        "overrides": [
            {"start": "2025-01-20T00:00:00", "end": "2025-01-21T00:00:00",
             "available": False, "reason": "MLK day"},
        ],
    }
]  # fmt: skip


class ScheduleIn(BaseModel):
    """A closer's whole schedule; it replaces the one stored for that closer."""

    model_config = ConfigDict(extra="forbid")

    closer: Closer = DEFAULT_CLOSER
    timezone: Annotated[str, Field(min_length=1, max_length=64, examples=["America/New_York"])]
    weekly: Annotated[list[WeeklyWindow], Field(max_length=200)] = Field(default_factory=list)
    overrides: Annotated[list[OverrideIn], Field(max_length=1000)] = Field(default_factory=list)


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise errors.ValidationFailed(
            f"timezone: {name!r} is not a known IANA time zone (e.g. America/New_York)",
            field="timezone",
        ) from None


def parse(data: Any) -> tuple[ScheduleIn, schedule.Schedule]:
    """The schedule checked: every problem named by item index, all reported at once."""
    given = validate(ScheduleIn, data)
    zone = _zone(given.timezone)
    found: list[dict[str, Any]] = []
    windows = [
        schedule.Window(w.day_of_week, _minutes(w.start), _minutes(w.end)) for w in given.weekly
    ]
    for index, window in enumerate(windows):
        if window.end <= window.start:
            found.append({"field": f"weekly[{index}].end", "message":
                          f"{schedule.clock(window.end)} is not after start "
                          f"{schedule.clock(window.start)}"})  # fmt: skip
    for i, j in _overlaps([(w.day, w.start, w.end) for w in windows]):
        found.append({"field": f"weekly[{j}]", "message":
                      f"overlaps weekly[{i}] ({windows[i].label()}); merge them"})  # fmt: skip
    overrides = [
        schedule.Override(_local(o.start, zone), _local(o.end, zone), o.available, o.reason)
        for o in given.overrides
    ]
    for index, override in enumerate(overrides):
        if override.end <= override.start:
            found.append({"field": f"overrides[{index}].end", "message": "not after its start"})
    spans = [(0, o.start.timestamp(), o.end.timestamp()) for o in overrides]
    for i, j in _overlaps(spans):
        found.append({"field": f"overrides[{j}]", "message": f"overlaps overrides[{i}]"})
    if found:
        raise failure(found)
    return given, schedule.Schedule(given.closer, zone, tuple(windows), tuple(overrides))


def _local(moment: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(datetime.UTC)


def _overlaps(spans: list[tuple[int, float, float]]) -> list[tuple[int, int]]:
    """(earlier, later) index pairs of spans in the same group that overlap: each span is
    compared with the one reaching furthest among those starting before it."""
    pairs = []
    order = sorted(range(len(spans)), key=lambda k: spans[k])
    reach: int | None = None
    for k in order:
        if spans[k][2] <= spans[k][1]:
            continue  # reported as "end not after start"
        if reach is not None and spans[reach][0] == spans[k][0] and spans[k][1] < spans[reach][2]:
            pairs.append((min(reach, k), max(reach, k)))
        if reach is None or spans[reach][0] != spans[k][0] or spans[k][2] > spans[reach][2]:
            reach = k
    return pairs


def _stored(given: ScheduleIn, parsed: schedule.Schedule) -> tuple[str, str]:
    """weekly and overrides as stored: day numbers, HH:MM, and UTC instants."""
    weekly = [
        {"day_of_week": w.day, "day": schedule.DAYS[w.day],
         "start": schedule.clock(w.start), "end": schedule.clock(w.end)}
        for w in parsed.weekly
    ]  # fmt: skip
    overrides = [
        {"start": iso(o.start), "end": iso(o.end),
         "available": o.available, "reason": o.reason}
        for o in parsed.overrides
    ]  # fmt: skip
    return json_text(weekly), json_text(overrides)


_JSON = (
    "json_build_object('closer', a.closer, 'timezone', a.timezone, 'weekly', a.weekly,"
    " 'overrides', a.overrides, 'created_at', a.created_at, 'updated_at', a.updated_at)"
)
_PUT = sql.fill(QUERIES["availability_put"], schedule=_JSON)
_GET = sql.fill(QUERIES["availability_one"], schedule=_JSON)
_ALL = sql.fill(QUERIES["availability_all"], schedule=_JSON)


@operation
def put(
    principal: Principal,
    timezone: Annotated[str, Field(min_length=1, max_length=64, examples=["America/New_York"])],
    weekly: Annotated[Sequence[Input[WeeklyWindow]] | None, Field(max_length=200)] = None,
    overrides: Annotated[Sequence[Input[OverrideIn]] | None, Field(max_length=1000)] = None,
    closer: Closer = DEFAULT_CLOSER,
) -> Steps[Written[dict[str, Any]]]:
    """Set a closer's availability: replaces the closer's whole schedule: weekly windows
    (day_of_week 0=Sunday, or a day name; HH:MM in ``timezone``) and dated overrides, which
    win over the weekly hours. Unknown time zones, windows that end before they start and
    overlapping windows are refused, naming the item. The same schedule again changes
    nothing (not even updated_at)."""
    principal.require("operator", "set a closer's availability")
    given, parsed = parse(
        {"closer": closer, "timezone": timezone, "weekly": weekly or [],
         "overrides": overrides or []}
    )  # fmt: skip
    stored_weekly, stored_overrides = _stored(given, parsed)
    row = yield Query(
        _PUT,
        {"org": principal.org_id, "closer": given.closer, "timezone": given.timezone,
         "weekly": stored_weekly, "overrides": stored_overrides},
    )  # fmt: skip
    if row is None:  # unchanged
        doc = yield Query(_GET, {"org": principal.org_id, "closer": given.closer}, fetch="scalar")
        return Written(dict(doc), False)
    return Written(dict(row[0]), bool(row[1]))


@operation
def schedules(principal: Principal, closer: str | None = None) -> Steps[dict[str, Any]]:
    """Closers' schedules: ``{"items": [...]}``, every closer's or the one named."""
    docs = yield Query(_ALL, {"org": principal.org_id, "closer": closer}, fetch="scalars")
    return {"items": list(docs)}


def load(principal: Principal, closer: str) -> Steps[schedule.Schedule | None]:
    """The closer's stored schedule, ready to evaluate; None if there is none."""
    doc = yield Query(_GET, {"org": principal.org_id, "closer": closer}, fetch="scalar")
    if doc is None:
        return None
    return schedule.Schedule(
        closer,
        ZoneInfo(doc["timezone"]),
        tuple(
            schedule.Window(w["day_of_week"], _minutes(w["start"]), _minutes(w["end"]))
            for w in doc["weekly"]
        ),
        tuple(
            schedule.Override(
                parse_timestamp(o["start"], "start"),
                parse_timestamp(o["end"], "end"),
                bool(o["available"]),
                o.get("reason"),
            )
            for o in doc["overrides"]
        ),
    )


def moment(at: Any) -> datetime.datetime:
    """``at`` (ISO date-time, naive = UTC) or now."""
    if at is None:
        return datetime.datetime.now(datetime.UTC)
    return parse_timestamp(at, "at").astimezone(datetime.UTC)


def answer(closer: str, found: schedule.Status) -> dict[str, Any]:
    until, next_at = found.until, found.next_available_at
    return {"closer": closer, "available": found.available, "reason": found.reason,
            "until": None if until is None else iso(until),
            "next_available_at": None if next_at is None else iso(next_at)}  # fmt: skip


@operation
def now(
    principal: Principal,
    closer: Annotated[str | None, Field(description="Default: default")] = None,
    at: Annotated[
        When, Field(description="ISO date-time (default now)", examples=["2025-01-15T15:00:00Z"])
    ] = None,
) -> Steps[dict[str, Any]]:
    """Is the closer available? Computed in the closer's time zone (daylight saving
    included); an override covering ``at`` wins over the weekly hours. ``until``: when that
    changes; ``next_available_at``: when the closer is next available (``at`` itself if
    available)."""
    name = closer or DEFAULT_CLOSER
    when = moment(at)
    stored = yield from load(principal, name)
    if stored is None:
        raise errors.NotFound(
            f"no availability for closer {name!r}; POST /v1/availability first", field="closer"
        )
    return answer(name, schedule.status(stored, when))

"""A closer's availability as a function of time: weekly hours in a time zone, and overrides.

Pure logic, no database. Weekly windows are wall-clock hours in the closer's IANA time zone,
so "Monday 09:00-17:00 in America/New_York" stays 09:00-17:00 across daylight-saving changes
(zoneinfo does the arithmetic). A dated override (vacation, an extra evening) wins over the
weekly hours while it lasts. ``status`` answers "available now?", until when, and when next.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
HORIZON_DAYS = 14  # how far ahead "until" and "next available" are looked for


@dataclass(frozen=True, slots=True)
class Window:
    """Weekly hours: ``day`` 0=Sunday, ``start``/``end`` in minutes of the local day."""

    day: int
    start: int
    end: int

    def label(self) -> str:
        return f"{DAYS[self.day]} {clock(self.start)}-{clock(self.end)}"


@dataclass(frozen=True, slots=True)
class Override:
    start: datetime.datetime
    end: datetime.datetime
    available: bool
    reason: str | None


@dataclass(frozen=True, slots=True)
class Schedule:
    closer: str
    zone: ZoneInfo
    weekly: tuple[Window, ...]
    overrides: tuple[Override, ...]


@dataclass(frozen=True, slots=True)
class Status:
    available: bool
    reason: str
    until: datetime.datetime | None
    next_available_at: datetime.datetime | None


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def day_of(moment: datetime.datetime) -> int:
    """0=Sunday .. 6=Saturday of a local date-time."""
    return (moment.weekday() + 1) % 7


def state(schedule: Schedule, at: datetime.datetime) -> tuple[bool, str]:
    """Whether the closer is available at ``at``, and why."""
    for override in schedule.overrides:
        if override.start <= at < override.end:
            kind = "available" if override.available else "unavailable"
            return override.available, override.reason or f"override: {kind}"
    local = at.astimezone(schedule.zone)
    second = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    for window in schedule.weekly:
        if window.day == day_of(local) and window.start * 60 <= second < window.end * 60:
            return True, f"weekly hours {window.label()} ({schedule.zone.key})"
    return False, f"outside weekly hours ({schedule.zone.key})"


def _boundaries(schedule: Schedule, at: datetime.datetime) -> list[datetime.datetime]:
    """Every instant after ``at`` (within the horizon) where availability may change."""
    found: set[datetime.datetime] = set()
    first = at.astimezone(schedule.zone).date() - datetime.timedelta(days=1)
    for offset in range(HORIZON_DAYS + 2):
        date = first + datetime.timedelta(days=offset)
        weekday = (date.weekday() + 1) % 7
        for window in schedule.weekly:
            if window.day != weekday:
                continue
            for minutes in (window.start, window.end):
                day = date + datetime.timedelta(days=minutes // 1440)
                wall = datetime.time(minutes % 1440 // 60, minutes % 60)
                local = datetime.datetime.combine(day, wall, tzinfo=schedule.zone)
                found.add(local.astimezone(datetime.UTC))
    for override in schedule.overrides:
        found.update((override.start, override.end))
    limit = at + datetime.timedelta(days=HORIZON_DAYS)
    return sorted(b for b in found if at < b <= limit)


def status(schedule: Schedule, at: datetime.datetime) -> Status:
    """Available at ``at``? With the reason, when that changes (``until``) and, if not
    available, when the closer next is (None when not within the next 14 days)."""
    available, reason = state(schedule, at)
    until: datetime.datetime | None = None
    next_at: datetime.datetime | None = at if available else None
    for boundary in _boundaries(schedule, at):
        now_available = state(schedule, boundary)[0]
        if until is None and now_available != available:
            until = boundary
        if next_at is None and now_available:
            next_at = boundary
        if until is not None and next_at is not None:
            break
    return Status(available, reason, until, next_at)

"""The rules of a learn body that span fields, each broken rule naming its field.

pydantic checks each value (an unknown outcome, a score outside 0..10, empty text); these
are the rules that need two values at once. All are checked before anything is written, and
every problem is reported, so a voice agent fixes its payload in one round.
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol

from rapport.calls.models import LearnRequest
from rapport.calls.models import iso as _at
from rapport.validation import failure

# Clocks of the dialer and of the speech pipeline disagree by a little.
SLACK = datetime.timedelta(seconds=5)


class CallRecord(Protocol):
    """What the call-level rules read: a learned call or a call record."""

    @property
    def start_time(self) -> datetime.datetime: ...
    @property
    def end_time(self) -> datetime.datetime | None: ...
    @property
    def transfer_attempted(self) -> bool: ...
    @property
    def transfer_successful(self) -> bool: ...


def call_problems(call: CallRecord, at: str) -> list[dict[str, Any]]:
    """The call's own rules (ends after it starts, no transfer success unattempted), each
    naming its field under ``at`` ("call." in a learn body, "items[3]." in a bulk)."""
    found: list[dict[str, Any]] = []
    if call.end_time is not None and call.end_time < call.start_time:
        message = f"{_at(call.end_time)} is before {at}start_time {_at(call.start_time)}"
        found.append({"field": f"{at}end_time", "message": message})
    if call.transfer_successful and not call.transfer_attempted:
        message = f"true needs {at}transfer_attempted true (it cannot succeed unattempted)"
        found.append({"field": f"{at}transfer_successful", "message": message})
    return found


def problems(request: LearnRequest) -> list[dict[str, Any]]:
    """Every cross-field problem of ``request``, as ``{"field", "message"}``."""
    call = request.call
    found = call_problems(call, "call.")

    def bad(field: str, message: str) -> None:
        found.append({"field": field, "message": message})

    earliest = call.start_time - SLACK
    latest = call.end_time + SLACK if call.end_time is not None else None
    previous: datetime.datetime | None = None
    for index, turn in enumerate(request.transcript):
        where = f"transcript[{index}].timestamp"
        if previous is not None and turn.timestamp < previous:
            bad(where, f"earlier than transcript[{index - 1}] ({_at(turn.timestamp)} < "
                f"{_at(previous)}); send the turns in the order they were spoken")  # fmt: skip
        if turn.timestamp < earliest:
            bad(where, f"{_at(turn.timestamp)} is before call.start_time "
                f"{_at(call.start_time)}")  # fmt: skip
        elif latest is not None and call.end_time is not None and turn.timestamp > latest:
            bad(where, f"{_at(turn.timestamp)} is after call.end_time {_at(call.end_time)}")
        previous = turn.timestamp
    return found


def check(request: LearnRequest) -> None:
    """Raise one ValidationFailed listing every cross-field problem, if there are any."""
    found = problems(request)
    if found:
        raise failure(found)

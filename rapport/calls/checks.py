"""The rules of a learn body that span fields, each broken rule naming its field.

pydantic checks each value (an unknown outcome, a score outside 0..10, empty text); these
are the rules that need two values at once. All are checked before anything is written, and
every problem is reported, so a voice agent fixes its payload in one round.
"""

from __future__ import annotations

import datetime
from typing import Any

from rapport.calls.models import LearnRequest
from rapport.validation import failure

# Clocks of the dialer and of the speech pipeline disagree by a little.
SLACK = datetime.timedelta(seconds=5)


def _at(value: datetime.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def problems(request: LearnRequest) -> list[dict[str, Any]]:
    """Every cross-field problem of ``request``, as ``{"field", "message"}``."""
    call = request.call
    found: list[dict[str, Any]] = []

    def bad(field: str, message: str) -> None:
        found.append({"field": field, "message": message})

    if call.end_time is not None and call.end_time < call.start_time:
        bad(
            "call.end_time",
            f"{_at(call.end_time)} is before call.start_time {_at(call.start_time)}",
        )
    if call.transfer_successful and not call.transfer_attempted:
        bad(
            "call.transfer_successful",
            "true needs call.transfer_attempted true (a transfer cannot succeed unattempted)",
        )
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

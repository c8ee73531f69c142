"""Should the voice agent hand this lead to a closer now? (seed 002's transfer moment)

A transfer is worth making when the lead is engaged enough, the call got far enough and the
closer can pick up; a transfer into voicemail loses the lead. The thresholds are the org's
(``transfer.min_engagement``, default 7.0; ``transfer.min_phase``, default 3), set with
``PATCH /v1/org``. Every failed condition is given as a reason, and when the closer is the
obstacle, ``next_available_at`` says when to book the callback.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Annotated, Any, cast

from pydantic import Field

from rapport import errors
from rapport.calls import QUERIES, availability, schedule
from rapport.calls.models import Instant, Score
from rapport.conversations.conversations import CONVERSATIONS
from rapport.db.operation import Query, Steps, operation
from rapport.resources import crud
from rapport.tenancy import settings as org_settings
from rapport.tenancy.principal import Principal
from rapport.validation import INT4_MAX

EXAMPLES: list[Any] = [
    {"engagement_score": 8.2, "phase_reached": 4, "is_qualified": True, "closer": "kevin"},
    {"engagement_score": 5.0, "phase_reached": 2,
     "conversation_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"},
]  # fmt: skip


@dataclass(frozen=True)
class TransferRequest:
    """Where the call stands now."""

    engagement_score: float
    phase_reached: int
    is_qualified: bool | None
    conversation_id: uuid.UUID | None
    closer: str
    at: datetime.datetime | None


def _qualified(principal: Principal, request: TransferRequest) -> Steps[bool | None]:
    if request.is_qualified is not None or request.conversation_id is None:
        return request.is_qualified
    key = crud.check_id(CONVERSATIONS, request.conversation_id)
    row = yield Query(QUERIES["conversation_qualified"], {"org": principal.org_id, "id": key})
    if row is None:
        raise errors.NotFound(f"no conversation with id {key}", field="conversation_id")
    return cast(bool | None, row[0])


@operation
def decide(
    principal: Principal,
    engagement_score: Score,
    phase_reached: Annotated[int, Field(ge=0, le=INT4_MAX)],
    is_qualified: Annotated[
        bool | None, Field(description="Default: the conversation's, if one is named")
    ] = None,
    conversation_id: uuid.UUID | None = None,
    closer: availability.Closer = availability.DEFAULT_CLOSER,
    at: Annotated[Instant | None, Field(description="Default: now")] = None,
) -> Steps[dict[str, Any]]:
    """Transfer to a closer now? Yes when engagement >= the org's
    ``transfer.min_engagement`` (default 7), phase >= ``transfer.min_phase`` (default 3),
    the lead is not known to be unqualified and the closer is available at ``at`` (default
    now). Otherwise ``reasons`` says why, and ``next_available_at`` when to book the
    callback. ``{transfer, closer, available, reasons, next_available_at, until}``."""
    request = TransferRequest(
        engagement_score, phase_reached, is_qualified, conversation_id, closer, at
    )
    at = request.at or datetime.datetime.now(datetime.UTC)
    thresholds = (yield from org_settings.load(principal)).transfer
    min_engagement, min_phase = thresholds.min_engagement, thresholds.min_phase
    qualified = yield from _qualified(principal, request)
    stored = yield from availability.load(principal, request.closer)

    blockers: list[str] = []
    passed: list[str] = []
    score, phase = request.engagement_score, request.phase_reached
    if score >= min_engagement:
        passed.append(f"engagement {score:g} >= {min_engagement:g}")
    else:
        blockers.append(
            f"engagement {score:g} is below {min_engagement:g} (transfer.min_engagement)"
        )
    if phase >= min_phase:
        passed.append(f"phase {phase} >= {min_phase}")
    else:
        blockers.append(f"phase {phase} is below {min_phase} (transfer.min_phase)")
    if qualified is False:
        blockers.append("the lead is not qualified")
    if stored is None:
        found = schedule.Status(False, "", None, None)
        blockers.append(
            f"closer {request.closer!r} has no availability schedule; POST /v1/availability"
        )
    else:
        found = schedule.status(stored, at)
        note = f"closer {request.closer} {'available' if found.available else 'unavailable'}"
        (passed if found.available else blockers).append(f"{note}: {found.reason}")
    answer = availability.answer(request.closer, found)
    return {
        "transfer": not blockers,
        "closer": request.closer,
        "available": found.available,
        "reasons": blockers or passed,
        "next_available_at": answer["next_available_at"],
        "until": answer["until"],
    }

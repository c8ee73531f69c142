"""What the server learns from a transcript (seed 002's ``analysis``) and the outcome factors.

Computed server-side, so every call is analysed the same way whichever agent sent it, with
the offline extractor every message already goes through (``rapport.extraction``): VADER
sentiment for turns that came without one, and the objection rules for what the lead raised.
Nothing here touches the database.
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol

from rapport.calls.models import CallIn, Factors, Turn
from rapport.calls.models import iso as _at
from rapport.conversations.messages import Role
from rapport.extraction import concerns, signals

LEAD_SPEAKERS = frozenset({"prospect", "lead", "user", "customer"})


class CallFacts(Protocol):
    """What the factors are filled from: a learned call or a call record."""

    @property
    def start_time(self) -> datetime.datetime: ...
    @property
    def engagement_score(self) -> float | None: ...
    @property
    def phase_reached(self) -> int | None: ...


def role_of(speaker: str) -> tuple[Role, str | None]:
    """The message role (and agent_type) a speaker's turns are stored with."""
    if speaker in LEAD_SPEAKERS:
        return "user", None
    if speaker == "closer":
        return "agent", "closer"
    return "agent", None


def sentiment_of(turn: Turn) -> float:
    """The turn's sentiment: the one sent, else the extractor's reading of its text."""
    if turn.sentiment is not None:
        return turn.sentiment
    return signals.sentiment(turn.text, None)


def analyse(call: CallIn, transcript: list[Turn]) -> dict[str, Any]:
    """total_words, average_sentiment (the lead's turns), key_moments, objection_types, and
    turn counts. A moment names the turn it happened at (its index in the transcript)."""
    moments: list[dict[str, Any]] = []
    objection_types: list[str] = []
    lead_sentiments: list[float] = []
    phases: list[str] = []
    closer_joined: int | None = None
    previous_phase: str | None = None
    for index, turn in enumerate(transcript):
        when = _at(turn.timestamp)
        if turn.phase is not None and turn.phase != previous_phase:
            moments.append({"type": "phase_change", "turn": index, "timestamp": when,
                            "from": previous_phase, "to": turn.phase})  # fmt: skip
            previous_phase = turn.phase
            if turn.phase not in phases:
                phases.append(turn.phase)
        if turn.speaker in LEAD_SPEAKERS:
            lead_sentiments.append(sentiment_of(turn))
            for concern in concerns.concerns(turn.text):
                moment = {"type": "objection", "turn": index, "timestamp": when}
                moments.append(moment | {"objection_type": concern.type,
                                         "text": concern.description})  # fmt: skip
                if concern.type not in objection_types:
                    objection_types.append(concern.type)
        elif turn.speaker == "closer" and closer_joined is None:
            closer_joined = index
    if call.transfer_attempted:
        transfer: dict[str, Any] = {"type": "transfer", "successful": call.transfer_successful}
        if closer_joined is not None:
            transfer |= {"turn": closer_joined,
                         "timestamp": _at(transcript[closer_joined].timestamp)}  # fmt: skip
        moments.append(transfer)
    lead_turns = len(lead_sentiments)
    return {
        "total_words": sum(len(turn.text.split()) for turn in transcript),
        "average_sentiment": round(sum(lead_sentiments) / lead_turns, 4) if lead_turns else None,
        "key_moments": moments,
        "objection_types": objection_types,
        "turns": len(transcript),
        "lead_turns": lead_turns,
        "phases": phases,
    }


def time_of_day(moment: datetime.datetime) -> str:
    """morning 05-12, afternoon 12-17, evening 17-21, night 21-05 (at the moment's offset)."""
    hour = moment.hour
    if 5 <= hour < 12:
        return "morning"
    if 12 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 21:
        return "evening"
    return "night"


def day_of_week(moment: datetime.datetime) -> int:
    """0=Sunday .. 6=Saturday (seed 002's dayOfWeek)."""
    return (moment.weekday() + 1) % 7


def factors_of(call: CallFacts, given: Factors) -> dict[str, Any]:
    """The factors sent, with those left out filled from the call. time_of_day and
    day_of_week read start_time at the offset it was sent with (send the lead's local
    offset, e.g. -05:00, for the lead's local time)."""
    filled = given.model_dump(exclude_none=True)
    if given.engagement_level is None and call.engagement_score is not None:
        filled["engagement_level"] = call.engagement_score
    if given.phase_completed is None and call.phase_reached is not None:
        filled["phase_completed"] = call.phase_reached
    if given.time_of_day is None:
        filled["time_of_day"] = time_of_day(call.start_time)
    if given.day_of_week is None:
        filled["day_of_week"] = day_of_week(call.start_time)
    return filled

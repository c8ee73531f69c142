"""The ``calls`` resource, and the body of ``POST /v1/calls/learn`` (seed 002's learnFromCall).

Seed 002's voice agent writes camelCase (``startTime``, ``engagementScore``,
``kevinAvailable``); every body here also takes snake_case, which is what the API documents
and returns. Timestamps without an offset are read as UTC.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    AliasGenerator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)
from pydantic.alias_generators import to_camel

from rapport.conversations.contacts import Email
from rapport.validation import INT4_MAX, SAID_PATTERN, Moment

Outcome = Literal["qualified", "not_qualified", "callback", "transferred", "no_answer"]
TimeOfDay = Literal["morning", "afternoon", "evening", "night"]
Speaker = Literal["prospect", "lead", "user", "customer", "agent", "assistant", "closer"]
SENTIMENT_LABELS = {"positive": 0.5, "neutral": 0.0, "negative": -0.5}
MAX_TURNS = 5000


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value if value.tzinfo else value.replace(tzinfo=datetime.UTC)


def iso(value: datetime.datetime) -> str:
    """An instant as the API writes it: ISO 8601, UTC as ``Z``."""
    return value.isoformat().replace("+00:00", "Z")


def _label(value: Any) -> Any:
    """Seed 002 stores sentiment as a label; a label becomes a number on the -1..1 scale."""
    if isinstance(value, str) and value.strip().lower() in SENTIMENT_LABELS:
        return SENTIMENT_LABELS[value.strip().lower()]
    return value


def _lower(value: Any) -> Any:
    return value.strip().lower() if isinstance(value, str) else value


def _said(value: str) -> str:
    if not value.strip():
        raise ValueError("empty; send what was said, or leave the turn out")
    return value


def _phase(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


Instant = Annotated[Moment, AfterValidator(_utc)]
Name = Annotated[str, Field(min_length=1, max_length=100)]
Short = Annotated[str, Field(min_length=1, max_length=200)]
Score = Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)]


def _both_cases(name: str) -> AliasChoices:
    return AliasChoices(name, to_camel(name))


CAMEL = ConfigDict(extra="forbid", alias_generator=AliasGenerator(validation_alias=_both_cases))


class Call(BaseModel):
    """A voice call with a lead: how it went, and what the server learned from it."""

    id: uuid.UUID
    contact_id: uuid.UUID = Field(description="The lead (a contact, unique by phone).")
    conversation_id: uuid.UUID | None = Field(
        description="The call's conversation (channel voice); its messages are the transcript."
    )
    external_id: str | None = Field(description="Your dialer's call id (idempotency key).")
    start_time: datetime.datetime
    end_time: datetime.datetime | None
    duration: int | None = Field(description="Seconds, from start_time and end_time.")
    outcome: Outcome | None
    transfer_attempted: bool
    transfer_successful: bool
    engagement_score: float | None = Field(description="0-10")
    phase_reached: int | None
    closer_available: bool | None = Field(description="Seed 002's kevin_available.")
    closer: str | None
    analysis: dict[str, Any] = Field(
        description="Computed from the transcript: total_words, average_sentiment, "
        "key_moments, objection_types, turns, phases."
    )
    factors: dict[str, Any] = Field(
        description="Outcome factors: engagement_level, phase_completed, objection_handling, "
        "time_of_day, day_of_week (0=Sunday)."
    )
    learning_patterns: list[Any]
    metadata: dict[str, Any]
    created_at: datetime.datetime


class CallCreate(BaseModel):
    """A call record without a transcript (e.g. imported from a dialer). To store a call
    with its lead and transcript, and have it analysed, use ``POST /v1/calls/learn``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contact_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                    "external_id": "dialer-call-99812",
                    "start_time": "2025-01-15T14:00:00Z",
                    "end_time": "2025-01-15T14:06:30Z",
                    "outcome": "callback",
                    "engagement_score": 6.0,
                    "phase_reached": 2,
                }
            ]
        },
    )

    contact_id: uuid.UUID
    conversation_id: uuid.UUID | None = None
    external_id: Short | None = None
    start_time: Instant
    end_time: Instant | None = None
    outcome: Outcome | None = None
    transfer_attempted: bool = False
    transfer_successful: bool = False
    engagement_score: Score | None = None
    phase_reached: Annotated[int, Field(ge=0, le=INT4_MAX)] | None = None
    closer_available: bool | None = None
    closer: Short | None = None
    analysis: dict[str, Any] = Field(default_factory=dict)
    factors: dict[str, Any] = Field(default_factory=dict)
    learning_patterns: Annotated[list[Any], Field(max_length=1000)] = Field(default_factory=list)
    metadata: dict[str, Any] = Field(default_factory=dict)


class LeadIn(BaseModel):
    """Who was called. The phone is the lead's identity: a known phone updates that lead."""

    model_config = CAMEL

    phone: Annotated[str, Field(min_length=1, max_length=40)]
    first_name: Name
    last_name: Name
    email: Email | None = None
    source: Short | None = None
    campaign: Short | None = None
    status: Annotated[str, Field(max_length=50)] | None = Field(
        default=None, description="Seed 002's lead status (new, contacted, ...): metadata."
    )
    tags: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)] = Field(
        default_factory=list
    )
    metadata: dict[str, Any] = Field(default_factory=dict)


class CallIn(BaseModel):
    """How the call went."""

    model_config = CAMEL

    external_id: Short | None = Field(
        default=None, description="Your call id; a retry with it returns the stored call."
    )
    start_time: Instant
    end_time: Instant | None = None
    outcome: Outcome
    transfer_attempted: bool = False
    transfer_successful: bool = False
    engagement_score: Score | None = None
    phase_reached: Annotated[int, Field(ge=0, le=INT4_MAX)] | None = None
    closer_available: bool | None = Field(
        default=None,
        validation_alias=AliasChoices(
            "closer_available", "closerAvailable", "kevin_available", "kevinAvailable"
        ),
    )
    closer: Short | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


class Turn(BaseModel):
    """One utterance. Speakers prospect/lead/user/customer are the lead; agent/assistant
    the voice agent; closer a human closer."""

    model_config = CAMEL

    speaker: Annotated[Speaker, BeforeValidator(_lower)]
    text: Annotated[
        str,
        Field(max_length=20_000, json_schema_extra={"pattern": SAID_PATTERN}),
        AfterValidator(_said),
    ]
    timestamp: Instant
    phase: Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(_phase)] = None
    # The range applies to the number, not to the union: ``"sentiment": null`` is allowed.
    sentiment: Annotated[
        Annotated[float, Field(ge=-1, le=1, allow_inf_nan=False)] | None,
        BeforeValidator(_label),
    ] = Field(default=None, description="-1..1, or positive | neutral | negative")
    keywords: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)] = Field(
        default_factory=list
    )


class Factors(BaseModel):
    """Seed 002's outcome factors; those left out are filled from the call. Other keys are
    kept (and filterable as ``factors.<key>``)."""

    model_config = ConfigDict(
        extra="allow", alias_generator=AliasGenerator(validation_alias=_both_cases)
    )

    engagement_level: Score | None = None
    phase_completed: Annotated[int, Field(ge=0, le=INT4_MAX)] | None = None
    objection_handling: Annotated[float, Field(allow_inf_nan=False)] | None = None
    time_of_day: TimeOfDay | None = None
    day_of_week: Annotated[int, Field(ge=0, le=6)] | None = Field(
        default=None, description="0=Sunday .. 6=Saturday"
    )


LEARN_EXAMPLE: dict[str, Any] = {
    "lead": {
        "phone": "+1 (415) 555-0132",
        "first_name": "Dana",
        "last_name": "Whitfield",
        "email": "dana@whitfield-roofing.com",
        "source": "facebook_ad",
    },
    "call": {
        "external_id": "twilio-CA9f3e1b",
        "start_time": "2025-01-15T15:00:00Z",
        "end_time": "2025-01-15T15:07:40Z",
        "outcome": "transferred",
        "transfer_attempted": True,
        "transfer_successful": True,
        "engagement_score": 8.5,
        "phase_reached": 4,
        "closer_available": True,
        "closer": "kevin",
    },
    "transcript": [
        {"speaker": "agent", "text": "Hi Dana, this is Ava from Magnificent Marketing.",
         "timestamp": "2025-01-15T15:00:05Z", "phase": 1},
        {"speaker": "prospect", "text": "Hi. Honestly it sounds expensive.",
         "timestamp": "2025-01-15T15:01:10Z", "phase": 2, "sentiment": "negative"},
        {"speaker": "agent", "text": "Most clients earn it back in the first month.",
         "timestamp": "2025-01-15T15:02:00Z", "phase": 3},
        {"speaker": "prospect", "text": "Okay, that sounds great, we need more jobs by March.",
         "timestamp": "2025-01-15T15:04:30Z", "phase": 4, "sentiment": 0.7},
        {"speaker": "closer", "text": "Dana, Kevin here. Let's get you set up.",
         "timestamp": "2025-01-15T15:05:10Z", "phase": 4},
    ],
    "factors": {"objection_handling": 7.5},
    "learning_patterns": [{"type": "roi_reframe", "effectiveness": 8.0}],
}  # fmt: skip


class LearnRequest(BaseModel):
    """A finished call: the lead, how it went, what was said, and the outcome factors."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=AliasGenerator(validation_alias=_both_cases),
        json_schema_extra={"examples": [LEARN_EXAMPLE]},
    )

    lead: LeadIn
    call: CallIn
    transcript: Annotated[list[Turn], Field(max_length=MAX_TURNS)] = Field(default_factory=list)
    factors: Factors = Field(default_factory=Factors)
    learning_patterns: Annotated[list[Any], Field(max_length=1000)] = Field(default_factory=list)

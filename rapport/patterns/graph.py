"""The pattern graph's reads and the caller's writes: patterns ranked for an outcome, a
lead's path through patterns to how each conversation ended, the org's patterns, and
``POST /v1/patterns/observations`` (a caller's own pattern seen in a conversation).

Derived edges need no writer here: the migration's triggers (objections, calls, follow-ups,
a conversation's stage and agent) and enrichment after each batch (questions and phases of
messages) keep them in step with what is stored, so the graph is never a copy to refresh.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.db import counts
from rapport.db.counts import Counts
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.patterns import QUERIES
from rapport.resources.params import Input
from rapport.resources.verbs import Written
from rapport.tenancy.principal import Principal
from rapport.validation import Moment, validate

# How a conversation can end (rapport_outcome in 0020_patterns.sql): a call's outcomes, a
# conversation's won and lost, and qualified / not qualified / open for the rest.
Outcome = Literal[
    "qualified", "not_qualified", "callback", "transferred", "no_answer", "won", "lost", "open"
]  # fmt: skip
OUTCOMES: tuple[str, ...] = Outcome.__args__  # type: ignore[attr-defined]
SUCCESS: tuple[str, ...] = ("qualified", "transferred", "won")
Type = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["objection_handled"])]
Name = Annotated[str, Field(min_length=1, max_length=200, examples=["price"])]
Order = Literal["effectiveness", "frequency", "lift"]
Count = Annotated[int, Field(ge=1, le=1000)]


class PatternRef(BaseModel):
    id: uuid.UUID
    type: str = Field(
        description="objection_raised, objection_handled, question_asked, "
        "phase_reached, stage_reached, hand_off, follow_up_kept, technique ..."
    )
    name: str
    description: str | None


class Ranked(BaseModel):
    pattern: PatternRef
    frequency: int = Field(description="Conversations with this outcome that showed it")
    conversations: int = Field(description="All conversations that showed it")
    rate: float = Field(description="frequency / conversations")
    lift: float | None = Field(description="rate against the share of all edges so ended")
    avg_effectiveness: float | None = Field(description="0-10: given, or the call's engagement")


class Ranking(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "outcome": "qualified", "order": "effectiveness",
        "items": [{"pattern": {"id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                               "type": "technique", "name": "roi_reframe",
                               "description": None},
                   "frequency": 41, "conversations": 52, "rate": 0.79, "lift": 2.1,
                   "avg_effectiveness": 8.2}],
    }]}}  # fmt: skip

    outcome: str
    order: str
    items: list[Ranked]


class Step(BaseModel):
    id: uuid.UUID
    type: str
    name: str
    at: datetime.datetime
    effectiveness: float | None
    source: Literal["derived", "caller"]


class Leg(BaseModel):
    conversation_id: uuid.UUID
    channel: str
    started_at: datetime.datetime
    call_id: uuid.UUID | None
    outcome: str
    engagement: float | None
    patterns: list[Step] = Field(description="In the order they happened")


class Path(BaseModel):
    contact_id: uuid.UUID
    outcome: str | None = Field(description="How the latest conversation ended")
    conversations: list[Leg]


class Observation(BaseModel):
    """A pattern a conversation showed, as the graph holds it."""

    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    call_id: uuid.UUID | None
    outcome: str
    effectiveness: float | None
    source: Literal["derived", "caller"]
    at: datetime.datetime
    pattern: PatternRef


class ObservationIn(BaseModel):
    """A pattern of your own (or one the extractors know) seen in a conversation."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "conversation_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e", "type": "technique",
        "name": "roi_reframe", "description": "Reframed the price as return on investment",
        "effectiveness": 8.0,
    }]})  # fmt: skip

    conversation_id: uuid.UUID
    type: Type = "technique"
    name: Name
    description: Annotated[str | None, Field(max_length=2000)] = None
    effectiveness: Annotated[float | None, Field(ge=0, le=10)] = Field(
        default=None, description="0-10; default: the call's engagement, if it was a call"
    )
    at: Moment | None = Field(default=None, description="When it happened; default now")


@operation
def ranking(
    principal: Principal,
    outcome: Outcome,
    type: Annotated[Type | None, Field(description="Patterns of one type")] = None,
    order: Annotated[Order, Field(description="Highest first; ties by frequency")] = (
        "effectiveness"
    ),
    min_frequency: Annotated[int, Field(ge=1, description="Seen at least this often")] = 1,
    limit: Count = 20,
) -> Steps[dict[str, Any]]:
    """Patterns ranked by effectiveness (or frequency, or lift) in conversations and calls
    that ended with ``outcome``: seed 002's "which patterns win in qualified calls", e.g.
    ``r.patterns.ranking(outcome="qualified")``."""
    items = yield Query(
        QUERIES["ranking"],
        {"org": principal.org_id, "outcome": outcome, "type": type, "order": order,
         "min_frequency": min_frequency, "limit": limit},
        fetch="scalars",
    )  # fmt: skip
    return {"outcome": outcome, "order": order, "items": list(items)}


@operation
def lead_path(principal: Principal, id: uuid.UUID, limit: Count = 100) -> Steps[dict[str, Any]]:
    """A lead's path: each of its conversations and calls in time order, the patterns each
    showed in the order they happened, and how each ended (seed 002's Lead -> Call ->
    Pattern -> Outcome)."""
    legs = yield Query(
        QUERIES["lead_path"], {"org": principal.org_id, "id": id, "limit": limit},
        fetch="scalars",
    )  # fmt: skip
    if not legs:
        found = yield Query(
            QUERIES["lead_exists"], {"org": principal.org_id, "id": id}, fetch="scalar"
        )
        if not found:
            raise errors.NotFound(f"contact {id} not found")
    return {
        "contact_id": str(id),
        "outcome": legs[-1]["outcome"] if legs else None,
        "conversations": list(legs),
    }


@operation
def patterns(
    principal: Principal, type: Type | None = None, limit: Count = 100
) -> Steps[dict[str, Any]]:
    """The org's patterns, most seen first, with how many conversations showed each."""
    items = yield Query(
        QUERIES["patterns_list"], {"org": principal.org_id, "type": type, "limit": limit},
        fetch="scalars",
    )  # fmt: skip
    return {"items": list(items)}


@atomic_operation
def observe(
    principal: Principal, observation: Input[ObservationIn]
) -> Steps[Written[dict[str, Any]]]:
    """Record that a conversation showed a pattern (made if new, by type and name): its
    outcome is the conversation's, now and as it changes. The same observation again is
    answered with what is stored (200); a derived edge of that pattern becomes yours."""
    principal.require("operator", "record a pattern")
    observation = validate(ObservationIn, observation)
    made = yield Query(
        QUERIES["pattern_put"],
        {"org": principal.org_id, "type": observation.type, "name": observation.name,
         "description": observation.description},
        fetch="one",
    )  # fmt: skip
    key = {"org": principal.org_id, "conversation": observation.conversation_id,
           "pattern": made[0]}  # fmt: skip
    row = yield Query(
        QUERIES["observation_put"],
        {**key, "effectiveness": observation.effectiveness, "at": observation.at},
        fetch="one",
    )
    stored = yield Query(QUERIES["observation_get"], key, fetch="scalar")
    if stored is None:
        raise errors.NotFound(f"conversation {observation.conversation_id} not found")
    return Written(dict(stored), bool(row and row[0]))


def derive(org_id: str, conversations: list[str]) -> Steps[int]:
    """Bring these conversations' derived edges in step with what is stored (enrichment
    calls it after each batch, for the messages it read); the edges that changed."""
    if not conversations:
        return 0
    return int(
        (yield Query(QUERIES["derive"], {"org": org_id, "talks": sorted(conversations)},
                     fetch="scalar"))
    )  # fmt: skip


TALLIES = Counts(
    "pattern_tallies", ("pattern_id", "outcome"), ("edges", "effectiveness_sum", "effectiveness_n")
)


@operation
def fold(org_id: str) -> Steps[int]:
    """The worker's: the org's pattern tallies folded into one row per (pattern, outcome),
    so a ranking sums a few rows however many batches changed edges."""
    return int((yield from counts.fold(TALLIES, org_id).steps))

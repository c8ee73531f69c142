"""Conversations: seed 000's sales conversation document, which is also seed 003's session.

One row per conversation with a contact on one channel: where it stands in the sales process
(status, sales_stage, is_qualified, current_agent), BANT qualification, the next follow-up,
campaign metadata, and session facts (outlet, start and end, message count). Messages,
objections and memories hang off it; ``rapport.documents`` assembles the whole document.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.conversations import QUERIES
from rapport.conversations.contacts import CONTACTS, SalesStage, check_exists
from rapport.db import sql
from rapport.db.operation import Steps, operation
from rapport.resources import crud
from rapport.resources.fields import JSONB
from rapport.resources.filters import parse_timestamp
from rapport.resources.params import Cursor, Limit, When
from rapport.resources.resource import Parent, Resource
from rapport.tenancy.principal import Principal
from rapport.validation import Moment

Status = Literal["active", "inactive", "completed", "abandoned"]
Channel = Annotated[
    str,
    Field(
        pattern=r"^[a-z][a-z0-9_]{0,39}$",
        description="instagram_dm, whatsapp, facebook_messenger, voice, sms, email, web, ...",
        examples=["instagram_dm"],
    ),
]
Text = Annotated[str, Field(max_length=2000)]


class Qualification(BaseModel):
    """BANT: what we know of the lead's budget, need, authority and timeline."""

    model_config = ConfigDict(extra="forbid")

    budget: Text | None = None
    need: Text | None = None
    authority: Text | None = None
    timeline: Text | None = None
    score: float | None = Field(default=None, ge=0, le=100, description="0-100")


class NextFollowUp(BaseModel):
    """The conversation's next follow-up (seed 000's ``follow_up``)."""

    model_config = ConfigDict(extra="forbid")

    required: bool = False
    scheduled_date: Moment | None = None
    reason: Text | None = None
    notes: Text | None = None
    reminder_sent: bool = False


class ConversationMetadata(BaseModel):
    """Campaign facts; any other keys you add are kept and filterable (``metadata.key``)."""

    model_config = ConfigDict(extra="allow")

    source: str | None = None
    campaign: str | None = None
    tags: list[str] = Field(default_factory=list)
    lead_score: float | None = Field(default=None, allow_inf_nan=False)
    conversion_probability: float | None = Field(default=None, ge=0, le=1)


class Conversation(BaseModel):
    """A conversation with one contact on one channel."""

    id: uuid.UUID
    contact_id: uuid.UUID
    external_id: str | None = Field(description="Your id for it (e.g. a session id).")
    channel: str
    status: Status
    sales_stage: SalesStage
    is_qualified: bool | None = Field(description="null while the lead is being assessed")
    current_agent: str | None
    language: str | None
    qualification: Qualification
    follow_up: NextFollowUp
    metadata: Annotated[ConversationMetadata, JSONB]
    intents: dict[str, Any]
    context: dict[str, Any]
    outlet_id: str | None
    start_time: datetime.datetime
    end_time: datetime.datetime | None
    message_count: int
    last_message_at: datetime.datetime | None
    last_inbound_at: datetime.datetime | None = Field(
        description="When the lead last wrote (role user)"
    )
    qualified_at: datetime.datetime | None = Field(description="When is_qualified became true")
    created_at: datetime.datetime
    updated_at: datetime.datetime
    completed_at: datetime.datetime | None


class ConversationCreate(BaseModel):
    """A new conversation. ``external_id`` (e.g. the channel's thread or session id) makes
    retries safe: a second create with it returns the stored conversation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contact_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                    "external_id": "ig-thread-8841",
                    "channel": "instagram_dm",
                    "current_agent": "qualifier",
                    "qualification": {"budget": "$5k/month", "score": 40},
                    "follow_up": {
                        "required": True,
                        "scheduled_date": "2025-01-16T09:00:00Z",
                        "reason": "send pricing",
                    },
                    "metadata": {"source": "instagram_ad", "campaign": "bf24", "tags": ["vip"]},
                }
            ]
        },
    )

    contact_id: uuid.UUID
    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    channel: Channel
    status: Status = "active"
    sales_stage: SalesStage = "qualification"
    is_qualified: bool | None = None
    current_agent: Annotated[str, Field(max_length=100)] | None = None
    language: Annotated[str, Field(max_length=35)] | None = None
    qualification: Qualification = Field(default_factory=Qualification)
    follow_up: NextFollowUp = Field(default_factory=NextFollowUp)
    metadata: ConversationMetadata = Field(default_factory=ConversationMetadata)
    intents: dict[str, Any] = Field(default_factory=dict)
    context: dict[str, Any] = Field(default_factory=dict)
    outlet_id: Annotated[str, Field(max_length=200)] | None = None
    start_time: Moment | None = Field(default=None, description="Default: now.")
    end_time: Moment | None = None
    created_at: Moment | None = Field(default=None, description="Imports only.")
    updated_at: Moment | None = Field(default=None, description="Imports only.")
    completed_at: Moment | None = None
    qualified_at: Moment | None = Field(
        default=None, description="Imports only; default: when is_qualified turns true"
    )


# Each new conversation counts toward its contact's interaction summary, in the same statement.
_COUNT_CONVERSATIONS = sql.fill(
    QUERIES["conversations_after_insert"],
    summary=sql.fill(QUERIES["summary_upsert"], deltas="summary_deltas"),
)

CONVERSATIONS = Resource(
    name="conversations",
    table="conversations",
    singular="conversation",
    model=Conversation,
    create_model=ConversationCreate,
    immutable=("contact_id", "created_at", "updated_at", "qualified_at"),
    default_order="-updated_at",
    server_defaults={
        "created_at": "now()",
        "updated_at": "coalesce(source.created_at, now())",
        "start_time": "coalesce(source.created_at, now())",
    },
    parent=Parent("contacts", "contact_id", singular="contact"),
    conflict_columns=("external_id",),
    after_insert=_COUNT_CONVERSATIONS,
    description="Sales conversations (seed 000) and sessions (seed 003).",
)


@operation
def latest_for_contact(principal: Principal, id: str) -> Steps[dict[str, Any]]:
    """The contact's most recently updated conversation (seed 000's first query pattern,
    served by ``conversations_contact_recent_idx``)."""
    key = crud.check_id(CONTACTS, id)
    page = yield from crud.list_page(
        CONVERSATIONS, principal, {"contact_id": key}, "-updated_at", 1
    ).steps
    if not page["items"]:
        yield from check_exists(principal, key)
        raise errors.NotFound(f"contact {key} has no conversations yet", field="contact_id")
    return dict(page["items"][0])


@operation
def sessions(
    principal: Principal,
    id: str,
    start: Annotated[When, Field(description="ISO date-time, inclusive")] = None,
    end: Annotated[When, Field(description="ISO date-time, exclusive")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Steps[dict[str, Any]]:
    """A contact's conversations that started in [from, to), newest first (seed 003's
    timeline)."""
    key = crud.check_id(CONTACTS, id)
    window: dict[str, Any] = {}
    if start is not None:
        window["$gte"] = _iso(start, "from")
    if end is not None:
        window["$lt"] = _iso(end, "to")
    spec: dict[str, Any] = {"contact_id": key}
    if window:
        spec["start_time"] = window
    page = yield from crud.list_page(
        CONVERSATIONS, principal, spec, "-start_time", limit, cursor
    ).steps
    if not page["items"] and cursor is None:
        yield from check_exists(principal, key)
    return page


def _iso(value: datetime.datetime | str, parameter: str) -> str:
    """``value`` in ISO 8601; a bad one is a BadRequest naming the caller's ``parameter``."""
    return parse_timestamp(value, parameter).isoformat()

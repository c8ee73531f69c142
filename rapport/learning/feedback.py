"""Feedback (seed 001): what a lead said about a conversation or one message: a reply worth
keeping, a rating, a CSAT score, or words. A resource with the nine operations; naming only
the message is enough, its conversation is read from it."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rapport import errors
from rapport.db.operation import Query, Steps
from rapport.learning import QUERIES
from rapport.pipeline import stages
from rapport.resources.resource import Parent, Resource
from rapport.tenancy.principal import Principal

Kind = Literal["reply", "rating", "csat", "text"]


class Feedback(BaseModel):
    """Feedback on a conversation, or on one of its messages."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    message_id: uuid.UUID | None
    external_id: str | None
    kind: Kind
    score: float | None
    text: str | None
    created_by: str | None
    created_at: datetime.datetime


class FeedbackCreate(BaseModel):
    """Feedback to keep: name the conversation, the message, or both."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            # what ``_about_something`` checks first: a conversation or a message
            "anyOf": [
                {"required": [key], "properties": {key: {"type": "string"}}}
                for key in ("conversation_id", "message_id")
            ],
            "examples": [
                {"message_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e", "kind": "csat", "score": 4},
                {"conversation_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6f", "kind": "text",
                 "text": "the second message was too pushy"},
            ]
        },
    )  # fmt: skip

    conversation_id: uuid.UUID | None = None
    message_id: uuid.UUID | None = None
    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    kind: Kind
    score: float | None = Field(default=None, ge=-1_000, le=1_000)
    text: Annotated[str, Field(max_length=10_000)] | None = None
    created_by: Annotated[str, Field(max_length=200)] | None = None

    @model_validator(mode="after")
    def _about_something(self) -> FeedbackCreate:
        if self.conversation_id is None and self.message_id is None:
            raise ValueError("feedback names its conversation_id or message_id")
        if self.kind in ("rating", "csat") and self.score is None:
            raise ValueError(f"{self.kind} feedback needs a score")
        return self


def _prepare(
    principal: Principal, items: list[FeedbackCreate], at: Callable[[int], str]
) -> Steps[list[FeedbackCreate]]:
    """Feedback naming a message belongs to that message's conversation; the writer is
    recorded (``created_by``)."""
    yield stages.record_as(principal)
    named = sorted({str(item.message_id) for item in items if item.message_id})
    if not named:
        return items
    rows = yield Query(
        QUERIES["messages_conversations"], {"org": principal.org_id, "ids": named}, fetch="all"
    )
    found: dict[str, Any] = {str(m): c for m, c in rows}
    for i, item in enumerate(items):
        if item.message_id is None:
            continue
        conversation = found.get(str(item.message_id))
        if conversation is None:
            raise errors.NotFound(
                f"{at(i)}message_id: no message with id {item.message_id}",
                field=f"{at(i)}message_id",
            )
        if item.conversation_id not in (None, conversation):
            raise errors.ValidationFailed(
                f"{at(i)}conversation_id: message {item.message_id} is in conversation"
                f" {conversation}, not {item.conversation_id}",
                field=f"{at(i)}conversation_id",
            )
        item.conversation_id = conversation
    return items


FEEDBACK = Resource(
    name="feedback",
    table="feedback",
    singular="feedback",
    model=Feedback,
    create_model=FeedbackCreate,
    immutable=("conversation_id", "message_id", "created_by"),
    parent=Parent(
        "conversations", "conversation_id", copies=("contact_id",), singular="conversation"
    ),
    server_defaults={"created_by": "current_setting('rapport.actor', true)"},
    prepare=_prepare,
    description="Feedback: kind reply | rating | csat | text, with a score or text.",
)

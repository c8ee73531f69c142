"""Objections a lead raised in a conversation, and whether and how each was resolved."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from rapport.resources.resource import Parent, Resource
from rapport.validation import Moment

ObjectionType = Literal["price", "timing", "trust", "competitor", "authority", "need", "other"]
Text = Annotated[str, Field(max_length=5000)]


class Objection(BaseModel):
    """An objection: its type, what was said, and its resolution."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    message_id: uuid.UUID | None = Field(description="The message that raised it, if known.")
    type: ObjectionType
    description: str | None
    raised_at: datetime.datetime
    resolved: bool
    resolution: str | None
    resolved_at: datetime.datetime | None = Field(description="Set when resolved turns true.")
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ObjectionCreate(BaseModel):
    """An objection raised in a conversation."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "conversation_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                    "type": "price",
                    "description": "Thinks $500/month is too much for a team of 5",
                }
            ]
        },
    )

    conversation_id: uuid.UUID
    message_id: uuid.UUID | None = None
    type: ObjectionType
    description: Text | None = None
    raised_at: Moment | None = Field(default=None, description="Default: now.")
    resolved: bool = False
    resolution: Text | None = None
    resolved_at: Moment | None = None


OBJECTIONS = Resource(
    name="objections",
    table="objections",
    singular="objection",
    model=Objection,
    create_model=ObjectionCreate,
    immutable=("conversation_id",),
    default_order="-raised_at",
    parent=Parent("conversations", "conversation_id", ("contact_id",), "conversation"),
    conflict_columns=None,
    server_defaults={"raised_at": "now()"},
    description="Objections raised (price, timing, trust ...) and how they were resolved.",
)

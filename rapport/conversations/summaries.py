"""Per-contact interaction summaries (seed 003's ``user_interaction_summaries``).

Rapport keeps each summary current itself: every new conversation and every appended message
updates it in the same statement. A summary's ``id`` is its contact's id. Counters count what
was written and are not recomputed when messages are deleted or expire: summaries outlive
messages (730 days against 90 in seed 003's retention plan) by design.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rapport.resources.fields import Column
from rapport.resources.resource import Parent, Resource
from rapport.validation import INT4_MAX, Moment


class InteractionSummary(BaseModel):
    """What one contact's history adds up to."""

    id: Annotated[uuid.UUID, Column("contact_id")] = Field(description="= contact_id")
    contact_id: uuid.UUID
    total_conversations: int
    total_messages: int
    common_intents: dict[str, int] = Field(description="The contact's intents and their counts.")
    language_counts: dict[str, int]
    preferred_language: str | None = Field(description="The most frequent in language_counts")
    avg_satisfaction: float | None = Field(description="Mean sentiment of their messages, -1..1")
    satisfaction_samples: int
    first_interaction: datetime.datetime | None
    last_interaction: datetime.datetime | None
    metadata: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class InteractionSummaryCreate(BaseModel):
    """A summary carried over from another system; Rapport adds to it from then on."""

    model_config = ConfigDict(extra="forbid")

    contact_id: uuid.UUID
    total_conversations: int = Field(default=0, ge=0, le=INT4_MAX)
    total_messages: int = Field(default=0, ge=0, le=INT4_MAX)
    common_intents: dict[str, Annotated[int, Field(ge=0, le=INT4_MAX)]] = Field(
        default_factory=dict
    )
    language_counts: dict[str, Annotated[int, Field(ge=0, le=INT4_MAX)]] = Field(
        default_factory=dict, description="preferred_language is the most frequent of these"
    )
    avg_satisfaction: float | None = Field(default=None, ge=-1, le=1)
    satisfaction_samples: int = Field(default=0, ge=0, le=INT4_MAX)
    first_interaction: Moment | None = None
    last_interaction: Moment | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


SUMMARIES = Resource(
    name="interaction-summaries",
    table="interaction_summaries",
    singular="interaction summary",
    model=InteractionSummary,
    create_model=InteractionSummaryCreate,
    immutable=("contact_id",),
    default_order="-last_interaction",
    id_column="contact_id",
    parent=Parent("contacts", "contact_id", singular="contact"),
    conflict_columns=("contact_id",),
    description="Per-contact totals, intents, language and satisfaction, kept current.",
)

"""Prompt variants (seed 001): the templates an agent may speak with, competing in
experiments. A variant is an agent's (``agent``, ``name`` unique per org, so a retried create
returns the stored one); ``status`` paused takes it out of every experiment's next
assignment, whether an operator paused it or an experiment's rule did (``paused_reason``).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from rapport.resources.resource import Resource

Status = Literal["active", "paused"]
AgentName = Annotated[str, Field(min_length=1, max_length=100)]


class PromptVariant(BaseModel):
    """A prompt template an agent may use."""

    id: uuid.UUID
    agent: str = Field(description="The agent it belongs to (messages' agent_type)")
    name: str
    template: str
    status: Status
    weight: float = Field(description="Its share of traffic against its experiment's others")
    paused_reason: str | None = Field(description="Why it was paused, by whom or which rule")
    paused_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PromptVariantCreate(BaseModel):
    """A variant of an agent's prompt; (agent, name) is its idempotency key."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "agent": "qualifier",
                    "name": "short-question",
                    "template": "Hi {first_name}! Quick one: how many boxes a week?",
                    "status": "active",
                    "weight": 1,
                }
            ]
        },
    )

    agent: AgentName
    name: Annotated[str, Field(min_length=1, max_length=200)]
    template: Annotated[str, Field(min_length=1, max_length=20_000)]
    status: Status = "active"
    weight: float = Field(default=1.0, ge=0, le=1_000_000)
    paused_reason: Annotated[str, Field(max_length=2000)] | None = None


PROMPT_VARIANTS = Resource(
    name="prompt-variants",
    table="prompt_variants",
    singular="prompt variant",
    model=PromptVariant,
    create_model=PromptVariantCreate,
    immutable=("agent",),
    conflict_columns=("agent", "name"),
    description="Prompt variants: an agent's templates, active | paused, with a weight.",
)

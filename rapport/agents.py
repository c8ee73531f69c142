"""Agents: the AI workers of a sales team, each with a role in the pipeline.

Conversations name their handler in ``current_agent`` by the agent's ``name``, as seed 000's
document does ("qualifier", "closer"), so names are unique per organization and creating an
agent whose name exists returns the stored one (a retry is safe).
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rapport.resources.resource import Resource

AgentRole = Literal["supervisor", "qualifier", "objection_handler", "closer", "custom"]


class Agent(BaseModel):
    """An agent and its role in the sales pipeline."""

    id: uuid.UUID
    name: str
    role: AgentRole
    status: Literal["active", "inactive"]
    description: str | None
    config: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class AgentCreate(BaseModel):
    """A new agent. ``name`` is what conversations put in ``current_agent``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "qualifier", "role": "qualifier", "description": "BANT first"}]
        },
    )

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,99}$")]
    role: AgentRole
    status: Literal["active", "inactive"] = "active"
    description: Annotated[str, Field(max_length=5000)] | None = None
    config: dict[str, Any] = Field(default_factory=dict)


AGENTS = Resource(
    name="agents",
    table="agents",
    singular="agent",
    model=Agent,
    create_model=AgentCreate,
    default_order="name",
    conflict_columns=("name",),
    description="The agents of the sales pipeline: supervisor, qualifier, objection handler ...",
)

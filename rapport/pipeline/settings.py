"""The pipeline's section of an organization's settings (``settings.pipeline``): the
qualification threshold and the org's own routing rules. Read through
``rapport.tenancy.settings``, the one reader of org settings."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rapport.conversations.contacts import SalesStage
from rapport.pipeline.agents import AgentRole


class RoutingRule(BaseModel):
    """When a conversation matches ``when``, the supervisor sends it to ``stage``/``role``."""

    model_config = ConfigDict(extra="forbid")

    when: dict[str, Any] = Field(
        description="A filter over conversation fields, e.g. "
        '{"metadata.tags": {"$contains": "vip"}, "qualification.score": {"$gte": 50}}'
    )
    stage: SalesStage | None = Field(default=None, description="Default: keep the stage")
    role: AgentRole | None = Field(default=None, description="Default: the stage's role")
    reason: Annotated[str, Field(max_length=500)] | None = None


class PipelineSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The default (70) lives in the schema, rapport_qualified_threshold(settings): the
    # trigger that sets is_qualified and routing both read the threshold through it.
    qualified_threshold: float | None = Field(
        default=None, ge=0, le=100, description="is_qualified turns true at this score (70)"
    )
    rules: list[RoutingRule] = Field(default_factory=list, max_length=100)

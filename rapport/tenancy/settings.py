"""An organization's own settings (``orgs.settings``): pipeline, routing, transfers, intents.

``PATCH /v1/org`` merges a patch into them (RFC 7396: ``null`` removes a key) and checks the
result before storing it, so a bad routing rule is refused when it is written, not when a
conversation is routed. Unknown top-level sections are kept for the caller's own use.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.conversations.conversations import CONVERSATIONS, SalesStage
from rapport.db.operation import Query, Steps, atomic_operation
from rapport.pipeline.agents import AgentRole
from rapport.resources.filters import Compiled, FilterCompiler
from rapport.tenancy import orgs
from rapport.tenancy.principal import Principal
from rapport.validation import json_text, validate


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

    qualified_threshold: float = Field(
        default=70, ge=0, le=100, description="is_qualified turns true at this score"
    )
    rules: list[RoutingRule] = Field(default_factory=list, max_length=100)


class TransferSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_engagement: float = Field(default=7.0, ge=0, le=10)
    min_phase: int = Field(default=3, ge=0)


class CallSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "US"


class OrgSettings(BaseModel):
    """Every section is optional; defaults apply where a section or key is left out."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "pipeline": {
                        "qualified_threshold": 60,
                        "rules": [
                            {
                                "when": {"metadata.tags": {"$contains": "vip"}},
                                "stage": "closing",
                                "reason": "VIPs go straight to a closer",
                            }
                        ],
                    },
                    "transfer": {"min_engagement": 6.5, "min_phase": 3},
                    "intents": {"order_status": ["where is my order"]},
                }
            ]
        },
    )

    pipeline: PipelineSettings = Field(default_factory=PipelineSettings)
    transfer: TransferSettings = Field(default_factory=TransferSettings)
    calls: CallSettings = Field(default_factory=CallSettings)
    intents: dict[str, list[str]] = Field(default_factory=dict)


class SettingsPatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"settings": {"pipeline": {"qualified_threshold": 60}}}]},
    )

    settings: dict[str, Any]


def rule_conditions(settings: OrgSettings, out: Compiled) -> list[str]:
    """Each routing rule's filter as SQL over ``conversations AS t``; a rule that does not
    compile is a 400 naming it. Writing settings runs this to check them, routing to use them.
    """
    compiler = FilterCompiler(CONVERSATIONS.fields, CONVERSATIONS.name)
    conditions = []
    for index, rule in enumerate(settings.pipeline.rules):
        try:
            conditions.append(compiler.compile(rule.when, out))
        except errors.RapportError as error:
            raise errors.BadRequest(
                f"settings.pipeline.rules[{index}].when: {error.detail}",
                field=f"settings.pipeline.rules[{index}].when",
            ) from None
    return conditions


def parse(raw: Any) -> OrgSettings:
    """Stored settings as a model."""
    return validate(OrgSettings, raw or {}, prefix="settings")


def load(principal: Principal) -> Steps[dict[str, Any]]:
    """The org's stored settings (raw JSON)."""
    found = yield Query(
        "SELECT settings FROM orgs WHERE org_id = %s", [principal.org_id], fetch="scalar"
    )
    return dict(found or {})


@atomic_operation
def update(
    principal: Principal,
    settings: Annotated[
        dict[str, Any], Field(description="Merged into the stored settings; null removes a key")
    ],
) -> Steps[dict[str, Any]]:
    """Change your organization's settings (admins): ``{"settings": {...}}`` merges into
    them (RFC 7396: ``null`` removes a key): ``pipeline.qualified_threshold`` and
    ``pipeline.rules`` (routing), ``transfer`` (``min_engagement``, ``min_phase``),
    ``calls.default_region``, ``intents``. Returns the organization."""
    principal.require("admin", "change the organization's settings")
    merged = yield Query(  # the schema's RFC 7396 merge, checked before it is stored
        "SELECT rapport_merge_patch(settings, %s::jsonb) FROM orgs WHERE org_id = %s FOR UPDATE",
        [json_text(settings), principal.org_id],
        fetch="scalar",
    )
    rule_conditions(parse(merged), Compiled())
    yield Query(
        "UPDATE orgs SET settings = %s::jsonb WHERE org_id = %s",
        [json_text(merged), principal.org_id],
        fetch="rowcount",
    )
    return (yield from orgs.describe(principal).steps)

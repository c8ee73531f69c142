"""An organization's own settings (``orgs.settings``): pipeline, routing, transfers, intents.

``PATCH /v1/org`` merges a patch into them (RFC 7396: ``null`` removes a key) and checks the
result before storing it, so a bad routing rule is refused when it is written, not when a
conversation is routed. Unknown top-level sections are kept for the caller's own use.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.agents import AgentRole
from rapport.conversations import CONVERSATIONS, SalesStage
from rapport.db.operation import Query, Steps, atomic_operation
from rapport.resources.filters import Compiled, FilterCompiler
from rapport.tenancy import Principal
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


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge_patch(merged.get(key), value)
    return merged


def parse(raw: Any) -> OrgSettings:
    """Stored settings as a model; rule filters are compiled to prove they are valid."""
    settings = validate(OrgSettings, raw or {}, prefix="settings")
    for index, rule in enumerate(settings.pipeline.rules):
        try:
            FilterCompiler(CONVERSATIONS.fields, CONVERSATIONS.name).compile(rule.when, Compiled())
        except errors.RapportError as error:
            raise errors.BadRequest(
                f"settings.pipeline.rules[{index}].when: {error.detail}",
                field=f"settings.pipeline.rules[{index}].when",
            ) from None
    return settings


def load(principal: Principal, lock: bool = False) -> Steps[dict[str, Any]]:
    """The org's stored settings (raw JSON)."""
    found = yield Query(
        "SELECT settings FROM orgs WHERE org_id = %s" + (" FOR UPDATE" if lock else ""),
        [principal.org_id],
        fetch="scalar",
    )
    return dict(found or {})


@atomic_operation
def update(principal: Principal, data: Any) -> Steps[dict[str, Any]]:
    """Merge ``{"settings": {...}}`` into the org's settings; returns the org."""
    principal.require("admin", "change the organization's settings")
    patch = validate(SettingsPatch, data)
    current = yield from load(principal, lock=True)
    merged = merge_patch(current, patch.settings)
    parse(merged)
    yield Query(
        "UPDATE orgs SET settings = %s::jsonb WHERE org_id = %s",
        [json_text(merged), principal.org_id],
        fetch="rowcount",
    )
    org = yield Query(
        "SELECT json_build_object('id', org_id, 'name', name, 'settings', settings,"
        " 'created_at', created_at) FROM orgs WHERE org_id = %s",
        [principal.org_id],
        fetch="scalar",
    )
    return dict(org)

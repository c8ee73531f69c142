"""An organization's own settings (``orgs.settings``), and the one reader of them.

Each capability owns its section and its model: ``pipeline`` (``rapport.pipeline.settings``:
the qualification threshold, routing rules), ``transfer`` and ``calls``
(``rapport.calls.settings``: when to hand a lead to a closer, the phone region),
``retention`` (``rapport.retention.settings``: days each kind of data is kept), ``pii``
(``rapport.privacy.settings``: scrubbing personal data), and
``intents`` (extraction's own intent phrases). ``OrgSettings`` puts them together; ``load``
reads them for a service, ``parse`` reads them where a statement already fetched them.

``PATCH /v1/org`` merges a patch into them (RFC 7396: ``null`` removes a key) and checks the
result before storing it, so a bad routing rule is refused when it is written, not when a
conversation is routed. Unknown top-level sections are kept for the caller's own use.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.calls.settings import CallSettings, TransferSettings
from rapport.conversations.conversations import CONVERSATIONS
from rapport.db.operation import Query, Steps, atomic_operation
from rapport.db.sql import Fragment
from rapport.pipeline.settings import PipelineSettings
from rapport.privacy import policy
from rapport.privacy.settings import PiiSettings
from rapport.resources.filters import FilterCompiler
from rapport.retention.settings import RetentionSettings
from rapport.tenancy import QUERIES, orgs
from rapport.tenancy.principal import Principal
from rapport.validation import json_text, validate


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
    retention: RetentionSettings = Field(default_factory=RetentionSettings)
    pii: PiiSettings = Field(default_factory=PiiSettings)
    intents: dict[str, list[str]] = Field(
        default_factory=dict, description="extraction: your own intents, by phrases"
    )


def rule_conditions(settings: OrgSettings, out: Fragment) -> list[str]:
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


def load(principal: Principal) -> Steps[OrgSettings]:
    """The org's settings: the one read of them a service makes."""
    found = yield Query(QUERIES["settings"], {"org": principal.org_id}, fetch="scalar")
    return parse(found)


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
    ``calls.default_region``, ``retention`` (``messages_days`` ...), ``pii`` (``when``,
    ``mode``), ``intents``. Returns
    the organization."""
    principal.require("admin", "change the organization's settings")
    merged = yield Query(  # the schema's RFC 7396 merge, checked before it is stored
        QUERIES["settings_merged"],
        {"patch": json_text(settings), "org": principal.org_id},
        fetch="scalar",
    )
    rule_conditions(parse(merged), Fragment())
    yield Query(
        QUERIES["settings_store"],
        {"settings": json_text(merged), "org": principal.org_id},
        fetch="rowcount",
    )
    policy.forget(principal.org_id)
    return (yield from orgs.describe(principal).steps)

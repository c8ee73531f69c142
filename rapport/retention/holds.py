"""Legal holds: a contact or a conversation that retention must not touch, with the reason.

Listed, read and released (DELETE) like any resource; placing or releasing one is an
admin's decision.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rapport.resources.resource import Resource


class LegalHold(BaseModel):
    """A hold on one contact (all their conversations) or one conversation."""

    id: uuid.UUID
    contact_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    reason: str
    created_at: datetime.datetime
    updated_at: datetime.datetime


class LegalHoldCreate(BaseModel):
    """A new hold: exactly one of contact_id and conversation_id, and why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [  # exactly one subject, not null
                {
                    "required": ["contact_id"],
                    "not": {"required": ["conversation_id"]},
                    "properties": {"contact_id": {"type": "string"}},
                },
                {
                    "required": ["conversation_id"],
                    "not": {"required": ["contact_id"]},
                    "properties": {"conversation_id": {"type": "string"}},
                },
            ],
            "examples": [
                {
                    "contact_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                    "reason": "Dispute 2026-114: keep everything until it is settled",
                }
            ],
        },
    )

    contact_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    reason: Annotated[str, Field(min_length=1, max_length=2000)]

    @model_validator(mode="after")
    def _one_subject(self) -> LegalHoldCreate:
        if (self.contact_id is None) == (self.conversation_id is None):
            raise ValueError("give exactly one of contact_id and conversation_id")
        return self


LEGAL_HOLDS = Resource(
    name="legal-holds",
    table="legal_holds",
    singular="legal hold",
    model=LegalHold,
    create_model=LegalHoldCreate,
    immutable=("contact_id", "conversation_id"),
    conflict_columns=None,
    write_role="admin",
    description="Contacts and conversations retention must keep, and why (DELETE releases).",
)

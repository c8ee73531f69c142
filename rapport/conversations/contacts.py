"""Contacts: the people our users' agents talk to, and the queries about one person.

A contact is found again by any of its identities: the caller's own id (``external_id``), a
phone number (normalised to E.164, unique per organization), an Instagram handle (unique per
organization), an email, or other channel ids. Phone numbers written without a country code
are read in the region ``RAPPORT_PHONE_REGION`` names, or rejected.
"""

from __future__ import annotations

import datetime
import re
import uuid
from typing import Annotated, Any

import phonenumbers
from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from rapport import errors
from rapport.config import get_settings
from rapport.db.operation import Steps, operation
from rapport.resources import crud
from rapport.resources.params import Cursor, Limit
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Principal

_HANDLE = re.compile(r"^[a-z0-9._]{1,30}$")


def normalise_phone(value: str | None) -> str | None:
    """``value`` in E.164 (``+6591234567``), or a ValueError saying what to send instead."""
    if value is None:
        return None
    region = None if value.strip().startswith("+") else get_settings().phone_region
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        hint = (
            "start it with + and the country code, e.g. +6591234567"
            if region is None
            else f"it does not read as a {region} number"
        )
        raise ValueError(f"{value!r} is not a phone number; {hint}") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{value!r} is not a valid phone number for its country")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_handle(value: str | None) -> str | None:
    """``@Jane.Doe`` -> ``jane.doe``: Instagram handles are case-insensitive."""
    if value is None:
        return None
    handle = value.strip().removeprefix("@").lower()
    if not _HANDLE.match(handle):
        raise ValueError(f"{value!r} is not an Instagram handle (1-30 letters, digits, '.' or '_')")
    return handle


def _lower(value: str | None) -> str | None:
    return value.lower() if value is not None else None


Phone = Annotated[str, AfterValidator(normalise_phone)]
Handle = Annotated[str, AfterValidator(normalise_handle)]
Email = Annotated[EmailStr, AfterValidator(_lower)]
Text = Annotated[str, Field(max_length=1000)]
Tags = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(max_length=100)]


class Contact(BaseModel):
    """A person an agent talks to."""

    id: uuid.UUID
    external_id: str | None = Field(description="Your own id for this person (idempotency key).")
    name: str | None
    email: str | None
    phone: str | None = Field(description="E.164, e.g. +6591234567; unique per organization.")
    instagram_handle: str | None = Field(description="Lower case, without @; unique per org.")
    channel_ids: dict[str, str] = Field(description='Other channel ids: {"whatsapp": "..."}')
    source: str | None
    campaign: str | None
    tags: list[str]
    industry: str | None
    company_size: str | None
    job_title: str | None
    lead_score: float | None
    metadata: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    last_interaction: datetime.datetime | None = Field(
        description="When this person last sent or received a message."
    )


class ContactCreate(BaseModel):
    """A new contact. Send ``external_id`` to make retries safe: a second create with the
    same ``external_id`` returns the stored contact and changes nothing."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "external_id": "ig:jane.doe",
                    "name": "Jane Doe",
                    "instagram_handle": "@jane.doe",
                    "phone": "+65 9123 4567",
                    "source": "instagram_ad",
                    "campaign": "black-friday",
                    "tags": ["vip"],
                    "industry": "SaaS",
                    "company_size": "11-50",
                    "job_title": "VP Engineering",
                }
            ]
        },
    )

    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    name: Text | None = None
    email: Email | None = None
    phone: Phone | None = None
    instagram_handle: Handle | None = None
    channel_ids: dict[str, Annotated[str, Field(max_length=200)]] = Field(default_factory=dict)
    source: Text | None = None
    campaign: Text | None = None
    tags: Tags = Field(default_factory=list)
    industry: Text | None = None
    company_size: Text | None = None
    job_title: Text | None = None
    lead_score: float | None = Field(default=None, allow_inf_nan=False)
    metadata: dict[str, Any] = Field(default_factory=dict)
    created_at: datetime.datetime | None = Field(
        default=None, description="When the person was first seen (imports); default now."
    )
    last_interaction: datetime.datetime | None = None


CONTACTS = Resource(
    name="contacts",
    table="contacts",
    singular="contact",
    model=Contact,
    create_model=ContactCreate,
    immutable=("created_at",),
    server_defaults={"created_at": "now()"},
    description="The people your agents talk to, found by phone, handle, email or your own id.",
)


@operation
def top(
    principal: Principal,
    min_conversations: Annotated[int, Field(ge=0)] = 0,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Steps[dict[str, Any]]:
    """Contacts with the most conversations: interaction summaries ordered by
    total_conversations, largest first (seed 003's user analytics query)."""
    from rapport.conversations.summaries import SUMMARIES

    spec = {"total_conversations": {"$gte": min_conversations}} if min_conversations else None
    return (
        yield from crud.list_page(
            SUMMARIES, principal, spec, "-total_conversations", limit, cursor
        ).steps
    )


def check_exists(principal: Principal, contact_id: str) -> Steps[None]:
    if not (yield from crud.exists(CONTACTS, principal, contact_id).steps):
        raise errors.NotFound(f"no contact with id {contact_id}", field="contact_id")

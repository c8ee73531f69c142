"""Contacts: the people our users' agents talk to, and the queries about one person.

A contact is found again by any of its identities: the caller's own id (``external_id``), a
phone number (normalised to E.164, unique per organization), an Instagram handle (unique per
organization), an email, or other channel ids. Phone numbers written without a country code
are read in the organization's region (``calls.default_region``; ``phones``), on create,
update, bulk writes and imports alike, as a learned call reads its lead's.
"""

from __future__ import annotations

import datetime
import re
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from rapport import errors
from rapport.conversations import phones
from rapport.db.operation import Steps, atomic_operation, operation
from rapport.resources import crud
from rapport.resources.fields import ARRAY
from rapport.resources.params import Cursor, Limit
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Principal
from rapport.validation import INT4_MAX, Moment, failure

M = TypeVar("M", bound=BaseModel)
# A conversation's stage (here because a contact shows its latest conversation's).
SalesStage = Literal[
    "qualification", "objection_handling", "closing", "not_qualified", "won", "lost"
]
_HANDLE = re.compile(r"^[a-z0-9._]{1,30}$")


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


# Read into E.164 in the org's region by ``with_phones`` (the model cannot know the org).
Phone = Annotated[str, Field(min_length=1, max_length=40, examples=["+65 9123 4567"])]
Handle = Annotated[
    str,
    AfterValidator(normalise_handle),
    Field(json_schema_extra={"pattern": r"^ *@?[A-Za-z0-9._]{1,30} *$"}),
]
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
    sales_stage: SalesStage | None = Field(
        description="The stage of this person's latest conversation (kept by Rapport)."
    )
    channels: Annotated[list[str], ARRAY] = Field(
        description="Where this person has talked: each conversation's channel."
    )
    keywords: Annotated[list[str], ARRAY] = Field(
        description="What this person has mentioned: their messages' keywords, lower case."
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
    created_at: Moment | None = Field(
        default=None, description="When the person was first seen (imports); default now."
    )
    last_interaction: Moment | None = None


def with_phones(principal: Principal, items: list[M], at: Callable[[int], str]) -> Steps[list[M]]:
    """``items`` with their phones in E.164, read in the org's region; every bad one is
    named (``phone``, or ``items[3].phone`` in a bulk) before anything is stored."""
    if not any(getattr(item, "phone", None) for item in items):
        return items
    region = yield from phones.load_region(principal)
    found: list[dict[str, Any]] = []
    done: list[M] = []
    for index, item in enumerate(items):
        value = getattr(item, "phone", None)
        if not value:
            done.append(item)
            continue
        try:
            e164 = phones.normalise(value, region, f"{at(index)}phone")
        except errors.ValidationFailed as bad:
            found.extend(bad.errors)
            continue
        done.append(item.model_copy(update={"phone": e164}))
    if found:
        raise failure(found)
    return done


def _prepare(principal: Principal, items: list[Any], at: Callable[[int], str]) -> Steps[list[Any]]:
    return (yield from with_phones(principal, items, at))


CONTACTS = Resource(
    name="contacts",
    table="contacts",
    singular="contact",
    model=Contact,
    create_model=ContactCreate,
    immutable=("created_at",),
    server_defaults={"created_at": "now()"},
    prepare=_prepare,
    description="The people your agents talk to, found by phone, handle, email or your own id.",
)


@atomic_operation
def update(principal: Principal, id_value: Any, data: Any) -> Steps[dict[str, Any]]:
    """PATCH a contact; a new phone is read in the org's region."""
    patch = yield from _patch_phone(principal, data, "")
    return (yield from crud.update(CONTACTS, principal, id_value, patch).steps)


@atomic_operation
def bulk_update(principal: Principal, filter_spec: Any, data: Any) -> Steps[int]:
    """Bulk PATCH of contacts; a phone in ``set`` is read in the org's region."""
    patch = yield from _patch_phone(principal, data, "set.")
    return (yield from crud.bulk_update(CONTACTS, principal, filter_spec, patch).steps)


def _patch_phone(principal: Principal, data: Any, at: str) -> Steps[Any]:
    patch = crud.patch_of(CONTACTS, data, field=at.rstrip("."))
    if not patch.get("phone"):
        return data
    region = yield from phones.load_region(principal)
    return {**patch, "phone": phones.normalise(patch["phone"], region, f"{at}phone")}


@operation
def top(
    principal: Principal,
    min_conversations: Annotated[int, Field(ge=0, le=INT4_MAX)] = 0,
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

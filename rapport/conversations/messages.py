"""Messages: every turn of every conversation, appended durably and found again fast.

Appending is one SQL statement, whether one message or a thousand: it inserts the messages,
skips any whose ``external_id`` (the channel's message id) is already stored in that
conversation (so a retried webhook never duplicates), and in the same statement bumps the
conversation's ``message_count`` and ``updated_at``, the contact's ``last_interaction`` and
the contact's interaction summary. Nothing slow runs before the commit.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from rapport import errors
from rapport.conversations import QUERIES
from rapport.conversations.conversations import CONVERSATIONS
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.privacy import scrubbing
from rapport.resources import crud
from rapport.resources.fields import JSONB, Column, Computed
from rapport.resources.params import Batch, Cursor, Input, Limit
from rapport.resources.resource import Parent, Resource
from rapport.resources.verbs import Written, data_of
from rapport.tenancy.principal import Principal
from rapport.validation import SAID_PATTERN, Moment, validate

Role = Literal["user", "agent", "assistant", "system"]
MAX_CONTENT = 100_000


class Media(BaseModel):
    """A voice note, image, video or file attached to a message (stored elsewhere)."""

    model_config = ConfigDict(extra="forbid")

    url: Annotated[str, Field(min_length=1, max_length=2000)]
    kind: Annotated[
        str, Field(pattern=r"^[a-z_]{1,30}$", examples=["voice_note", "image", "video", "file"])
    ]
    mime_type: str | None = None
    name: str | None = None
    duration_seconds: float | None = Field(default=None, ge=0)


DeliveryStatus = Literal["sent", "failed", "delivered", "read", "clicked", "replied"]
_STATUS = (
    "SELECT s.status FROM message_status AS s WHERE s.org_id = t.org_id AND s.message_id = t.id"
)


class Message(BaseModel):
    """One turn of a conversation."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    external_id: str | None = Field(description="The channel's message id (idempotency key).")
    role: Role
    agent_type: str | None = Field(description="Which agent wrote it (qualifier, closer, ...).")
    content: str
    language: str | None
    intent: str | None
    confidence: float | None
    sentiment: float | None = Field(description="-1 (negative) to 1 (positive)")
    keywords: list[str]
    phase: str | None
    media: Annotated[Media | None, JSONB]
    variant_id: str | None = Field(description="The prompt variant that produced it.")
    context: dict[str, Any]
    pii_scrubbed: bool
    timestamp: Annotated[datetime.datetime, Column("ts")]
    created_at: datetime.datetime
    status: Annotated[DeliveryStatus | None, Computed(_STATUS)] = Field(
        default=None,
        description="How far it has got (POST /v1/events/bulk): sent < failed < delivered <"
        " read < clicked < replied; null before its first event. A late event never moves"
        " it back.",
    )


def _phase_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class MessageIn(BaseModel):
    """A message to append to a conversation. Send the channel's message id as
    ``external_id``: a retried delivery then returns the first message and writes nothing."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            # what ``_has_something`` checks: some text, or media
            "anyOf": [
                {"properties": {"content": {"pattern": SAID_PATTERN}}},
                {"required": ["media"], "properties": {"media": {"type": "object"}}},
            ],
            "examples": [
                {
                    "external_id": "wamid.HBgLNjU5MTIzNDU2NxUCABIYFDNB",
                    "role": "user",
                    "content": "Hi, we need 400 boxes for 10 inch pizzas",
                    "language": "en",
                    "intent": "order_placement",
                    "confidence": 0.95,
                    "timestamp": "2025-01-15T09:30:00Z",
                }
            ],
        },
    )

    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    role: Role
    agent_type: Annotated[str, Field(max_length=100)] | None = None
    content: Annotated[str, Field(max_length=MAX_CONTENT)]
    language: Annotated[str, Field(max_length=35)] | None = None
    intent: Annotated[str, Field(max_length=100)] | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    sentiment: float | None = Field(default=None, ge=-1, le=1)
    keywords: Annotated[list[Annotated[str, Field(max_length=100)]], Field(max_length=100)] = Field(
        default_factory=list
    )
    phase: Annotated[Annotated[str, Field(max_length=100)] | None, BeforeValidator(_phase_text)] = (
        None
    )
    media: Media | None = None
    variant_id: Annotated[str, Field(max_length=200)] | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    pii_scrubbed: bool = Field(
        default=False,
        description="Whether personal data was scrubbed; in an org that scrubs "
        "(settings.pii), Rapport's to set",
    )
    timestamp: Moment | None = Field(default=None, description="Default: now.")

    @model_validator(mode="after")
    def _has_something(self) -> MessageIn:
        if not self.content.strip() and self.media is None:
            raise ValueError("a message needs content or media")
        return self


class MessageCreate(MessageIn):
    """A message, naming its conversation (``POST /v1/messages``)."""

    conversation_id: uuid.UUID


# The conversation's counters, the contact's last_interaction and the contact's summary move
# in the statement that inserts messages.
_AFTER_INSERT = sql.fill(
    QUERIES["messages_after_insert"],
    summary=sql.fill(QUERIES["summary_upsert"], deltas="summary_deltas"),
)

# An agent's message sent without a variant carries the one its contact was assigned in a
# running experiment of that agent (POST /v1/experiments/{id}/assign), so results count it.
_VARIANT = QUERIES["message_variant"]

MESSAGES = Resource(
    name="messages",
    table="messages",
    singular="message",
    model=Message,
    create_model=MessageCreate,
    immutable=("conversation_id",),
    default_order="-timestamp",
    parent=Parent("conversations", "conversation_id", ("contact_id",), "conversation"),
    conflict_columns=("conversation_id", "external_id"),
    server_defaults={"ts": "now()", "created_at": "now()", "variant_id": _VARIANT},
    after_insert=_AFTER_INSERT,
    description="Every turn of every conversation.",
    enriched=True,
    bulk_immutable=("content",),
    before_insert=scrubbing.before_insert,
)


def addressed(principal: Principal, conversation_id: Any, data: Any) -> MessageCreate:
    """A message checked and addressed to its conversation, ready to append."""
    principal.require(MESSAGES.write_role, "append messages")
    key = crud.check_id(CONVERSATIONS, conversation_id)
    message = validate(MessageIn, data)
    return MessageCreate.model_construct(
        **dict(message), conversation_id=uuid.UUID(key), _fields_set=None
    )


def _no_conversation(item: MessageCreate) -> errors.NotFound:
    return errors.NotFound(f"no conversation with id {item.conversation_id}", field="id")


@operation
def append(
    principal: Principal,
    id: str,
    message: Input[MessageIn] | None = None,
    /,
    **fields: Any,
) -> Steps[Written[dict[str, Any]]]:
    """Append a message: stored durably in one statement with the conversation's
    ``updated_at`` and ``message_count``, the contact's ``last_interaction`` and the
    interaction summary. A retry with the same ``external_id`` returns the first message
    (200) and writes nothing. Over REST, concurrent appends share statements
    (``rapport.api.batching``)."""
    item = addressed(principal, id, data_of(message, fields))
    try:
        [(doc, created)] = yield from crud.insert(MESSAGES, principal, [item])
    except errors.NotFound:
        raise _no_conversation(item) from None
    return Written(doc, created)


@operation
def append_independently(
    principal: Principal, items: list[MessageCreate]
) -> Steps[list[tuple[dict[str, Any], bool] | errors.NotFound]]:
    """Append unrelated messages (e.g. concurrent requests) in one statement.

    Each gets its own outcome: (message, created), or a NotFound when its conversation is
    not in the org, which stores nothing for that message and does not affect the others.
    """
    outcomes = yield from crud.insert_each(MESSAGES, principal, list(items))
    return [
        _no_conversation(item) if isinstance(outcome, errors.NotFound) else outcome
        for item, outcome in zip(items, outcomes, strict=True)
    ]


@operation
def append_many(
    principal: Principal,
    id: str,
    items: Annotated[Batch[MessageIn], Field(max_length=crud.MAX_BULK)],
) -> Steps[list[str]]:
    """Append a batch to one conversation, all or nothing; ids in the order sent."""
    principal.require(MESSAGES.write_role, "append messages")
    key = crud.check_id(CONVERSATIONS, id)
    if not isinstance(items, list):
        raise errors.ValidationFailed("items: expected a list", field="items")
    prepared = []
    for given in items:
        item = given.model_dump(exclude_unset=True) if isinstance(given, BaseModel) else given
        prepared.append({**item, "conversation_id": key} if isinstance(item, dict) else item)
    try:
        return (yield from crud.bulk_create(MESSAGES, principal, prepared).steps)
    except errors.NotFound:
        raise errors.NotFound(f"no conversation with id {key}", field="id") from None


@operation
def history(
    principal: Principal,
    id: str,
    role: Annotated[Role | None, Field(description="Only this role")] = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Steps[dict[str, Any]]:
    """A conversation's messages in time order, optionally one role's only (seed 003)."""
    key = crud.check_id(CONVERSATIONS, id)
    spec: dict[str, Any] = {"conversation_id": key}
    if role is not None:
        spec["role"] = role
    page = yield from crud.list_page(MESSAGES, principal, spec, "timestamp", limit, cursor).steps
    if (
        not page["items"]
        and cursor is None
        and not (yield from crud.exists(CONVERSATIONS, principal, key).steps)
    ):
        raise errors.NotFound(f"no conversation with id {key}", field="id")
    return page


@atomic_operation
def revise(principal: Principal, id_value: Any, data: Any) -> Steps[dict[str, Any]]:
    """PATCH a message. New content is read again: its embedding, and what extraction
    filled (intent, sentiment, keywords, language, unless the edit sets them), wait for
    enrichment once more, and the memories the old text left end unless the new one says
    them again."""
    patch = crud.patch_of(MESSAGES, data)
    yield from scrubbing.check_patch(principal, patch)
    doc = yield from crud.update(MESSAGES, principal, id_value, data).steps
    if "content" in patch:
        yield Query(
            QUERIES["message_reread"],
            {"org": principal.org_id, "id": doc["id"], "kept": sorted(patch)},
            fetch="rowcount",
        )
        yield from scrubbing.after_edit(principal, doc)
        doc = yield from crud.get(MESSAGES, principal, doc["id"]).steps
    return doc


@atomic_operation
def bulk_revise(principal: Principal, filter_spec: Any, data: Any) -> Steps[int]:
    """Bulk PATCH of messages. Content is not among its fields (``bulk_immutable``): it is
    edited one message at a time (``revise``), each edit read again and scrubbed where the
    org scrubs."""
    patch = crud.patch_of(MESSAGES, data, field="set", bulk=True)
    yield from scrubbing.check_patch(principal, patch)
    return (yield from crud.bulk_update(MESSAGES, principal, filter_spec, data).steps)


@operation
def by_intent(
    principal: Principal,
    intent: str,
    min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.0,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Steps[dict[str, Any]]:
    """Messages classified as ``intent`` with confidence >= ``min_confidence``, most
    confident first (seed 003)."""
    spec = {"intent": intent, "confidence": {"$gte": min_confidence}}
    return (
        yield from crud.list_page(MESSAGES, principal, spec, "-confidence", limit, cursor).steps
    )

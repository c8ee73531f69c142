"""Engagement events: what happened to each message an agent sent (seed 001's time series).

A channel reports ``sent``, ``delivered``, ``read``, ``clicked`` or ``failed`` for a message;
a lead's own message records ``replied`` for the agent message before it (in the schema,
``rapport_record_replies``), so reply rates need no caller's help. Events arrive in batches,
in any order (a ``read`` before its ``delivered``), and twice when a webhook retries:
``external_id`` (the platform's status id) makes a retry store nothing. Each is linked
through its message to the conversation, contact, agent and variant, so an experiment's
results and the learning metrics read one table. The table is partitioned by month; a
month's partition is made by its first event.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rapport import errors
from rapport.db.operation import Query, Steps, operation
from rapport.learning import QUERIES
from rapport.resources import crud
from rapport.resources.params import Batch, Cursor, Filter, Limit, OrderBy
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Principal
from rapport.validation import Moment, json_text

EventType = Literal["sent", "delivered", "read", "replied", "clicked", "failed"]
Name = Annotated[str, Field(min_length=1, max_length=200)]


class Event(BaseModel):
    """One thing that happened to a message (or a conversation)."""

    id: uuid.UUID
    type: EventType
    at: datetime.datetime
    external_id: str = Field(description="The platform's id for this event (idempotency key)")
    message_id: uuid.UUID | None
    conversation_id: uuid.UUID | None
    contact_id: uuid.UUID | None
    agent: str | None
    channel: str | None
    variant_id: str | None
    data: dict[str, Any]
    created_at: datetime.datetime


class EventIn(BaseModel):
    """An event to record. Name its message where there is one: the conversation, contact,
    agent and variant are then read from it; else its conversation or contact."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            # what ``_linked`` checks: one of the three ids, not null
            "anyOf": [
                {"required": [key], "properties": {key: {"type": "string"}}}
                for key in ("message_id", "conversation_id", "contact_id")
            ],
            "examples": [
                {
                    "type": "read",
                    "at": "2025-01-15T09:31:02Z",
                    "external_id": "wamid.HBgLNjU5MTIzNDU2NxUCABIYFDNB:read",
                    "message_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                    "channel": "whatsapp",
                }
            ],
        },
    )

    type: EventType
    at: Moment
    external_id: Name
    message_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    agent: Annotated[str, Field(max_length=100)] | None = None
    channel: Annotated[str, Field(max_length=100)] | None = None
    variant_id: Annotated[str, Field(max_length=200)] | None = None
    data: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _linked(self) -> EventIn:
        if self.message_id is None and self.conversation_id is None and self.contact_id is None:
            raise ValueError("an event names its message_id, conversation_id or contact_id")
        return self


EVENTS = Resource(
    name="events",
    table="events",
    singular="event",
    model=Event,
    create_model=EventIn,
    default_order="-at",
    conflict_columns=None,
    description="Engagement events: sent, delivered, read, replied, clicked, failed.",
)

Items = Annotated[Batch[EventIn], Field(max_length=crud.MAX_BULK)]


class Recorded(BaseModel):
    ids: list[str] = Field(description="Each item's event id, in the order sent")
    created: int = Field(description="How many were new (0 for a retried batch)")


@operation
def record(principal: Principal, items: Items) -> Steps[dict[str, Any]]:
    """Record a batch of events, all or nothing; a retried batch stores nothing new.

    A malformed item, or one naming a message, conversation or contact the org does not
    have, rejects the batch (422 or 404, naming ``items[i]``) and stores none of it.
    """
    principal.require("operator", "record events")
    valid = crud.bulk_items(EventIn, items, adapter=EVENTS.rows)
    if not valid:
        return {"ids": [], "created": 0}
    yield Query(QUERIES["event_partitions"], {"at": _months(valid)}, fetch="scalar")
    rows = EVENTS.rows.dump_python(valid, mode="json")
    for row in rows:  # made here: a random UUID costs the server ~4 us (getrandom)
        row["id"] = crud.new_id()
    bad, created, ids = yield Query(
        QUERIES["ingest_events"], {"org": principal.org_id, "items": json_text(rows)}, fetch="one"
    )
    if bad is not None:
        what = bad["missing"]
        field = f"items[{bad['idx']}].{what}_id"
        raise errors.NotFound(f"{field}: no {what} with id {bad[f'{what}_id']}", field=field)
    return {"ids": ids, "created": created}


def _months(items: Sequence[EventIn]) -> list[datetime.datetime]:
    """The months (their first instant, UTC) the events fall in: what the partitions need,
    a few values for any batch (sending every event's time cost more than the insert).

    A batch usually spans minutes: its earliest and latest events bound its months (at most
    three, one perhaps empty), found without converting each event's time (2 ms a batch)."""
    try:
        bounds = _month(min(item.at for item in items)), _month(max(item.at for item in items))
    except TypeError:  # moments with and without an offset: compared one by one below
        bounds = None
    if bounds is not None and _index(bounds[1]) - _index(bounds[0]) <= 2:
        return [_start(n) for n in range(_index(bounds[0]), _index(bounds[1]) + 1)]
    return sorted({_month(item.at) for item in items})


def _month(at: datetime.datetime) -> datetime.datetime:
    """The first instant of ``at``'s month in UTC (without an offset, a moment is UTC)."""
    at = at.astimezone(datetime.UTC) if at.tzinfo else at
    return datetime.datetime(at.year, at.month, 1, tzinfo=datetime.UTC)


def _index(month: datetime.datetime) -> int:
    return month.year * 12 + month.month - 1


def _start(index: int) -> datetime.datetime:
    return datetime.datetime(index // 12, index % 12 + 1, 1, tzinfo=datetime.UTC)


@operation
def list_page(
    principal: Principal,
    filter: Filter = None,
    order_by: OrderBy = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Steps[dict[str, Any]]:
    """Events matching the filter, newest first by default; e.g. one message's with
    ``{"message_id": ...}``, a variant's reads with ``{"variant_id": ..., "type": "read"}``."""
    return (yield from crud.list_page(EVENTS, principal, filter, order_by, limit, cursor).steps)


@operation
def count(principal: Principal, filter: Filter = None) -> Steps[int]:
    """How many events match the filter."""
    return (yield from crud.count(EVENTS, principal, filter).steps)

"""Follow-ups: the promises a sales team makes to call or write back, as their own records.

A conversation may have many (``due_at``, ``reason``, ``notes``, ``status`` scheduled | done |
cancelled, ``reminder_sent``, ``agent``, ``created_by``). Seed 000 kept one ``follow_up`` on
the conversation; it keeps working both ways, by triggers in the schema:

- the conversation's ``follow_up`` always shows its *next* scheduled follow-up;
- writing a conversation's ``follow_up`` creates or updates that next follow-up, and setting
  ``follow_up.required`` to false marks it done.

So ``due`` reads one table whichever way a follow-up was written. ``cancel_on_reply``
follow-ups ("nudge them if they go quiet") are cancelled by the lead's next message.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.conversations.conversations import CONVERSATIONS
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.pipeline import QUERIES, agents, stages
from rapport.pipeline.views import TimeZone, today
from rapport.resources import crud
from rapport.resources.filters import parse_timestamp
from rapport.resources.params import Cursor, Limit, When
from rapport.resources.resource import Parent, Resource
from rapport.tenancy.principal import Principal
from rapport.validation import Moment

Status = Literal["scheduled", "done", "cancelled"]
Text = Annotated[str, Field(max_length=2000)]


class FollowUp(BaseModel):
    """A follow-up on a conversation."""

    id: uuid.UUID
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    external_id: str | None
    due_at: datetime.datetime
    reason: str | None
    notes: str | None
    status: Status
    agent: str | None = Field(description="Who should do it; default the conversation's agent")
    cancel_on_reply: bool = Field(description="Cancelled when the lead writes first")
    reminder_sent: bool
    created_by: str | None
    closed_at: datetime.datetime | None
    closed_reason: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class FollowUpCreate(BaseModel):
    """A follow-up to schedule. ``external_id`` makes retries safe."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "conversation_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                    "due_at": "2025-01-16T09:00:00Z",
                    "reason": "send the pricing deck",
                    "cancel_on_reply": False,
                }
            ]
        },
    )

    conversation_id: uuid.UUID
    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    due_at: Moment
    reason: Text | None = None
    notes: Text | None = None
    status: Status = "scheduled"
    agent: Annotated[str, Field(max_length=100)] | None = None
    cancel_on_reply: bool = False
    reminder_sent: bool = False
    created_by: Annotated[str, Field(max_length=200)] | None = None
    closed_reason: Text | None = None


def _prepare(
    principal: Principal, items: list[FollowUpCreate], at: Callable[[int], str]
) -> Steps[list[FollowUpCreate]]:
    """Before follow-ups are created: the agents they name exist, and the writer is recorded
    (``created_by``, and the conversation's transition trigger if it fires)."""
    for name in sorted({item.agent for item in items if item.agent}):
        yield from agents.require_named(principal, name)
    yield stages.record_as(principal)
    return items


FOLLOW_UPS = Resource(
    name="follow-ups",
    table="follow_ups",
    singular="follow-up",
    model=FollowUp,
    create_model=FollowUpCreate,
    immutable=("conversation_id", "created_by"),
    default_order="due_at",
    parent=Parent(
        "conversations", "conversation_id", copies=("contact_id",), singular="conversation"
    ),
    server_defaults={
        "agent": "(SELECT c.current_agent FROM conversations AS c"
        " WHERE c.org_id = %(org)s AND c.id = source.conversation_id)",
        "created_by": "current_setting('rapport.actor', true)",
    },
    prepare=_prepare,
    description="Follow-ups: due_at, reason, status scheduled | done | cancelled.",
)


@atomic_operation
def update(principal: Principal, id_value: Any, data: Any) -> Steps[dict[str, Any]]:
    principal.require(FOLLOW_UPS.write_role, "update follow-ups")
    yield from agents.require_named(principal, crud.patch_of(FOLLOW_UPS, data).get("agent"))
    yield stages.record_as(principal)
    return (yield from crud.update(FOLLOW_UPS, principal, id_value, data).steps)


Why = Annotated[str | None, Field(max_length=2000, description="Kept as closed_reason")]
Notes = Annotated[str | None, Field(max_length=2000)]


@atomic_operation
def done(principal: Principal, id: str, reason: Why = None, notes: Notes = None) -> Steps[Any]:
    """Mark a follow-up done. Idempotent: marking a done follow-up done again returns it
    unchanged."""
    return (yield from _close(principal, id, "done", reason, notes))


@atomic_operation
def cancel(principal: Principal, id: str, reason: Why = None, notes: Notes = None) -> Steps[Any]:
    """Cancel a follow-up. Idempotent: cancelling a cancelled follow-up again returns it
    unchanged."""
    return (yield from _close(principal, id, "cancelled", reason, notes))


def _close(
    principal: Principal, id_value: str, status: Status, reason: str | None, notes: str | None
) -> Steps[Any]:
    """Mark done or cancel. Closing a closed one again changes nothing (retries are safe)."""
    principal.require(FOLLOW_UPS.write_role, "update follow-ups")
    current = yield from crud.get(FOLLOW_UPS, principal, id_value).steps
    if current["status"] == status:
        return current
    if current["status"] != "scheduled":
        raise errors.Conflict(
            f"status: this follow-up is already {current['status']}; reopen it with"
            ' PATCH {"status": "scheduled"} first',
            field="status",
        )
    patch: dict[str, Any] = {"status": status, "closed_reason": reason}
    if notes is not None:
        patch["notes"] = notes
    yield stages.record_as(principal)
    return (yield from crud.update(FOLLOW_UPS, principal, current["id"], patch).steps)


_WITH_CONVERSATIONS = sql.fill(
    QUERIES["follow_ups_conversations"], conversation=CONVERSATIONS.json_sql
)


@operation
def due(
    principal: Principal,
    start: Annotated[When, Field(description="Default: today 00:00 in tz")] = None,
    end: Annotated[When, Field(description="Default: tomorrow 00:00 in tz")] = None,
    overdue: Annotated[bool, Field(description="Also earlier ones still scheduled")] = False,
    agent: Annotated[str | None, Field(description="Only this agent's")] = None,
    tz: TimeZone = "UTC",
    limit: Limit = None,
    cursor: Cursor = None,
) -> Steps[dict[str, Any]]:
    """Scheduled follow-ups due in [from, to), soonest first, each with its conversation.

    The window defaults to today in ``tz``; ``overdue=true`` adds earlier ones still
    scheduled. Follow-ups created with POST /v1/follow-ups and those written through a
    conversation's ``follow_up`` field (seed 000) are both here.
    """
    default_start, default_end = today(tz)
    window_start = parse_timestamp(start, "from") if start is not None else default_start
    window_end = parse_timestamp(end, "to") if end is not None else default_end
    if window_end <= window_start:
        raise errors.BadRequest("to: must be later than from", field="to")
    when: dict[str, Any] = {"$lt": window_end.isoformat()}
    if not overdue:
        when["$gte"] = window_start.isoformat()
    spec: dict[str, Any] = {"status": "scheduled", "due_at": when}
    if agent is not None:
        spec["agent"] = agent
    page = yield from crud.list_page(FOLLOW_UPS, principal, spec, "due_at", limit, cursor).steps
    ids = sorted({item["conversation_id"] for item in page["items"]})
    conversations: dict[str, Any] = {}
    if ids:
        rows = yield Query(_WITH_CONVERSATIONS, {"org": principal.org_id, "ids": ids}, fetch="all")
        conversations = dict(rows)
    for item in page["items"]:
        item["conversation"] = conversations.get(item["conversation_id"])
        item["overdue"] = parse_timestamp(item["due_at"], "due_at") < window_start
    return {**page, "from": window_start.isoformat(), "to": window_end.isoformat()}

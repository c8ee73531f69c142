"""Sales stages: which moves are allowed, moving a conversation, and its transition history.

    qualification -> objection_handling | closing | not_qualified | lost
    objection_handling -> qualification | closing | not_qualified | lost
    closing -> objection_handling | won | lost
    not_qualified | lost -> qualification   (re-opened)
    won: final

The schema holds these moves (``rapport_next_stages`` in revision 0003) and enforces them on
every write of ``sales_stage`` (PATCH, bulk update, routing,
imports of updates), so no path can skip it; a refused move is a 409 that lists the stages
allowed from where the conversation is. Each stage change or hand-off between agents is
recorded in ``stage_transitions`` with who made it (``Principal.actor``), why, and when.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import Field

from rapport import errors
from rapport.conversations.contacts import SalesStage
from rapport.conversations.conversations import CONVERSATIONS
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.pipeline import QUERIES, agents
from rapport.resources import crud, paging
from rapport.resources.params import Cursor, Limit
from rapport.tenancy.principal import Principal

_TRANSITION_JSON = """json_build_object('id', s.id, 'conversation_id', s.conversation_id,
  'contact_id', s.contact_id, 'from_stage', s.from_stage, 'to_stage', s.to_stage,
  'from_agent', s.from_agent, 'to_agent', s.to_agent, 'actor', s.actor, 'reason', s.reason,
  'at', s.at)"""
_LATEST = sql.fill(QUERIES["transition_latest"], transition=_TRANSITION_JSON)
_TRANSITIONS = sql.fill(QUERIES["transitions"], transition=_TRANSITION_JSON)


def record_as(principal: Principal, actor: str | None = None, reason: str | None = None) -> Query:
    """Names the writer and the reason the transition trigger records, for this transaction."""
    return Query(QUERIES["record_as"], {"actor": actor or principal.actor, "reason": reason or ""})


@atomic_operation
def update_conversation(principal: Principal, id_value: Any, data: Any) -> Steps[dict[str, Any]]:
    """PATCH a conversation; a stage change is checked and recorded (reason: "PATCH")."""
    yield record_as(principal, reason="PATCH")
    return (yield from crud.update(CONVERSATIONS, principal, id_value, data).steps)


@atomic_operation
def bulk_update_conversations(principal: Principal, filter_spec: Any, data: Any) -> Steps[int]:
    """Bulk PATCH; one refused stage move refuses the whole update."""
    yield record_as(principal, reason="bulk update")
    return (yield from crud.bulk_update(CONVERSATIONS, principal, filter_spec, data).steps)


Reason = Annotated[str | None, Field(max_length=2000, description="Recorded with the move")]
AgentName = Annotated[
    str | None, Field(max_length=100, description="Hand the conversation to this agent too")
]


@atomic_operation
def move(
    principal: Principal, id: str, stage: SalesStage, reason: Reason = None, agent: AgentName = None
) -> Steps[dict[str, Any]]:
    """Move to an allowed stage (409 lists the allowed ones), recording your reason;
    returns ``{"conversation", "transition"}``."""
    principal.require("operator", "move conversations")
    id_value = id
    key = crud.check_id(CONVERSATIONS, id_value)
    patch: dict[str, Any] = {"sales_stage": stage}
    if agent is not None:
        yield from agents.require_named(principal, agent)
        patch["current_agent"] = agent
    yield record_as(principal, reason=reason or "moved")
    conversation = yield from crud.update(CONVERSATIONS, principal, key, patch).steps
    latest = yield Query(_LATEST, {"org": principal.org_id, "id": key}, fetch="scalar")
    return {"conversation": conversation, "transition": latest}


@operation
def transitions(
    principal: Principal, id: str, limit: Limit = None, cursor: Cursor = None
) -> Steps[dict[str, Any]]:
    """Each stage change and hand-off, oldest first: from/to stage and agent, actor, reason,
    at; plus the current ``stage`` and the stages ``allowed_next``."""
    key = crud.check_id(CONVERSATIONS, id)
    size = paging.check_limit(limit)
    after = _cursor(cursor)
    found = yield Query(QUERIES["stage_now"], {"org": principal.org_id, "id": key})
    if found is None:
        raise errors.NotFound(f"no conversation with id {key}", field="id")
    stage, allowed_next = found
    items = yield Query(
        _TRANSITIONS,
        {"org": principal.org_id, "id": key, "after": after, "limit": size + 1},
        fetch="scalars",
    )
    page = list(items[:size])
    return {
        "items": page,
        "next_cursor": str(page[-1]["id"]) if len(items) > size else None,
        "stage": stage,
        "allowed_next": list(allowed_next),
    }


def _cursor(cursor: str | None) -> str | None:
    """Transition ids are time-ordered, so the last one seen is the cursor."""
    if not cursor:
        return None
    try:
        return str(uuid.UUID(cursor))
    except ValueError:
        raise errors.BadRequest(
            "cursor: not a cursor from this endpoint; pass next_cursor as it came", field="cursor"
        ) from None

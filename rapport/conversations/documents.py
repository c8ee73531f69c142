"""Seed 000's conversation document, assembled from Rapport's tables in one query.

``GET /v1/conversations/{id}/document`` and ``rapport export`` both return this shape:

    {id, user_id, contact_id, user_info: {...}, status, sales_stage, is_qualified,
     current_agent, channel, language, conversation_history: [...], memories: [...],
     qualification: {...}, objections: [...], follow_up: {...}, metadata: {...},
     created_at, updated_at, completed_at, ...}

``memories`` are the contact's current memories in seed 000's shape ({key, value, timestamp,
extracted_by} plus id, text, confidence, agent_id): what we know about the lead now, from
this conversation or any other. ``qualification`` is the conversation's BANT, which
enrichment derives from those memories (``rapport.extraction.qualification``).

``user_id`` is the contact's own id in the caller's system (``external_id``), else the
Instagram handle, phone or email, else Rapport's contact id.
"""

from __future__ import annotations

from typing import Any

from rapport import errors
from rapport.conversations import QUERIES
from rapport.conversations.contacts import CONTACTS
from rapport.conversations.conversations import CONVERSATIONS
from rapport.conversations.messages import MESSAGES
from rapport.conversations.objections import OBJECTIONS
from rapport.db import sql
from rapport.db.operation import Query, Steps, operation
from rapport.resources import crud
from rapport.tenancy.principal import Principal

_DOCUMENTS = sql.fill(
    QUERIES["documents"],
    conversation=CONVERSATIONS.json_sql,
    contact=CONTACTS.json_sql,
    message=MESSAGES.json_sql,
    objection=OBJECTIONS.json_sql,
)

_USER_INFO = ("name", "email", "phone", "instagram_handle", "created_at", "last_interaction")


def assemble(
    conversation: dict[str, Any],
    contact: dict[str, Any],
    history: list[dict[str, Any]],
    objections: list[dict[str, Any]],
    memories: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One conversation document from its parts."""
    user_id = (
        contact.get("external_id")
        or contact.get("instagram_handle")
        or contact.get("phone")
        or contact.get("email")
        or contact["id"]
    )
    rest = {k: v for k, v in conversation.items() if k not in ("id", "contact_id")}
    return {
        "id": conversation["id"],
        "user_id": user_id,
        "contact_id": conversation["contact_id"],
        "user_info": {key: contact.get(key) for key in _USER_INFO}
        | {"external_id": contact.get("external_id")},
        "status": rest.pop("status"),
        "sales_stage": rest.pop("sales_stage"),
        "is_qualified": rest.pop("is_qualified"),
        "current_agent": rest.pop("current_agent"),
        "channel": rest.pop("channel"),
        "conversation_history": history,
        "memories": memories or [],
        "qualification": rest.pop("qualification"),
        "objections": objections,
        "follow_up": rest.pop("follow_up"),
        "metadata": rest.pop("metadata"),
        **rest,
    }


@operation
def documents(principal: Principal, conversation_ids: list[str]) -> Steps[list[dict[str, Any]]]:
    """Documents for the given conversations of the principal's org (missing ids skipped)."""
    rows = yield Query(_DOCUMENTS, {"org": principal.org_id, "ids": conversation_ids}, fetch="all")
    return [assemble(*row) for row in rows]


@operation
def document(principal: Principal, id: str) -> Steps[dict[str, Any]]:
    """Seed 000's whole document: the conversation with its contact (user_info), history,
    memories, qualification, objections, follow-up, metadata and timestamps, in one read."""
    key = crud.check_id(CONVERSATIONS, id)
    found = yield from documents(principal, [key]).steps
    if not found:
        raise errors.NotFound(f"no conversation with id {key}", field="id")
    return found[0]

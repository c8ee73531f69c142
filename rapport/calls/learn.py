"""Seed 002's learnFromCall: a finished call stored in one transaction, or not at all.

One request upserts the lead by phone, opens a conversation on channel ``voice``, appends
the transcript as that conversation's messages and stores the ``calls`` row with its
analysis and factors. The messages go through the ordinary message insert (counters,
interaction summary, ``enriched_at`` pending), so enrichment embeds and extracts them like
any other message; nothing else has to know a call happened.

A retry with the same ``call.external_id`` (or, without one, the same lead and start time)
returns what the first request stored and writes nothing. Learns of one lead are serialised
by a transaction-scoped advisory lock on its phone, so two deliveries of the same call at
once cannot both write.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from rapport import errors
from rapport.calls import QUERIES, analysis, checks, leads
from rapport.calls.models import CallCreate, CallIn, LearnRequest, Turn
from rapport.calls.records import CALLS
from rapport.conversations import phones
from rapport.conversations.contacts import CONTACTS, SalesStage
from rapport.conversations.conversations import CONVERSATIONS, ConversationCreate
from rapport.conversations.messages import MESSAGES, MessageCreate
from rapport.conversations.messages import history as message_history
from rapport.db import sql
from rapport.db.operation import Compute, Query, Steps, atomic_operation, operation
from rapport.resources import crud
from rapport.resources.params import Cursor, Input, Limit
from rapport.resources.verbs import Written, data_of
from rapport.tenancy.principal import Principal
from rapport.validation import validate

_LEARNED = sql.fill(
    QUERIES["learned"], contact=CONTACTS.json_sql, call=CALLS.json_sql, match="{match}"
)
_BY_EXTERNAL_ID = sql.fill(_LEARNED, match="t.external_id = %(key)s")
_BY_LEAD_AND_START = sql.fill(
    _LEARNED,
    match="t.start_time = %(start)s AND t.contact_id ="
    " (SELECT id FROM contacts WHERE org_id = %(org)s AND phone = %(phone)s)",
)

__all__ = ["Prepared", "learn", "prepare", "transcript"]

# How the conversation of a call reads in the pipeline.
_STAGE: dict[str, SalesStage] = {"transferred": "closing", "not_qualified": "not_qualified"}
_QUALIFIED = {"qualified": True, "transferred": True, "not_qualified": False}


def _stored(principal: Principal, call: CallIn, phone: str) -> Steps[dict[str, Any] | None]:
    """The learn response for a call already stored under this request's key, if any."""
    if call.external_id is not None:
        query = _BY_EXTERNAL_ID
        params: dict[str, Any] = {"org": principal.org_id, "key": call.external_id}
    else:
        query = _BY_LEAD_AND_START
        params = {"org": principal.org_id, "phone": phone, "start": call.start_time}
    row = yield Query(query, params)
    if row is None:
        return None
    doc, lead, conversation_id, count = row
    return {"call": dict(doc), "lead": dict(lead), "conversation_id": conversation_id,
            "messages": int(count), "created": False}  # fmt: skip


def _conversation(request: LearnRequest, lead_id: str) -> ConversationCreate:
    call = request.call
    return ConversationCreate.model_validate(
        {
            "contact_id": lead_id,
            "channel": "voice",
            "status": "completed",
            "sales_stage": _STAGE.get(call.outcome, "qualification"),
            "is_qualified": _QUALIFIED.get(call.outcome),
            "start_time": call.start_time,
            "end_time": call.end_time,
            "completed_at": call.end_time or call.start_time,
            "metadata": {"source": request.lead.source, "campaign": request.lead.campaign},
            "context": {"call": {"external_id": call.external_id, "outcome": call.outcome}},
        }
    )


def _message(conversation_id: uuid.UUID, turn: Turn) -> MessageCreate:
    """A transcript turn as an ordinary message (validated already, so constructed)."""
    role, agent_type = analysis.role_of(turn.speaker)
    return MessageCreate.model_construct(
        conversation_id=conversation_id,
        role=role,
        agent_type=agent_type,
        content=turn.text,
        sentiment=turn.sentiment,
        keywords=list(turn.keywords),
        phase=turn.phase,
        context={"speaker": turn.speaker},
        timestamp=turn.timestamp,
    )


def _call_row(
    request: LearnRequest, lead_id: str, conversation_id: str, found: dict[str, Any]
) -> CallCreate:
    call = request.call
    return CallCreate.model_construct(
        **call.model_dump(),
        contact_id=uuid.UUID(lead_id),
        conversation_id=uuid.UUID(conversation_id),
        analysis=found,
        factors=analysis.factors_of(call, request.factors),
        learning_patterns=request.learning_patterns,
    )


@dataclass(frozen=True)
class Prepared:
    """A learn request validated, checked and analysed: everything that needs no database."""

    request: LearnRequest
    analysis: dict[str, Any]


def prepare(data: Any) -> Prepared:
    """The pure-Python half of a learn (a few ms of CPU for 30 turns). The REST route runs it
    in a worker thread, so the event loop keeps answering quick reads (a lead lookup on
    every ring) while calls are being learned."""
    if isinstance(data, Prepared):
        return data
    request = validate(LearnRequest, data)
    checks.check(request)
    return Prepared(request, analysis.analyse(request.call, request.transcript))


@atomic_operation
def learn(
    principal: Principal,
    request: Input[LearnRequest] | None = None,
    /,
    **fields: Any,
) -> Steps[Written[dict[str, Any]]]:
    """Store a finished call (seed 002's learnFromCall), in one transaction: upserts the
    lead by phone, opens a conversation (channel ``voice``), appends the transcript as its
    messages (prospect/lead → role user; agent → agent; closer → agent with agent_type
    closer) and stores the call with its server-computed ``analysis`` (total_words,
    average_sentiment, key_moments, objection_types) and ``factors`` (those left out are
    filled from the call).

    Returns 201 ``{call, lead, conversation_id, messages, created: true}``. A retry with the
    same ``call.external_id`` (or, without one, the same lead and start_time) returns 200
    with what was stored first and writes nothing. Any invalid field (turns out of order or
    outside the call, end before start, ...) is a 4xx naming it, and nothing is stored.
    The transcript is enriched (embeddings, intent, objections) like any message."""
    principal.require(CALLS.write_role, "learn from calls")
    # Validation and analysis are CPU work: a worker thread, before a connection is taken.
    prepared = yield Compute(prepare, (data_of(request, fields),))
    given, found = prepared.request, prepared.analysis
    region = yield from phones.load_region(principal)
    phone = phones.normalise(given.lead.phone, region, "lead.phone")
    yield Query(
        QUERIES["learn_lock"], {"key": f"rapport.calls:{principal.org_id}:{phone}"}, fetch="scalar"
    )
    stored = yield from _stored(principal, given.call, phone)
    if stored is not None:
        return Written(stored, False)
    lead, _ = yield from leads.upsert(principal, given.lead, phone)
    [(conversation, _)] = yield from crud.insert(
        CONVERSATIONS, principal, [_conversation(given, lead["id"])]
    )
    key = uuid.UUID(conversation["id"])
    turns = [_message(key, turn) for turn in given.transcript]
    if turns:
        yield from crud.insert(MESSAGES, principal, list[BaseModel](turns), documents=False)
    row = _call_row(given, lead["id"], conversation["id"], found)
    try:
        [(call, created)] = yield from crud.insert(CALLS, principal, [row])
    except errors.Conflict:
        raise errors.Conflict(
            f"call.start_time: lead {phone} already has a call starting at "
            f"{given.call.start_time.isoformat()} under another external_id",
            field="call.start_time",
        ) from None
    if not created:  # another lead's learn stored this external_id meanwhile
        raise errors.Conflict(
            f"call.external_id: {given.call.external_id!r} is already stored for another "
            "lead; retry to get the stored call",
            field="call.external_id",
        )
    return Written({"call": call, "lead": lead, "conversation_id": conversation["id"],
                    "messages": len(turns), "created": True}, True)  # fmt: skip


@operation
def transcript(
    principal: Principal, id: str, limit: Limit = None, cursor: Cursor = None
) -> Steps[dict[str, Any]]:
    """A call's transcript: its conversation's messages in the order spoken, with what
    enrichment added (empty for a call stored without one)."""
    key = crud.check_id(CALLS, id)
    found = yield Query(QUERIES["call_conversation"], {"org": principal.org_id, "id": key})
    if found is None:
        raise errors.NotFound(f"no call with id {key}", field="id")
    if found[0] is None:
        return {"items": [], "next_cursor": None}
    return (yield from message_history(principal, found[0], None, limit, cursor).steps)

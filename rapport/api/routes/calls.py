"""Voice calls, leads and the closer's availability (seed 002).

The generic routes of the ``calls`` resource (list, count, get, PATCH, DELETE, and a create
for call records without a transcript) come from ``crud_routes``; these are the call verbs.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from rapport.api.crud_routes import CursorParam, LimitParam, Page
from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.calls import availability, leads, learn, transfer
from rapport.calls.models import Call, LearnRequest
from rapport.conversations.contacts import Contact

router = APIRouter(tags=["calls"], responses=PROBLEMS)


class Learned(BaseModel):
    call: Call
    lead: Contact
    conversation_id: str = Field(description="The call's conversation (channel voice)")
    messages: int = Field(description="Transcript turns stored as messages")
    created: bool = Field(description="false: a retry, answered with what was stored first")


class Decision(BaseModel):
    transfer: bool
    closer: str
    available: bool = Field(description="Is the closer available at that moment?")
    reasons: list[str] = Field(description="What blocks the transfer, or why it is a go")
    next_available_at: str | None = Field(description="When to book the callback")
    until: str | None = Field(description="When the closer's availability next changes")


class Now(BaseModel):
    closer: str
    available: bool
    reason: str
    until: str | None = Field(description="When this changes (null: not within 14 days)")
    next_available_at: str | None = Field(description="Now if available; null: not in 14 days")


class Schedules(BaseModel):
    items: list[dict[str, Any]]


@router.get(
    "/v1/leads/by-phone/{phone:path}", response_model=Contact, summary="Find a lead by phone"
)
async def lead_by_phone(ctx: Ctx, phone: str) -> Response:
    """Any formatting of the number (``+14155550132``, ``(415) 555-0132``); national numbers
    are read in the org's ``calls.default_region`` (default US). One indexed lookup; 404 if
    no lead has that phone, 400 if it is not a phone number."""
    return json_response(await ctx.run(leads.by_phone(ctx.principal, phone)))


@router.post(
    "/v1/calls/learn",
    status_code=201,
    response_model=Learned,
    summary="Store a finished call: lead, transcript, analysis, factors",
    responses={200: {"model": Learned, "description": "A retry: the stored call, unchanged"}},
)
async def learn_from_call(ctx: Ctx, body: Annotated[LearnRequest, Body()]) -> Response:
    """Seed 002's learnFromCall, in one transaction: upserts the lead by phone, opens a
    conversation (channel ``voice``), appends the transcript as its messages (prospect/lead
    → role user; agent → agent; closer → agent with agent_type closer) and stores the call
    with its server-computed ``analysis`` (total_words, average_sentiment, key_moments,
    objection_types) and ``factors`` (those left out are filled from the call).

    Returns 201 ``{call, lead, conversation_id, messages, created: true}``. A retry with the
    same ``call.external_id`` (or, without one, the same lead and start_time) returns 200
    with what was stored first and writes nothing. Any invalid field (turns out of order or
    outside the call, end before start, ...) is a 4xx naming it, and nothing is stored.
    The transcript is enriched (embeddings, intent, objections) in the background.
    """
    prepared = await run_in_threadpool(learn.prepare, body)
    result = await ctx.run(learn.learn(ctx.principal, prepared))
    if result["created"]:
        ctx.enrichment.written(ctx.principal.org_id)
    return json_response(result, 201 if result["created"] else 200)


@router.post(
    "/v1/calls/transfer-decision", response_model=Decision, summary="Transfer to a closer now?"
)
async def transfer_decision(
    ctx: Ctx, body: Annotated[transfer.TransferRequest, Body()]
) -> Response:
    """Yes when engagement >= the org's ``transfer.min_engagement`` (default 7), phase >=
    ``transfer.min_phase`` (default 3), the lead is not known to be unqualified and the
    closer is available at ``at`` (default now). Otherwise ``reasons`` says why, and
    ``next_available_at`` when to book the callback."""
    return json_response(await ctx.run(transfer.decide(ctx.principal, body)))


@router.get("/v1/calls/{id}/transcript", response_model=Page, summary="A call's transcript")
async def transcript(
    ctx: Ctx, id: str, limit: LimitParam = None, cursor: CursorParam = None
) -> Response:
    """The call's messages in the order spoken (with what enrichment added)."""
    return json_response(await ctx.run(learn.transcript(ctx.principal, id, limit, cursor)))


@router.post(
    "/v1/availability",
    status_code=201,
    response_model=dict[str, Any],
    summary="Set a closer's availability",
    responses={200: {"description": "Replaced an existing schedule (or it was unchanged)"}},
)
async def set_availability(ctx: Ctx, body: Annotated[availability.ScheduleIn, Body()]) -> Response:
    """Replaces the closer's whole schedule: weekly windows (day_of_week 0=Sunday, or a day
    name; HH:MM in ``timezone``) and dated overrides, which win over the weekly hours.
    Unknown time zones, windows that end before they start and overlapping windows are
    refused, naming the item."""
    doc, created = await ctx.run(availability.put(ctx.principal, body))
    return json_response(doc, 201 if created else 200)


@router.get("/v1/availability", response_model=Schedules, summary="Closers' schedules")
async def schedules(
    ctx: Ctx, closer: Annotated[str | None, Query(description="Only this closer")] = None
) -> Response:
    return json_response(await ctx.run(availability.schedules(ctx.principal, closer)))


@router.get("/v1/availability/now", response_model=Now, summary="Is the closer available?")
async def available_now(
    ctx: Ctx,
    closer: Annotated[str | None, Query(description="Default: default")] = None,
    at: Annotated[
        str | None,
        Query(description="ISO date-time (default now)", examples=["2025-01-15T15:00:00Z"]),
    ] = None,
) -> Response:
    """Computed in the closer's time zone (daylight saving included); an override covering
    ``at`` wins over the weekly hours. ``until``: when that changes; ``next_available_at``:
    when the closer is next available (``at`` itself if available)."""
    return json_response(await ctx.run(availability.now(ctx.principal, closer, at)))

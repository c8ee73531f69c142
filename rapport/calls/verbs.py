"""The voice-call verbs, by SDK section: ``r.calls`` (with the nine operations of call
records) and ``r.availability``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from rapport.calls import availability, correlation, leads, transfer
from rapport.calls import learn as learning
from rapport.calls.models import CAMEL, Call
from rapport.conversations.contacts import Contact
from rapport.resources.params import Items, Page
from rapport.resources.sections import ResourceSection
from rapport.resources.verbs import Section, verb, writing


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


class Calls(ResourceSection):
    """Calls: the nine operations (``r.calls.list(filter=...)``) and the call verbs.

    >>> r.calls.learn(lead={...}, call={...}, transcript=[...], factors={...})
    >>> r.calls.lead_by_phone("(415) 555-0132")
    >>> r.calls.closer_availability(start="2025-01-01")
    """

    section = resource = "calls"

    learn = writing(
        learning.learn, "POST", "/v1/calls/learn", response=Learned, body="request",
        enriches=True, summary="Store a finished call: lead, transcript, analysis, factors",
    )  # fmt: skip
    lead_by_phone = verb(
        leads.by_phone, "GET", "/v1/leads/by-phone/{phone:path}", response=Contact,
        summary="Find a lead by phone",
    )  # fmt: skip
    transcript = verb(
        learning.transcript, "GET", "/v1/calls/{id}/transcript", response=Page,
        summary="A call's transcript",
    )  # fmt: skip
    closer_availability = verb(
        correlation.closer_availability, "GET", "/v1/calls/closer-availability",
        response=correlation.Correlation, query={"start": "from", "end": "to"},
        summary="Transfer success with and without the closer available",
    )  # fmt: skip
    transfer_decision = verb(
        transfer.decide, "POST", "/v1/calls/transfer-decision", response=Decision, body="*",
        body_name="TransferRequest", body_config=CAMEL, examples=transfer.EXAMPLES,
        summary="Transfer to a closer now?",
    )  # fmt: skip


class Availability(Section):
    """Closers' schedules: weekly hours in a time zone, and overrides."""

    section = "availability"

    set = writing(
        availability.put, "POST", "/v1/availability", response=dict[str, Any], body="*",
        body_name="ScheduleIn", examples=availability.EXAMPLES,
        summary="Set a closer's availability",
    )  # fmt: skip
    list = verb(
        availability.schedules, "GET", "/v1/availability", response=Items,
        summary="Closers' schedules",
    )  # fmt: skip
    now = verb(
        availability.now, "GET", "/v1/availability/now", response=Now,
        summary="Is the closer available?",
    )  # fmt: skip

"""SDK verbs of voice calls, leads and closer availability: service call and REST route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rapport.calls import availability, leads, learn, transfer
from rapport.sdk.route import PAGE, Route

LOCAL: dict[str, Callable[..., Any]] = {
    "calls.learn": lambda db, p, body: db.run(learn.learn(p, body)),
    "calls.lead_by_phone": lambda db, p, phone: db.run(leads.by_phone(p, phone)),
    "calls.transcript": lambda db, p, id, limit, cursor: db.run(
        learn.transcript(p, id, limit, cursor)
    ),
    "calls.transfer_decision": lambda db, p, body: db.run(transfer.decide(p, body)),
    "availability.set": lambda db, p, body: db.run(availability.put(p, body))[0],
    "availability.list": lambda db, p, closer: db.run(availability.schedules(p, closer)),
    "availability.now": lambda db, p, closer, at: db.run(availability.now(p, closer, at)),
}

HTTP: dict[str, Route] = {
    "calls.learn": Route("POST", "/v1/calls/learn", "body"),
    "calls.lead_by_phone": Route("GET", "/v1/leads/by-phone/{phone}"),
    "calls.transcript": Route("GET", "/v1/calls/{id}/transcript", query=PAGE),
    "calls.transfer_decision": Route("POST", "/v1/calls/transfer-decision", "body"),
    "availability.set": Route("POST", "/v1/availability", "body"),
    "availability.list": Route("GET", "/v1/availability", query={"closer": "closer"}),
    "availability.now": Route(
        "GET", "/v1/availability/now", query={"closer": "closer", "at": "at"}
    ),
}

# Verbs after which the in-process SDK enriches before returning (inline mode), as after
# an append: a learned call's transcript is messages.
ENRICHED = frozenset({"calls.learn"})

"""Triggers: silence that turns into a follow-up (seed 001's "read, no reply in 24 hours").

A trigger is a rule the worker evaluates each minute (and ``POST /v1/triggers/run`` at
once). Each kind names a *cause* and how long it must last (``after``: "24h", "3d", "90m",
"2w"):

- ``read_no_reply``: the conversation's latest read agent message, unanswered;
- ``no_inbound``: the lead's last message (or, if they never wrote, the conversation's start);
- ``qualified_no_closing``: the conversation qualified and has not moved to closing (or on);
- ``custom``: with ``event`` (``{"type": "delivered"}``), a message that got no further than
  that, unanswered; without, the conversation's last message, either way.

``filter`` narrows any kind to the conversations it matches (the conversations' filter
language). When a cause has lasted ``after`` in an active conversation, it creates one
follow-up (the ``follow-ups`` resource, reason the trigger's, cancelled by the lead's next
message) and a firing, keyed by (trigger, conversation, cause), so a cause fires once, with
two workers at once or a retried run. A reply before the delay ends the cause: nothing fires.
A run looks at causes that came due since its previous run, less a day for events that
arrive late; a new trigger, at causes due from a day before it was created.

A run fires at most ``RUN_CAP`` follow-ups per trigger, the earliest due first, so that a
new trigger over a large backlog (10k conversations read and unanswered) takes a few short
runs, each under a second, rather than one long transaction that holds its conversations'
rows: the run says ``more``, keeps its trigger's window where it was, and the worker queues
the org's next pass at once.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rapport.conversations.conversations import CONVERSATIONS
from rapport.db import sql
from rapport.db.operation import Query, Steps, operation
from rapport.db.sql import Fragment
from rapport.learning import QUERIES
from rapport.learning.events import EventType
from rapport.resources.fields import JSONB, Column
from rapport.resources.filters import FilterCompiler
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Principal

When = Literal["read_no_reply", "no_inbound", "qualified_no_closing", "custom"]
AFTER = r"^[1-9][0-9]{0,4}[mhdw]$"
RUN_CAP = 2000  # follow-ups per trigger per run: ~0.5 s on 2 cores (bench/learning.py)
_DESCRIBED = {
    "read_no_reply": "read, no reply in {after}",
    "no_inbound": "no message from the lead in {after}",
    "qualified_no_closing": "qualified, no closing in {after}",
    "custom": "{after} since the last message",
}


class EventCondition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: EventType = Field(description="The status the message stopped at, e.g. delivered")


class Trigger(BaseModel):
    """A rule that turns a lasting silence into a follow-up."""

    id: uuid.UUID
    name: str
    when: Annotated[When, Column("kind")]
    after: str = Field(description='How long the cause must last: "90m", "24h", "3d", "2w"')
    filter: dict[str, Any] = Field(description="Only conversations matching this filter")
    event: Annotated[EventCondition | None, JSONB]
    reason: str | None = Field(description="The follow-ups' reason; default says the rule")
    agent: str | None = Field(description="Who follows up; default the conversation's agent")
    status: Literal["active", "paused"]
    last_run_at: datetime.datetime | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class TriggerCreate(BaseModel):
    """A trigger; ``name`` is its idempotency key."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "nudge-readers", "when": "read_no_reply", "after": "24h"},
                {"name": "vip-undelivered", "when": "custom", "after": "2h",
                 "filter": {"metadata.tags": {"$contains": "vip"}},
                 "event": {"type": "delivered"}},
            ]
        },
    )  # fmt: skip

    name: Annotated[str, Field(min_length=1, max_length=200)]
    when: When
    after: Annotated[str, Field(pattern=AFTER, examples=["24h", "3d"])]
    filter: dict[str, Any] = Field(default_factory=dict)
    event: EventCondition | None = None
    reason: Annotated[str, Field(max_length=2000)] | None = None
    agent: Annotated[str, Field(max_length=100)] | None = None
    status: Literal["active", "paused"] = "active"

    @model_validator(mode="after")
    def _event_for_custom(self) -> TriggerCreate:
        if self.event is not None and self.when != "custom":
            raise ValueError("event: only a custom trigger names an event")
        return self


def _prepare(
    principal: Principal, items: list[TriggerCreate], at: Callable[[int], str]
) -> Steps[list[TriggerCreate]]:
    """Each filter compiles against the conversations' fields (a 400 naming it if not)."""
    for item in items:
        condition(item.filter, Fragment())
    return items
    yield  # a generator, as prepare steps are


TRIGGERS = Resource(
    name="triggers",
    table="triggers",
    singular="trigger",
    model=Trigger,
    create_model=TriggerCreate,
    conflict_columns=("name",),
    prepare=_prepare,
    description="Triggers: read_no_reply | no_inbound | qualified_no_closing | custom.",
)


def condition(spec: Any, out: Fragment) -> str:
    """The filter as a condition over ``conversations AS t``, or "true"."""
    if not spec:
        return "true"
    return FilterCompiler(CONVERSATIONS.fields, "filter").compile(spec, out)


def _causes(trigger: dict[str, Any]) -> tuple[str, str | None]:
    """Which causes a trigger looks for, and the message status they stop at (if any)."""
    if trigger["when"] == "read_no_reply":
        return "stopped", "read"
    if trigger["when"] == "custom":
        event = (trigger["event"] or {}).get("type")
        return ("stopped", event) if event else ("custom_quiet", None)
    return trigger["when"], None


def _statement(kind: str, trigger: dict[str, Any], out: Fragment) -> str:
    where = condition(trigger["filter"], out)
    filtered = (
        "true"
        if where == "true"
        else f"c.id IN (SELECT t.id FROM conversations AS t WHERE t.org_id = %(org)s AND {where})"
    )
    unanswered = kind == "stopped"
    return sql.fill(
        QUERIES["trigger_fire"],
        causes=QUERIES[f"causes_{kind}"],
        filtered=filtered,
        unanswered="coalesce(c.last_inbound_at, '-infinity') < cause.at" if unanswered else "true",
    )


@operation
def run(principal: Principal) -> Steps[dict[str, Any]]:
    """Evaluate every active trigger of the org now: the follow-ups each created, and in
    ``more`` the triggers that had more than one run fires (``RUN_CAP``; run again)."""
    principal.require("admin", "run triggers")
    return (yield from evaluate(principal.org_id).steps)


@operation
def evaluate(org_id: str) -> Steps[dict[str, Any]]:
    """One pass over the org's active triggers (the worker's, each minute)."""
    rows = yield Query(QUERIES["triggers_active"], {"org": org_id}, fetch="scalars")
    fired: dict[str, list[str]] = {}
    behind: list[str] = []  # triggers that had more than RUN_CAP to fire
    for trigger in rows:
        out = Fragment()
        kind, event = _causes(trigger)
        statement = _statement(kind, trigger, out)
        reason = trigger["reason"] or (
            f"trigger {trigger['name']!r}: "
            + _DESCRIBED[trigger["when"]].format(after=trigger["after"])
        )
        made, more = yield Query(
            statement,
            {**out.params, "org": org_id, "trigger": trigger["id"], "name": trigger["name"],
             "after": trigger["after"], "agent": trigger["agent"], "reason": reason,
             "event": event, "cap": RUN_CAP},
            fetch="one",
        )  # fmt: skip
        fired[trigger["name"]] = list(made)
        behind += [trigger["name"]] if more else []
    return {
        "triggers": len(rows),
        "follow_ups": sum(len(v) for v in fired.values()),
        "fired": fired,
        "more": behind,
    }


@operation
def orgs_due() -> Steps[list[str]]:
    """Orgs with an active trigger or a running experiment: the worker's minute."""
    return list((yield Query(QUERIES["learning_orgs"], {}, fetch="scalars")))

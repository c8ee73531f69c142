"""Enforcing an org's retention policies: what is past them, and a run that deletes it.

A run deletes in batches of ``BATCH`` rows, each batch its own short transaction that skips
rows another transaction holds, so ordinary reads and writes never wait on retention. Legal
holds exempt a contact (and every conversation of theirs) or one conversation. What goes
with a message: its embedding and search entry (columns of its row), the memories it left
(every version it wrote) and the objections it raised; PII tokens (``rapport.privacy``) go
once last vaulted longer ago than messages are kept; engagement events, with their
idempotency keys, by their own policy (``events_days``). Conversations stay as sessions, and
counts stay as they were: a conversation's ``message_count`` and the pipeline's tallies
count what happened, not what is still stored.

Every run is recorded (``retention_runs``), with its trigger, its policies and what it
removed, also when it fails part-way (``error``).
"""

from __future__ import annotations

from typing import Any

from rapport.db import sql
from rapport.db.operation import Query, Steps, operation
from rapport.retention import QUERIES
from rapport.retention.settings import RetentionSettings
from rapport.tenancy import settings as org_settings
from rapport.tenancy.principal import Principal
from rapport.validation import json_text

BATCH = 1000


def _kept(row: str) -> str:
    """The condition that no legal hold covers ``row``'s contact or conversation."""
    return (
        f"NOT EXISTS (SELECT FROM legal_holds AS h WHERE h.org_id = {row}.org_id"
        f" AND (h.contact_id = {row}.contact_id OR h.conversation_id = {row}.conversation_id))"
    )


_KEPT = _kept("m")
_KEPT_EVENT = _kept("e")
_PAST = sql.fill(QUERIES["past_policy"], kept_message=_KEPT, kept_event=_KEPT_EVENT)
_OLD_EVENTS = sql.fill(QUERIES["expire_events"], kept_event=_KEPT_EVENT)
_OLD_MESSAGES = sql.fill(
    QUERIES["expire_messages"],
    kept_message=_KEPT,
    past="m.ts < now() - make_interval(days => %(days)s)",
)
_COMPLETED = sql.fill(
    QUERIES["expire_messages"],
    kept_message=_KEPT,
    past=(
        "m.conversation_id IN (SELECT c.id FROM conversations AS c WHERE c.org_id = %(org)s"
        " AND c.completed_at < now() - make_interval(days => %(days)s))"
    ),
)


@operation
def status(principal: Principal) -> Steps[dict[str, Any]]:
    """Your retention policies, how many rows are past them now, your legal holds, and the
    last run."""
    principal.require("viewer", "read retention")
    policies = (yield from org_settings.load(principal)).retention
    row = yield Query(
        _PAST,
        {"org": principal.org_id, "messages_days": policies.messages_days,
         "completed_days": policies.completed_conversations_days,
         "summaries_days": policies.summaries_days, "state_days": policies.agent_state_days,
         "events_days": policies.events_days},
    )  # fmt: skip
    last = yield Query(QUERIES["last_run"], {"org": principal.org_id}, fetch="scalar")
    return {
        "policies": policies.model_dump(),
        "past_policy": {
            "messages": row[0], "completed_conversation_messages": row[1],
            "summaries": row[2], "agent_states": row[3], "files": 0, "events": row[5],
        },
        "legal_holds": row[4],
        "last_run": None if last is None else dict(last),
    }  # fmt: skip


@operation
def run_now(principal: Principal) -> Steps[dict[str, Any]]:
    """Enforce your retention policies now (admins): delete what is past them, in batches,
    and return the run's record with what it removed."""
    return (yield from run(principal, "request").steps)


@operation
def run(principal: Principal, trigger: str) -> Steps[dict[str, Any]]:
    """A retention run of the principal's org, recorded with its trigger (``schedule`` for
    the worker's, ``request`` for one asked for)."""
    principal.require("admin", "run retention")
    policies = (yield from org_settings.load(principal)).retention
    org = principal.org_id
    run_id = yield Query(
        QUERIES["run_started"],
        {"org": org, "trigger": trigger, "actor": principal.actor,
         "policies": json_text(policies.model_dump())},
        fetch="scalar",
    )  # fmt: skip
    removed = dict.fromkeys(
        (
            "messages",
            "memories",
            "objections",
            "summaries",
            "agent_states",
            "pii_tokens",
            "files",
            "events",
        ),
        0,
    )
    try:
        yield from _expire(org, policies, removed)
    except Exception as failure:  # the run is recorded as far as it got, then fails
        yield from _finished(org, run_id, removed, f"{type(failure).__name__}: {failure}")
        raise
    return (yield from _finished(org, run_id, removed, None))


def _finished(
    org: str, run_id: str, removed: dict[str, int], error: str | None
) -> Steps[dict[str, Any]]:
    record = yield Query(
        QUERIES["run_finished"],
        {"org": org, "id": run_id, "removed": json_text(removed),
         "error": None if error is None else error[:2000]},
        fetch="scalar",
    )  # fmt: skip
    return dict(record)


def _expire(org: str, policies: RetentionSettings, removed: dict[str, int]) -> Steps[None]:
    """Every batch of every kind, until each kind has nothing left past its policy."""
    for statement, days in ((_OLD_MESSAGES, policies.messages_days),
                            (_COMPLETED, policies.completed_conversations_days)):  # fmt: skip
        while True:
            gone = yield Query(statement, {"org": org, "days": days, "batch": BATCH})
            removed["messages"] += gone[0]
            removed["memories"] += gone[1]
            removed["objections"] += gone[2]
            if gone[0] < BATCH:
                break
    for kind, statement, days in (
        ("summaries", QUERIES["expire_summaries"], policies.summaries_days),
        ("agent_states", QUERIES["expire_agent_states"], policies.agent_state_days),
        ("pii_tokens", QUERIES["expire_vault"], policies.messages_days),
        ("events", _OLD_EVENTS, policies.events_days),
    ):
        while True:
            count = yield Query(
                statement, {"org": org, "days": days, "batch": BATCH}, fetch="rowcount"
            )
            removed[kind] += count
            if count < BATCH:
                break

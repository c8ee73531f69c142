"""``GET /v1/health/data``: is the org's data as it should be? (seed 003's monitoring).

One report, from what each capability already knows: rows past their retention policy
(``rapport.retention``), how far PII scrubbing has got (``rapport.privacy``), sessions with no
stored message, the data's volume, and, for admins where the engine has
``pg_stat_statements``, the application's costliest statements. Those statistics are the
engine's, across every org of the server, so they hold statement texts with ``$1`` for
values and times, never data; an org that shares a server sees what the server is busy with,
which is why they are for admins.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from rapport.db.operation import Query, Steps, operation
from rapport.insight import QUERIES
from rapport.privacy import vault
from rapport.retention import enforce
from rapport.tenancy.principal import Principal

STATEMENTS = 10


@operation
def report(
    principal: Principal,
    days: Annotated[int, Field(ge=1, le=366, description="Days of sessions per day")] = 30,
) -> Steps[dict[str, Any]]:
    """Your data's health: rows past retention, PII scrubbing completion, orphaned sessions
    (no stored messages), volume (sessions per day over ``days``, messages per session,
    active contacts) and, for admins, query performance from ``pg_stat_statements`` where
    the engine has it (``{"available": false}`` where it does not)."""
    principal.require("viewer", "read the data's health")
    retention = yield from enforce.status(principal).steps
    pii = yield from vault.status(principal).steps
    row = yield Query(QUERIES["volume"], {"org": principal.org_id, "days": days})
    (contacts, sessions, messages, without, never, mean, median, p95, active_7, active_30,
     per_day) = row  # fmt: skip
    answer: dict[str, Any] = {
        "past_retention": {**retention["past_policy"],
                           "total": sum(retention["past_policy"].values())},
        "retention_last_run": retention["last_run"],
        "pii": {k: pii[k] for k in ("policy", "completion", "pending", "scrubbed")},
        "orphaned_sessions": {"without_messages": without, "never_had_messages": never},
        "volume": {
            "contacts": contacts, "sessions": sessions, "messages": messages,
            "messages_per_session": {"mean": _round(mean), "p50": _round(median),
                                     "p95": _round(p95)},
            "active_contacts": {"last_7_days": active_7, "last_30_days": active_30},
            "sessions_per_day": per_day or [],
        },
    }  # fmt: skip
    if principal.can("admin"):
        answer["query_performance"] = yield from _statements()
    return answer


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 2)


def _statements() -> Steps[dict[str, Any]]:
    available = yield Query(QUERIES["statements_available"], fetch="scalar")
    if not available:
        reason = "pg_stat_statements is not installed and preloaded on this server"
        return {"available": False, "reason": reason}
    rows = yield Query(QUERIES["statements"], {"limit": STATEMENTS}, fetch="all")
    return {
        "available": True,
        "statements": [
            {"query": q, "calls": calls, "total_ms": total, "mean_ms": mean, "max_ms": top,
             "rows": n}
            for q, calls, total, mean, top, n in rows
        ],
    }  # fmt: skip

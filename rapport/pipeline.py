"""The sales pipeline at a glance: seed 000's query patterns 2-4.

- ``counts``: conversations by sales_stage x status (``conversations_pipeline_idx``);
- ``follow_ups_due``: follow-ups scheduled in a window, overdue ones on request
  (``conversations_follow_up_idx``);
- ``workload``: per agent, how many conversations it holds and the oldest untouched one
  (``conversations_agent_workload_idx``).
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from rapport import errors
from rapport.conversations import CONVERSATIONS
from rapport.db.operation import Query, Steps, operation
from rapport.resources import crud
from rapport.resources.filters import Compiled, FilterCompiler, parse_timestamp
from rapport.tenancy import Principal

_COUNTS = """
SELECT t.sales_stage, t.status, count(*)
FROM conversations AS t
WHERE t.org_id = %s AND {condition}
GROUP BY t.sales_stage, t.status
ORDER BY t.sales_stage, t.status
"""


@operation
def counts(principal: Principal, filter_spec: Any = None) -> Steps[dict[str, Any]]:
    """``{"total", "stages": {stage: {"total", status: n}}, "items": [...]}``."""
    out = Compiled()
    condition = FilterCompiler(CONVERSATIONS.fields, CONVERSATIONS.name).compile(filter_spec, out)
    rows = yield Query(
        _COUNTS.format(condition=condition), [principal.org_id, *out.params], fetch="all"
    )
    stages: dict[str, dict[str, int]] = {}
    for stage, status, n in rows:
        bucket = stages.setdefault(stage, {"total": 0})
        bucket[status] = n
        bucket["total"] += n
    return {
        "total": sum(n for _, _, n in rows),
        "stages": stages,
        "items": [{"sales_stage": s, "status": st, "count": n} for s, st, n in rows],
    }


def today(tz: str = "UTC") -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight of the current day in ``tz``."""
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise errors.BadRequest(
            f"tz: {tz!r} is not a time zone name (e.g. UTC, Asia/Singapore)", field="tz"
        ) from None
    start = datetime.datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


@operation
def follow_ups_due(
    principal: Principal,
    start: datetime.datetime | str | None = None,
    end: datetime.datetime | str | None = None,
    overdue: bool = False,
    agent: str | None = None,
    tz: str = "UTC",
    limit: int | None = None,
    cursor: str | None = None,
) -> Steps[dict[str, Any]]:
    """Conversations whose follow-up is due in [start, end), soonest first.

    The window defaults to today in ``tz``. ``overdue=True`` also includes follow-ups
    scheduled before the window that are still marked required.
    """
    default_start, default_end = today(tz)
    window_start = parse_timestamp(start, "from") if start is not None else default_start
    window_end = parse_timestamp(end, "to") if end is not None else default_end
    if window_end <= window_start:
        raise errors.BadRequest("to: must be later than from", field="to")
    when: dict[str, Any] = {"$lt": window_end.isoformat()}
    if not overdue:
        when["$gte"] = window_start.isoformat()
    spec: dict[str, Any] = {"follow_up.required": True, "follow_up.scheduled_date": when}
    if agent is not None:
        spec["current_agent"] = agent
    page = yield from crud.list_page(
        CONVERSATIONS, principal, spec, "follow_up.scheduled_date", limit, cursor
    ).steps
    return {**page, "from": window_start.isoformat(), "to": window_end.isoformat()}


_WORKLOAD = """
SELECT json_build_object(
  'agent', coalesce(w.agent, a.name), 'role', a.role, 'count', coalesce(w.n, 0),
  'oldest_updated_at', w.oldest, 'newest_updated_at', w.newest)
FROM (
  SELECT t.current_agent AS agent, count(*) AS n,
         min(t.updated_at) AS oldest, max(t.updated_at) AS newest
  FROM conversations AS t
  WHERE t.org_id = %s AND t.status = ANY(%s::text[]) AND t.current_agent IS NOT NULL
  GROUP BY t.current_agent
) AS w
FULL JOIN (SELECT name, role FROM agents WHERE org_id = %s AND status = 'active') AS a
  ON a.name = w.agent
ORDER BY coalesce(w.n, 0) DESC, coalesce(w.agent, a.name)
"""


@operation
def workload(principal: Principal, statuses: list[str] | str = "active") -> Steps[dict[str, Any]]:
    """Per agent: conversations held in ``statuses`` and the oldest ``updated_at`` among them.

    Active agents holding nothing are listed with a count of 0, so load balancing sees them.
    """
    wanted = [statuses] if isinstance(statuses, str) else list(statuses)
    allowed = CONVERSATIONS.fields["status"].choices or ()
    for status in wanted:
        if status not in allowed:
            raise errors.BadRequest(
                f"status: {status!r} is not one of {', '.join(allowed)}", field="status"
            )
    items = yield Query(_WORKLOAD, [principal.org_id, wanted, principal.org_id], fetch="scalars")
    return {"items": items, "status": wanted}

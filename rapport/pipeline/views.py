"""The sales pipeline at a glance: seed 000's query patterns 2-4.

- ``counts``: conversations by sales_stage x status. Unfiltered, it reads the
  ``conversation_tallies`` the database keeps by trigger (a few rows, at any scale); with a
  filter it aggregates the matching rows (``conversations_pipeline_idx`` for stage/status);
- follow-ups due: see ``rapport.follow_ups.due``;
- ``workload``: per agent, how many conversations it holds (tallies) and the oldest and
  newest ``updated_at`` among them (one probe of ``conversations_agent_workload_idx`` each).
"""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Annotated, Any

from pydantic import Field

from rapport import errors
from rapport.conversations.conversations import CONVERSATIONS, Status
from rapport.db.operation import Query, Steps, operation
from rapport.resources.filters import Compiled, FilterCompiler
from rapport.resources.params import Filter
from rapport.tenancy.principal import Principal

_COUNTS = """
SELECT t.sales_stage, t.status, count(*)
FROM conversations AS t
WHERE t.org_id = %s AND {condition}
GROUP BY t.sales_stage, t.status
ORDER BY t.sales_stage, t.status
"""

_TALLIES = """
SELECT sales_stage, status, sum(n)::bigint
FROM conversation_tallies
WHERE org_id = %s
GROUP BY sales_stage, status
HAVING sum(n) > 0
ORDER BY sales_stage, status
"""


@operation
def counts(principal: Principal, filter: Filter = None) -> Steps[dict[str, Any]]:
    """Conversations by sales_stage x status, over those matching the filter:
    ``{"total", "stages": {stage: {"total", status: n}}, "items": [...]}``."""
    filter_spec = filter
    if not filter_spec:
        rows = yield Query(_TALLIES, [principal.org_id], fetch="all")
    else:
        out = Compiled()
        fields, name = CONVERSATIONS.fields, CONVERSATIONS.name
        condition = FilterCompiler(fields, name).compile(filter_spec, out)
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


_WORKLOAD = """
WITH held AS (
  SELECT current_agent AS agent, sum(n) AS n
  FROM conversation_tallies
  WHERE org_id = %(org)s AND status = ANY(%(statuses)s::text[]) AND current_agent <> ''
  GROUP BY current_agent
  HAVING sum(n) > 0
),
agents AS (
  SELECT coalesce(h.agent, a.name) AS agent, a.role, coalesce(h.n, 0) AS n
  FROM held AS h
  FULL JOIN (SELECT name, role FROM agents WHERE org_id = %(org)s AND status = 'active') AS a
    ON a.name = h.agent
)
SELECT json_build_object(
  'agent', agent, 'role', role, 'count', n,
  'oldest_updated_at', (
    SELECT min(edge.at) FROM unnest(%(statuses)s::text[]) AS s(status), LATERAL (
      SELECT t.updated_at AS at FROM conversations AS t
      WHERE t.org_id = %(org)s AND t.current_agent = agents.agent AND t.status = s.status
      ORDER BY t.updated_at LIMIT 1) AS edge),
  'newest_updated_at', (
    SELECT max(edge.at) FROM unnest(%(statuses)s::text[]) AS s(status), LATERAL (
      SELECT t.updated_at AS at FROM conversations AS t
      WHERE t.org_id = %(org)s AND t.current_agent = agents.agent AND t.status = s.status
      ORDER BY t.updated_at DESC LIMIT 1) AS edge))
FROM agents
ORDER BY n DESC, agent
"""


@operation
def workload(
    principal: Principal,
    status: Annotated[
        list[Status] | Status, Field(description="Conversation status(es); default active")
    ] = "active",
) -> Steps[dict[str, Any]]:
    """Per agent: conversations held in these statuses, and the oldest and newest
    ``updated_at`` among them. Active agents holding nothing are listed with a count of 0,
    so load balancing sees them."""
    wanted = [status] if isinstance(status, str) else list(status)
    allowed = CONVERSATIONS.fields["status"].choices or ()
    for each in wanted:
        if each not in allowed:
            raise errors.BadRequest(
                f"status: {each!r} is not one of {', '.join(allowed)}", field="status"
            )
    items = yield Query(_WORKLOAD, {"org": principal.org_id, "statuses": wanted}, fetch="scalars")
    return {"items": items, "status": wanted}

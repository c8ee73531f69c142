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
from rapport.db import sql
from rapport.db.operation import Query, Steps, operation
from rapport.db.sql import Fragment
from rapport.pipeline import QUERIES
from rapport.resources.filters import FilterCompiler
from rapport.resources.params import Filter
from rapport.tenancy.principal import Principal

_AGENT_LOAD = QUERIES["agent_load"]
_WORKLOAD = sql.fill(QUERIES["workload"], agent_load=_AGENT_LOAD)


@operation
def counts(principal: Principal, filter: Filter = None) -> Steps[dict[str, Any]]:
    """Conversations by sales_stage x status, over those matching the filter:
    ``{"total", "stages": {stage: {"total", status: n}}, "items": [...]}``."""
    filter_spec = filter
    if not filter_spec:
        rows = yield Query(QUERIES["tallies"], {"org": principal.org_id}, fetch="all")
    else:
        out = Fragment()
        fields, name = CONVERSATIONS.fields, CONVERSATIONS.name
        condition = FilterCompiler(fields, name).compile(filter_spec, out)
        rows = yield Query(
            sql.fill(QUERIES["counts"], condition=condition),
            {**out.params, "org": principal.org_id},
            fetch="all",
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


# An IANA time zone name; the schema lists the names this machine knows.
TimeZone = Annotated[
    str,
    Field(description="Time zone of 'today'", max_length=64,
          json_schema_extra={"enum": sorted(zoneinfo.available_timezones())}),
]  # fmt: skip


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

"""The learning metrics (seed 002's ``learning_metrics``): is the whole system improving?

One row per org and UTC day (``learning_daily``), counted from the data, never written by
hand: the worker recounts each org's last ``TRAILING_DAYS`` days every ten minutes (a
conversation that qualifies today changes the day it started), a read fills in any day of
its range not counted yet, and ``POST /v1/learning/refresh`` recounts a range at once (after
an import). What a day counts:

- ``conversations`` started that day, and ``calls`` started that day;
- ``leads``: those conversations, and the calls that belong to none;
- ``qualified`` and ``won``: those leads that are qualified (a call: outcome qualified) and
  won now, so the rates are cohort rates, the share of a day's leads that went on to qualify;
- engagement: the calls' ``engagement_score`` (0-10), and transfers attempted and successful;
- ``agent_messages`` sent that day and how many of them were ``replied`` to.

A period (day or ISO week) sums its days. The improvement score follows seed 002's
``calculate_beast_mode_score``, which meant to compare a date's qualified rate with the first
one's: ``improvement`` is the period's qualified rate over the first period of the answer
that has leads, and ``beast_mode_score`` is ``min(improvement * 5, 10)``, so 5 is no change.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal

from pydantic import Field

from rapport import errors
from rapport.db import sql
from rapport.db.operation import Query, Steps, operation
from rapport.learning import QUERIES
from rapport.resources.filters import parse_timestamp
from rapport.resources.params import When
from rapport.tenancy.principal import Principal

TRAILING_DAYS = 35
_RECOUNT = sql.fill(QUERIES["metrics_count"], days=QUERIES["days_every"])
MAX_DAYS = 3_660
Grain = Literal["day", "week"]


def _range(start: When, end: When) -> tuple[datetime.date, datetime.date]:
    today = datetime.datetime.now(datetime.UTC).date()
    first = parse_timestamp(start, "from").date() if start is not None else None
    last = parse_timestamp(end, "to").date() if end is not None else today + datetime.timedelta(1)
    first = first or last - datetime.timedelta(days=30)
    if last <= first:
        raise errors.BadRequest("to: must be later than from", field="to")
    if (last - first).days > MAX_DAYS:
        raise errors.BadRequest(f"to: at most {MAX_DAYS} days from from", field="to")
    return first, last


@operation
def metrics(
    principal: Principal,
    start: Annotated[When, Field(description="First day (UTC); default 30 days before to")] = None,
    end: Annotated[When, Field(description="Day after the last (UTC); default tomorrow")] = None,
    grain: Annotated[Grain, Field(description="day, or ISO week (from Monday)")] = "day",
) -> Steps[dict[str, Any]]:
    """Per period: calls, conversations, leads, qualified rate, average engagement,
    transfer success rate, reply rate, won rate, and the improvement over the first period."""
    first, last = _range(start, end)
    params = {"org": principal.org_id, "from": first, "to": last}
    missing = yield Query(QUERIES["days_missing"], params, fetch="one")
    if missing is not None and missing[0] is not None:
        gap = {"org": principal.org_id, "from": missing[0], "to": missing[1]}
        yield Query(_RECOUNT, gap, fetch="rowcount")
    rows = yield Query(QUERIES["metrics_periods"], {**params, "grain": grain}, fetch="scalars")
    periods = [dict(r) for r in rows]
    baseline = next((p for p in periods if p["qualified_rate"] is not None), None)
    for period in periods:
        rate, base = period["qualified_rate"], baseline and baseline["qualified_rate"]
        factor = rate / base if rate is not None and base else None
        period["improvement"] = factor
        period["beast_mode_score"] = None if factor is None else min(factor * 5, 10.0)
        # seed 002's learning_metrics names the same figures so
        period["total_calls"], period["total_conversations"] = (
            period["calls"],
            period["conversations"],
        )
        period["avg_engagement_score"] = period["avg_engagement"]
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "grain": grain,
        "baseline": None
        if baseline is None
        else {"period": baseline["period"], "qualified_rate": baseline["qualified_rate"]},
        "periods": periods,
    }


@operation
def refresh(principal: Principal, start: When = None, end: When = None) -> Steps[dict[str, Any]]:
    """Recount the daily rows of [from, to) from the data now (default the last 35 days)."""
    principal.require("admin", "recount learning metrics")
    first, last = _trailing() if start is None and end is None else _range(start, end)
    days = yield Query(
        _RECOUNT, {"org": principal.org_id, "from": first, "to": last},
        fetch="rowcount",
    )  # fmt: skip
    return {"from": first.isoformat(), "to": last.isoformat(), "days": days}


@operation
def recount_trailing(org_id: str) -> Steps[int]:
    """The worker's: an org's last ``TRAILING_DAYS`` days recounted; how many."""
    first, last = _trailing()
    params = {"org": org_id, "from": first, "to": last}
    return int((yield Query(_RECOUNT, params, fetch="rowcount")))


def _trailing() -> tuple[datetime.date, datetime.date]:
    """The days the worker keeps current: the last ``TRAILING_DAYS`` and today."""
    today = datetime.datetime.now(datetime.UTC).date()
    return today - datetime.timedelta(TRAILING_DAYS), today + datetime.timedelta(1)

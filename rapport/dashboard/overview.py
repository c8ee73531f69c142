"""``GET /v1/dashboard``: everything the operator's page draws, in one answer, so one
request refreshes it whenever the change stream says something moved.

Each part is another capability's verb, run in the same transaction (the pipeline's
counts, the agents' workload, the top patterns for qualified, each shown experiment's
results), or one of this package's statements (messages per day and how far they got,
follow-ups due and overdue, the volume). ``position`` is the change stream's head when it
was read: the page follows the stream from there, so nothing between the two is lost.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from rapport.changes import feed
from rapport.dashboard import QUERIES
from rapport.db.operation import Query, Steps, atomic_operation
from rapport.learning import experiments
from rapport.patterns import graph
from rapport.pipeline import views
from rapport.tenancy.principal import Principal

STAGES = ("qualification", "objection_handling", "closing", "won", "lost", "not_qualified")


class Overview(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "position": "1234",
        "pipeline": [{"stage": "qualification", "total": 120, "active": 80}],
        "messages": [{"day": "2026-12-08", "sent": 40, "delivered": 38, "read": 30,
                      "replied": 12}],
        "experiments": [], "workload": [{"agent": "qualifier", "count": 14}],
        "follow_ups": {"overdue": 3, "today": 5, "this_week": 11},
        "patterns": [], "volume": {"contacts": 300, "conversations": 310, "messages": 4200,
                                   "events": 9100, "pending_enrichment": 0, "patterns": 40},
    }]}}  # fmt: skip

    position: str = Field(description="The change stream's head: follow it from here")
    pipeline: list[dict[str, Any]] = Field(description="Conversations per stage, in order")
    messages: list[dict[str, Any]] = Field(description="Per day: sent, delivered, read, replied")
    experiments: list[dict[str, Any]] = Field(description="Results of the shown experiments")
    workload: list[dict[str, Any]] = Field(description="Active conversations per agent")
    follow_ups: dict[str, int]
    patterns: list[dict[str, Any]] = Field(description="Top patterns in qualified conversations")
    volume: dict[str, int]


@atomic_operation  # one snapshot: the parts agree with each other and with the position
def overview(
    principal: Principal,
    days: Annotated[int, Field(ge=1, le=90, description="Days of message rates")] = 14,
) -> Steps[dict[str, Any]]:
    """What the dashboard shows, now: the pipeline by stage, the agents' messages per day
    and how far they got, experiments with each variant's chance to win, agent workload,
    follow-ups due and overdue, the top patterns and the data's volume."""
    org = {"org": principal.org_id}
    position = (yield from feed.page(principal).steps)["next"]
    counts = yield from views.counts(principal).steps
    stages = counts["stages"]
    pipeline = [{"stage": s, **stages.get(s, {"total": 0})}
                for s in (*STAGES, *sorted(set(stages) - set(STAGES)))]  # fmt: skip
    messages = yield Query(QUERIES["messages_by_day"], {**org, "days": days}, fetch="scalars")
    shown = yield Query(QUERIES["experiments_shown"], org, fetch="scalars")
    results = []
    for key in shown:
        results.append((yield from experiments.results(principal, str(key)).steps))
    workload = (yield from views.workload(principal).steps)["items"]
    overdue, today, week = yield Query(QUERIES["follow_ups_due"], org, fetch="one")
    top = graph.ranking(principal, "qualified", order="frequency", limit=8)
    patterns = (yield from top.steps)["items"]
    volume = yield Query(QUERIES["volume"], org, fetch="one")
    return {
        "position": position,
        "pipeline": pipeline,
        "messages": list(messages),
        "experiments": results,
        "workload": list(workload),
        "follow_ups": {"overdue": overdue, "today": today, "this_week": week},
        "patterns": list(patterns),
        "volume": dict(zip(("contacts", "conversations", "messages", "events",
                            "pending_enrichment", "patterns"), volume, strict=True)),
    }  # fmt: skip

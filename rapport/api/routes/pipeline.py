"""The pipeline, due follow-ups, agent workload and interaction analytics."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from rapport import analytics, pipeline
from rapport.api.crud_routes import FILTER_HELP, CursorParam, LimitParam, Page
from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.resources.filters import parse_filter_param

router = APIRouter(tags=["pipeline"], responses=PROBLEMS)
FilterParam = Annotated[str | None, Query(alias="filter", description=FILTER_HELP)]


@router.get("/v1/pipeline", response_model=dict[str, Any], summary="Conversations by stage")
async def counts(ctx: Ctx, filter_text: FilterParam = None) -> Response:
    """Counts by sales_stage x status, over conversations matching the filter."""
    return json_response(
        await ctx.run(pipeline.counts(ctx.principal, parse_filter_param(filter_text)))
    )


@router.get("/v1/follow-ups/due", response_model=Page, summary="Follow-ups due")
async def follow_ups_due(
    ctx: Ctx,
    start: Annotated[str | None, Query(alias="from", description="Default: today 00:00")] = None,
    end: Annotated[str | None, Query(alias="to", description="Default: tomorrow 00:00")] = None,
    overdue: Annotated[bool, Query(description="Also earlier ones still required")] = False,
    agent: Annotated[str | None, Query(description="Only this current_agent")] = None,
    tz: Annotated[str, Query(description="Time zone of 'today'")] = "UTC",
    limit: LimitParam = None,
    cursor: CursorParam = None,
) -> Response:
    """Conversations whose follow-up is due in [from, to), soonest first."""
    return json_response(
        await ctx.run(
            pipeline.follow_ups_due(ctx.principal, start, end, overdue, agent, tz, limit, cursor)
        )
    )


@router.get("/v1/agents/workload", response_model=dict[str, Any], summary="Per-agent workload")
async def workload(
    ctx: Ctx,
    status: Annotated[list[str] | None, Query(description="Conversation status(es)")] = None,
) -> Response:
    """Per agent: conversations held and the oldest updated_at among them."""
    return json_response(await ctx.run(pipeline.workload(ctx.principal, status or ["active"])))


@router.get(
    "/v1/analytics/interactions", response_model=dict[str, Any], summary="Contact analytics"
)
async def interactions(ctx: Ctx, filter_text: FilterParam = None) -> Response:
    """Totals, satisfaction, languages and top intents over interaction summaries."""
    return json_response(
        await ctx.run(analytics.interactions(ctx.principal, parse_filter_param(filter_text)))
    )

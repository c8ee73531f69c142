"""The pipeline, due follow-ups, agent workload and interaction analytics."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from rapport.api.crud_routes import FILTER_HELP, CursorParam, LimitParam, Page
from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.conversations import analytics
from rapport.pipeline import follow_ups, routing, stages, views
from rapport.resources.filters import parse_filter_param

router = APIRouter(tags=["pipeline"], responses=PROBLEMS)
FilterParam = Annotated[str | None, Query(alias="filter", description=FILTER_HELP)]


@router.get("/v1/pipeline", response_model=dict[str, Any], summary="Conversations by stage")
async def counts(ctx: Ctx, filter_text: FilterParam = None) -> Response:
    """Counts by sales_stage x status, over conversations matching the filter."""
    return json_response(
        await ctx.run(views.counts(ctx.principal, parse_filter_param(filter_text)))
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
    """Scheduled follow-ups due in [from, to), soonest first, each with its conversation.

    Covers follow-ups created with POST /v1/follow-ups and those written through a
    conversation's `follow_up` field (seed 000).
    """
    return json_response(
        await ctx.run(follow_ups.due(ctx.principal, start, end, overdue, agent, tz, limit, cursor))
    )


@router.get("/v1/agents/workload", response_model=dict[str, Any], summary="Per-agent workload")
async def workload(
    ctx: Ctx,
    status: Annotated[list[str] | None, Query(description="Conversation status(es)")] = None,
) -> Response:
    """Per agent: conversations held and the oldest updated_at among them."""
    return json_response(await ctx.run(views.workload(ctx.principal, status or ["active"])))


@router.get(
    "/v1/analytics/interactions", response_model=dict[str, Any], summary="Contact analytics"
)
async def interactions(ctx: Ctx, filter_text: FilterParam = None) -> Response:
    """Totals, satisfaction, languages and top intents over interaction summaries."""
    return json_response(
        await ctx.run(analytics.interactions(ctx.principal, parse_filter_param(filter_text)))
    )


@router.post(
    "/v1/conversations/{id}/route", response_model=dict[str, Any], summary="Route a conversation"
)
async def route(
    ctx: Ctx, id: str, body: Annotated[routing.RouteRequest | None, Body()] = None
) -> Response:
    """The supervisor's decision (next stage, role and agent, with the reason) from the stage,
    qualification score, open objections and the org's rules; applied unless ``dry_run``."""
    return json_response(await ctx.run(routing.route(ctx.principal, id, body)))


@router.post(
    "/v1/conversations/{id}/stage", response_model=dict[str, Any], summary="Move to a stage"
)
async def move(ctx: Ctx, id: str, body: Annotated[stages.Move, Body()]) -> Response:
    """Move to an allowed stage (409 lists the allowed ones), recording your reason."""
    return json_response(await ctx.run(stages.move(ctx.principal, id, body)))


@router.get("/v1/conversations/{id}/transitions", response_model=Page, summary="Stage history")
async def transitions(
    ctx: Ctx, id: str, limit: LimitParam = None, cursor: CursorParam = None
) -> Response:
    """Each stage change and hand-off, oldest first: from/to stage and agent, actor, reason,
    at; plus the current ``stage`` and the stages ``allowed_next``."""
    return json_response(await ctx.run(stages.transitions(ctx.principal, id, limit, cursor)))


@router.post("/v1/follow-ups/{id}/done", response_model=dict[str, Any], summary="Mark done")
async def done(
    ctx: Ctx, id: str, body: Annotated[follow_ups.Close | None, Body()] = None
) -> Response:
    """Idempotent: marking a done follow-up done again returns it unchanged."""
    return json_response(await ctx.run(follow_ups.close(ctx.principal, id, "done", body)))


@router.post("/v1/follow-ups/{id}/cancel", response_model=dict[str, Any], summary="Cancel")
async def cancel(
    ctx: Ctx, id: str, body: Annotated[follow_ups.Close | None, Body()] = None
) -> Response:
    """Idempotent: cancelling a cancelled follow-up again returns it unchanged."""
    return json_response(await ctx.run(follow_ups.close(ctx.principal, id, "cancelled", body)))

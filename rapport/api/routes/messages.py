"""Message verbs: full-text search and intent queries."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from rapport.api.crud_routes import FILTER_HELP, CursorParam, LimitParam, Page
from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.conversations import messages
from rapport.resources.filters import parse_filter_param

router = APIRouter(prefix="/v1/messages", tags=["messages"], responses=PROBLEMS)


@router.get("/search", response_model=dict[str, Any], summary="Full-text search over messages")
async def search(
    ctx: Ctx,
    q: Annotated[str, Query(min_length=1, description='Words, "phrases", or, -excluded')],
    filter_text: Annotated[str | None, Query(alias="filter", description=FILTER_HELP)] = None,
    limit: LimitParam = None,
) -> Response:
    """Ranked by ts_rank_cd; each item carries ``rank`` and a highlighted ``snippet``."""
    found = await ctx.run(messages.search(ctx.principal, q, parse_filter_param(filter_text), limit))
    return json_response(found)


@router.get("/by-intent", response_model=Page, summary="Messages with an intent")
async def by_intent(
    ctx: Ctx,
    intent: str,
    min_confidence: Annotated[float, Query(ge=0, le=1)] = 0.0,
    limit: LimitParam = None,
    cursor: CursorParam = None,
) -> Response:
    """Messages classified as ``intent`` with confidence >= ``min_confidence`` (seed 003)."""
    return json_response(
        await ctx.run(messages.by_intent(ctx.principal, intent, min_confidence, limit, cursor))
    )

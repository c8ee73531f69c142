"""Memory verbs: memories as of a moment, and a memory's history.

The other operations on memories are the generic ones (``crud_routes``), backed by the
memory service: create supersedes, PATCH writes a new version, DELETE ends validity.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from rapport.api.crud_routes import FILTER_HELP, ORDER_HELP, CursorParam, LimitParam, Page
from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.memory import memories
from rapport.resources.filters import parse_filter_param

router = APIRouter(prefix="/v1/memories", tags=["memories"], responses=PROBLEMS)

AsOf = Annotated[
    str | None,
    Query(description="ISO date-time: the memories valid then (default: now)",
          examples=["2025-03-01T00:00:00Z"]),
]  # fmt: skip
AllVersions = Annotated[
    bool, Query(description="every version, current and past, instead of one moment")
]


@router.get("", response_model=Page, summary="List memories (now, as of a moment, or all)")
async def list_memories(
    ctx: Ctx,
    filter_text: Annotated[str | None, Query(alias="filter", description=FILTER_HELP)] = None,
    as_of: AsOf = None,
    all_versions: AllVersions = False,
    order_by: Annotated[str | None, Query(description=ORDER_HELP)] = None,
    limit: LimitParam = None,
    cursor: CursorParam = None,
) -> Response:
    """What we knew: ``?filter={"contact_id": ..., "key": "budget"}&as_of=2025-03-01``."""
    page = await ctx.run(
        memories.recall(
            ctx.principal, parse_filter_param(filter_text), as_of, all_versions, order_by,
            limit, cursor,
        )
    )  # fmt: skip
    return json_response(page)


@router.get("/count", response_model=dict[str, int], summary="Count memories")
async def count_memories(
    ctx: Ctx,
    filter_text: Annotated[str | None, Query(alias="filter", description=FILTER_HELP)] = None,
    as_of: AsOf = None,
    all_versions: AllVersions = False,
) -> Response:
    total = await ctx.run(
        memories.count(ctx.principal, parse_filter_param(filter_text), as_of, all_versions)
    )
    return json_response({"count": total})


@router.get("/{id}/history", response_model=dict[str, Any], summary="Every change to a memory")
async def history(ctx: Ctx, id: str) -> Response:
    """ADD, then an UPDATE per new version, then DELETE if it was deleted; each with the
    actor (``extracted_by`` or ``ended_by``), the time, and the old and new value."""
    return json_response(await ctx.run(memories.history(ctx.principal, id)))

"""Search across messages, memories and knowledge; enrichment status and flush."""

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Body, Response

from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.memory import enrichment
from rapport.retrieval import search

router = APIRouter(tags=["search"], responses=PROBLEMS)


@router.post("/v1/search", response_model=dict[str, Any], summary="Search by meaning and words")
async def search_everything(ctx: Ctx, body: Annotated[search.SearchRequest, Body()]) -> Response:
    """Ranked ``results``: each has ``id`` (a message's id for messages), ``type``, ``score``,
    ``text``/``content``, the ``retrievers`` that found it and the whole record."""
    vector = None
    if body.mode != "keyword":
        vector = await asyncio.to_thread(ctx.enrichment.embed_query, body.query)
    return json_response(await ctx.run(search.search(ctx.principal, body, vector)))


@router.get("/v1/enrichment", response_model=dict[str, int], summary="Rows waiting for enrichment")
async def pending(ctx: Ctx) -> Response:
    return json_response(await ctx.run(enrichment.pending(ctx.principal.org_id)))


@router.post(
    "/v1/enrichment/flush", response_model=dict[str, Any], summary="Enrich everything pending"
)
async def flush(ctx: Ctx) -> Response:
    """Returns once every message, memory and knowledge chunk of the org stored before the
    call has its extraction and embedding (what a script or test waits for)."""
    done = await asyncio.to_thread(ctx.enrichment.flush, ctx.principal.org_id)
    return json_response(done.as_dict())

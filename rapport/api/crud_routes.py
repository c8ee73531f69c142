"""The nine operations as REST routes, generated for each resource.

POST   /v1/{resource}            create (201; 200 with the stored row on a retry)
GET    /v1/{resource}/{id}       get
PATCH  /v1/{resource}/{id}       update
DELETE /v1/{resource}/{id}       delete (204)
HEAD   /v1/{resource}/{id}       exists (200 or 404)
GET    /v1/{resource}            list: ?filter=JSON&order_by=-updated_at&limit=50&cursor=C
GET    /v1/{resource}/count      count: ?filter=JSON
POST   /v1/{resource}/bulk       bulk create, all or nothing: {"items": [...]} -> {"ids"}
PATCH  /v1/{resource}/bulk       bulk update: {"filter": {...}, "set": {...}} -> {"updated"}
"""

# No `from __future__ import annotations`: FastAPI must see the per-resource model classes.

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.resources import crud
from rapport.resources.catalog import Operations
from rapport.resources.filters import parse_filter_param

FILTER_HELP = (
    'Mongo-style JSON, e.g. {"status": "active", "updated_at": {"$gte": "2025-01-01"}}. '
    "Operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $contains, $and, $or."
)
ORDER_HELP = "Comma-separated fields, '-' for descending, e.g. -updated_at,name"


class Page(BaseModel):
    items: list[dict[str, Any]]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null at end")


class Count(BaseModel):
    count: int


class Ids(BaseModel):
    ids: list[str]


class Updated(BaseModel):
    updated: int


FilterParam = Annotated[str | None, Query(description=FILTER_HELP, alias="filter")]
OrderParam = Annotated[str | None, Query(description=ORDER_HELP)]
LimitParam = Annotated[int | None, Query(ge=1, le=1000, description="1-1000, default 50")]
CursorParam = Annotated[str | None, Query(description="next_cursor of the previous page")]


def resource_router(ops: Operations) -> APIRouter:
    """Routes for the nine operations of one resource."""
    resource = ops.resource
    name = resource.name
    Create: Any = resource.create_model
    Patch: Any = resource.patch_model
    Out: Any = resource.model
    title = Out.__name__
    BulkCreate: Any = create_model(
        f"{title}BulkCreate",
        __config__=ConfigDict(extra="forbid"),
        items=(Annotated[list[Create], Field(max_length=crud.MAX_BULK)], ...),
    )
    BulkUpdate: Any = create_model(
        f"{title}BulkUpdate",
        __config__=ConfigDict(extra="forbid"),
        filter=(dict[str, Any], Field(description=FILTER_HELP + " Use {} for every row.")),
        set=(Patch, ...),
    )
    router = APIRouter(prefix=f"/v1/{name}", tags=[name], responses=PROBLEMS)

    @router.get("/count", response_model=Count, summary=f"Count {name}")
    async def count(ctx: Ctx, filter_text: FilterParam = None) -> Response:
        total = await ctx.run(ops.count(ctx.principal, parse_filter_param(filter_text)))
        return json_response({"count": total})

    @router.post("/bulk", status_code=201, response_model=Ids, summary=f"Create many {name}")
    async def bulk_create(
        ctx: Ctx,
        body: Annotated[BulkCreate, Body()],
    ) -> Response:
        items = list(body.items)  # type: ignore[attr-defined]
        ids = await ctx.run(ops.bulk_create(ctx.principal, items))
        return json_response({"ids": ids}, 201)

    @router.patch("/bulk", response_model=Updated, summary=f"Update many {name}")
    async def bulk_update(
        ctx: Ctx,
        body: Annotated[BulkUpdate, Body()],
    ) -> Response:
        changed = await ctx.run(
            ops.bulk_update(ctx.principal, body.filter, body.set)  # type: ignore[attr-defined]
        )
        return json_response({"updated": changed})

    @router.post(
        "",
        status_code=201,
        response_model=Out,
        summary=f"Create a {resource.singular}",
        responses={200: {"model": Out, "description": "Already stored (idempotent retry)"}},
    )
    async def create(
        ctx: Ctx,
        body: Annotated[Create, Body()],
    ) -> Response:
        doc, created = await ctx.run(ops.create(ctx.principal, body))
        return json_response(doc, 201 if created else 200)

    @router.get("", response_model=Page, summary=f"List {name}")
    async def list_(
        ctx: Ctx,
        filter_text: FilterParam = None,
        order_by: OrderParam = None,
        limit: LimitParam = None,
        cursor: CursorParam = None,
    ) -> Response:
        page = await ctx.run(
            ops.list_page(ctx.principal, parse_filter_param(filter_text), order_by, limit, cursor)
        )
        return json_response(page)

    @router.get("/{id}", response_model=Out, summary=f"Get a {resource.singular}")
    async def get(ctx: Ctx, id: str) -> Response:
        return json_response(await ctx.run(ops.get(ctx.principal, id)))

    @router.head("/{id}", summary=f"Does this {resource.singular} exist?")
    async def exists(ctx: Ctx, id: str) -> Response:
        found = await ctx.run(ops.exists(ctx.principal, id))
        return Response(status_code=200 if found else 404)

    @router.patch("/{id}", response_model=Out, summary=f"Update a {resource.singular}")
    async def update(
        ctx: Ctx,
        id: str,
        body: Annotated[Patch, Body()],
    ) -> Response:
        return json_response(await ctx.run(ops.update(ctx.principal, id, body)))

    @router.delete("/{id}", status_code=204, summary=f"Delete a {resource.singular}")
    async def delete(ctx: Ctx, id: str) -> Response:
        await ctx.run(ops.delete(ctx.principal, id))
        return Response(status_code=204)

    return router

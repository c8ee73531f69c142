"""The caller's organization and its API keys."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from rapport.api.deps import Ctx, KeyCache
from rapport.api.responses import PROBLEMS, json_response
from rapport.tenancy import api_keys, orgs
from rapport.tenancy import settings as org_settings
from rapport.tenancy.principal import Role

router = APIRouter(prefix="/v1", tags=["organization"], responses=PROBLEMS)


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role = "operator"
    name: Annotated[str, Field(max_length=200)] | None = None


@router.get("/org", response_model=dict[str, Any], summary="Your organization")
async def org(
    ctx: Ctx,
) -> Response:
    found = await ctx.run(orgs.get_org(ctx.principal))
    return json_response({**found, "role": ctx.principal.role})


@router.patch("/org", response_model=dict[str, Any], summary="Change your organization's settings")
async def update_org(ctx: Ctx, body: Annotated[org_settings.SettingsPatch, Body()]) -> Response:
    """Admins only. ``{"settings": {...}}`` merges into the settings (``null`` removes a key):
    ``pipeline.qualified_threshold`` and ``pipeline.rules`` (routing), ``transfer``
    (``min_engagement``, ``min_phase``), ``calls.default_region``, ``intents``."""
    found = await ctx.run(org_settings.update(ctx.principal, body))
    return json_response({**found, "role": ctx.principal.role})


@router.post("/keys", status_code=201, response_model=dict[str, Any], summary="Create an API key")
async def create_key(ctx: Ctx, body: Annotated[KeyCreate, Body()]) -> Response:
    """Admins only. The response carries the secret ``key``; it is never shown again."""
    record, secret = await ctx.run(api_keys.create_key_as(ctx.principal, body.role, body.name))
    return json_response({**record, "key": secret}, 201)


@router.get("/keys", response_model=dict[str, Any], summary="List API keys")
async def list_keys(
    ctx: Ctx,
) -> Response:
    return json_response({"items": await ctx.run(api_keys.list_keys(ctx.principal))})


@router.delete("/keys/{id}", response_model=dict[str, Any], summary="Revoke an API key")
async def revoke_key(ctx: Ctx, request: Request, id: str) -> Response:
    record = await ctx.run(api_keys.revoke_key(ctx.principal, id))
    cache: KeyCache = request.app.state.key_cache
    cache.forget_org_keys(record["id"])
    return json_response(record)

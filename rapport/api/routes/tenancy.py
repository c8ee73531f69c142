"""The caller's organization and its API keys."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from rapport import tenancy
from rapport.api.deps import DB, Auth, KeyCache
from rapport.api.responses import PROBLEMS, json_response
from rapport.tenancy import Role

router = APIRouter(prefix="/v1", tags=["organization"], responses=PROBLEMS)


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Role = "operator"
    name: Annotated[str, Field(max_length=200)] | None = None


@router.get("/org", response_model=dict[str, Any], summary="Your organization")
async def org(principal: Auth, db: DB) -> Response:
    found = await db.run(tenancy.get_org(principal))
    return json_response({**found, "role": principal.role})


@router.post("/keys", status_code=201, response_model=dict[str, Any], summary="Create an API key")
async def create_key(principal: Auth, db: DB, body: Annotated[KeyCreate, Body()]) -> Response:
    """Admins only. The response carries the secret ``key``; it is never shown again."""
    record, secret = await db.run(tenancy.create_key_as(principal, body.role, body.name))
    return json_response({**record, "key": secret}, 201)


@router.get("/keys", response_model=dict[str, Any], summary="List API keys")
async def list_keys(principal: Auth, db: DB) -> Response:
    return json_response({"items": await db.run(tenancy.list_keys(principal))})


@router.delete("/keys/{id}", response_model=dict[str, Any], summary="Revoke an API key")
async def revoke_key(principal: Auth, db: DB, request: Request, id: str) -> Response:
    record = await db.run(tenancy.revoke_key(principal, id))
    cache: KeyCache = request.app.state.key_cache
    cache.forget_org_keys(record["id"])
    return json_response(record)

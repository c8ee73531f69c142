"""Agents an org may use, and each agent's state per subject (contact or operator user)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response

from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.pipeline import agent_state, agents
from rapport.pipeline.agent_state import AgentState, StateWrite

router = APIRouter(prefix="/v1/agents", tags=["agents"], responses=PROBLEMS)


@router.get("/available", response_model=dict[str, Any], summary="Agents your org may use")
async def available(
    ctx: Ctx, role: Annotated[str | None, Query(description="Only this role")] = None
) -> Response:
    """Active agents: your own (not hidden), public ones, and private ones shared with you."""
    return json_response(await ctx.run(agents.available(ctx.principal, role)))


@router.put(
    "/{agent_id}/state/{subject_id}",
    status_code=201,
    response_model=AgentState,
    summary="Write an agent's state about a contact or user",
    responses={
        200: {"model": AgentState, "description": "Replaced the state (or a retried write)"},
        409: {"description": "The version sent is not the stored one; read it again"},
    },
)
async def put_state(
    ctx: Ctx, agent_id: str, subject_id: str, body: Annotated[StateWrite, Body()]
) -> Response:
    """``{"state": {...}, "version": n}`` where n is the version you read (0 for none).
    201 creates version 1; 200 replaces version n with n + 1; 409 when n is stale."""
    doc, created = await ctx.run(agent_state.put(ctx.principal, agent_id, subject_id, body))
    return json_response(doc, 201 if created else 200)


@router.get(
    "/{agent_id}/state/{subject_id}", response_model=AgentState, summary="Read an agent's state"
)
async def get_state(ctx: Ctx, agent_id: str, subject_id: str) -> Response:
    return json_response(await ctx.run(agent_state.get(ctx.principal, agent_id, subject_id)))


@router.delete("/{agent_id}/state/{subject_id}", status_code=204, summary="Forget an agent's state")
async def delete_state(ctx: Ctx, agent_id: str, subject_id: str) -> Response:
    await ctx.run(agent_state.delete(ctx.principal, agent_id, subject_id))
    return Response(status_code=204)


@router.get(
    "/states/{subject_id}",
    response_model=dict[str, Any],
    summary="Every agent's state on one subject",
)
async def subject_states(ctx: Ctx, subject_id: str) -> Response:
    return json_response(await ctx.run(agent_state.for_subject(ctx.principal, subject_id)))

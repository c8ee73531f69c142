"""Contact verbs: latest conversation, sessions in a window, top contacts."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from rapport.api.crud_routes import CursorParam, LimitParam, Page
from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.conversations import contacts, conversations
from rapport.conversations.conversations import Conversation

router = APIRouter(prefix="/v1/contacts", tags=["contacts"], responses=PROBLEMS)


@router.get("/top", response_model=Page, summary="Contacts with the most conversations")
async def top(
    ctx: Ctx,
    min_conversations: Annotated[int, Query(ge=0)] = 0,
    limit: LimitParam = None,
    cursor: CursorParam = None,
) -> Response:
    """Interaction summaries ordered by total_conversations, largest first (seed 003)."""
    return json_response(
        await ctx.run(contacts.top(ctx.principal, min_conversations, limit, cursor))
    )


@router.get(
    "/{id}/conversations/latest",
    response_model=Conversation,
    summary="The contact's most recent conversation",
)
async def latest_conversation(ctx: Ctx, id: str) -> Response:
    """Seed 000's first query pattern, served by conversations_contact_recent_idx."""
    return json_response(await ctx.run(conversations.latest_for_contact(ctx.principal, id)))


@router.get("/{id}/sessions", response_model=Page, summary="The contact's sessions in a window")
async def sessions(
    ctx: Ctx,
    id: str,
    start: Annotated[
        str | None, Query(alias="from", description="ISO date-time, inclusive")
    ] = None,
    end: Annotated[str | None, Query(alias="to", description="ISO date-time, exclusive")] = None,
    limit: LimitParam = None,
    cursor: CursorParam = None,
) -> Response:
    """Conversations that started in [from, to), newest first (seed 003's timeline)."""
    return json_response(
        await ctx.run(conversations.sessions(ctx.principal, id, start, end, limit, cursor))
    )

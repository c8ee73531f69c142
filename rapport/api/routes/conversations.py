"""Conversation verbs: append messages, read the history, get seed 000's whole document."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from rapport.api.crud_routes import CursorParam, Ids, LimitParam, Page
from rapport.api.deps import Ctx
from rapport.api.responses import PROBLEMS, json_response
from rapport.conversations import documents, messages
from rapport.conversations.messages import Message, MessageIn

router = APIRouter(prefix="/v1/conversations", tags=["conversations"], responses=PROBLEMS)


class MessageBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: Annotated[list[MessageIn], Field(max_length=10_000)]


@router.post(
    "/{id}/messages",
    status_code=201,
    response_model=Message,
    summary="Append a message",
    responses={200: {"model": Message, "description": "Retried delivery: the first message"}},
)
async def append_message(ctx: Ctx, id: str, body: Annotated[MessageIn, Body()]) -> Response:
    """Store one message durably. The conversation's ``updated_at`` and ``message_count``,
    the contact's ``last_interaction`` and the interaction summary change in the same
    transaction. A retry with the same ``external_id`` returns the first message (200).
    Concurrent appends share statements (see ``rapport.api.batching``)."""
    item = messages.addressed(ctx.principal, id, body)
    doc, created = await ctx.appender.append(ctx.principal, item)
    ctx.enrichment.written(ctx.principal.org_id)
    return json_response(doc, 201 if created else 200)


@router.post(
    "/{id}/messages/bulk", status_code=201, response_model=Ids, summary="Append many messages"
)
async def append_messages(ctx: Ctx, id: str, body: Annotated[MessageBatch, Body()]) -> Response:
    """Append a batch to one conversation, all or nothing; ids in the order sent."""
    ids = await ctx.run(messages.append_many(ctx.principal, id, list(body.items)))
    ctx.enrichment.written(ctx.principal.org_id)
    return json_response({"ids": ids}, 201)


@router.get("/{id}/messages", response_model=Page, summary="A conversation's messages in order")
async def history(
    ctx: Ctx,
    id: str,
    role: Annotated[
        Literal["user", "agent", "assistant", "system"] | None, Query(description="Only this role")
    ] = None,
    limit: LimitParam = None,
    cursor: CursorParam = None,
) -> Response:
    return json_response(await ctx.run(messages.history(ctx.principal, id, role, limit, cursor)))


@router.get("/{id}/document", response_model=dict[str, Any], summary="Seed 000's whole document")
async def document(ctx: Ctx, id: str) -> Response:
    """The conversation with its contact (user_info), history, memories, qualification,
    objections, follow-up, metadata and timestamps, in one read."""
    return json_response(await ctx.run(documents.document(ctx.principal, id)))

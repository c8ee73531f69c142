"""``GET /v1/changes/stream``: the org's changes as server-sent events (sse-starlette).

Each event's ``id`` is its position and its ``data`` the change (kind, op, count, ids,
at), so a browser's EventSource, or any client sending ``Last-Event-ID``, resumes where it
left off. The stream starts at ``?after=``, the ``Last-Event-ID`` header, or now; it reads
the outbox whenever the org's writes commit (``listener``), at least every few seconds
otherwise, and ends after ``?seconds=`` (default 300), telling the client to come back at
once: long-lived connections end cleanly and nothing between two of them is lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from rapport.api.deps import Ctx
from rapport.changes import feed
from rapport.changes.listener import Listener

router = APIRouter(tags=["changes"])
PAGE = 500
IDLE_READ = 5.0  # seconds between reads when no notification came (a lost one, say)

EXAMPLE = (
    'id: 1234\ndata: {"id":"1234","kind":"messages","op":"insert","count":1,'
    '"ids":["0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"],"at":"2026-12-08T10:00:00+00:00"}\n\n'
)


def listener_of(request: Request) -> Listener:
    """The process's listener, made on the first stream."""
    state = request.app.state
    if getattr(state, "changes", None) is None:
        state.changes = Listener(state.database_url)
    listener: Listener = state.changes
    return listener


@router.get(
    "/v1/changes/stream",
    summary="The org's changes, live, as server-sent events",
    response_class=EventSourceResponse,
    responses={200: {"description": "An event per change; its id is its position",
                     "content": {"text/event-stream": {"schema": {"type": "string"},
                                                       "example": EXAMPLE}}},
               400: {"description": "A position that is not a change id (after, Last-Event-ID)"},
               401: {"description": "No API key or token, or one that is not valid"}},
)  # fmt: skip
async def stream(
    request: Request,
    context: Ctx,
    after: Annotated[feed.Position, Query(pattern=feed.PATTERN)] = None,
    seconds: Annotated[int, Query(ge=1, le=3600, description="End after; clients reconnect")] = 300,
) -> EventSourceResponse:
    """Server-sent events, one per change of the org (each org sees only its own): resume
    with ``Last-Event-ID`` or ``?after=`` (the last id seen), or start now. Readable by
    any role."""
    principal = context.principal
    position = request.headers.get("last-event-id") or after
    if feed.parse(position) is None:  # a bad position is a 400 before the stream opens
        position = (await context.database.run(feed.page(principal)))["next"]
    listener = listener_of(request)

    async def events() -> AsyncIterator[ServerSentEvent]:
        nonlocal position
        wake = listener.subscribe(principal.org_id)
        deadline = time.monotonic() + seconds
        try:
            yield ServerSentEvent(comment="open", retry=1000)
            while time.monotonic() < deadline:
                wake.clear()
                page: dict[str, Any] = await context.database.run(
                    feed.page(principal, after=position, limit=PAGE)
                )
                for change in page["items"]:
                    yield ServerSentEvent(data=orjson.dumps(change).decode(), id=change["id"])
                position = page["next"]
                if len(page["items"]) == PAGE:
                    continue
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=min(IDLE_READ, left))
        finally:
            listener.unsubscribe(principal.org_id, wake)

    return EventSourceResponse(events(), ping=15, headers={"Cache-Control": "no-store"})

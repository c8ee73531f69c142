"""Refusing oversize request bodies before they are read into memory, in a way every client
can read.

A server that answers 413 while the client is still sending, and closes, resets the
connection under the client's feet: urllib, httpx and curl then report a broken pipe or a
reset, never the 413. So the rest of the body is read and thrown away (up to
``DRAIN_BYTES``, never kept) before the 413 problem document is sent, with
``Connection: close``. Bodies beyond even that bound are cut off at once.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rapport import errors

DRAIN_BYTES = 256 * 1024 * 1024  # read and discarded at most, to let the client hear the 413


class BodyLimit:
    """ASGI middleware: 413 for bodies over ``max_bytes``, declared or streamed."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    def _too_large(self) -> errors.PayloadTooLarge:
        return errors.PayloadTooLarge(
            f"the request body is larger than {self.max_bytes} bytes; send smaller batches "
            "(or raise RAPPORT_MAX_BODY_BYTES on the server)",
            max_bytes=self.max_bytes,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                if int(value) <= DRAIN_BYTES:
                    await _drain(receive, 0)
                await self._refuse(send)
                return
        received = 0
        finished = False

        async def limited() -> Message:
            nonlocal received, finished
            message = await receive()
            received += len(message.get("body", b""))
            finished = not message.get("more_body", False)
            if received > self.max_bytes:
                if not finished:
                    await _drain(receive, received)
                    finished = True
                raise self._too_large()
            return message

        await self.app(scope, limited, send)

    async def _refuse(self, send: Send) -> None:
        problem: dict[str, Any] = self._too_large().to_problem()
        body = orjson.dumps(problem)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/problem+json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive, already: int) -> None:
    """Read the rest of the body and drop it, up to ``DRAIN_BYTES`` in all."""
    read = already
    while read <= DRAIN_BYTES:
        message = await receive()
        if message["type"] != "http.request":
            return  # the client went away
        read += len(message.get("body", b""))
        if not message.get("more_body", False):
            return

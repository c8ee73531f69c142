"""Refusing oversize requests: headers over ``MAX_HEADER_BYTES`` (431) and bodies before they
are read into memory (413), in a way every client can read.

uvicorn's parser (httptools) sets no bound on headers of its own, so a client could send
megabytes of them to every route; they are refused here before any route (or key lookup)
runs.

A server that answers 413 while the client is still sending, and closes, resets the
connection under the client's feet: urllib, httpx and curl then report a broken pipe or a
reset, never the 413. So the rest of the body is read and thrown away (up to
``DRAIN_BYTES``, never kept) before the 413 problem document is sent, with
``Connection: close``. Bodies beyond even that bound are cut off at once.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from rapport import errors

DRAIN_BYTES = 256 * 1024 * 1024  # read and discarded at most, to let the client hear the 413
MAX_HEADER_BYTES = 16 * 1024  # names and values of every header, together (nginx: 4 x 8 KiB)


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
        if sum(len(name) + len(value) for name, value in scope["headers"]) > MAX_HEADER_BYTES:
            await _refuse(send, errors.HeadersTooLarge(
                f"the request's headers are larger than {MAX_HEADER_BYTES} bytes together; "
                "send fewer or shorter ones"))  # fmt: skip
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                if int(value) <= DRAIN_BYTES:
                    await _drain(receive, 0)
                await _refuse(send, self._too_large())
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


async def _refuse(send: Send, error: errors.RapportError) -> None:
    """Answer ``error`` as a problem document and close the connection."""
    body = orjson.dumps(error.to_problem())
    await send(
        {
            "type": "http.response.start",
            "status": error.status,
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

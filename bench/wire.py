"""Minimal HTTP/1.1 keep-alive clients: one blocking, one on asyncio streams.

A general client (httpx) spends more CPU per request than a small Rapport call takes on the
server, and on a 2-core machine that CPU is taken from the server being measured. These
clients write a fixed request head, read headers up to the blank line and then exactly
Content-Length bytes, and nothing more: enough for Rapport's JSON responses, which always
carry a Content-Length.
"""

from __future__ import annotations

import asyncio
import socket

_END = b"\r\n\r\n"


def request_head(method: str, path: str, key: str, length: int | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: bench", f"Authorization: Bearer {key}"]
    if length is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {length}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def parse_head(head: bytes) -> tuple[int, int]:
    """(status, content length) of a response head (without the blank line)."""
    status_line, *headers = head.split(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    for header in headers:
        name, _, value = header.partition(b":")
        if name.strip().lower() == b"content-length":
            return status, int(value)
    raise ValueError(f"response without Content-Length: {head[:200]!r}")


def _message(method: str, path: str, key: str, body: bytes | None) -> bytes:
    head = request_head(method, path, key, None if body is None else len(body))
    return head + (body or b"")


class HttpConnection:
    """One blocking keep-alive connection (latency measurements, replays)."""

    def __init__(self, host: str, port: int, key: str) -> None:
        self.key = key
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        self.sock.sendall(_message(method, path, self.key, body))
        while (end := self.buffer.find(_END)) < 0:
            self._fill()
        status, length = parse_head(self.buffer[:end])
        start = end + len(_END)
        while len(self.buffer) < start + length:
            self._fill()
        payload = self.buffer[start : start + length]
        self.buffer = self.buffer[start + length :]
        return status, payload

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        self.buffer += chunk

    def close(self) -> None:
        self.sock.close()


class AsyncHttpConnection:
    """One keep-alive connection on asyncio streams (the load generator's)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, key: str):
        self.reader = reader
        self.writer = writer
        self.key = key

    @classmethod
    async def open(cls, host: str, port: int, key: str) -> AsyncHttpConnection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, key)

    async def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        self.writer.write(_message(method, path, self.key, body))
        head = await self.reader.readuntil(_END)
        status, length = parse_head(head[: -len(_END)])
        return status, await self.reader.readexactly(length)

    async def close(self) -> None:
        self.writer.close()
        await self.writer.wait_closed()

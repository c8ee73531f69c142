"""Load generator for section 6, run as its own process: ``python bench/loadgen.py < spec``.

It must not share a GIL with what it measures: in the bench process it would steal the
server's or psycopg's CPU time and turn a throughput test into a scheduling test. It keeps
``connections`` keep-alive connections busy, each sending one append after another, for
``warmup + seconds``; only requests started after the warm-up count.

Two modes, same loop, same messages:

- ``http``: POST /v1/conversations/{id}/messages to a Rapport server, with a unique
  ``external_id`` per message (the idempotency key);
- ``sql``: the raw psycopg baseline, the equivalent single-row INSERT ... ON CONFLICT DO
  NOTHING on the same number of connections (autocommit, one transaction per message).

The spec is JSON on stdin; the result is JSON on stdout: rate, latency percentiles, status
counts, and a sample of created (conversation, external_id) pairs for the replay check.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson
import psycopg
import uuid_utils

import baseline
from timing import Summary
from wire import AsyncHttpConnection

MESSAGE = {
    "role": "user",
    "content": "Hi, we need 400 boxes for 10 inch pizzas delivered every week",
    "language": "en",
    "intent": "order_placement",
    "confidence": 0.95,
}


def message_body(external_id: str) -> bytes:
    return orjson.dumps({"external_id": external_id, **MESSAGE})


def append_params(
    org_id: str, conversation_id: str, contact_id: str, external_id: str
) -> tuple[Any, ...]:
    """APPEND_IDEMPOTENT's parameters for the same message the HTTP mode posts."""
    return (
        org_id,
        str(uuid_utils.uuid7()),
        conversation_id,
        contact_id,
        external_id,
        MESSAGE["role"],
        MESSAGE["content"],
        MESSAGE["language"],
        MESSAGE["intent"],
        MESSAGE["confidence"],
    )


class Sender(Protocol):
    async def send(self, conversation_id: str, contact_id: str, external_id: str) -> int: ...
    async def close(self) -> None: ...


class HttpSender:
    """Appends over REST; the outcome is the HTTP status (201 new, 200 retry)."""

    def __init__(self, connection: AsyncHttpConnection) -> None:
        self.connection = connection

    @classmethod
    async def open(cls, spec: dict[str, Any]) -> HttpSender:
        return cls(await AsyncHttpConnection.open(spec["host"], spec["port"], spec["key"]))

    async def send(self, conversation_id: str, contact_id: str, external_id: str) -> int:
        path = f"/v1/conversations/{conversation_id}/messages"
        status, _ = await self.connection.request("POST", path, message_body(external_id))
        return status

    async def close(self) -> None:
        await self.connection.close()


class SqlSender:
    """The raw baseline; reports 201 when a row was inserted and 200 when it was skipped."""

    def __init__(self, conn: psycopg.AsyncConnection[Any], org_id: str) -> None:
        self.conn = conn
        self.org_id = org_id

    @classmethod
    async def open(cls, spec: dict[str, Any]) -> SqlSender:
        conn = await psycopg.AsyncConnection.connect(spec["database_url"], autocommit=True)
        return cls(conn, spec["org_id"])

    async def send(self, conversation_id: str, contact_id: str, external_id: str) -> int:
        params = append_params(self.org_id, conversation_id, contact_id, external_id)
        cursor = await self.conn.execute(baseline.APPEND_IDEMPOTENT, params)
        return 201 if cursor.rowcount == 1 else 200

    async def close(self) -> None:
        await self.conn.close()


@dataclass
class Tally:
    """What one connection saw."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    created_total: int = 0  # 201s including the warm-up: rows that must now be stored
    sent_total: int = 0  # every append, warm-up included (CPU is measured over all)
    sample: list[tuple[str, str]] = field(default_factory=list)
    last_end: float = 0.0


async def drive(
    sender: Sender, spec: dict[str, Any], index: int, warm: float, deadline: float
) -> Tally:
    """One connection's loop: append, append, append ... until the deadline."""
    targets = spec["targets"]
    keep = spec["sample_per_connection"]
    tally = Tally()
    clock = time.perf_counter
    sent = 0
    while (started := clock()) < deadline:
        conversation_id, contact_id = targets[(index + sent * spec["connections"]) % len(targets)]
        external_id = f"{spec['run_id']}-{index}-{sent}"
        status = await sender.send(conversation_id, contact_id, external_id)
        ended = clock()
        sent += 1
        tally.sent_total += 1
        tally.created_total += status == 201
        if started < warm:
            continue
        tally.latencies.append(ended - started)
        tally.statuses[status] += 1
        tally.last_end = ended
        if status == 201 and len(tally.sample) < keep:
            tally.sample.append((conversation_id, external_id))
    return tally


async def connection(spec: dict[str, Any], index: int, warm: float, deadline: float) -> Tally:
    opener = HttpSender.open if spec["mode"] == "http" else SqlSender.open
    sender = await opener(spec)
    try:
        return await drive(sender, spec, index, warm, deadline)
    finally:
        await sender.close()


def merge(tallies: list[Tally], warm: float) -> dict[str, Any]:
    latencies = [x for t in tallies for x in t.latencies]
    statuses: Counter[int] = Counter()
    for t in tallies:
        statuses.update(t.statuses)
    elapsed = max((t.last_end for t in tallies), default=warm) - warm
    summary = Summary.of(latencies)
    return {
        "requests": len(latencies),
        "rate": len(latencies) / elapsed if elapsed > 0 else 0.0,
        "p50": summary.p50,
        "p95": summary.p95,
        "p99": summary.p99,
        "statuses": {str(k): v for k, v in statuses.items()},
        "created_total": sum(t.created_total for t in tallies),
        "appends_total": sum(t.sent_total for t in tallies),
        "sample": [pair for t in tallies for pair in t.sample],
    }


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    warm = start + spec["warmup"]
    deadline = warm + spec["seconds"]
    tallies = await asyncio.gather(
        *(connection(spec, i, warm, deadline) for i in range(spec["connections"]))
    )
    return merge(list(tallies), warm)


def main() -> None:
    spec = orjson.loads(sys.stdin.buffer.read())
    runner: Any = asyncio.run
    with contextlib.suppress(ImportError):  # uvloop: a lighter client, more CPU for the server
        import uvloop

        runner = uvloop.run
    sys.stdout.buffer.write(orjson.dumps(runner(run(spec))))


if __name__ == "__main__":
    main()

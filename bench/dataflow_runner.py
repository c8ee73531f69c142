"""Section 8's measurement inside an interpreter that has Kailash DataFlow installed.

Run by ``dataflow_bench`` as ``PYTHON bench/dataflow_runner.py < spec``; it imports only the
standard library and ``dataflow``, so it runs in a separate virtualenv and DataFlow never
becomes a dependency of Rapport. It defines seed 003's ConversationMessage model, times
``db.express.bulk_create`` of 1,000 messages and ``db.express.read`` of random ids (query
cache off: Rapport has none, and a cache hit would not measure the store), and prints the
samples (seconds) as JSON to the file the spec names.

DataFlow's URL parser lowercases the host and does not percent-decode it, so it cannot
name the embedded server's Unix-socket directory; the runner hands it the directory
directly (the ``socket_dir`` shim below). Nothing else of DataFlow is changed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import sys
import time
import uuid
from datetime import datetime, timezone
from typing import Any


def _point_at_socket(socket_dir: str) -> None:
    from dataflow.adapters.connection_parser import ConnectionParser

    parse = ConnectionParser.parse_connection_string

    def with_socket(url: str) -> dict[str, Any]:
        components: dict[str, Any] = parse(url)
        components["host"] = socket_dir
        return components

    ConnectionParser.parse_connection_string = staticmethod(with_socket)


def _messages(count: int) -> list[dict[str, Any]]:
    # DataFlow maps datetime to TIMESTAMP (without time zone): send naive UTC.
    now = datetime.now(timezone.utc).replace(tzinfo=None)  # noqa: UP017 - any Python
    return [
        {
            "id": str(uuid.uuid4()),
            "session_id": "bench-session",
            "role": "user" if i % 2 == 0 else "assistant",
            "content": "Hi, we need 400 boxes for 10 inch pizzas delivered every week",
            "language": "en",
            "intent": "order_placement",
            "confidence": 0.95,
            "pii_scrubbed": False,
            "timestamp": now,
        }
        for i in range(count)
    ]


async def measure(spec: dict[str, Any]) -> dict[str, Any]:
    from dataflow import DataFlow

    db = DataFlow(spec["url"], cache_enabled=False, enable_model_persistence=False)

    @db.model
    class ConversationMessage:
        id: str
        session_id: str
        role: str
        content: str
        language: str
        intent: str
        confidence: float
        pii_scrubbed: bool
        timestamp: datetime

    await db.initialize()
    bulk, ids = [], []
    for run in range(spec["warmup"] + spec["bulk_runs"]):
        batch = _messages(1000)
        started = time.perf_counter()
        result = await db.express.bulk_create("ConversationMessage", batch)
        elapsed = time.perf_counter() - started
        if not result.get("success", True):
            raise RuntimeError(f"bulk_create failed: {str(result)[:500]}")
        ids += [m["id"] for m in batch]
        if run >= spec["warmup"]:
            bulk.append(elapsed)
    rng = random.Random(5)
    reads = []
    for _ in range(spec["reads"]):
        key = rng.choice(ids)
        started = time.perf_counter()
        found = await db.express.read("ConversationMessage", key)
        reads.append(time.perf_counter() - started)
        if not found:
            raise RuntimeError(f"read {key}: not found")
    await db.close_async()
    return {"bulk": bulk, "reads": reads, "table": "conversation_messages"}


def main() -> None:
    logging.disable(logging.WARNING)  # DataFlow logs every call at INFO/WARNING
    spec = json.loads(sys.stdin.read())
    _point_at_socket(spec["socket_dir"])
    result = asyncio.run(measure(spec))
    with open(spec["out"], "w") as out:  # not stdout: a library may print there
        json.dump(result, out)


if __name__ == "__main__":
    main()

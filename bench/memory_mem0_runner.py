"""Section 3's Mem0 side, run inside an interpreter that has mem0ai installed.

Started by ``memory_mem0`` as ``PYTHON bench/memory_mem0_runner.py``; it imports only the
standard library and ``mem0``, so mem0ai and its dependency tree stay in their own
virtualenv and never become Rapport's. It answers one JSON request per line on stdin with
one JSON line on the original stdout; anything a library prints goes to stderr instead.

Requests: ``init`` (build the Memory from the config the bench sends), ``add`` (one
conversation's messages, ``infer=False``), ``search``, ``quit``. Each answer carries the
seconds the mem0 call itself took, measured here, so the pipe is not counted.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any


def _memory(spec: dict[str, Any]) -> Any:
    from mem0 import Memory  # type: ignore[import-not-found]

    config = {
        "vector_store": {
            "provider": "pgvector",
            "config": {
                "connection_string": spec["conninfo"],
                "collection_name": spec["collection"],
                "embedding_model_dims": 384,
                "hnsw": True,
            },
        },
        "embedder": {
            "provider": "huggingface",
            "config": {
                "model": spec["model"],
                "embedding_dims": 384,
                "model_kwargs": {"device": "cpu"},
            },
        },
        "history_db_path": spec["history"],
    }
    return Memory.from_config(config)


def serve(answers: Any) -> None:
    memory: Any = None
    for line in sys.stdin:
        request = json.loads(line)
        op = request["op"]
        started = time.perf_counter()
        if op == "init":
            memory = _memory(request)
            answer: dict[str, Any] = {"version": _version(), "spacy": _has("spacy")}
        elif op == "add":
            added = memory.add(
                request["messages"],
                user_id=request["user_id"],
                agent_id=request["agent_id"],
                infer=False,
            )
            answer = {"added": len(added["results"])}
        elif op == "search":
            found = memory.search(request["query"], top_k=request["k"], filters=request["filters"])
            answer = {"texts": [hit["memory"] for hit in found["results"]]}
        elif op == "quit":
            return
        else:
            raise ValueError(f"unknown request {op!r}")
        answer["seconds"] = time.perf_counter() - started
        answers.write(json.dumps(answer) + "\n")
        answers.flush()


def _has(module: str) -> bool:
    from importlib import util

    return util.find_spec(module) is not None


def _version() -> str:
    from importlib import metadata

    return metadata.version("mem0ai")


def main() -> None:
    answers = os.fdopen(os.dup(1), "w")  # the protocol keeps the real stdout ...
    os.dup2(2, 1)  # ... and whatever libraries print goes to stderr
    sys.stdout = sys.stderr
    serve(answers)


if __name__ == "__main__":
    main()

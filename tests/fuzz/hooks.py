"""Schemathesis hooks for the bounded run of ``tests/test_schemathesis.py``.

- A cursor is opaque: only one the API issued (``next_cursor``) is valid, and the schema
  cannot name those, so generated cursors are left out rather than sent.
- The change stream is endless by design: each generated request to it asks it to end
  after a second (``seconds``), so the run reads its answer instead of waiting forever.
- An ``{id}`` in a path names a record the test stored (``RAPPORT_FUZZ_IDS``: the first part
  of each path, such as ``/v1/contacts``, to an id), so item operations reach a real row
  instead of answering 404 to every generated id.
"""

from __future__ import annotations

import json
import os
from typing import Any

import schemathesis

IDS: dict[str, str] = json.loads(os.environ.get("RAPPORT_FUZZ_IDS", "{}"))


@schemathesis.hook
def before_call(ctx: Any, case: Any, **kwargs: Any) -> None:
    if case.query and "cursor" in case.query:
        case.query = {k: v for k, v in case.query.items() if k != "cursor"}
    if case.operation.path == "/v1/changes/stream":
        case.query = {**(case.query or {}), "seconds": 1}
    stored = IDS.get(case.operation.path.split("/{")[0])
    if stored is not None and case.path_parameters and "id" in case.path_parameters:
        case.path_parameters = {**case.path_parameters, "id": stored}

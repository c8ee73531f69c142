"""Reading the change stream: pages of an org's changes after a position.

A position is a change's ``seq``: the org's changes are numbered in the order their
transactions commit (migration 0022 says how), so a reader that resumes after the last
number it saw misses nothing and sees nothing twice, however writers' commits interleave.
``now`` (or no position) starts after everything committed so far.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from rapport import errors
from rapport.changes import QUERIES
from rapport.db.operation import Query, Steps, operation
from rapport.tenancy.principal import Principal

PATTERN = r"^(now|[0-9]{1,18})$"
Position = Annotated[
    str | None,
    Field(description="The id of the last change seen, or now (default)", pattern=PATTERN,
          examples=["1234"]),
]  # fmt: skip


class Change(BaseModel):
    id: str = Field(description="Its position: resume after it with ?after= or Last-Event-ID")
    kind: str = Field(description="The table written: messages, conversations, events ...")
    op: str = Field(description="insert, update or delete")
    count: int = Field(description="Rows the statement wrote")
    ids: list[str] = Field(description="Their ids (the first 1,000)")
    at: str


class Changes(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "items": [{"id": "1234", "kind": "messages", "op": "insert", "count": 1,
                   "ids": ["0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"],
                   "at": "2026-12-08T10:00:00+00:00"}],
        "next": "1234",
    }]}}  # fmt: skip

    items: list[Change]
    next: str = Field(description="Pass as ?after= to read on")


def parse(position: str | None) -> int | None:
    """A position as a number; None for now; a BadRequest for anything else."""
    if position is None or position.strip() == "now":
        return None
    text = position.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        raise errors.BadRequest(
            f"after: {position!r} is not a change id (a number, e.g. 1234) or 'now'",
            field="after",
        )
    return int(text)


@operation
def page(
    principal: Principal,
    after: Position = None,
    limit: Annotated[int, Field(ge=1, le=1000)] = 100,
) -> Steps[dict[str, Any]]:
    """The org's changes after a position, in the order they committed; ``next`` is where
    to read on. Without ``after`` the page is empty and ``next`` is now, e.g.
    ``p = r.changes.list(); ...; r.changes.list(after=p["next"])``."""
    at = parse(after)
    if at is None:
        head = yield Query(QUERIES["head"], {"org": principal.org_id}, fetch="scalar")
        return {"items": [], "next": str(head)}
    items = yield Query(
        QUERIES["since"], {"org": principal.org_id, "after": at, "limit": limit},
        fetch="scalar",
    )  # fmt: skip
    return {"items": items, "next": items[-1]["id"] if items else str(at)}


KEEP = "1 day"  # how long the outbox keeps a change: a reader away longer starts anew


@operation
def prune(keep: str = KEEP) -> Steps[int]:
    """The worker's hourly sweep: every org's changes older than ``keep``, gone."""
    return int((yield Query(QUERIES["prune"], {"keep": keep}, fetch="scalar")))

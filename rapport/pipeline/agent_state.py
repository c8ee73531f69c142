"""Agent state: one JSON document per (subject, agent) that persists across sessions.

The subject is a contact (a lead the agent talks to) or an operator user (seed 004's
user-agent state). Each write bumps ``version``; a writer sends the version it read, so two
writers cannot silently overwrite each other:

- no state yet: send ``version`` 0 (or leave it out) -> 201, version 1;
- state at version n: send n -> 200, version n + 1; anything else -> 409 naming n;
- a retry of a write that already landed (same state, the version it was based on) returns
  the stored state with 200 rather than a 409, so a client may retry after a timeout.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.pipeline import QUERIES, agents
from rapport.resources.verbs import Written
from rapport.tenancy.principal import Principal
from rapport.validation import INT4_MAX, json_text


class AgentState(BaseModel):
    """What an agent keeps about one subject."""

    agent_id: uuid.UUID
    subject_id: uuid.UUID
    subject_type: str = Field(description="contact or user")
    state: dict[str, Any]
    version: int
    updated_by: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class StateWrite(BaseModel):
    """A new state, based on the version the writer read (0 when there was none)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"state": {"step": "pricing", "tone": "casual"}, "version": 3}]
        },
    )

    state: dict[str, Any]
    version: Annotated[int, Field(ge=0, le=INT4_MAX)] = 0


_JSON = """json_build_object('agent_id', s.agent_id, 'subject_id', s.subject_id,
  'subject_type', s.subject_type, 'state', s.state, 'version', s.version,
  'updated_by', s.updated_by, 'created_at', s.created_at, 'updated_at', s.updated_at)"""

_SUBJECT = QUERIES["state_subject"]
_CURRENT = sql.fill(QUERIES["state_current"], state=_JSON, lock="FOR UPDATE")
_READ = sql.fill(QUERIES["state_current"], state=_JSON, lock="")
_INSERT = sql.fill(QUERIES["state_insert"], state=_JSON)
_UPDATE = sql.fill(QUERIES["state_update"], state=_JSON)
_OF_SUBJECT = sql.fill(QUERIES["states_of_subject"], state=_JSON)


def _subject_id(value: Any) -> str:
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise errors.NotFound(
            f"subject_id: {value!r} is not a contact or user id", field="subject_id"
        ) from None


def _subject(principal: Principal, subject_id: str) -> Steps[str]:
    kind = yield Query(_SUBJECT, {"org": principal.org_id, "subject": subject_id}, fetch="scalar")
    if kind is None:
        raise errors.NotFound(
            f"subject_id: no contact or user with id {subject_id} in your organization",
            field="subject_id",
        )
    return str(kind)


@atomic_operation
def put(
    principal: Principal,
    agent_id: str,
    subject_id: str,
    state: dict[str, Any],
    version: Annotated[
        int, Field(ge=0, le=INT4_MAX, description="The version you read; 0 when there is none yet")
    ] = 0,
) -> Steps[Written[dict[str, Any]]]:
    """Write an agent's state about a contact or user, based on the version you read (0
    for none): 201 creates version 1; 200 replaces version n with n + 1; 409 (naming
    ``current_version``) when n is stale. Retrying a write that landed returns 200."""
    principal.require("operator", "write agent state")
    write = StateWrite.model_construct(state=state, version=version)
    agent = yield from agents.resolve(principal, agent_id).steps
    subject = _subject_id(subject_id)
    kind = yield from _subject(principal, subject)
    actor = principal.key_id or principal.role
    key = {"org": principal.org_id, "agent": agent["id"], "subject": subject}
    current = yield Query(_CURRENT, key, fetch="scalar")
    if current is None:
        if write.version != 0:
            raise errors.Conflict(
                f"version: there is no state yet for this subject and agent, so send version 0"
                f" (you sent {write.version})",
                field="version",
                current_version=0,
            )
        created = yield Query(
            _INSERT, {**key, "kind": kind, "state": json_text(write.state), "by": actor},
            fetch="scalar",
        )  # fmt: skip
        if created is None:  # another writer created it between our read and our insert
            raise _stale(write.version, 1)
        return Written(dict(created), True)
    if write.version == current["version"] - 1 and write.state == current["state"]:
        return Written(dict(current), False)  # a retry of the write that made this version
    if write.version != current["version"]:
        raise _stale(write.version, current["version"])
    updated = yield Query(
        _UPDATE, {**key, "state": json_text(write.state), "by": actor, "version": write.version},
        fetch="scalar",
    )  # fmt: skip
    return Written(dict(updated), False)


def _stale(sent: int, current: int) -> errors.Conflict:
    return errors.Conflict(
        f"version: the state is at version {current}, you sent {sent}; read it again,"
        " merge your change and write with the current version",
        field="version",
        current_version=current,
    )


@operation
def get(principal: Principal, agent_id: str, subject_id: str) -> Steps[dict[str, Any]]:
    """An agent's state about one contact or user (by the agent's id or name)."""
    agent = yield from agents.resolve(principal, agent_id).steps
    subject = _subject_id(subject_id)
    found = yield Query(
        _READ, {"org": principal.org_id, "agent": agent["id"], "subject": subject}, fetch="scalar"
    )
    if found is None:
        raise errors.NotFound(
            f"agent {agent['name']} keeps no state for subject {subject} yet"
            " (PUT it with version 0)",
            field="subject_id",
        )
    return dict(found)


@operation
def delete(principal: Principal, agent_id: str, subject_id: str) -> Steps[None]:
    """Forget an agent's state; deleting one that is not there is a no-op (retries are
    safe)."""
    principal.require("operator", "delete agent state")
    agent = yield from agents.resolve(principal, agent_id).steps
    yield Query(
        QUERIES["state_delete"],
        {"org": principal.org_id, "agent": agent["id"], "subject": _subject_id(subject_id)},
        fetch="rowcount",
    )


@operation
def for_subject(principal: Principal, subject_id: str) -> Steps[dict[str, Any]]:
    """Every agent's state about one contact or user (404 unless it is one of yours)."""
    subject = _subject_id(subject_id)
    yield from _subject(principal, subject)
    items = yield Query(_OF_SUBJECT, {"org": principal.org_id, "subject": subject}, fetch="scalars")
    return {"items": items}

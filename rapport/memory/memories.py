"""Memories: facts about a contact (budget, need, authority, timeline, objections,
preferences, facts, or the caller's own keys), each kept as a chain of versions.

A memory's identity is (contact, agent, key); ``agent_id`` null is the contact-wide scope.
Writing a key that has a current version:
- with the same value, text, metadata and confidence changes nothing and returns the
  current version (a retry is safe: 200, not 201);
- with a different value ends the current version (``valid_to`` = the new ``valid_from``,
  ``ended_reason`` "superseded") and stores the new one, which names it in ``supersedes``.
  Versions never overlap: a new value dated before the current version began (a late
  backfill) starts where the current one started.
Deleting ends the current version (``ended_reason`` "deleted"); nothing is erased, so
``as_of`` answers "what did we know about this lead on that day" and ``history`` shows each
change and who made it (``extracted_by`` of each version, ``ended_by`` of its end).

Lists show the versions valid now, or at ``as_of``; ``all_versions`` shows every version.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.extraction import examples
from rapport.memory import QUERIES
from rapport.resources import crud
from rapport.resources.fields import ARRAY, JSONB
from rapport.resources.filters import parse_timestamp
from rapport.resources.params import Cursor, Filter, Limit, OrderBy, When
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Principal
from rapport.validation import Moment, json_text, validate

KEY_PATTERN = r"^[a-z][a-z0-9_.:\-]{0,99}$"
STANDARD_KEYS = ("budget", "need", "authority", "timeline", "objection", "preference", "fact")
Text = Annotated[str, Field(min_length=1, max_length=5000)]


class Memory(BaseModel):
    """One version of a memory about a contact."""

    id: uuid.UUID
    chain_id: uuid.UUID = Field(description="The first version's id; shared by every version.")
    contact_id: uuid.UUID
    agent_id: uuid.UUID | None = Field(description="Set when the memory is one agent's own.")
    conversation_id: uuid.UUID | None
    key: str
    value: Annotated[Any, JSONB]
    text: str
    extracted_by: str = Field(description="Who wrote this version: an agent, an extractor, a key.")
    source_message_id: uuid.UUID | None
    evidence: Annotated[list[uuid.UUID], ARRAY] = Field(
        description="The messages that say what this version says, its source first: the "
        "extractor reading the same fact again adds to it instead of a new version."
    )
    confidence: float | None = Field(
        description="0-1: how sure the writer was; grows as more messages say the same."
    )
    metadata: dict[str, Any]
    valid_from: datetime.datetime
    valid_to: datetime.datetime | None = Field(description="null while this version is current")
    supersedes: uuid.UUID | None = Field(description="The version this one replaced.")
    ended_by: str | None
    ended_reason: Literal["superseded", "deleted"] | None
    created_at: datetime.datetime


class MemoryCreate(BaseModel):
    """A memory to remember. Writing a key the contact already has supersedes its value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "contact_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                    "key": "budget",
                    "value": {"amount": 5000, "currency": "USD", "period": "month"},
                    "text": "Budget is about $5k a month",
                    "extracted_by": "qualifier",
                    "confidence": 0.9,
                }
            ]
        },
    )

    contact_id: uuid.UUID
    agent_id: uuid.UUID | None = None
    conversation_id: uuid.UUID | None = None
    key: Annotated[
        str,
        Field(
            pattern=KEY_PATTERN,
            description="budget, need, authority, timeline, objection, preference, fact, "
            "or your own (lowercase letters, digits and _ . : -)",
        ),
    ]
    value: Any = None
    text: Text | None = Field(default=None, description="Default: 'key: value'.")
    extracted_by: Annotated[str, Field(min_length=1, max_length=200)] | None = Field(
        default=None, description="Default: the API key (or 'sdk') that wrote it."
    )
    source_message_id: uuid.UUID | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    metadata: dict[str, Any] = Field(default_factory=dict)
    valid_from: Moment | None = Field(default=None, description="Default: now.")


class MemoryPatch(BaseModel):
    """A new version of a memory: the fields to change; the rest carry over."""

    model_config = ConfigDict(extra="forbid")

    value: Any = None
    text: Text | None = None
    extracted_by: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    confidence: float | None = Field(default=None, ge=0, le=1)
    metadata: dict[str, Any] | None = Field(default=None, description="null clears it")
    valid_from: Moment | None = None


MEMORIES = Resource(
    name="memories",
    table="memories",
    singular="memory",
    model=Memory,
    create_model=MemoryCreate,
    patch_model=MemoryPatch,
    default_order="-valid_from",
    conflict_columns=None,
    description="What each contact told us, versioned: supersede, history, as_of.",
    enriched=True,
)

_WRITE = sql.fill(QUERIES["memory_write"], memory=MEMORIES.json_sql)
_CHAIN = sql.fill(QUERIES["memory_chain"], memory=MEMORIES.json_sql)


def actor(principal: Principal) -> str:
    """Who a write is attributed to when the caller does not say."""
    return f"key:{principal.key_id}" if principal.key_id else "sdk"


def default_text(key: str, value: Any) -> str:
    if value is None:
        return key
    if isinstance(value, str):
        return f"{key}: {value}"
    return f"{key}: {json_text(value)}"


def write_steps(
    principal: Principal, item: MemoryCreate, locked: bool = False
) -> Steps[tuple[dict[str, Any], bool]]:
    """Store ``item`` as the current version of its key: (memory, created). ``locked``:
    the caller holds the slot already and the conversation is the contact's (enrichment,
    which locks a batch's slots at once and reads the conversation from the message)."""
    agent = str(item.agent_id) if item.agent_id else None
    conversation = str(item.conversation_id) if item.conversation_id else None
    if not locked:
        row = yield Query(
            QUERIES["memory_lock"],
            {"org": principal.org_id, "contact": str(item.contact_id), "agent": agent or "-",
             "key": item.key, "conversation": conversation},
        )  # fmt: skip
        if conversation is not None and row[1] is None:
            raise errors.NotFound(
                f"no conversation with id {conversation}", field="conversation_id"
            )
        if row[1] is not None and str(row[1]) != str(item.contact_id):
            raise errors.ValidationFailed(
                f"conversation_id: conversation {conversation} belongs to another contact",
                field="conversation_id",
            )
    text = item.text or default_text(item.key, item.value)
    params = {
        "org": principal.org_id,
        "id": crud.new_id(),
        "contact": str(item.contact_id),
        "agent": agent,
        "conversation": conversation,
        "key": item.key,
        "value": None if item.value is None else json_text(item.value),
        "text": text,
        "by": item.extracted_by or actor(principal),
        "source": str(item.source_message_id) if item.source_message_id else None,
        "confidence": item.confidence,
        "metadata": json_text(item.metadata),
        "valid_from": item.valid_from or datetime.datetime.now(datetime.UTC),
    }
    try:
        doc, created = yield Query(_WRITE, params, fetch="one")
    except errors.NotFound as missing:
        raise _which_missing(item) from missing
    return dict(doc), bool(created)


def _which_missing(item: MemoryCreate) -> errors.NotFound:
    if item.agent_id is not None:
        return errors.NotFound(
            f"no contact with id {item.contact_id}, or no agent with id {item.agent_id}",
            field="contact_id",
        )
    if item.source_message_id is not None:
        return errors.NotFound(
            f"no contact with id {item.contact_id}, or no message with id {item.source_message_id}",
            field="contact_id",
        )
    return errors.NotFound(f"no contact with id {item.contact_id}", field="contact_id")


@atomic_operation
def remember(principal: Principal, data: Any) -> Steps[tuple[dict[str, Any], bool]]:
    """Store a memory; an identical current one is returned unchanged (created=False)."""
    principal.require(MEMORIES.write_role, "write memories")
    item = validate(MemoryCreate, data)
    return (yield from write_steps(principal, item))


@atomic_operation
def remember_many(principal: Principal, items: Any) -> Steps[list[str]]:
    """Store memories in order, all or nothing; returns each one's current version id."""
    principal.require(MEMORIES.write_role, "write memories")
    ids = []
    for item in crud.bulk_items(MemoryCreate, items):
        doc, _ = yield from write_steps(principal, item)
        ids.append(doc["id"])
    return ids


def _as_create(current: dict[str, Any], patch: dict[str, Any]) -> MemoryCreate:
    merged = {
        "contact_id": current["contact_id"],
        "agent_id": current["agent_id"],
        "conversation_id": current["conversation_id"],
        "key": current["key"],
        "value": current["value"],
        "text": current["text"],
        "confidence": current["confidence"],
        "metadata": current["metadata"],
        "source_message_id": current["source_message_id"],
    }
    if "value" in patch and "text" not in patch:
        merged["text"] = None  # the old sentence described the old value
    merged.update(patch)
    if merged["metadata"] is None:
        merged["metadata"] = {}
    return MemoryCreate.model_validate(merged)


def _update_steps(principal: Principal, key: str, data: Any) -> Steps[dict[str, Any]]:
    current = yield from crud.get(MEMORIES, principal, key).steps
    if current["valid_to"] is not None:
        latest = yield Query(
            QUERIES["memory_current_of_chain"],
            {"org": principal.org_id, "chain": current["chain_id"]},
            fetch="scalar",
        )
        hint = f"; the current version is {latest}" if latest else "; it was deleted"
        raise errors.Conflict(
            f"memory {key} is no longer current ({current['ended_reason']}){hint}", field="id"
        )
    patch = validate(MemoryPatch, data).model_dump(mode="json", exclude_unset=True)
    if not patch:
        return current
    doc, _ = yield from write_steps(principal, _as_create(current, patch))
    if "value" in patch:
        yield from examples.from_correction(principal, current, patch["value"], deleted=False)
    return doc


@atomic_operation
def revise(principal: Principal, id_value: Any, data: Any) -> Steps[dict[str, Any]]:
    """A new version of a current memory with the given fields changed."""
    principal.require(MEMORIES.write_role, "update memories")
    key = crud.check_id(MEMORIES, id_value)
    return (yield from _update_steps(principal, key, data))


@atomic_operation
def revise_many(principal: Principal, filter_spec: Any, data: Any) -> Steps[int]:
    """A new version of every current memory the filter matches; returns how many."""
    principal.require(MEMORIES.write_role, "update memories")
    if filter_spec is None:
        raise errors.BadRequest(
            "filter: required; pass {} to update every memory on purpose", field="filter"
        )
    if not validate(MemoryPatch, data, prefix="set").model_fields_set:
        raise errors.BadRequest("set: name at least one field to change", field="set")
    spec = {"$and": [filter_spec, {"valid_to": {"$exists": False}}]}
    changed = 0
    cursor = None
    while True:
        page = yield from crud.list_page(MEMORIES, principal, spec, "id", 1000, cursor).steps
        for memory in page["items"]:
            doc = yield from _update_steps(principal, memory["id"], data)
            changed += doc["id"] != memory["id"]
        cursor = page["next_cursor"]
        if cursor is None:
            return changed


@operation
def forget(principal: Principal, id_value: Any, by: str | None = None) -> Steps[None]:
    """End a memory's validity now. Deleting an ended version again is a no-op."""
    principal.require(MEMORIES.write_role, "delete memories")
    key = crud.check_id(MEMORIES, id_value)
    ended = yield Query(
        QUERIES["memory_end"],
        {"by": by or actor(principal), "reason": "deleted", "org": principal.org_id, "id": key},
    )
    if ended is None and not (yield from crud.exists(MEMORIES, principal, key).steps):
        raise errors.NotFound(f"no memory with id {key}", field="id")
    if ended is not None:  # a person's delete corrects what was extracted
        previous = dict(zip(("key", "source_message_id", "extracted_by"), ended, strict=True))
        yield from examples.from_correction(principal, previous, None, deleted=True)


def _validity(as_of: Any, all_versions: bool) -> dict[str, Any] | None:
    if as_of is None:
        return None if all_versions else {"valid_to": {"$exists": False}}
    moment = parse_timestamp(as_of, "as_of").isoformat()
    if all_versions:  # every version written by then, whether it was still valid or not
        return {"valid_from": {"$lte": moment}}
    return {
        "valid_from": {"$lte": moment},
        "$or": [{"valid_to": {"$exists": False}}, {"valid_to": {"$gt": moment}}],
    }


def scoped(filter_spec: Any, as_of: Any = None, all_versions: bool = False) -> Any:
    """``filter_spec`` narrowed to the versions valid now, at ``as_of``, or all of them."""
    validity = _validity(as_of, all_versions)
    if validity is None:
        return filter_spec
    return validity if filter_spec in (None, {}) else {"$and": [filter_spec, validity]}


AsOf = Annotated[
    When,
    Field(description="ISO date-time: the memories valid then (default: now)",
          examples=["2025-03-01T00:00:00Z"]),
]  # fmt: skip
AllVersions = Annotated[
    bool,
    Field(description="every version, current and past (with as_of: those written by then)"),
]


@operation
def recall(
    principal: Principal,
    filter: Filter = None,
    order_by: OrderBy = None,
    limit: Limit = None,
    cursor: Cursor = None,
    as_of: AsOf = None,
    all_versions: AllVersions = False,
) -> Steps[dict[str, Any]]:
    """List memories: what we knew now, as of a moment, or every version
    (``?filter={"contact_id": ..., "key": "budget"}&as_of=2025-03-01``). A list of one
    contact's memories first reads that contact's pending messages."""
    spec = scoped(filter, as_of, all_versions)
    return (yield from crud.list_page(MEMORIES, principal, spec, order_by, limit, cursor).steps)


@operation
def count(
    principal: Principal,
    filter: Filter = None,
    as_of: AsOf = None,
    all_versions: AllVersions = False,
) -> Steps[int]:
    """Count memories (now, as of a moment, or every version)."""
    return (yield from crud.count(MEMORIES, principal, scoped(filter, as_of, all_versions)).steps)


def contact_of(filter_spec: Any) -> str | None:
    """The contact a memory filter names (``{"contact_id": ...}``), for read-your-writes."""
    if isinstance(filter_spec, Mapping):
        value = filter_spec.get("contact_id")
        if isinstance(value, str):
            return value
        if isinstance(value, Mapping) and isinstance(value.get("$eq"), str):
            return str(value["$eq"])
    return None


@operation
def history(principal: Principal, id: str) -> Steps[dict[str, Any]]:
    """Every change to a memory, oldest first: ADD, then an UPDATE per new version, then
    DELETE if it was deleted; each with the actor (``extracted_by`` or ``ended_by``), the
    time, the old and new value, and the messages that support the version."""
    key = crud.check_id(MEMORIES, id)
    versions = yield Query(_CHAIN, {"org": principal.org_id, "id": key}, fetch="scalars")
    if not versions:
        raise errors.NotFound(f"no memory with id {key}", field="id")
    events: list[dict[str, Any]] = []
    previous: dict[str, Any] | None = None
    for version in versions:
        events.append(
            {
                "event": "ADD" if previous is None else "UPDATE",
                "memory_id": version["id"],
                "key": version["key"],
                "old_value": previous["value"] if previous else None,
                "new_value": version["value"],
                "old_text": previous["text"] if previous else None,
                "new_text": version["text"],
                "actor": version["extracted_by"],
                "at": version["valid_from"],
                "source_message_id": version["source_message_id"],
                "evidence": version["evidence"],
            }
        )
        previous = version
    assert previous is not None
    if previous["ended_reason"] == "deleted":
        events.append(
            {
                "event": "DELETE",
                "memory_id": previous["id"],
                "key": previous["key"],
                "old_value": previous["value"],
                "new_value": None,
                "old_text": previous["text"],
                "new_text": None,
                "actor": previous["ended_by"],
                "at": previous["valid_to"],
                "source_message_id": None,
                "evidence": [],
            }
        )
    return {"chain_id": versions[0]["chain_id"], "items": events}

"""Import and export of conversations as seed 000 documents, one JSON object per line.

Export writes what ``GET /v1/conversations/{id}/document`` returns. Import reads that shape,
and also seed 000's own MongoDB documents (``_id``, ``qualification_details``, extended JSON
such as ``{"$date": ...}``), so a team can move its collection over as it is.

Import is idempotent: a conversation is keyed by its ``external_id`` (else its ``id`` or
``_id``); one already stored is skipped, so running an import twice stores each once. Each
document is stored in its own transaction, whole or not at all.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from typing import Any

from rapport import errors
from rapport.conversations import QUERIES
from rapport.conversations.contacts import CONTACTS, ContactCreate, with_phones
from rapport.conversations.conversations import CONVERSATIONS, ConversationCreate
from rapport.conversations.documents import documents
from rapport.conversations.messages import MESSAGES
from rapport.conversations.objections import OBJECTIONS
from rapport.db.database import Database
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.memory import memories
from rapport.resources import crud
from rapport.tenancy.principal import Principal
from rapport.validation import validate, validate_many

# Keys the export writes that an import derives instead of reading.
_DERIVED = {
    "id",
    "_id",
    "user_id",
    "contact_id",
    "user_info",
    "conversation_history",
    "memories",
    "objections",
    "message_count",
    "last_message_at",
    "last_inbound_at",
    "qualification_details",
}
_MESSAGE_DERIVED = {"id", "conversation_id", "contact_id", "created_at", "status"}
_OBJECTION_DERIVED = {"id", "conversation_id", "contact_id", "created_at", "updated_at"}


def unwrap_extended_json(value: Any) -> Any:
    """MongoDB extended JSON to plain JSON: ``{"$date": x}`` -> x, ``{"$oid": x}`` -> x."""
    if isinstance(value, dict):
        if len(value) == 1:
            ((key, inner),) = value.items()
            if key == "$oid":
                return str(inner)
            if key == "$date":
                if isinstance(inner, dict) and "$numberLong" in inner:
                    millis = _number(inner["$numberLong"])
                    return datetime.datetime.fromtimestamp(millis / 1000, datetime.UTC).isoformat()
                return inner
            if key in ("$numberLong", "$numberInt", "$numberDouble", "$numberDecimal"):
                return _number(inner)
        return {k: unwrap_extended_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap_extended_json(v) for v in value]
    return value


def _number(text: Any) -> int | float:
    try:
        return float(text) if "." in str(text) else int(text)
    except (TypeError, ValueError):
        raise errors.ValidationFailed(f"{text!r} is not a number") from None


def _part(document: dict[str, Any], key: str, kind: type[dict[str, Any]] | type[list[Any]]) -> Any:
    """``document[key]`` if it is an object (``dict``) or array (``list``) as expected."""
    value = document.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        expected = "a JSON object" if kind is dict else "a list"
        raise errors.ValidationFailed(f"{key}: expected {expected}", field=key)
    return value


def _conversation_key(document: dict[str, Any]) -> str:
    for key in ("external_id", "id", "_id"):
        if document.get(key):
            return str(document[key])
    raise errors.ValidationFailed(
        "a document needs an external_id, id or _id so that importing it twice is safe",
        field="external_id",
    )


def _as_uuid(text: str) -> str | None:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        return None


def _contact_id(principal: Principal, document: dict[str, Any]) -> Steps[str]:
    info = dict(_part(document, "user_info", dict))
    user_id = document.get("user_id") or info.pop("external_id", None)
    info.pop("external_id", None)
    fields = {k: v for k, v in info.items() if k != "created_at" or v}
    contact = validate(ContactCreate, {"external_id": user_id, **fields}, prefix="user_info")
    [contact] = yield from with_phones(principal, [contact], lambda i: "user_info.")
    found = yield Query(
        QUERIES["import_find_contact"],
        {"org": principal.org_id, "external_id": contact.external_id, "phone": contact.phone,
         "handle": contact.instagram_handle, "email": contact.email},
        fetch="scalar",
    )  # fmt: skip
    if found:
        return str(found)
    [(stored, _)] = yield from crud.insert(CONTACTS, principal, [contact])
    return str(stored["id"])


@atomic_operation
def import_document(principal: Principal, raw: Any) -> Steps[tuple[str, str]]:
    """Store one document; returns ("created" | "skipped", conversation id)."""
    principal.require("operator", "import conversations")
    if not isinstance(raw, dict):
        raise errors.ValidationFailed("each line must be a JSON object")
    document = unwrap_extended_json(raw)
    key = _conversation_key(document)
    existing = yield Query(
        QUERIES["import_find_conversation"],
        {"org": principal.org_id, "key": key, "id": _as_uuid(key)},
        fetch="scalar",
    )
    if existing:
        return "skipped", str(existing)
    contact_id = yield from _contact_id(principal, document)
    fields = {k: v for k, v in document.items() if k not in _DERIVED}
    fields["external_id"] = key
    fields.setdefault("channel", "other")
    qualification = document.get("qualification") or document.get("qualification_details")
    if qualification:
        fields["qualification"] = qualification
    conversation = validate(ConversationCreate, {**fields, "contact_id": contact_id})
    [(stored, _)] = yield from crud.insert(CONVERSATIONS, principal, [conversation])
    conversation_id = str(stored["id"])
    for key, resource, derived in (
        ("conversation_history", MESSAGES, _MESSAGE_DERIVED),
        ("objections", OBJECTIONS, _OBJECTION_DERIVED),
    ):
        children = [
            {k: v for k, v in child.items() if k not in derived}
            | {"conversation_id": conversation_id}
            if isinstance(child, dict)
            else child
            for child in _part(document, key, list)
        ]
        if children:
            valid = validate_many(resource.create_model, children, key)
            yield from crud.insert(resource, principal, list(valid), key)
    for item in _memories(document, contact_id, conversation_id):
        yield from memories.write_steps(principal, item)
    return "created", conversation_id


def _memories(
    document: dict[str, Any], contact_id: str, conversation_id: str
) -> list[memories.MemoryCreate]:
    """Seed 000's ``memories`` ({key, value, timestamp, extracted_by}) in time order, as
    versions of the contact's memories (a later value of a key supersedes an earlier one)."""
    items = []
    for index, memory in enumerate(_part(document, "memories", list)):
        if not isinstance(memory, dict):
            raise errors.ValidationFailed(
                f"memories[{index}]: expected an object", field=f"memories[{index}]"
            )
        fields = {
            "contact_id": contact_id,
            "conversation_id": conversation_id,
            "key": str(memory.get("key", "")).strip().lower().replace(" ", "_"),
            "value": memory.get("value"),
            "text": memory.get("text"),
            "extracted_by": memory.get("extracted_by"),
            "valid_from": memory.get("timestamp") or memory.get("valid_from"),
            "confidence": memory.get("confidence"),
        }
        item = validate(
            memories.MemoryCreate,
            {k: v for k, v in fields.items() if v is not None},
            prefix=f"memories[{index}]",
        )
        items.append(item)
    unknown = datetime.datetime.max.replace(tzinfo=datetime.UTC)  # no timestamp: last
    return sorted(items, key=lambda m: m.valid_from or unknown)


def export_documents(
    database: Database, principal: Principal, batch: int = 200
) -> Iterator[dict[str, Any]]:
    """Every conversation document of the principal's org, in id (creation) order."""
    after = "00000000-0000-0000-0000-000000000000"
    while True:
        ids = database.run(_ids_after(principal, after, batch))
        if not ids:
            return
        yield from database.run(documents(principal, ids))
        after = ids[-1]


@operation
def _ids_after(principal: Principal, after: str, batch: int) -> Steps[list[str]]:
    ids = yield Query(
        QUERIES["export_ids_after"],
        {"org": principal.org_id, "after": after, "limit": batch},
        fetch="scalars",
    )
    return list(ids)


def count_conversations(database: Database, principal: Principal) -> int:
    return database.run(crud.count(CONVERSATIONS, principal))

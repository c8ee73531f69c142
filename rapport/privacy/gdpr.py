"""A person's right to see and to erase what is held about them (GDPR articles 15 and 17).

- ``export``: everything held about one contact, as one JSON document or as CSV rows (one
  per record: its section, id, conversation, time, its main text and the whole record),
  with tokenised personal data put back from the vault, because it is theirs. Admins only,
  and each export is audited (a read, so the dispatcher would not).
- ``erase``: the contact and everything derived from them, in one transaction that locks
  them first, so nothing is half-erased and nothing is appended meanwhile; refused (409)
  while a legal hold covers them. Its receipt, ``{id, contact_id, erased_at, counts,
  receipt_signature}``, is signed with the server's Ed25519 key (``keys.signer``) over
  its canonical JSON (``signed_bytes``) and kept, holding counts and ids only. Erasing the
  same person again returns that receipt (a retry; there is nothing left to erase).
- ``receipt``: a receipt with its verification, and the public key to check it offline.

Erasure deletes the person's conversations too (the sessions of retention are kept because
they are not personal; a person's are theirs): the pipeline's tallies follow them out by
their triggers, so every count still adds up to what is stored.
"""

from __future__ import annotations

import base64
import csv
import datetime
import io
import json
import uuid
from typing import Annotated, Any, Literal

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.fernet import InvalidToken
from pydantic import Field

from rapport import errors
from rapport.audit import log as audit
from rapport.calls.records import CALLS
from rapport.conversations.contacts import CONTACTS
from rapport.conversations.conversations import CONVERSATIONS
from rapport.conversations.messages import MESSAGES
from rapport.conversations.objections import OBJECTIONS
from rapport.conversations.summaries import SUMMARIES
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.learning.events import EVENTS
from rapport.learning.feedback import FEEDBACK
from rapport.memory.memories import MEMORIES
from rapport.personas import facets
from rapport.pipeline.follow_ups import FOLLOW_UPS
from rapport.privacy import QUERIES, keys
from rapport.resources import crud
from rapport.resources.verbs import Download, Written
from rapport.retention.holds import LEGAL_HOLDS
from rapport.tenancy.principal import Principal

ALGORITHM = "Ed25519"
_EXPORT = sql.fill(
    QUERIES["export"], contact=CONTACTS.json_sql, conversation=CONVERSATIONS.json_sql,
    message=MESSAGES.json_sql, memory=MEMORIES.json_sql, objection=OBJECTIONS.json_sql,
    call=CALLS.json_sql, follow_up=FOLLOW_UPS.json_sql, summary=SUMMARIES.json_sql,
    legal_hold=LEGAL_HOLDS.json_sql, event=EVENTS.json_sql, feedback=FEEDBACK.json_sql,
)  # fmt: skip
# What a CSV row shows as a record's text and time: the first of these it has.
_TEXT = ("content", "text", "description", "summary", "transcript", "reason", "name", "value")
_AT = ("timestamp", "at", "valid_from", "created_at", "updated_at")
CSV_COLUMNS = ("section", "id", "conversation_id", "at", "text", "record")


@operation
def export(
    principal: Principal,
    id: str,
    format: Annotated[Literal["json", "csv"], Field(description="json or csv")] = "json",
) -> Steps[Any]:
    """Everything held about one person (admins; audited): the contact, their conversations,
    messages, memories with every version, objections, calls with transcripts, follow-ups,
    stage moves, agent states, summaries, legal holds, engagement events, feedback,
    experiment assignments, the patterns their conversations showed, and the personal data
    scrubbing tokenised (``personal_data``). ``format=csv`` gives one row per record."""
    principal.require("admin", "export a person's data")
    key = crud.check_id(CONTACTS, id)
    found = yield Query(_EXPORT, {"org": principal.org_id, "id": key}, fetch="scalar")
    if found is None:
        raise errors.NotFound(f"no contact with id {key}", field="id")
    document = found  # json, loaded by the driver
    document["personal_data"] = _opened(document.pop("vault"))
    document["exported_at"] = datetime.datetime.now(datetime.UTC).isoformat()
    yield from audit.record(principal, "gdpr.export", key, {"format": format}).steps
    if format == "json":
        return document
    return Download(_csv(document), "text/csv; charset=utf-8", f"contact-{key}.csv")


def _opened(vaulted: list[dict[str, Any]]) -> list[dict[str, Any]]:
    box = keys.vault()
    opened = []
    for item in vaulted:
        try:
            value = box.decrypt(base64.b64decode(item.pop("secret"))).decode()
        except InvalidToken:
            value = None  # vaulted under another server key: listed, not readable
        opened.append({**item, "value": value})
    return opened


def _csv(document: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for section, records in document.items():
        if section == "exported_at":
            continue
        for record in records if isinstance(records, list) else [records]:
            text = next((record[k] for k in _TEXT if isinstance(record.get(k), str)), "")
            at = next((record[k] for k in _AT if record.get(k)), "")
            writer.writerow([
                section, record.get("id") or record.get("token") or "",
                record.get("conversation_id") or "", at, text,
                json.dumps(record, ensure_ascii=False, sort_keys=True),
            ])  # fmt: skip
    return out.getvalue()


@atomic_operation
def erase(principal: Principal, id: str) -> Steps[Written[dict[str, Any]]]:
    """Erase a person (admins; audited): the contact and everything derived from them
    (conversations, messages with their embeddings and search entries, memories with every
    version, objections, calls and transcripts, follow-ups, stage moves, agent states,
    summaries, engagement events, feedback, experiment assignments, vaulted personal data),
    in one transaction. Returns a signed receipt
    (verify it with ``GET /v1/erasures/{id}``); erasing again returns the same receipt.
    A legal hold on the contact or one of their conversations refuses it (409)."""
    principal.require("admin", "erase a person's data")
    key = crud.check_id(CONTACTS, id)
    done = yield Query(QUERIES["erasure_of"], {"org": principal.org_id, "id": None,
                                               "contact": key})  # fmt: skip
    if done is not None:
        return Written(_receipt(done), False)
    hold = yield Query(QUERIES["erase_hold"], {"org": principal.org_id, "id": key})
    if hold is not None:
        raise errors.Conflict(
            f"contact {key} is under legal hold {hold[0]} ({hold[1]}): release the hold "
            f"(DELETE /v1/legal-holds/{hold[0]}) before erasing",
            field="id",
        )
    counts = yield Query(QUERIES["erase_lock"], {"org": principal.org_id, "id": key},
                         fetch="scalar")  # fmt: skip
    if counts is None:  # no such contact, or a concurrent erasure of them just committed
        done = yield Query(QUERIES["erasure_of"], {"org": principal.org_id, "id": None,
                                                   "contact": key})  # fmt: skip
        if done is not None:
            return Written(_receipt(done), False)
        raise errors.NotFound(f"no contact with id {key}", field="id")
    # The change stream names their rows by id: what it holds of them goes, and the erasure
    # itself publishes nothing (readers see the person's rows gone when they next read).
    yield Query(QUERIES["erase_changes"], {"org": principal.org_id, "id": key}, fetch="rowcount")
    yield Query(QUERIES["erase"], {"org": principal.org_id, "id": key}, fetch="rowcount")
    # The facet counts keep values as signed rows (what they said, as keywords): folded,
    # a value no one else has leaves with them.
    yield from facets.fold(principal.org_id).steps
    receipt_id, erased_at = yield Query(QUERIES["erasure_stamp"])
    receipt = {"id": str(receipt_id), "contact_id": key, "erased_at": erased_at.isoformat(),
               "counts": counts}  # fmt: skip
    signature = _sign(principal.org_id, receipt)
    yield Query(
        QUERIES["erasure_record"],
        {"org": principal.org_id, "id": receipt["id"], "contact": key, "erased_at": erased_at,
         "actor": principal.actor, "counts": orjson.dumps(counts).decode(),
         "signature": signature},
        fetch="rowcount",
    )  # fmt: skip
    return Written({**receipt, "receipt_signature": signature}, True)


def signed_bytes(org_id: str, receipt: dict[str, Any]) -> bytes:
    """What a receipt's signature covers: its org, id, contact, time and counts, as JSON
    with sorted keys and no spaces."""
    body = {"org_id": str(org_id), "id": receipt["id"], "contact_id": receipt["contact_id"],
            "erased_at": receipt["erased_at"], "counts": receipt["counts"]}  # fmt: skip
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _sign(org_id: str, receipt: dict[str, Any]) -> str:
    raw = keys.signer().sign(signed_bytes(org_id, receipt))
    return base64.urlsafe_b64encode(raw).decode()


def _receipt(row: Any) -> dict[str, Any]:
    receipt_id, contact_id, erased_at, _actor, counts, signature = row
    return {"id": str(receipt_id), "contact_id": str(contact_id),
            "erased_at": erased_at.isoformat(), "counts": counts,
            "receipt_signature": signature}  # fmt: skip


@operation
def receipt(principal: Principal, id: str) -> Steps[dict[str, Any]]:
    """An erasure's receipt, checked against the server's key now (``valid``), with what
    it signs (``signed``) and the public key (``public_key``, raw Ed25519 in base64url),
    so anyone can check it without Rapport."""
    principal.require("viewer", "read erasure receipts")
    try:
        key = str(uuid.UUID(str(id)))
    except ValueError:
        raise errors.NotFound(f"no erasure with id {id!r} (not a valid id)", field="id") from None
    row = yield Query(QUERIES["erasure_of"], {"org": principal.org_id, "id": key,
                                              "contact": None})  # fmt: skip
    if row is None:
        raise errors.NotFound(f"no erasure with id {key}", field="id")
    found = _receipt(row)
    signed = signed_bytes(principal.org_id, found)
    try:
        keys.signer().public_key().verify(base64.urlsafe_b64decode(found["receipt_signature"]),
                                          signed)  # fmt: skip
        valid = True
    except (InvalidSignature, ValueError):
        valid = False
    return {**found, "actor": row[3], "valid": valid, "algorithm": ALGORITHM,
            "public_key": keys.public_key(), "signed": signed.decode()}  # fmt: skip

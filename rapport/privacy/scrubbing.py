"""Scrubbing messages where they enter and where they are read: on append, in enrichment,
and in the worker's sweep, all by one rule (``scrub_texts``).

- On append (``settings.pii.when = ingest``): ``before_insert``, the messages resource's
  hook that every insert path runs, scrubs each message before its statement, so the
  original never reaches the database; an edit's new text is scrubbed at once too
  (``after_edit``). It reads the policy from ``rapport.privacy.policy``'s cache, so an org
  that does not scrub pays nothing but a dictionary lookup.
- In enrichment (``ingest`` or ``within_24h``): a claimed message not yet scrubbed is
  scrubbed in the enrichment transaction, before its text is embedded or extracted from, so
  its embedding, search entry, memories and objections come from the scrubbed text.
- The sweep (``sweep``, the worker's ``rapport.privacy.scrub`` job): messages left unscrubbed
  (stored before the org turned scrubbing on, or while enrichment is off), in batches; one
  already enriched is enriched again from its scrubbed text, and the memories (every
  version) and objections it left are scrubbed in place.

``pii_scrubbed`` says a message went through the scrubber (whether or not it held personal
data); in an org that scrubs it is Rapport's to set (``OWNED``: a caller's value on create
is not taken, a patch of it is refused), so no message can skip the scrubber. With
``tokenize`` the originals go to the vault (``rapport.privacy.vault``) in the same
transaction as the scrubbed text, or, on append, just before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from rapport import errors
from rapport.db.operation import Compute, Query, Steps, atomic_operation, operation
from rapport.privacy import QUERIES, vault
from rapport.privacy.policy import Policy, of, policy
from rapport.privacy.scrub import Scrubbed, Secret, scrub, scrub_value
from rapport.tenancy.principal import Principal
from rapport.validation import json_text

BATCH = 500


def scope_of(org_id: Any, conversation_id: Any) -> str:
    """What a token is keyed by: the same value in one conversation, the same token."""
    return f"{org_id}:{conversation_id}"


def scrub_texts(rule: Policy, org_id: Any, texts: Sequence[tuple[Any, str]]) -> list[Scrubbed]:
    """Each (conversation id, text) scrubbed under the org's policy."""
    return [scrub(text, rule.mode, rule.region, scope_of(org_id, conv)) for conv, text in texts]


OWNED = (
    "pii_scrubbed: in an org that scrubs personal data (settings.pii), Rapport sets it when "
    "its scrubber has read the message"
)


def before_insert(principal: Principal, items: list[BaseModel]) -> Steps[list[BaseModel]]:
    """Messages as they are to be stored: scrubbed first when the org scrubs on ingest. In an
    org that scrubs, a caller's ``pii_scrubbed`` is not taken (``OWNED``): the scrubber
    reads every message."""
    rule = yield from policy(principal.org_id)
    if rule.when == "within_24h":
        return [item.model_copy(update={"pii_scrubbed": False})
                if getattr(item, "pii_scrubbed", False) else item for item in items]  # fmt: skip
    if rule.when != "ingest":
        return items
    texts = [(getattr(item, "conversation_id", None), str(getattr(item, "content", "")))
             for item in items]  # fmt: skip
    done: list[Scrubbed] = yield Compute(scrub_texts, (rule, principal.org_id, texts))
    secrets = [(conv, s) for (conv, _), d in zip(texts, done, strict=True) for s in d.secrets]
    if secrets:
        yield from vault.put(principal.org_id, secrets)
    return [
        item.model_copy(update={"content": d.text, "pii_scrubbed": True})
        for item, d in zip(items, done, strict=True)
    ]


def check_patch(principal: Principal, patch: Any) -> Steps[None]:
    """A patch may not set ``pii_scrubbed`` in an org that scrubs (``OWNED``)."""
    if "pii_scrubbed" in patch and (yield from policy(principal.org_id)).on:
        raise errors.BadRequest(OWNED, field="pii_scrubbed")


def after_edit(principal: Principal, message: dict[str, Any]) -> Steps[None]:
    """An edited message's new text scrubbed at once when the org scrubs on ingest (else
    enrichment or the sweep scrubs it, as any message not yet scrubbed)."""
    rule = yield from policy(principal.org_id)
    if rule.when != "ingest":
        return
    texts = [(message["conversation_id"], str(message.get("content") or ""))]
    (done,) = yield Compute(scrub_texts, (rule, principal.org_id, texts))
    if done.secrets:
        yield from vault.put(principal.org_id, [(texts[0][0], s) for s in done.secrets])
    yield Query(QUERIES["scrub_one"], {"org": principal.org_id, "id": message["id"],
                                       "content": done.text}, fetch="rowcount")  # fmt: skip


def in_enrichment(rows: list[list[Any]], content: int, flags: int) -> Steps[dict[int, str]]:
    """The claimed rows of an enrichment batch that their org wants scrubbed and are not yet:
    scrubbed in place (``row[content]``), their originals vaulted; returns the new content
    of each row that went through (by index) for the batch to store. From ``row[flags]``
    on, a row holds its org's settings.pii, its region and its ``pii_scrubbed``; ``row[0]``
    is its org and ``row[2]`` its conversation."""
    scrubbed: dict[int, str] = {}
    by_org: dict[Any, list[int]] = {}
    for i, row in enumerate(rows):
        pii, _, already = row[flags : flags + 3]
        if not already and isinstance(pii, dict) and pii.get("when", "off") != "off":
            by_org.setdefault(row[0], []).append(i)
    for org_id, indexes in by_org.items():
        rule = of(rows[indexes[0]][flags], rows[indexes[0]][flags + 1])
        texts = [(rows[i][2], rows[i][content]) for i in indexes]
        done = scrub_texts(rule, org_id, texts)
        secrets = [(texts[n][0], s) for n, d in enumerate(done) for s in d.secrets]
        if secrets:
            yield from vault.put(str(org_id), secrets)
        for i, d in zip(indexes, done, strict=True):
            rows[i][content] = d.text
            scrubbed[i] = d.text
    return scrubbed


@atomic_operation
def sweep(org_id: str, limit: int = BATCH) -> Steps[dict[str, int]]:
    """Scrub up to ``limit`` of the org's messages not yet scrubbed (nothing when the org
    does not scrub); what it did."""
    rule = yield from policy(org_id)
    done = {"messages": 0, "changed": 0, "derived": 0}
    if not rule.on:
        return done
    rows = yield Query(QUERIES["sweep_claim"], {"org": org_id, "limit": limit}, fetch="all")
    if not rows:
        return done
    results = scrub_texts(rule, org_id, [(row[1], row[2]) for row in rows])
    secrets = [(row[1], s) for row, d in zip(rows, results, strict=True) for s in d.secrets]
    if secrets:
        yield from vault.put(org_id, secrets)
    payload = [
        {"id": str(row[0]), "content": d.text if d.found else None}
        for row, d in zip(rows, results, strict=True)
    ]
    changed = [str(row[0]) for row, d in zip(rows, results, strict=True) if d.found and row[3]]
    yield Query(QUERIES["sweep_write"], {"org": org_id, "payload": json_text(payload)},
                fetch="rowcount")  # fmt: skip
    done["messages"] = len(rows)
    done["changed"] = sum(1 for d in results if d.found)
    if changed:
        done["derived"] = yield from _derived(org_id, rule, changed)
    return done


def _derived(org_id: str, rule: Policy, message_ids: list[str]) -> Steps[int]:
    """Memories (every version) and objections left by ``message_ids``, scrubbed in place."""
    rows = yield Query(QUERIES["sweep_derived"], {"org": org_id, "ids": message_ids},
                       fetch="all")  # fmt: skip
    payload: list[dict[str, Any]] = []
    secrets: list[tuple[Any, Secret]] = []
    for kind, row_id, conversation_id, text, value in rows:
        scope = scope_of(org_id, conversation_id)
        into = Scrubbed("")
        new_text = scrub_value(text, rule.mode, rule.region, scope, into)
        new_value = scrub_value(value, rule.mode, rule.region, scope, into)
        if into.found:
            payload.append({"kind": kind, "id": str(row_id), "text": new_text, "value": new_value})
            secrets.extend((conversation_id, secret) for secret in into.secrets)
    if not payload:
        return 0
    if secrets:
        yield from vault.put(org_id, secrets)
    count = yield Query(
        QUERIES["sweep_write_derived"], {"org": org_id, "payload": json_text(payload)},
        fetch="scalar",
    )  # fmt: skip
    return int(count or 0)


@operation
def scrubbing_orgs() -> Steps[list[str]]:
    """The orgs whose policy scrubs, for the worker's sweep."""
    found = yield Query(QUERIES["scrubbing_orgs"], fetch="scalars")
    return [str(org) for org in found]

"""Enrichment: extraction and embeddings for rows that were stored before either ran.

DESIGN.md's "durable first, enrich after": a message is committed by the append, with no
model in the way; this module then reads what is pending (``enriched_at IS NULL`` on
messages, ``embedding IS NULL`` on memories and knowledge chunks), in batches, and writes:
- on each message: its embedding and, for inbound (``role = user``) messages, the extracted
  intent, confidence, sentiment, keywords and language (values the caller sent are kept);
- memories of what the lead said (budget, timeline, authority, need, preference,
  objection.<type>) through the same supersede rules as ``POST /v1/memories``;
- objections raised, and objections settled by a later message;
- the conversation's qualification (BANT texts and score, see
  ``rapport.extraction.qualification``) and the contact's interaction summary.

A batch is one transaction that claims its rows with ``FOR UPDATE SKIP LOCKED``, so any
number of enrichers (the server's background thread, ``rapport embed --backfill``, an
in-process SDK) can run at once without doing a row twice.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from rapport.conversations import QUERIES as CONVERSATION_QUERIES
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.extraction import QUERIES as EXTRACTION_QUERIES
from rapport.extraction.base import ACTOR as EXTRACTOR_ACTOR
from rapport.extraction.base import Extraction, Extractor, Inbound
from rapport.extraction.qualification import score
from rapport.memory import QUERIES, evidence, memories
from rapport.patterns import graph
from rapport.personas import facets
from rapport.privacy import scrubbing
from rapport.retrieval.embeddings import vector_text
from rapport.tenancy.principal import Principal
from rapport.validation import json_text

Embed = Callable[[Sequence[str]], list[list[float]]]
# (kind, id) of the rows to enrich: one conversation's, one contact's, or the org's (its
# own id: ``org_id`` is a column of every table enriched, as ``conversation_id`` is).
Kind = Literal["conversation", "contact", "org"]
Scope = tuple[Kind, str]
log = logging.getLogger("rapport.enrichment")
BATCH = 128
BANT = ("budget", "authority", "need", "timeline")

_SUMMARY = sql.fill(
    CONVERSATION_QUERIES["summary_upsert"],
    deltas=f"({QUERIES['enrich_summary_deltas']})",
)


@dataclass
class Done:
    """What one batch or one flush wrote."""

    messages: int = 0
    memories: int = 0
    chunks: int = 0
    patterns: int = 0  # embedded
    extracted: int = 0
    objections_raised: int = 0
    objections_resolved: int = 0
    memories_written: int = 0
    seconds: float = 0.0
    # Single-row writes left for after the batch's commit (see ``after_commit``), and the
    # batch whose marks (``enrich_inflight``) say they are still to come.
    batch: str | None = None
    languages: dict[tuple[str, str], str] = field(default_factory=dict)
    qualify: dict[tuple[str, str], tuple[str, Any]] = field(default_factory=dict)
    tallies: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    talks: list[str] = field(default_factory=list)  # the conversations the batch read
    inbound: list[str] = field(default_factory=list)  # its messages from leads

    def add(self, other: Done) -> None:
        """Sum the counters (the follow-ups of a batch are its own)."""
        for counter in fields(self):
            if counter.type in ("int", "float"):
                setattr(
                    self, counter.name, getattr(self, counter.name) + getattr(other, counter.name)
                )

    @property
    def rows(self) -> int:
        return self.messages + self.memories + self.chunks + self.patterns

    def as_dict(self) -> dict[str, Any]:
        return {
            "messages": self.messages,
            "memories_embedded": self.memories,
            "knowledge_chunks": self.chunks,
            "patterns_embedded": self.patterns,
            "extracted": self.extracted,
            "memories_written": self.memories_written,
            "objections_raised": self.objections_raised,
            "objections_resolved": self.objections_resolved,
            "seconds": round(self.seconds, 3),
        }


def _scope(scope: Scope | None = None, alias: str = "") -> str:
    """The ``{scope}`` of a claim: the org, or one conversation or contact of it."""
    clause = f" AND {alias}org_id = %(org)s"
    if scope is not None:
        clause += f" AND {alias}{scope[0]}_id = %(scope_id)s::uuid"
    return clause


@atomic_operation
def enrich_messages(
    org_id: str,
    embed: Embed,
    extractor: Extractor,
    limit: int = BATCH,
    scope: Scope | None = None,
) -> Steps[Done]:
    """Enrich up to ``limit`` pending messages of the org (of one conversation or contact
    with ``scope``)."""
    done = Done()
    rows = yield Query(
        sql.fill(QUERIES["enrich_claim"], scope=_scope(scope, "m.")),
        {"org": org_id, "scope_id": scope[1] if scope else None, "limit": limit},
        fetch="all",
    )
    if not rows:
        return done
    rows = [list(row) for row in rows]
    # Personal data out first, so nothing below reads the original (rapport.privacy).
    scrubbed = yield from scrubbing.in_enrichment(rows, content=5, flags=12)
    inbound = [i for i, row in enumerate(rows) if row[4] == "user" and row[5].strip()]
    texts = [i for i, row in enumerate(rows) if row[5].strip()]
    vectors = dict(zip(texts, embed([rows[i][5] for i in texts]), strict=True))
    extractions: dict[int, Extraction] = {}
    if inbound:
        yield from _org_models(extractor, [rows[i] for i in inbound])
        found = _extract(extractor, [rows[i] for i in inbound], [vectors[i] for i in inbound])
        extractions = dict(zip(inbound, found, strict=True))
    payload = []
    for i, row in enumerate(rows):
        got = _unset_only(row, extractions.get(i, Extraction()))
        extractions[i] = got
        payload.append(
            {
                "org_id": str(row[0]),
                "id": str(row[1]),
                "conversation_id": str(row[2]),
                "embedding": vector_text(vectors[i]) if i in vectors else None,
                "intent": got.intent,
                "confidence": got.intent_confidence,
                "sentiment": got.sentiment,
                "language": got.language,
                "keywords": got.keywords or None,
                "content": scrubbed.get(i),
            }
        )
    done.messages = yield Query(
        QUERIES["enrich_write_messages"], {"payload": json_text(payload)}, fetch="scalar"
    )
    done.extracted = len(inbound)
    known = yield from _lock_slots(rows, extractions)
    for i in sorted(inbound, key=lambda i: rows[i][6]):
        yield from _apply(rows[i], extractions[i], extractor.name, done, known)
    yield from _forget_unsaid([rows[i] for i in inbound], extractions, inbound, done)
    for i, got in extractions.items():
        if got.language:
            done.languages.setdefault((str(rows[i][0]), str(rows[i][2])), got.language)
    done.tallies = _tallies(rows, extractions)
    done.talks = sorted({str(row[2]) for row in rows})
    done.inbound = [str(row[1]) for row in rows if row[4] == "user"]
    done.batch = str(uuid.uuid4())
    marks = [{"org_id": str(row[0]), "conversation_id": str(row[2]),
              "contact_id": str(row[3])} for row in rows]  # fmt: skip
    yield Query(
        QUERIES["inflight_mark"], {"batch": done.batch, "marks": json_text(marks)},
        fetch="rowcount",
    )  # fmt: skip
    return done


def _forget_unsaid(
    read: Sequence[Sequence[Any]], extractions: dict[int, Extraction], inbound: list[int],
    done: Done,
) -> Steps[None]:  # fmt: skip
    """End what an edited message's old text said and its new text does not (memories the
    extractor read from it before, of keys it does not say now, unless another message
    supports them too); requalify if BANT."""
    by_org: dict[str, tuple[list[str], set[str], list[dict[str, str]]]] = {}
    for row, i in zip(read, inbound, strict=True):
        ids, contacts, said = by_org.setdefault(str(row[0]), ([], set(), []))
        ids.append(str(row[1]))
        contacts.add(str(row[3]))
        said.extend({"message": str(row[1]), "key": f.key} for f in extractions[i].findings)
    for org_id, (ids, contacts, said) in sorted(by_org.items()):
        ended = yield Query(
            QUERIES["enrich_forget_unsaid"],
            {"org": org_id, "messages": ids, "contacts": sorted(contacts),
             "said": json_text(said)},
            fetch="all",
        )  # fmt: skip
        for conversation_id, contact_id, key in ended:
            if key in BANT and conversation_id:
                done.qualify[(org_id, conversation_id)] = (
                    contact_id,
                    datetime.datetime.now(datetime.UTC),
                )


def _lock_slots(
    rows: Sequence[Sequence[Any]], extractions: dict[int, Extraction]
) -> Steps[evidence.Known]:
    """Take every memory slot this batch writes, in one order, before writing any (two
    enrichers that each hold one slot and want the other's would deadlock), then read
    their current values, in two statements for the whole batch."""
    slots = {
        (str(rows[i][0]), str(rows[i][3]), key)
        for i, got in extractions.items()
        for key in [f.key for f in got.findings]
        + [f"objection.{c.type}" for c in got.concerns]
        + [f"objection.{t}" for t in ("price", "timing", "trust", "competitor",
                                       "authority", "need") if got.resolves]
    }  # fmt: skip
    known: evidence.Known = {}
    if not slots:
        return known
    yield Query(
        QUERIES["memory_lock_slots"],
        {"slots": sorted(f"{org}:{contact}:-:{key}" for org, contact, key in slots)},
        fetch="scalar",
    )
    for org_id in sorted({org for org, _, _ in slots}):
        found = yield Query(
            QUERIES["memory_current_values"],
            {"org": org_id, "contacts": sorted({c for o, c, _ in slots if o == org_id}),
             "keys": sorted({k for o, _, k in slots if o == org_id})},
            fetch="all",
        )  # fmt: skip
        known.update({(contact, key): (str(id_), value, confidence)
                      for contact, key, id_, value, confidence in found})  # fmt: skip
    return known


def _org_models(extractor: Extractor, rows: Sequence[Sequence[Any]]) -> Steps[None]:
    """The models of the batch's orgs that have their own (``rapport.extraction.examples``),
    loaded into an extractor that reads with them (``learned.LearnedExtractor``), when it
    does not hold that version yet."""
    wants, learn = getattr(extractor, "wants", None), getattr(extractor, "learn", None)
    if wants is None or learn is None:
        return
    for org_id, version in sorted({(str(row[0]), row[15]) for row in rows if row[15]}):
        if wants(org_id, version):
            blob = yield Query(
                EXTRACTION_QUERIES["model_blob"], {"org": org_id, "version": version},
                fetch="scalar",
            )  # fmt: skip
            learn(org_id, version, None if blob is None else bytes(blob))


def _extract(
    extractor: Extractor, rows: Sequence[Sequence[Any]], vectors: Sequence[Sequence[float]]
) -> list[Extraction]:
    """The extractor's reading of each message. An extractor is a plug-in: if it fails on
    the batch, each message is read alone, and one it still fails on is stored without
    extraction (and logged), so a bad message never stops the queue behind it."""
    messages = [
        Inbound(row[5], row[6], _org_intents(row[7]), str(row[0]), vector)
        for row, vector in zip(rows, vectors, strict=True)
    ]
    try:
        return extractor.extract(messages)
    except Exception:
        found = []
        for row, message in zip(rows, messages, strict=True):
            try:
                [one] = extractor.extract([message])
            except Exception:
                log.exception("extractor %s failed on message %s", extractor.name, row[1])
                one = Extraction()
            found.append(one)
        return found


def _unset_only(row: Sequence[Any], got: Extraction) -> Extraction:
    """``got`` without the fields the caller already set on the message."""
    intent, sentiment, language, no_keywords = row[8:12]
    return Extraction(
        intent=None if intent is not None else got.intent,
        intent_confidence=None if intent is not None else got.intent_confidence,
        sentiment=None if sentiment is not None else got.sentiment,
        keywords=got.keywords if no_keywords else [],
        language=None if language is not None else got.language,
        findings=got.findings,
        concerns=got.concerns,
        resolves=got.resolves,
    )


def _org_intents(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        return {}
    return {str(k): [str(p) for p in v] for k, v in value.items() if isinstance(v, list)}


def _apply(
    row: Sequence[Any], got: Extraction, extractor: str, done: Done, known: evidence.Known
) -> Steps[None]:
    """Memories, objections and qualification from one inbound message."""
    org_id, message_id, conversation_id, contact_id, _role, content, sent_at = row[:7]
    principal = Principal(org_id=str(org_id), role="owner")
    by = EXTRACTOR_ACTOR + extractor
    for finding in got.findings:
        done.memories_written += yield from _remember(
            principal,
            row,
            finding.key,
            finding.value,
            finding.text,
            finding.confidence,
            by,
            known,
        )
    for concern in got.concerns:
        raised = yield Query(
            QUERIES["enrich_raise_objection"],
            {"org": org_id, "conversation": conversation_id, "contact": contact_id,
             "message": message_id, "type": concern.type, "description": concern.description,
             "at": sent_at},
            fetch="rowcount",
        )  # fmt: skip
        if raised:
            done.objections_raised += 1
            value = {"type": concern.type, "resolved": False, "said": concern.description}
            yield from _remember(principal, row, f"objection.{concern.type}", value,
                                 f"Objection ({concern.type}): {concern.description}",
                                 concern.confidence, by, known)  # fmt: skip
    if got.resolves:
        settled = yield Query(
            QUERIES["enrich_resolve_objections"],
            {"resolution": content[:5000], "at": sent_at, "org": org_id,
             "conversation": conversation_id, "types": got.resolves},
            fetch="scalars",
        )  # fmt: skip
        done.objections_resolved += len(settled)
        for kind in sorted(set(settled)):
            value = {"type": kind, "resolved": True, "said": content[:500]}
            said = f"Objection ({kind}) resolved: {content[:500]}"
            yield from _remember(principal, row, f"objection.{kind}", value, said, 0.6, by, known)
    if any(f.key in BANT for f in got.findings):
        done.qualify[(str(org_id), str(conversation_id))] = (str(contact_id), sent_at)


def _remember(
    principal: Principal,
    row: Sequence[Any],
    key: str,
    value: Any,
    text: str,
    confidence: float,
    by: str,
    known: evidence.Known,
) -> Steps[bool]:
    """One reading of the lead's: evidence for what the contact's memory already says, or
    its next version (``memories.write_steps``, the slot held since ``_lock_slots``)."""
    item = memories.MemoryCreate.model_construct(
        contact_id=row[3],
        agent_id=None,
        conversation_id=row[2],
        key=key,
        value=value,
        text=text,
        extracted_by=by,
        source_message_id=row[1],
        confidence=confidence,
        metadata={},
        valid_from=row[6],
    )
    said_before = yield from evidence.support(
        principal.org_id, str(row[3]), key, value, str(row[1]), confidence, known
    )
    if said_before:  # the same fact again: evidence for the current version
        return False
    doc, created = yield from memories.write_steps(principal, item, locked=True)
    known[(str(row[3]), key)] = (str(doc["id"]), doc["value"], doc["confidence"])
    return created


def _qualify(org_id: Any, contact_id: Any, conversation_id: Any, sent_at: Any) -> Steps[None]:
    rows = yield Query(
        QUERIES["enrich_bant_now"],
        {"org": org_id, "contact": contact_id, "keys": list(BANT)},
        fetch="all",
    )
    known = {key: {"value": value, "valid_from": since, "text": text}
             for key, value, since, text in rows}  # fmt: skip
    day = sent_at.date() if isinstance(sent_at, datetime.datetime) else datetime.date.today()
    texts = [known[k]["text"] if k in known else None for k in BANT]
    yield Query(
        QUERIES["enrich_qualify"],
        {"budget": texts[0], "authority": texts[1], "need": texts[2], "timeline": texts[3],
         "score": score(known, day), "org": org_id, "id": conversation_id},
        fetch="rowcount",
    )  # fmt: skip


def _tallies(
    rows: Sequence[Sequence[Any]], extractions: dict[int, Extraction]
) -> dict[tuple[str, str], dict[str, Any]]:
    """What extraction adds to each contact's interaction summary (seed 003)."""
    per_contact: dict[tuple[str, str], dict[str, Any]] = {}
    for i, got in extractions.items():
        if not (got.intent or got.language or got.sentiment is not None):
            continue
        tally = per_contact.setdefault(
            (str(rows[i][0]), str(rows[i][3])), {"intents": {}, "languages": {}, "sum": 0.0, "n": 0}
        )
        if got.intent:
            tally["intents"][got.intent] = tally["intents"].get(got.intent, 0) + 1
        if got.language:
            tally["languages"][got.language] = tally["languages"].get(got.language, 0) + 1
        if got.sentiment is not None:
            tally["sum"] += got.sentiment
            tally["n"] += 1
    return per_contact


@operation
def after_commit(org_id: str, done: Done) -> Steps[None]:
    """The batch's writes to conversations and summaries, one row per statement, after its
    commit. Appends lock a conversation and a summary in one statement; a transaction that
    held one of them while waiting for the other would deadlock with them."""
    for (_, conversation_id), language in sorted(done.languages.items()):
        yield Query(
            QUERIES["enrich_language"],
            {"language": language, "org": org_id, "id": conversation_id},
            fetch="rowcount",
        )
    for (_, conversation_id), (contact_id, sent_at) in sorted(done.qualify.items()):
        yield from _qualify(org_id, contact_id, conversation_id, sent_at)
    for (_, contact_id), tally in sorted(done.tallies.items()):
        delta = {"contact_id": contact_id, "conversations": 0, "messages": 0,
                 "intents": tally["intents"], "languages": tally["languages"],
                 "sentiment_sum": tally["sum"], "sentiment_n": tally["n"],
                 "first_at": None, "last_at": None}  # fmt: skip
        yield Query(_SUMMARY, {"org": org_id, "deltas": json_text([delta])}, fetch="rowcount")
    # Their pattern edges (agents' questions, phases reached), after the objections and
    # qualification above, so a reader that waited for this batch sees them too.
    yield from graph.derive(org_id, done.talks)
    yield from facets.remember_keywords(org_id, done.inbound)  # the keyword facet
    if done.batch is not None:
        yield Query(QUERIES["inflight_clear"], {"batch": done.batch}, fetch="rowcount")


@atomic_operation
def embed_pending(
    table: str, org_id: str, embed: Embed, limit: int = BATCH, scope: Scope | None = None
) -> Steps[int]:
    """Embed up to ``limit`` memories, knowledge chunks or patterns that have no vector yet
    (of one conversation's or contact's memories with ``scope``)."""
    if table not in ("memories", "knowledge_chunks", "patterns"):
        raise ValueError(f"{table} has no embedding to fill")
    rows = yield Query(
        sql.fill(QUERIES["embed_claim"], table=table, scope=_scope(scope)),
        {"org": org_id, "scope_id": scope[1] if scope else None, "limit": limit},
        fetch="all",
    )
    if not rows:
        return 0
    vectors = embed([row[2] for row in rows])
    payload = [
        {"org_id": str(row[0]), "id": str(row[1]), "embedding": vector_text(vector)}
        for row, vector in zip(rows, vectors, strict=True)
    ]
    yield Query(
        sql.fill(QUERIES["embed_write"], table=table), {"payload": json_text(payload)},
        fetch="rowcount",
    )  # fmt: skip
    return len(rows)


@operation
def pending_in(org_id: str, scope: Scope) -> Steps[tuple[list[str], bool]]:
    """The ids of one conversation's (or contact's) messages waiting for enrichment, and
    whether a batch that read some of them has yet to write what follows from them
    (``after_commit``): one statement, as ``settle`` asks it before every read it guards."""
    row = yield Query(
        sql.fill(QUERIES["pending_in"], kind=scope[0]),
        {"org": org_id, "id": scope[1]},
        fetch="one",
    )
    return list(row[0]), bool(row[1])


@operation
def inflight(org_id: str) -> Steps[int]:
    """How many batches of the org have their after-commit writes to do."""
    found = yield Query(QUERIES["inflight"], {"org": org_id}, fetch="scalar")
    return int(found)


@operation
def requalify(org_id: str, conversation_id: str, message_ids: list[str]) -> Steps[None]:
    """The conversation's qualification from its contact's memories, when these messages
    left a BANT memory: what the batch that read them does after its commit, done now for a
    reader that must not wait for that step."""
    row = yield Query(
        QUERIES["sourced_bant"],
        {"keys": list(BANT), "messages": message_ids, "org": org_id, "id": conversation_id},
    )
    if row is not None and row[2]:
        yield from _qualify(org_id, row[0], conversation_id, row[1])


@operation
def pending(org_id: str) -> Steps[dict[str, int]]:
    """How many rows of the org wait for enrichment."""
    row = yield Query(QUERIES["pending"], {"org": org_id}, fetch="one")
    return {"messages": row[0], "memories": row[1], "knowledge_chunks": row[2]}


@operation
def orgs_pending() -> Steps[list[str]]:
    """The orgs with rows waiting for enrichment, or a batch's after-commit writes still to
    do: what an enricher of every org visits, one org at a time (row security shows it one
    org's rows per statement)."""
    found = yield Query(QUERIES["orgs_pending"], fetch="scalars")
    return [str(org) for org in found]


@operation
def set_aside_next(org_id: str, error: str) -> Steps[str | None]:
    """Store the message the next claim would take as enriched, unread, with ``error``:
    what enrichment does with a message it failed on even alone, so the queue behind it
    moves on. Its id, if any."""
    row = yield Query(sql.fill(QUERIES["enrich_next"], scope=_scope(None, "m.")), {"org": org_id})
    if row is None:
        return None
    yield Query(
        QUERIES["enrich_set_aside"], {"org": row[0], "id": row[1], "error": error[:2000]},
        fetch="rowcount",
    )  # fmt: skip
    return str(row[1])


@operation
def waiting(principal: Principal) -> Steps[dict[str, int]]:
    """Rows of your organization still waiting for enrichment: messages, memories and
    knowledge chunks."""
    return (yield from pending(principal.org_id).steps)

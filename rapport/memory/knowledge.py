"""Knowledge: documents agents draw on (seed 001's research results, seed 004's knowledge
sources: FAQs, product sheets), split into chunks that search finds by meaning and words.

A document is idempotent on ``external_id`` (default: a hash of its title and text), so
posting the same document twice stores it once. Its text is split into chunks of about
``CHUNK_WORDS`` words along sentence boundaries, overlapping by a sentence, because
all-MiniLM-L6-v2 reads at most 256 word pieces; each chunk is embedded with its document's
title in front. Text is immutable: to change it, delete the document and add it again.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation
from rapport.memory import QUERIES
from rapport.resources import crud
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Principal
from rapport.validation import json_text, validate

CHUNK_WORDS = 120
MAX_TEXT = 2_000_000


class KnowledgeDocument(BaseModel):
    """A knowledge document."""

    id: uuid.UUID
    external_id: str = Field(description="Your id for it; default: a hash of title and text.")
    title: str
    text: str
    source: str | None = Field(description="e.g. faq, product_sheet, research, website")
    url: str | None
    metadata: dict[str, Any]
    chunk_count: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class KnowledgeCreate(BaseModel):
    """A document to add to the org's knowledge."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Pricing FAQ",
                    "text": "Our Growth plan costs $499 a month and includes ...",
                    "source": "faq",
                    "metadata": {"product": "growth"},
                }
            ]
        },
    )

    title: Annotated[str, Field(min_length=1, max_length=500)]
    text: Annotated[str, Field(min_length=1, max_length=MAX_TEXT)]
    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    source: Annotated[str, Field(max_length=100)] | None = None
    url: Annotated[str, Field(max_length=2000)] | None = None
    metadata: dict[str, Any] = Field(default_factory=dict)


KNOWLEDGE = Resource(
    name="knowledge",
    table="knowledge_documents",
    singular="knowledge document",
    model=KnowledgeDocument,
    create_model=KnowledgeCreate,
    immutable=("text", "external_id"),
    description="Documents agents draw on, chunked, embedded and searchable.",
    enriched=True,
)

_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n{2,}")


def chunks(text: str, words: int = CHUNK_WORDS) -> list[str]:
    """``text`` in pieces of about ``words`` words, each ending on a sentence boundary and
    starting with the previous piece's last sentence."""
    sentences = [s.strip() for s in _SENTENCE.split(text) if s.strip()]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for sentence in sentences:
        length = len(sentence.split())
        if current and size + length > words:
            pieces.append(" ".join(current))
            current = current[-1:] if len(current[-1].split()) < words // 2 else []
            size = sum(len(s.split()) for s in current)
        for start in range(0, max(length, 1), words):  # a sentence longer than a chunk
            part = " ".join(sentence.split()[start : start + words])
            current.append(part)
            size += len(part.split())
            if size >= words:
                pieces.append(" ".join(current))
                current, size = [], 0
    if current:
        pieces.append(" ".join(current))
    return pieces


_INSERT = sql.fill(QUERIES["knowledge_insert"], knowledge=KNOWLEDGE.json_sql)
_STORED = sql.fill(QUERIES["knowledge_by_external_id"], knowledge=KNOWLEDGE.json_sql)


@atomic_operation
def add(principal: Principal, data: Any) -> Steps[tuple[dict[str, Any], bool]]:
    """Store a document and its chunks (embedded by enrichment): (document, created)."""
    principal.require(KNOWLEDGE.write_role, "add knowledge")
    return (yield from _add_steps(principal, validate(KnowledgeCreate, data)))


@atomic_operation
def add_many(principal: Principal, items: Any) -> Steps[list[str]]:
    """Store documents, all or nothing; their ids in order."""
    principal.require(KNOWLEDGE.write_role, "add knowledge")
    ids = []
    for item in crud.bulk_items(KnowledgeCreate, items):
        doc, _ = yield from _add_steps(principal, item)
        ids.append(doc["id"])
    return ids


def _add_steps(principal: Principal, item: KnowledgeCreate) -> Steps[tuple[dict[str, Any], bool]]:
    external_id = (
        item.external_id or hashlib.sha256(f"{item.title}\n{item.text}".encode()).hexdigest()[:32]
    )
    pieces = chunks(item.text)
    doc = yield Query(
        _INSERT,
        {"org": principal.org_id, "id": crud.new_id(), "external_id": external_id,
         "title": item.title, "text": item.text, "source": item.source, "url": item.url,
         "metadata": json_text(item.metadata), "chunk_count": len(pieces), "chunks": pieces},
        fetch="scalar",
    )  # fmt: skip
    if doc is not None:
        return dict(doc), True
    stored = yield Query(
        _STORED, {"org": principal.org_id, "external_id": external_id}, fetch="scalar"
    )
    return dict(stored), False

"""The extractor interface and the shapes it returns."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

# How enrichment signs what an extractor wrote (``extractor:<name>``), so what a person
# wrote, or corrected, is told apart from it.
ACTOR = "extractor:"


@dataclass(frozen=True, slots=True)
class Inbound:
    """What an extractor reads: one inbound message and when it was sent."""

    text: str
    timestamp: datetime.datetime
    intents: dict[str, list[str]] = field(default_factory=dict)  # the org's own intents
    org_id: str | None = None  # whose model reads it (``learned``): None is the base model
    vector: Sequence[float] | None = None  # its embedding, when enrichment has it already


@dataclass(frozen=True, slots=True)
class Finding:
    """A memory-worthy fact: ``key`` (budget, timeline, ...), a JSON value, a sentence."""

    key: str
    value: Any
    text: str
    confidence: float


@dataclass(frozen=True, slots=True)
class Concern:
    """An objection raised in the message."""

    type: str  # price | timing | trust | competitor | authority | need
    description: str
    confidence: float


@dataclass(slots=True)
class Extraction:
    """Everything read from one message; None or empty where nothing was found."""

    intent: str | None = None
    intent_confidence: float | None = None
    sentiment: float | None = None
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    findings: list[Finding] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    resolves: list[str] = field(default_factory=list)  # objection types, or "*" for any


class Extractor(Protocol):
    """Reads a batch of inbound messages; returns one ``Extraction`` per message, in order."""

    name: str

    def extract(self, messages: Sequence[Inbound]) -> list[Extraction]: ...


class Chain:
    """Several extractors; a later one's answers fill in what earlier ones left empty."""

    def __init__(self, *extractors: Extractor) -> None:
        self.extractors = extractors
        self.name = "+".join(e.name for e in extractors)

    def extract(self, messages: Sequence[Inbound]) -> list[Extraction]:
        results = [Extraction() for _ in messages]
        for extractor in self.extractors:
            for merged, found in zip(results, extractor.extract(messages), strict=True):
                _fill(merged, found)
        return results


def _fill(into: Extraction, found: Extraction) -> None:
    if into.intent is None:
        into.intent, into.intent_confidence = found.intent, found.intent_confidence
    if into.sentiment is None:
        into.sentiment = found.sentiment
    if into.language is None:
        into.language = found.language
    into.keywords = into.keywords or found.keywords
    known = {f.key for f in into.findings}
    into.findings.extend(f for f in found.findings if f.key not in known)
    raised = {c.type for c in into.concerns}
    into.concerns.extend(c for c in found.concerns if c.type not in raised)
    into.resolves.extend(t for t in found.resolves if t not in into.resolves)

"""The default extractor: the rule modules of this package over each inbound message."""

from __future__ import annotations

from collections.abc import Sequence

from rapport.extraction import concerns, intents, money, people, signals, timeline
from rapport.extraction.base import Extraction, Finding, Inbound


class RulesExtractor:
    """Offline and deterministic; about a millisecond or two per message."""

    name = "rules"

    def extract(self, messages: Sequence[Inbound]) -> list[Extraction]:
        return [self.one(message) for message in messages]

    def one(self, message: Inbound) -> Extraction:
        text = message.text.strip()
        if not text:
            return Extraction()
        raised = concerns.concerns(text)
        lang = signals.language(text)
        name, confidence = intents.intent(text, bool(raised), message.intents)
        findings: list[Finding] = [
            found
            for found in (
                money.budget(text),
                timeline.timeline(text, message.timestamp),
                people.authority(text),
                people.need(text),
                people.preference(text),
            )
            if found is not None
        ]
        return Extraction(
            intent=name,
            intent_confidence=confidence,
            sentiment=signals.sentiment(text),
            keywords=signals.keywords(text, lang),
            language=lang,
            findings=findings,
            concerns=raised,
            resolves=[] if raised else concerns.resolutions(text),
        )

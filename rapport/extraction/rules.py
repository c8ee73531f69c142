"""The default extractor: the rule modules of this package over each inbound message."""

from __future__ import annotations

from collections.abc import Sequence

from rapport.extraction import concerns, intents, money, people, signals, timeline
from rapport.extraction.base import Concern, Extraction, Finding, Inbound


class RulesExtractor:
    """Offline and deterministic; about two milliseconds per message, most of it YAKE."""

    name = "rules"

    def extract(self, messages: Sequence[Inbound]) -> list[Extraction]:
        return [self.one(message) for message in messages]

    def one(self, message: Inbound) -> Extraction:
        text = message.text.strip()
        if not text:
            return Extraction()
        raised, settles = concerns.read(text)
        lang = signals.language(text)
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
        stated_need = any(found.key == "need" for found in findings)
        name, confidence = intents.intent(text, raised, stated_need, message.intents)
        return Extraction(
            intent=name,
            intent_confidence=confidence,
            sentiment=signals.sentiment(text, lang),
            keywords=signals.keywords(text, lang),
            language=lang,
            findings=findings,
            concerns=raised,
            resolves=_settled(settles, raised),
        )


def _settled(resolves: list[str], raised: list[Concern]) -> list[str]:
    """What the message settles, less what it raises; no plain yes ("*") beside a new
    objection, which it would otherwise settle at once."""
    types = {concern.type for concern in raised}
    return [t for t in resolves if t not in types and not (t == "*" and types)]

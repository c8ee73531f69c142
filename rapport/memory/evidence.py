"""Memory hygiene: the same fact read again is evidence for it, not a new version.

A lead says their budget three times in a conversation ("about 5k a month", "5k/mo is what
we have", "$5,000 monthly"), and a need in other words each time. Each reading used to be a
version of its own; now, when the extractor reads a value that means what the current
version says (``alike``), the current version gains the message as evidence (``support``)
and its confidence grows as independent readings do (1 - (1-a)(1-b), at most 0.99). A
value that differs is a new version, as before; and what a person or an agent writes
through the API is always taken as written.

``alike`` by key: a budget with the same amount, period and lower bound (a currency left
out on one side matches); a timeline on the same date; authority with the same say and no
other title; an objection of the same type and state; a text value (need, preference) that
shares at least half of its content words; anything else only when equal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from rapport.db.operation import Query, Steps
from rapport.memory import QUERIES

WORD = re.compile(r"\w+")
SHARED = 0.5  # of the two phrases' content words, for a text value to mean the same
MAX_CONFIDENCE = 0.99
_FILLER = frozenset({
    "a", "an", "the", "of", "for", "to", "and", "or", "in", "on", "at", "by", "with", "my", "our",
    "we", "i", "is", "are", "it", "this", "that", "some", "more",
})  # fmt: skip


def _content(value: Any) -> set[str]:
    phrase = value.get("summary") if isinstance(value, Mapping) else value
    return set(WORD.findall(str(phrase or "").lower())) - _FILLER


def alike(key: str, old: Any, new: Any) -> bool:
    """Whether ``new`` says what ``old`` says, for a memory of ``key`` (module docstring)."""
    if old == new:
        return True
    if not isinstance(old, Mapping) or not isinstance(new, Mapping):
        return False
    if key == "budget":
        currencies = (old.get("currency"), new.get("currency"))
        return all(old.get(f) == new.get(f) for f in ("amount", "period", "min")) and (
            None in currencies or currencies[0] == currencies[1]
        )
    if key == "timeline":
        day = str(old.get("date") or "")[:10]
        return bool(day) and day == str(new.get("date") or "")[:10]
    if key == "authority":
        return old.get("decision_maker") == new.get("decision_maker") and new.get("title") in (
            None, old.get("title"),
        )  # fmt: skip
    if key.startswith("objection."):
        return old.get("type") == new.get("type") and old.get("resolved") == new.get("resolved")
    if "summary" in old and "summary" in new:
        ours, theirs = _content(old), _content(new)
        return bool(ours | theirs) and len(ours & theirs) / len(ours | theirs) >= SHARED
    return False


def combined(a: float | None, b: float | None) -> float | None:
    """Two independent readings' confidence."""
    if a is None or b is None:
        return a if b is None else b
    return round(min(MAX_CONFIDENCE, 1 - (1 - a) * (1 - b)), 4)


# A batch's current contact-wide versions: (contact id, key) -> (id, value, confidence).
Known = dict[tuple[str, str], tuple[str, Any, float | None]]


def support(
    org_id: str, contact_id: str, key: str, value: Any, message_id: str,
    confidence: float | None, known: Known,
) -> Steps[bool]:  # fmt: skip
    """If the contact's current contact-wide memory of ``key`` (in ``known``, which the
    batch read once it held the slots) says what ``value`` says, add the message to its
    evidence (and its confidence) and return True; else False."""
    current = known.get((contact_id, key))
    if current is None or not alike(key, current[1], value):
        return False
    both = combined(current[2], confidence)
    yield Query(
        QUERIES["memory_support"],
        {"org": org_id, "id": current[0], "message": message_id, "confidence": both},
        fetch="rowcount",
    )
    known[(contact_id, key)] = (current[0], current[1], both)
    return True

"""Precision and recall of an ``Extractor`` on the hand-labelled set.

The set and its labelling rules are in ``tests/data/README.md``; ``load`` reads it.
``evaluate`` runs an extractor over labelled examples, each read as ``Inbound(text,
timestamp)`` with no org intents, and ``score`` compares its answers with the labels (both
pure: no I/O beyond what the extractor does); the ``Report`` also lists every miss.
``split`` cuts the set into ``dev`` (threads t01-t15, and lone messages whose id number is
even), which rules may be tuned on, and ``held_out`` (the rest), which they must not be.

For every field, precision = right / predicted and recall = found / labelled, where a
prediction is "right" and a label "found" by the rules below (the two counts differ only
for keywords); F1 is their harmonic mean and support the number of labels.

- intent: one class per message. Per intent P/R, accuracy, and macro F1 over the intents
  that occur in the labels.
- sentiment: the compound score read as positive (>= 0.05), negative (<= -0.05) or
  neutral; per class P/R and accuracy. No score is no prediction (and wrong).
- language: a code is a prediction (None is none); right when equal to the label.
- budget: right when the amount is within 1% of the label's and, when both the label and
  the prediction name a currency, the currencies are equal (a currency the prediction
  leaves out is not held against the amount). A wrong prediction on a labelled message is a
  false positive and a miss. Over the right ones: currency accuracy (None must match None),
  period accuracy, and range accuracy (``min`` within 1%, or absent in both).
- timeline: right when the predicted date is within the label's ``slack_days`` + 1 day.
- authority: right when ``decision_maker`` equals the label's. A finding whose
  ``decision_maker`` is None (a title only) claims nothing about who decides, as the
  labelling rules give a bare title ``authority: null``: it is no prediction, so it is a
  miss when the label says true or false and costs nothing when the label is null. Title
  accuracy (case-insensitive, None must match None) over the right ones.
- need: detection (a need stated or not); mean token Jaccard of the phrases over messages
  where both have one.
- objections: each type as its own yes/no (multi-label), and micro totals over all types.
- resolves: per message, whether it settles an objection, as the pipeline applies it: a
  named type is a prediction; a "*" (a plain yes) settles whatever is open in the
  conversation, so it is a prediction only in a thread where an earlier message raised an
  objection (by the labels) that no message has settled yet, and there it matches any
  labelled type. Outside a thread, or with nothing open, a "*" does nothing and is not
  counted. Right when the named types share one with the label's, or a "*" applies and the
  label is not empty.
- keywords: a predicted keyword is right when it shares a content word with some labelled
  keyword; a labelled keyword is found when it shares one with some predicted keyword
  (micro, over all keywords). Content words: letters or digits, minus a few function words.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapport.extraction.base import Extraction, Extractor, Inbound

INTENTS = (
    "pricing_inquiry", "purchase_intent", "scheduling", "objection", "not_interested",
    "support", "product_question", "greeting", "other",
)  # fmt: skip
SENTIMENTS = ("positive", "neutral", "negative")
OBJECTIONS = ("price", "timing", "trust", "competitor", "authority", "need")
_WORD = re.compile(r"\w+")
_FUNCTION_WORDS = frozenset({
    "a", "an", "the", "of", "for", "to", "and", "or", "in", "on", "at", "by", "with", "my", "our",
    "your", "we", "i", "is", "are", "it", "its", "this", "that", "de", "la", "le", "el", "los",
    "las", "les", "o", "os", "da", "do", "das", "dos", "du", "des", "e", "et", "y", "und", "der",
    "die", "il", "di", "per",
})  # fmt: skip


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled message (a line of the jsonl file)."""

    id: str
    thread: str | None
    text: str
    timestamp: datetime.datetime
    labels: Mapping[str, Any]

    @classmethod
    def from_json(cls, row: Mapping[str, Any]) -> Example:
        when = datetime.datetime.fromisoformat(str(row["timestamp"]).replace("Z", "+00:00"))
        return cls(str(row["id"]), row.get("thread"), str(row["text"]), when, row["labels"])

    @property
    def dev(self) -> bool:
        """Threads t01-t15, and messages outside a thread whose id number is even."""
        if self.thread is not None:
            return int(self.thread.lstrip("t")) <= 15
        return int(self.id.rsplit("-", 1)[1]) % 2 == 0


def load(path: Path) -> list[Example]:
    with path.open(encoding="utf-8") as lines:
        return [Example.from_json(json.loads(line)) for line in lines if line.strip()]


def split(examples: Sequence[Example]) -> dict[str, list[Example]]:
    """``dev``, ``held_out`` and ``all``, each in file order."""
    return {
        "dev": [e for e in examples if e.dev],
        "held_out": [e for e in examples if not e.dev],
        "all": list(examples),
    }


@dataclass(slots=True)
class Score:
    """Counts behind one precision / recall pair."""

    predicted: int = 0
    labelled: int = 0
    right: int = 0  # predictions judged correct
    found: int = 0  # labels a prediction matched

    def add(self, predicted: bool, labelled: bool, correct: bool) -> None:
        """One yes/no decision; ``correct`` only counts when both sides said yes."""
        self.predicted += predicted
        self.labelled += labelled
        hit = predicted and labelled and correct
        self.right += hit
        self.found += hit

    @property
    def precision(self) -> float:
        return self.right / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.labelled


@dataclass(slots=True)
class Mean:
    """An average (an accuracy when every value is 0 or 1)."""

    total: float = 0.0
    count: int = 0

    def add(self, value: float) -> None:
        self.total += value
        self.count += 1

    @property
    def value(self) -> float:
        return self.total / self.count if self.count else 0.0


@dataclass(frozen=True, slots=True)
class Miss:
    """A wrong prediction or a missed label, to read when improving the rules."""

    field: str
    id: str
    text: str
    expected: Any
    got: Any


@dataclass(slots=True)
class Report:
    """``scores`` keyed "budget", "intent:greeting", "objections:price", "objections" ...;
    ``means`` keyed "intent accuracy", "budget currency", "need overlap" ..."""

    size: int = 0
    scores: dict[str, Score] = field(default_factory=dict)
    means: dict[str, Mean] = field(default_factory=dict)
    misses: list[Miss] = field(default_factory=list)

    def score(self, key: str) -> Score:
        return self.scores.setdefault(key, Score())

    def mean(self, key: str) -> Mean:
        return self.means.setdefault(key, Mean())

    def macro_f1(self, prefix: str) -> float:
        """Mean F1 over the classes of ``prefix`` ("intent", "sentiment") that have labels."""
        f1s = [s.f1 for k, s in self.scores.items() if k.startswith(prefix + ":") and s.labelled]
        return sum(f1s) / len(f1s) if f1s else 0.0

    def miss(self, name: str, example: Example, expected: Any, got: Any) -> None:
        self.misses.append(Miss(name, example.id, example.text, expected, got))


def inbound(examples: Iterable[Example]) -> list[Inbound]:
    return [Inbound(e.text, e.timestamp) for e in examples]


def evaluate(extractor: Extractor, examples: Sequence[Example]) -> Report:
    """Run ``extractor`` over ``examples`` and score its answers."""
    return score(examples, extractor.extract(inbound(examples)))


def score(examples: Sequence[Example], extractions: Sequence[Extraction]) -> Report:
    """Compare each extraction with its example's labels (the rules of this module)."""
    report = Report(size=len(examples))
    for name in INTENTS:
        report.score(f"intent:{name}")
    for name in SENTIMENTS:
        report.score(f"sentiment:{name}")
    opened = _open_objections(examples)
    for example, got in zip(examples, extractions, strict=True):
        _classes(report, "intent", example, example.labels["intent"], got.intent)
        _classes(report, "sentiment", example, example.labels["sentiment"], _tone(got.sentiment))
        _language(report, example, got)
        findings = {f.key: f.value for f in got.findings}
        _budget(report, example, findings.get("budget"))
        _timeline(report, example, findings.get("timeline"))
        _authority(report, example, findings.get("authority"))
        _need(report, example, findings.get("need"))
        _objections(report, example, got)
        _resolves(report, example, got, opened[example.id])
        _keywords(report, example, got)
    return report


def _tone(compound: float | None) -> str | None:
    if compound is None:
        return None
    return "positive" if compound >= 0.05 else "negative" if compound <= -0.05 else "neutral"


def _classes(report: Report, name: str, example: Example, label: str, got: str | None) -> None:
    report.mean(f"{name} accuracy").add(label == got)
    labelled = report.score(f"{name}:{label}")
    labelled.labelled += 1
    if got is not None:
        report.score(f"{name}:{got}").predicted += 1
    if label == got:
        labelled.right += 1
        labelled.found += 1
    else:
        report.miss(name, example, label, got)


def _language(report: Report, example: Example, got: Extraction) -> None:
    label = example.labels["language"]
    correct = got.language == label
    report.score("language").add(got.language is not None, label is not None, correct)
    report.mean("language accuracy").add(correct)
    if not correct:
        report.miss("language", example, label, got.language)


def _close(a: Any, b: Any) -> bool:
    return abs(float(a) - float(b)) <= 0.01 * abs(float(b))


def _budget(report: Report, example: Example, got: Any) -> None:
    label = example.labels["budget"]
    correct = bool(label and got and got.get("amount") is not None)
    if correct:
        same_currency = got.get("currency") == label["currency"]
        both_named = got.get("currency") is not None and label["currency"] is not None
        correct = _close(got["amount"], label["amount"]) and (same_currency or not both_named)
    report.score("budget").add(got is not None, label is not None, correct)
    if correct:
        report.mean("budget currency").add(got.get("currency") == label["currency"])
        report.mean("budget period").add(got.get("period") == label.get("period"))
        lows = (got.get("min"), label.get("min"))
        report.mean("budget range").add(
            lows == (None, None) or (None not in lows and _close(lows[0], lows[1]))
        )
    elif label is not None or got is not None:
        report.miss("budget", example, label, got)


def _timeline(report: Report, example: Example, got: Any) -> None:
    label = example.labels["timeline"]
    correct = False
    if label and got and got.get("date"):
        said = datetime.date.fromisoformat(str(got["date"])[:10])
        expected = datetime.date.fromisoformat(label["date"])
        correct = abs((said - expected).days) <= int(label["slack_days"]) + 1
    report.score("timeline").add(got is not None, label is not None, correct)
    if not correct and (label is not None or got is not None):
        report.miss("timeline", example, label, got)


def _authority(report: Report, example: Example, got: Any) -> None:
    label = example.labels["authority"]
    said = None if got is None else got.get("decision_maker")
    correct = label is not None and said is not None and said == label["decision_maker"]
    report.score("authority").add(said is not None, label is not None, correct)
    if correct:
        title = (got.get("title") or "").lower() or None
        report.mean("authority title").add(title == label.get("title"))
    elif label is not None or said is not None:
        report.miss("authority", example, label, got)


def _words(phrase: str) -> set[str]:
    return set(_WORD.findall(phrase.lower()))


def _need(report: Report, example: Example, got: Any) -> None:
    label = example.labels["need"]
    said = None if got is None else str(got.get("summary") or "") or None
    report.score("need").add(said is not None, label is not None, True)
    if label is not None and said is not None:
        ours, theirs = _words(said), _words(label)
        overlap = len(ours & theirs) / len(ours | theirs) if ours | theirs else 1.0
        report.mean("need overlap").add(overlap)
        if overlap < 0.5:
            report.miss("need", example, label, said)
    elif label is not None or said is not None:
        report.miss("need", example, label, said)


def _objections(report: Report, example: Example, got: Extraction) -> None:
    labelled = set(example.labels["objections"])
    said = {c.type for c in got.concerns}
    for name in OBJECTIONS:
        hit = name in labelled and name in said
        report.score(f"objections:{name}").add(name in said, name in labelled, hit)
        report.score("objections").add(name in said, name in labelled, hit)
    if labelled != said:
        report.miss("objections", example, sorted(labelled), sorted(said))


def _open_objections(examples: Sequence[Example]) -> dict[str, set[str]]:
    """Per message, the labelled objections of its thread still open when it was sent."""
    opened: dict[str, set[str]] = {e.id: set() for e in examples}
    threads: dict[str, list[Example]] = {}
    for example in examples:
        if example.thread is not None:
            threads.setdefault(example.thread, []).append(example)
    for thread in threads.values():
        still: set[str] = set()
        for example in sorted(thread, key=lambda e: e.timestamp):
            opened[example.id] = set(still)
            still -= set(example.labels["resolves"])
            still |= set(example.labels["objections"])
    return opened


def _resolves(report: Report, example: Example, got: Extraction, opened: set[str]) -> None:
    labelled, said = set(example.labels["resolves"]), set(got.resolves)
    named = said - {"*"}
    star = "*" in said and bool(opened)
    correct = bool(labelled & named) or (star and bool(labelled))
    predicted = bool(named) or star
    report.score("resolves").add(predicted, bool(labelled), correct)
    if predicted != bool(labelled) or (predicted and not correct):
        report.miss("resolves", example, sorted(labelled), sorted(said))


def _content(phrase: str) -> set[str]:
    return _words(phrase) - _FUNCTION_WORDS


def _keywords(report: Report, example: Example, got: Extraction) -> None:
    labelled = [_content(k) for k in example.labels["keywords"]]
    said = [_content(k) for k in got.keywords]
    keywords = report.score("keywords")
    keywords.predicted += len(said)
    keywords.labelled += len(labelled)
    keywords.right += sum(any(s & k for k in labelled) for s in said)
    keywords.found += sum(any(k & s for s in said) for k in labelled)
    if labelled and not any(s & k for s in said for k in labelled):
        report.miss("keywords", example, example.labels["keywords"], got.keywords)

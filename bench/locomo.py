"""LoCoMo for the retrieval bench: conversations as turns, questions with clean evidence, recall.

The data is the development split of LoCoMo (Maharana et al., ACL 2024), described in
``/work/shared/data/locomo/README.md``. Everything that decides what a retriever sees and how
it is scored lives here, so every retriever indexes the same text and is scored the same way:

- a turn's text is ``"{speaker}: {text}"``, plus ``" [shares {blip_caption}]"`` when the turn
  shares an image (the caption is the only trace of the image in the text);
- a turn's time is its session's date and time plus its index in seconds, so turns keep
  their order when a store sorts by time;
- a question's evidence is split, normalised and checked against the conversation's turns;
  ids that name no turn are dropped and a question left without evidence is skipped (it
  cannot be scored), and both are counted so the report can say so;
- recall@k is the share of a question's evidence turns found in the top k, averaged over
  questions (the paper's measure).
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path("/work/shared/data/locomo/locomo_dev.json")

# This file's numbering (README.md); the paper's tables order them differently.
CATEGORIES: dict[int, str] = {
    1: "multi-hop",
    2: "temporal",
    3: "open-domain",
    4: "single-hop",
    5: "adversarial",
}

# The published figure to read ours against (README.md): the LoCoMo paper's Table 3, DRAGON
# over dialog turns with the question as query, all five categories.
REFERENCE = (
    "LoCoMo paper (Table 3), DRAGON over dialog turns, all categories: recall@5 56.7, "
    "recall@10 66.2 (at k=10: single-hop 77.7, multi-hop 46.6, temporal 77.3, "
    "open-domain 40.8, adversarial 54.7); the paper counts a question with empty evidence as "
    "recall 1, this bench skips it."
)

_SESSION = re.compile(r"session_(\d+)")
_EVIDENCE_ID = re.compile(r"D:?(\d+):(\d+)")


@dataclass(frozen=True)
class Turn:
    """One dialog turn, as every retriever indexes it."""

    dia_id: str
    speaker: str
    text: str
    session: int
    timestamp: datetime.datetime


@dataclass(frozen=True)
class Question:
    """A question with its evidence reduced to dia_ids that exist in its conversation."""

    text: str
    category: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Sample:
    """One conversation: its sessions' turns in order and the questions asked about it."""

    sample_id: str
    speaker_a: str
    speaker_b: str
    sessions: dict[int, tuple[Turn, ...]]
    questions: tuple[Question, ...]

    @property
    def turns(self) -> list[Turn]:
        """Every turn of every session, in time order: the corpus a question searches."""
        return [turn for number in sorted(self.sessions) for turn in self.sessions[number]]


@dataclass
class EvidenceReport:
    """What loading did to the evidence, so the report can say what was repaired or lost."""

    ids: int = 0  # evidence ids after splitting and normalising, before dropping
    rewritten: list[str] = field(default_factory=list)  # raw strings split or normalised
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (sample_id, id): no such turn
    skipped: int = 0  # questions left without any valid evidence
    skipped_empty: int = 0  # ... of which had empty evidence in the file
    questions: int = 0  # questions kept


def turn_text(turn: Mapping[str, Any]) -> str:
    """The text every retriever indexes; a shared image counts through its caption."""
    text = f"{turn['speaker']}: {turn['text']}"
    caption = turn.get("blip_caption")
    if caption:
        text += f" [shares {caption}]"
    return text


def session_time(text: str) -> datetime.datetime:
    """``"1:56 pm on 8 May, 2023"`` as an aware UTC datetime (the data has no time zone)."""
    parsed = datetime.datetime.strptime(text.strip(), "%I:%M %p on %d %B, %Y")
    return parsed.replace(tzinfo=datetime.UTC)


def normalise_evidence(raw: Iterable[str]) -> list[str]:
    """Evidence strings as dia_ids: split on ";" and ",", "D:11:26" -> "D11:26", "D30:05" ->
    "D30:5". Strings that are no id at all are kept as they are, to be dropped and counted."""
    ids: list[str] = []
    for entry in raw:
        for piece in re.split(r"[;,]", entry):
            part = piece.strip()
            if not part:
                continue
            match = _EVIDENCE_ID.fullmatch(part)
            dia_id = f"D{int(match[1])}:{int(match[2])}" if match else part
            if dia_id not in ids:
                ids.append(dia_id)
    return ids


def _sessions(sample_id: str, conversation: Mapping[str, Any]) -> dict[int, tuple[Turn, ...]]:
    """The conversation's sessions. Some samples list a date for sessions that have no turns;
    only ``session_N`` lists count."""
    sessions: dict[int, tuple[Turn, ...]] = {}
    for key, value in conversation.items():
        match = _SESSION.fullmatch(key)
        if match is None or not isinstance(value, list):
            continue
        number = int(match[1])
        start = session_time(conversation[f"session_{number}_date_time"])
        sessions[number] = tuple(
            Turn(
                dia_id=turn["dia_id"],
                speaker=turn["speaker"],
                text=turn_text(turn),
                session=number,
                timestamp=start + datetime.timedelta(seconds=index),
            )
            for index, turn in enumerate(value)
        )
    dia_ids = [turn.dia_id for turns in sessions.values() for turn in turns]
    if len(set(dia_ids)) != len(dia_ids):
        raise ValueError(f"{sample_id}: a dia_id appears twice; recall would be ambiguous")
    return sessions


def load(path: Path = DATA, limit: int | None = None) -> tuple[list[Sample], EvidenceReport]:
    """The first ``limit`` samples (all by default), with their evidence cleaned and reported."""
    raw_samples = json.loads(path.read_text())[:limit]
    report = EvidenceReport()
    samples: list[Sample] = []
    for raw in raw_samples:
        sample_id = raw["sample_id"]
        conversation = raw["conversation"]
        sessions = _sessions(sample_id, conversation)
        known = {turn.dia_id for turns in sessions.values() for turn in turns}
        questions: list[Question] = []
        for qa in raw["qa"]:
            evidence = normalise_evidence(qa["evidence"])
            report.ids += len(evidence)
            report.rewritten += [e for e in qa["evidence"] if e not in evidence]
            report.dropped += [(sample_id, e) for e in evidence if e not in known]
            valid = tuple(e for e in evidence if e in known)
            if not valid:
                report.skipped += 1
                report.skipped_empty += not qa["evidence"]
                continue
            questions.append(Question(qa["question"], int(qa["category"]), valid))
        report.questions += len(questions)
        samples.append(
            Sample(
                sample_id=sample_id,
                speaker_a=conversation["speaker_a"],
                speaker_b=conversation["speaker_b"],
                sessions=dict(sorted(sessions.items())),
                questions=tuple(questions),
            )
        )
    return samples, report


def recall(ranked: Sequence[str], evidence: Sequence[str], k: int) -> float:
    """Share of the evidence turns among the first ``k`` retrieved (the paper's recall@k)."""
    top = set(ranked[:k])
    return sum(dia_id in top for dia_id in evidence) / len(evidence)


@dataclass
class Tally:
    """Recall of every question for every retriever, averaged on demand by category and k."""

    ks: tuple[int, ...]
    _rows: dict[str, list[tuple[int, dict[int, float]]]] = field(default_factory=dict)

    def add(self, retriever: str, question: Question, ranked: Sequence[str]) -> None:
        recalls = {k: recall(ranked, question.evidence, k) for k in self.ks}
        self._rows.setdefault(retriever, []).append((question.category, recalls))

    def mean(self, retriever: str, k: int, category: int | None = None) -> float:
        """Mean recall@k over the retriever's questions (of one category, or all)."""
        values = [
            recalls[k]
            for cat, recalls in self._rows.get(retriever, [])
            if category is None or cat == category
        ]
        return sum(values) / len(values) if values else float("nan")

    def count(self, retriever: str, category: int | None = None) -> int:
        return sum(
            1 for cat, _ in self._rows.get(retriever, []) if category is None or cat == category
        )

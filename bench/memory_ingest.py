"""Section 1 of the memory bench: how fast messages go in, with and without enrichment.

Every way of ingesting writes the same messages (one list per conversation, 16 turns), each
into its own organization so one flush never picks up another's rows:

- a: ``append_messages`` with ``enrich="off"``, one call per conversation, beside raw psycopg
  ``executemany`` of the same rows (interleaved per conversation);
- b: the same appends, then ``r.enrichment.flush()`` (extraction and embeddings in batches,
  what a bulk import does), timed together, beside c, the model alone embedding the same
  texts in batches of 64 (interleaved per round of 32 conversations, 512 messages);
- inline: ``enrich="inline"``, one ``append_message`` per message, on a smaller sample,
  beside the model embedding each text alone (one call per text, as Mem0 does).
"""

from __future__ import annotations

import datetime
import os
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import psycopg
from rich.console import Console

import baseline
import memory_data
from rapport import synthetic
from rapport.db.database import Database
from rapport.extraction.base import Inbound
from rapport.extraction.rules import RulesExtractor
from rapport.retrieval import embeddings
from rapport.sdk import Rapport
from report import Row, Section, Target

PER_CONVERSATION = 16  # messages per append_messages call: one conversation's history
ROUND = 32  # conversations per interleaved round of b and c: 512 messages, 4 enrichment batches
MODEL_BATCH = 64
WAYS = {"off": "off", "raw": "off", "batch": "off", "inline": "inline"}  # organization: enrich


class TimedEmbedder:
    """The process's embedder, counting the texts and seconds enrichment spends in it."""

    def __init__(self, inner: embeddings.Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.texts = 0
        self.seconds = 0.0
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        started = time.perf_counter()
        vectors = self.inner.embed(texts)
        with self._lock:
            self.seconds += time.perf_counter() - started
            self.texts += len(texts)
        return vectors


@dataclass
class Ingestor:
    """One organization written by one way of ingesting, with a conversation per history."""

    r: Rapport
    conversation_ids: list[str]
    contact_of: dict[str, str] = field(default_factory=dict)

    @property
    def org_id(self) -> str:
        return self.r.principal.org_id


def open_ingestor(
    database: Database, conn: psycopg.Connection[Any], name: str, enrich: str, conversations: int
) -> Ingestor:
    r = Rapport(org=name, database=database, enrich=enrich)
    contacts = max(10, conversations // 4)
    population = synthetic.populate(database, r.principal, contacts, conversations, 0)
    rows = conn.execute(
        "SELECT id::text, contact_id::text FROM conversations WHERE org_id = %s",
        [r.principal.org_id],
    ).fetchall()
    return Ingestor(r, population.conversation_ids, dict(rows))


@dataclass
class Histories:
    """The messages every way ingests: one item list per conversation."""

    items: list[list[dict[str, Any]]]

    @property
    def count(self) -> int:
        return sum(len(group) for group in self.items)

    def texts(self, groups: range) -> list[str]:
        return [str(item["content"]) for g in groups for item in self.items[g]]

    def inbound(self, groups: range) -> list[Inbound]:
        return [
            Inbound(str(item["content"]), datetime.datetime.fromisoformat(str(item["timestamp"])))
            for g in groups
            for item in self.items[g]
            if item["role"] == "user"
        ]


def histories(messages: int, seed: int) -> Histories:
    conversations = max(ROUND, messages // PER_CONVERSATION)
    texts = memory_data.pool(max(500, messages // 2), seed)
    rng = random.Random(seed)
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=30)
    return Histories(
        [
            memory_data.items(
                memory_data.conversation(rng, texts, PER_CONVERSATION), start, f"c{c}", rng
            )
            for c in range(conversations)
        ]
    )


@dataclass
class Rates:
    """Seconds spent by each way, and what the flushes reported."""

    seconds: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    flushed: dict[str, float] = field(default_factory=dict)
    rounds: list[float] = field(default_factory=list)  # each round's b rate / c rate

    def add(self, name: str, seconds: float, count: int) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds
        self.counts[name] = self.counts.get(name, 0) + count

    def rate(self, name: str) -> float:
        return self.counts[name] / self.seconds[name] if self.seconds.get(name) else float("nan")


def _timed(rates: Rates, name: str, count: int, call: Any) -> Any:
    started = time.perf_counter()
    result = call()
    rates.add(name, time.perf_counter() - started, count)
    return result


def append_vs_raw(
    off: Ingestor, raw: Ingestor, conn: psycopg.Connection[Any], data: Histories, rates: Rates
) -> None:
    """a beside raw executemany, one conversation's history per call, order swapped each time."""
    for g, items in enumerate(data.items):
        theirs = [{**item, "conversation_id": raw.conversation_ids[g]} for item in items]
        calls = [
            ("a", partial(off.r.conversations.append_messages, off.conversation_ids[g], items)),
            ("raw", partial(baseline.bulk_insert, conn, raw.org_id, theirs, raw.contact_of)),
        ]
        for name, call in calls if g % 2 == 0 else calls[::-1]:
            _timed(rates, name, len(items), call)


def batched(model: embeddings.Embedder, texts: list[str]) -> None:
    for i in range(0, len(texts), MODEL_BATCH):
        model.embed(texts[i : i + MODEL_BATCH])


def batch_vs_model(
    batch: Ingestor,
    data: Histories,
    models: dict[str, embeddings.Embedder],
    extractor: RulesExtractor,
    rates: Rates,
    console: Console,
) -> None:
    """b (append + flush) beside c (the model alone), per round of 32 conversations.

    ``models``: "c", Rapport's embedder, and "torch", MiniLM through sentence-transformers.
    Extraction alone on the round's inbound texts is timed too, to split b's time.
    """
    rounds = range(0, len(data.items), ROUND)
    with console.status("Ingesting: append + flush against the model alone…") as status:
        for number, start in enumerate(rounds):
            status.update(f"Ingesting: append + flush against the model alone, round {number + 1}"
                          f" of {len(rounds)}…")  # fmt: skip
            groups = range(start, min(start + ROUND, len(data.items)))
            texts = data.texts(groups)

            def b(groups: range = groups) -> None:
                for g in groups:
                    batch.r.conversations.append_messages(batch.conversation_ids[g], data.items[g])
                appended = time.perf_counter()
                done = batch.r.enrichment.flush()
                rates.flushed["flush seconds"] = rates.flushed.get("flush seconds", 0.0) + (
                    time.perf_counter() - appended
                )
                for key in ("messages", "memories_embedded", "memories_written", "extracted",
                            "objections_raised"):  # fmt: skip
                    rates.flushed[key] = rates.flushed.get(key, 0) + done[key]

            inbound = data.inbound(groups)
            calls = [
                ("b", b, len(texts)),
                ("c", partial(batched, models["c"], texts), len(texts)),
                ("torch", partial(batched, models["torch"], texts), len(texts)),
                ("extraction", partial(extractor.extract, inbound), len(inbound)),
            ]
            before = dict(rates.seconds)
            for name, call, count in calls if number % 2 == 0 else calls[::-1]:
                _timed(rates, name, count, call)
            spent = {n: rates.seconds[n] - before.get(n, 0.0) for n in ("b", "c")}
            rates.rounds.append(spent["c"] / spent["b"])  # same texts: the rates' ratio b / c


def inline_vs_single(
    inline: Ingestor, data: Histories, model: embeddings.Embedder, count: int, rates: Rates
) -> None:
    """One append_message per message (inline enrichment) beside one model call per text."""
    done = 0
    append_one = inline.r.conversations.append_message
    for g, items in enumerate(data.items):
        for item in items:
            if done == count:
                return
            calls = [
                ("inline", partial(append_one, inline.conversation_ids[g], item)),
                ("single", partial(model.embed, [str(item["content"])])),
            ]
            for name, call in calls if done % 2 == 0 else calls[::-1]:
                _timed(rates, name, 1, call)
            done += 1


def ingest(
    database: Database,
    conn: psycopg.Connection[Any],
    console: Console,
    run_id: str,
    messages: int,
    inline_messages: int,
) -> Section:
    """Section 1."""
    data = histories(messages, seed=11)
    count = len(data.items)
    with console.status(f"Creating 4 organizations of {count:,} conversations…"):
        ways = {
            name: open_ingestor(database, conn, f"bench-memory-{run_id}-{name}", enrich, count)
            for name, enrich in WAYS.items()
        }
    with console.status("Loading all-MiniLM-L6-v2 (ONNX and torch) and warming it…"):
        model = embeddings.default_embedder()
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # "Loading weights" bar
        reference = embeddings.MiniLM()
        for warm in (model, reference):
            batched(warm, data.texts(range(8)))
        extractor = RulesExtractor()
        extractor.extract(data.inbound(range(2)))
    rates = Rates()
    with console.status("Ingesting: append (enrich off) against raw executemany…"):
        append_vs_raw(ways["off"], ways["raw"], conn, data, rates)
    # b's enricher takes the process's embedder on its first flush: the timed one.
    timed = TimedEmbedder(model)
    embeddings.use_embedder(timed)
    try:
        models = {"c": model, "torch": reference}
        batch_vs_model(ways["batch"], data, models, extractor, rates, console)
    finally:
        embeddings.use_embedder(model)
    with console.status(f"Ingesting: {inline_messages} inline appends…"):
        inline_vs_single(ways["inline"], data, model, inline_messages, rates)
    for way in ways.values():
        way.r.close()
    return report(data, rates, timed, model)


def report(
    data: Histories, rates: Rates, timed: TimedEmbedder, model: embeddings.Embedder
) -> Section:
    a, b, c = rates.rate("a"), rates.rate("b"), rates.rate("c")
    section = Section(
        "1. Ingest throughput (messages/s)",
        f"The same {data.count:,} sales messages ({len(data.items):,} conversations × "
        f"{PER_CONVERSATION}, half from leads) written each way into its own organization; "
        "each row's two figures were measured interleaved. Ratio = measured / against.",
        subject="measured",
        baseline="against",
    )
    aim = Target("aim 0.8 × c", 0.8 * c)
    section.rows += [
        Row("append + flush (b) against model alone, batches of 64 (c)", b, c, "/s", [aim]),
        Row("append, enrich off (a) against raw executemany", a, rates.rate("raw"), "/s"),
        Row("append, enrich off (a) against append + flush (b)", a, b, "/s"),
        Row(
            "inline, 1 message per append against model, 1 text per call",
            rates.rate("inline"),
            rates.rate("single"),
            "/s",
        ),
        Row("model, 1 text per call (Mem0-style) against c", rates.rate("single"), c, "/s"),
        Row("sentence-transformers MiniLM, batches of 64, against c", rates.rate("torch"), c, "/s"),
    ]
    section.notes.append(
        f"c is the embedder Rapport runs ({type(model).__name__}, rapport.retrieval.embeddings."
        "default_embedder), the one inside b's flush and the inline appends; the last row is "
        "embeddings.MiniLM (torch, sentence-transformers) on the same texts, for reference."
    )
    section.notes += breakdown(rates, timed)
    return section


def breakdown(rates: Rates, timed: TimedEmbedder) -> list[str]:
    """Where b's seconds went: appends, the model inside flush, extraction, the rest."""
    flushed = rates.flushed
    total = rates.seconds["b"]
    flush = flushed["flush seconds"]
    append = total - flush
    extraction = rates.seconds["extraction"]
    rest = flush - timed.seconds - extraction
    texts = int(timed.texts)
    messages = int(flushed["messages"])

    def share(seconds: float) -> str:
        return f"{seconds:.1f} s ({100 * seconds / total:.0f}%)"

    per_round = sorted(rates.rounds)
    return [
        f"b / c per round of {ROUND * PER_CONVERSATION} messages: median "
        f"{per_round[len(per_round) // 2]:.2f}, range {per_round[0]:.2f} to {per_round[-1]:.2f} "
        f"over {len(per_round)} rounds (other load on the machine moves single rounds).",
        f"b's {total:.1f} s: appends {share(append)}; in flush, the model {share(timed.seconds)}"
        f" for {texts:,} texts ({messages:,} messages + {texts - messages:,} memories that "
        f"extraction wrote), extraction ≈ {share(extraction)} (RulesExtractor alone on the "
        f"{rates.counts['extraction']:,} inbound texts, timed beside), the rest (SQL: claim, "
        f"write, memories, objections, summaries) ≈ {share(rest)}.",
        f"flush wrote {int(flushed['memories_written']):,} memories and raised "
        f"{int(flushed['objections_raised']):,} objections; inline sample: "
        f"{rates.counts['inline']:,} messages, each append_message returning after its "
        "enrichment.",
        "raw executemany inserts the same rows in one transaction per conversation (UUIDv7 ids "
        "client-side) and updates no counters or summaries.",
    ]

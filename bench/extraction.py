"""Precision, recall and F1 of the extractors on the labelled set, per field and split.

    .venv/bin/python bench/extraction.py [--data PATH] [--misses FIELD] [--only rules]

Reads ``tests/data/extraction_labelled.jsonl`` (schema and labelling rules in its README),
runs the rules alone (``RulesExtractor``, the baseline) and the rules with the learned heads
(``LearnedExtractor``, the default) over every message and prints, for each, one row per
field (and per intent, sentiment class and objection type) with P / R / F1 and support for
``dev`` (what the rules are tuned on and the shipped model trained on), ``held_out`` (what
neither may be tuned or trained on) and ``all``; the matching rules are those of
``rapport.extraction.evaluate``. Rows marked "mean" show an accuracy or a mean overlap, and
n is how many messages it is taken over. Then both side by side on ``held_out``, and the
speed: milliseconds per message warm (best of several passes), and the learned heads'
messages per second given the embeddings (what enrichment computes anyway) beside the
embedding model's own batched rate.

``--misses FIELD`` (``budget``, ``intent``, ``all`` ...) lists what the rules get wrong on
the dev split only: held-out misses are never shown, so the held-out figures stay honest.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from rich import box
from rich.console import Console
from rich.table import Table

from rapport.extraction import evaluate, learned
from rapport.extraction.base import Extractor, Inbound
from rapport.extraction.rules import RulesExtractor
from rapport.retrieval.embeddings import default_embedder

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "extraction_labelled.jsonl"
SPLITS = ("dev", "held_out", "all")
PASSES = 5

# (label, key, kind): "score" rows read report.scores[key], "mean" rows report.means[key],
# "macro" rows the macro F1 over the classes of ``key``.
ROWS: tuple[tuple[str, str, str], ...] = (
    ("intent accuracy", "intent accuracy", "mean"),
    ("intent macro F1", "intent", "macro"),
    *((f"  {name}", f"intent:{name}", "score") for name in evaluate.INTENTS),
    ("sentiment accuracy", "sentiment accuracy", "mean"),
    ("sentiment macro F1", "sentiment", "macro"),
    *((f"  {name}", f"sentiment:{name}", "score") for name in evaluate.SENTIMENTS),
    ("language", "language", "score"),
    ("budget", "budget", "score"),
    ("  currency", "budget currency", "mean"),
    ("  period", "budget period", "mean"),
    ("  range", "budget range", "mean"),
    ("timeline", "timeline", "score"),
    ("authority", "authority", "score"),
    ("  title", "authority title", "mean"),
    ("need", "need", "score"),
    ("  overlap", "need overlap", "mean"),
    ("objections (micro)", "objections", "score"),
    *((f"  {name}", f"objections:{name}", "score") for name in evaluate.OBJECTIONS),
    ("resolves", "resolves", "score"),
    ("keywords", "keywords", "score"),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="labelled jsonl file")
    parser.add_argument(
        "--misses", metavar="FIELD", help="list dev-split misses of FIELD ('all' for every one)"
    )
    parser.add_argument("--only", choices=("rules", "learned"), help="one extractor's table")
    return parser.parse_args()


def cell(report: evaluate.Report, key: str, kind: str) -> tuple[str, str]:
    """(figures, n) for one row of one split."""
    if kind == "mean":
        mean = report.means.get(key, evaluate.Mean())
        return (f"mean {mean.value:.2f}" if mean.count else "—", str(mean.count))
    if kind == "macro":
        return (f"F1 {report.macro_f1(key):.2f}", str(report.size))
    score = report.scores.get(key, evaluate.Score())
    if not (score.predicted or score.labelled):
        return ("—", "0")
    p = f"{score.precision:.2f}" if score.predicted else " —  "
    r = f"{score.recall:.2f}" if score.labelled else " —  "
    return (f"{p} {r} {score.f1:.2f}", str(score.support))


def table(title: str, reports: Mapping[str, evaluate.Report]) -> Table:
    result = Table(
        title=f"[bold]{title} on the labelled set[/bold]",
        caption="Cells: precision recall F1, or a mean (accuracy, token overlap); n: support.",
        caption_justify="left",
        box=box.SIMPLE_HEAVY,
        title_justify="left",
    )
    result.add_column("field")
    for name in SPLITS:
        result.add_column(f"{name} ({reports[name].size})\nP    R    F1", justify="right")
        result.add_column("n", justify="right", style="dim")
    for label, key, kind in ROWS:
        cells = [part for name in SPLITS for part in cell(reports[name], key, kind)]
        result.add_row(label, *cells)
    return result


SIDE_BY_SIDE = ("intent accuracy", "intent macro F1", "authority", "need",
                "objections (micro)", "  price", "  timing", "  trust", "  competitor",
                "  authority", "  need", "resolves")  # fmt: skip


def compare(baseline: Mapping[str, evaluate.Report], ours: Mapping[str, evaluate.Report]) -> Table:
    """The two extractors on held_out, row by row."""
    result = Table(
        title="[bold]held_out: rules alone (baseline) and rules + learned heads[/bold]",
        box=box.SIMPLE_HEAVY, title_justify="left",
    )  # fmt: skip
    for column in ("field", "rules  P    R    F1", "+learned  P    R    F1", "n"):
        result.add_column(column, justify="left" if column == "field" else "right")
    for label, key, kind in ROWS:
        if label not in SIDE_BY_SIDE:
            continue
        rules, n = cell(baseline["held_out"], key, kind)
        learned_cell, _ = cell(ours["held_out"], key, kind)
        result.add_row(label, rules, learned_cell, n)
    return result


def speed(extractor: Extractor, messages: list[Inbound]) -> float:
    """Milliseconds per message, warm: the best of ``PASSES`` passes over every message."""
    best = float("inf")
    for _ in range(PASSES):
        started = time.perf_counter()
        extractor.extract(messages)
        best = min(best, time.perf_counter() - started)
    return 1000 * best / len(messages)


def rates(texts: list[str], vectors: np.ndarray) -> tuple[float, float]:
    """Messages per second: the learned heads given the embeddings, and the embedding model
    batched (best of ``PASSES``)."""
    base, embedder = learned.load_base(), default_embedder()
    heads = embed = float("inf")
    for _ in range(PASSES):
        started = time.perf_counter()
        base.predict(learned.hashed(texts), vectors)
        heads = min(heads, time.perf_counter() - started)
        started = time.perf_counter()
        embedder.embed(texts)
        embed = min(embed, time.perf_counter() - started)
    return len(texts) / heads, len(texts) / embed


def print_misses(console: Console, report: evaluate.Report, field: str) -> None:
    for miss in report.misses:
        if field in ("all", miss.field):
            console.print(f"[bold]{miss.field}[/bold] {miss.id}: {miss.text!r}", markup=False)
            console.print(f"    expected {miss.expected!r}\n    got      {miss.got!r}")


def run(extractor: Extractor, examples: list[evaluate.Example]) -> dict[str, evaluate.Report]:
    parts = evaluate.split(examples)
    extracted = extractor.extract(evaluate.inbound(examples))
    by_id = dict(zip((e.id for e in examples), extracted, strict=True))
    return {name: evaluate.score(part, [by_id[e.id] for e in part]) for name, part in parts.items()}


def main() -> None:
    args = parse_args()
    console = Console(width=None if sys.stdout.isatty() else 130)
    examples = evaluate.load(args.data)
    started = time.perf_counter()
    rules = run(RulesExtractor(), examples)
    cold = time.perf_counter() - started
    if args.misses:
        print_misses(console, rules["dev"], args.misses)
        return
    texts = [e.text for e in examples]
    vectors = np.asarray(default_embedder().embed(texts), dtype=np.float32)
    pairs = zip(examples, vectors, strict=True)
    messages = [Inbound(e.text, e.timestamp, vector=v) for e, v in pairs]
    reader = learned.LearnedExtractor()
    ours = {} if args.only == "rules" else run(reader, examples)
    if args.only != "learned":
        console.print(table("Rules extractor", rules))
    if ours:
        console.print(table("Rules + learned heads (the default)", ours))
    if ours and not args.only:
        console.print(compare(rules, ours))
    cores = os.cpu_count() or 0
    rules_ms = speed(RulesExtractor(), messages)
    both_ms = speed(reader, messages)
    heads, embedding = rates(texts, vectors)
    console.print(
        f"  [dim]•[/dim] rules {rules_ms:.2f} ms/message, rules + learned {both_ms:.2f} ms/message "
        f"given the embeddings (warm, best of {PASSES} passes over {len(examples)} messages); "
        f"the first pass, loading the libraries, took {cold:.1f} s."
    )
    console.print(
        f"  [dim]•[/dim] learned heads alone: {heads:,.0f} messages/s; the embedding model "
        f"batched: {embedding:,.0f} messages/s (ratio {heads / embedding:.1f}); shipped model "
        f"{learned.BASE.stat().st_size / 1024:.0f} KiB, trained on {learned.load_base().examples} "
        "dev messages."
    )
    console.print(f"  [dim]•[/dim] Python {platform.python_version()}, {cores} cores.")


if __name__ == "__main__":
    main()

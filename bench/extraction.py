"""Precision, recall and F1 of the rules extractor on the labelled set, per field and split.

    .venv/bin/python bench/extraction.py [--data PATH] [--misses FIELD]

Reads ``tests/data/extraction_labelled.jsonl`` (schema and labelling rules in its README),
runs ``RulesExtractor`` over every message and prints one row per field (and per intent,
sentiment class and objection type) with P / R / F1 and support for ``dev`` (what the rules
are tuned on), ``held_out`` (what they must not be tuned on) and ``all``; the matching rules
are those of ``rapport.extraction.evaluate``. Rows marked "mean" show an accuracy or a mean
overlap, and n is how many messages it is taken over. Then the speed: milliseconds per
message, warm, the best of several passes over the whole set.

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

from rich import box
from rich.console import Console
from rich.table import Table

from rapport.extraction import evaluate
from rapport.extraction.rules import RulesExtractor

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


def table(reports: Mapping[str, evaluate.Report]) -> Table:
    result = Table(
        title="[bold]Rules extractor on the labelled set[/bold]",
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


def speed(examples: list[evaluate.Example]) -> float:
    """Milliseconds per message, warm: the best of ``PASSES`` passes over every message."""
    extractor = RulesExtractor()
    messages = evaluate.inbound(examples)
    best = float("inf")
    for _ in range(PASSES):
        started = time.perf_counter()
        extractor.extract(messages)
        best = min(best, time.perf_counter() - started)
    return 1000 * best / len(messages)


def print_misses(console: Console, report: evaluate.Report, field: str) -> None:
    for miss in report.misses:
        if field in ("all", miss.field):
            console.print(f"[bold]{miss.field}[/bold] {miss.id}: {miss.text!r}", markup=False)
            console.print(f"    expected {miss.expected!r}\n    got      {miss.got!r}")


def main() -> None:
    args = parse_args()
    console = Console(width=None if sys.stdout.isatty() else 120)
    examples = evaluate.load(args.data)
    parts = evaluate.split(examples)
    started = time.perf_counter()
    extractor = RulesExtractor()
    extracted = extractor.extract(evaluate.inbound(examples))
    cold = time.perf_counter() - started
    by_id = dict(zip((e.id for e in examples), extracted, strict=True))
    reports = {
        name: evaluate.score(part, [by_id[e.id] for e in part]) for name, part in parts.items()
    }
    if args.misses:
        print_misses(console, reports["dev"], args.misses)
        return
    console.print(table(reports))
    ms = speed(examples)
    cores = os.cpu_count() or 0
    console.print(
        f"  [dim]•[/dim] {ms:.2f} ms/message warm (best of {PASSES} passes over "
        f"{len(examples)} messages); the first pass, loading the libraries, took {cold:.1f} s."
    )
    console.print(f"  [dim]•[/dim] Python {platform.python_version()}, {cores} cores.")


if __name__ == "__main__":
    main()

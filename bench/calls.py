"""Voice-call load: ``POST /v1/calls/learn`` under concurrency, with reads measured meanwhile.

    .venv/bin/python bench/calls.py [--calls 2000] [--turns 30] [--threads 6]
        [--enrich off|background] [--home DIR]

Simulated calls of ``--turns`` turns each (a lead, a call with outcome and scores, a
transcript with phases and an objection) are pushed through ``POST /v1/calls/learn`` of a
real ``rapport serve`` subprocess by ``--threads`` client threads on keep-alive connections.
While that load runs, one more thread measures a lead lookup by phone
(``GET /v1/leads/by-phone/...``, beside the raw indexed ``SELECT``) and routing a
conversation (``POST /v1/conversations/{id}/route`` with ``dry_run``; skipped when the
server has no such route).

The baseline is raw psycopg doing the same writes per call in one transaction (upsert the
lead, insert the conversation, the messages in one ``executemany``, the call row), with the
same number of threads, in the same run on the same database, in another organization. It
does no validation, no analysis, no HTTP and no counters, so the ratio is what the API's
checks, analysis and bookkeeping cost. Like the other benches, it runs on its own embedded
PostgreSQL under a temporary RAPPORT_HOME (or ``--home``), never on a user's data.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import random
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import psycopg
import uuid_utils
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn
from rich.table import Table

from rapport import runtime
from rapport.config import Settings
from rapport.db.database import Database
from rapport.tenancy import api_keys, orgs
from server import HOST, Server, _command, free_port
from timing import percentile
from wire import HttpConnection

PHASE_LINES = [
    ("agent", "Hi {name}, this is Ava from Magnificent Marketing, do you have a minute?"),
    ("prospect", "Sure, what is this about?"),
    ("agent", "You asked about getting more roofing jobs from ads last week."),
    ("prospect", "Right, we need more jobs before spring but it sounds expensive."),
    ("agent", "Most clients earn the fee back with the first two jobs."),
    ("prospect", "Okay that sounds good, what would it cost per month?"),
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=2000, help="calls to learn (default 2000)")
    parser.add_argument("--turns", type=int, default=30, help="turns per call (default 30)")
    parser.add_argument("--threads", type=int, default=6, help="client threads (default 6)")
    parser.add_argument("--enrich", choices=["off", "background"], default="off")
    parser.add_argument("--workers", type=int, default=1, help="server processes (default 1)")
    parser.add_argument(
        "--rate", type=float, default=0.0,
        help="pace the learns at this many calls/s (default 0: as fast as they go); "
        "100,000 calls a day is 1.2 calls/s on average",
    )  # fmt: skip
    parser.add_argument("--home", type=Path, help="RAPPORT_HOME to use (default: a temp dir)")
    return parser.parse_args()


def phone_of(index: int, org_salt: int) -> str:
    """Distinct valid US numbers: +1 415 2XX XXXX."""
    return f"+1415{200 + org_salt * 50 + index // 10_000:03d}{index % 10_000:04d}"


def call_payload(index: int, turns: int, org_salt: int) -> dict[str, Any]:
    start = datetime(2025, 1, 6, 14, tzinfo=UTC) + timedelta(minutes=7 * index)
    transcript = []
    for t in range(turns):
        speaker, line = PHASE_LINES[t % len(PHASE_LINES)]
        transcript.append({
            "speaker": speaker, "text": line.format(name=f"Lead {index}"),
            "timestamp": (start + timedelta(seconds=10 * t + 2)).isoformat(),
            "phase": 1 + t * 5 // turns,
        })  # fmt: skip
    score = round(random.uniform(2, 10), 1)
    return {
        "lead": {"phone": phone_of(index, org_salt), "first_name": "Lead", "last_name": str(index),
                 "source": "bench"},
        "call": {"external_id": f"bench-{org_salt}-{index}", "start_time": start.isoformat(),
                 "end_time": (start + timedelta(seconds=10 * turns + 5)).isoformat(),
                 "outcome": "qualified" if score >= 7 else "callback",
                 "engagement_score": score, "phase_reached": 5},
        "transcript": transcript,
    }  # fmt: skip


# ---------------------------------------------------------------- the baseline


def baseline_write(conn: psycopg.Connection[Any], org: str, body: dict[str, Any]) -> None:
    """The same rows, written the plain way: one transaction, four statements."""
    lead, call = body["lead"], body["call"]
    with conn.transaction(), conn.cursor() as cur:
        cur.execute(
            "INSERT INTO contacts (org_id, id, name, phone, source, metadata)"
            " VALUES (%s, %s, %s, %s, %s, %s::jsonb) ON CONFLICT (org_id, phone)"
            " DO UPDATE SET name = excluded.name, updated_at = now() RETURNING id",
            [org, str(uuid_utils.uuid7()), f"{lead['first_name']} {lead['last_name']}",
             lead["phone"], lead["source"],
             json.dumps({"first_name": lead["first_name"], "last_name": lead["last_name"]})],
        )  # fmt: skip
        contact = cur.fetchone()[0]  # type: ignore[index]
        conversation = str(uuid_utils.uuid7())
        cur.execute(
            "INSERT INTO conversations (org_id, id, contact_id, channel, status, start_time,"
            " end_time) VALUES (%s, %s, %s, 'voice', 'completed', %s, %s)",
            [org, conversation, contact, call["start_time"], call["end_time"]],
        )
        cur.executemany(
            "INSERT INTO messages (org_id, id, conversation_id, contact_id, role, content,"
            " phase, ts) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            [(org, str(uuid_utils.uuid7()), conversation, contact,
              "user" if t["speaker"] == "prospect" else "agent", t["text"], str(t["phase"]),
              t["timestamp"]) for t in body["transcript"]],
        )  # fmt: skip
        cur.execute(
            "INSERT INTO calls (org_id, contact_id, conversation_id, external_id, start_time,"
            " end_time, outcome, engagement_score, phase_reached)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [org, contact, conversation, call["external_id"], call["start_time"],
             call["end_time"], call["outcome"], call["engagement_score"], call["phase_reached"]],
        )  # fmt: skip


# ---------------------------------------------------------------- the load


class Load:
    """Bodies handed out to threads; latencies and completions collected."""

    def __init__(self, bodies: list[dict[str, Any]], rate: float = 0.0) -> None:
        self.bodies = bodies
        self.rate = rate  # calls per second for all threads together; 0: as fast as possible
        self.started = time.perf_counter()
        self.next = 0
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.done: list[dict[str, Any]] = []  # learn responses (for lookups and routing)
        self.failures: list[str] = []

    def take(self) -> dict[str, Any] | None:
        """The next body, once its turn in the paced schedule has come (with ``rate``)."""
        with self.lock:
            if self.next >= len(self.bodies):
                return None
            self.next += 1
            index = self.next - 1
        if self.rate:
            delay = self.started + index / self.rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        return self.bodies[index]


def learn_worker(port: int, key: str, load: Load, progress: Progress, task: Any) -> None:
    connection = HttpConnection(HOST, port, key)
    try:
        while (body := load.take()) is not None:
            payload = orjson.dumps(body)
            started = time.perf_counter()
            status, answer = connection.request("POST", "/v1/calls/learn", payload)
            elapsed = time.perf_counter() - started
            with load.lock:
                if status != 201:
                    load.failures.append(f"{status}: {answer[:200]!r}")
                else:
                    load.latencies.append(elapsed)
                    result = orjson.loads(answer)
                    load.done.append({"phone": result["lead"]["phone"],
                                      "conversation": result["conversation_id"]})  # fmt: skip
            progress.advance(task)
    finally:
        connection.close()


def baseline_worker(url: str, org: str, load: Load, progress: Progress, task: Any) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        while (body := load.take()) is not None:
            started = time.perf_counter()
            baseline_write(conn, org, body)
            with load.lock:
                load.latencies.append(time.perf_counter() - started)
            progress.advance(task)


class Reads:
    """During the load: lead lookups (API and raw SQL, alternating) and routing."""

    def __init__(self, can_route: bool) -> None:
        self.lookup: list[float] = []
        self.raw_lookup: list[float] = []
        self.route: list[float] = []
        self.can_route = can_route
        self.errors: list[str] = []
        self.stop = threading.Event()


def reads_worker(port: int, key: str, url: str, org: str, load: Load, reads: Reads) -> None:
    connection = HttpConnection(HOST, port, key)
    with psycopg.connect(url, autocommit=True) as raw:
        try:
            while not reads.stop.is_set():
                time.sleep(0.01)
                with load.lock:
                    if not load.done:
                        continue
                    sample = random.choice(load.done)
                started = time.perf_counter()
                status, answer = connection.request("GET", f"/v1/leads/by-phone/{sample['phone']}")
                reads.lookup.append(time.perf_counter() - started)
                if status != 200:
                    reads.errors.append(f"lookup {status}: {answer[:200]!r}")
                started = time.perf_counter()
                raw.execute(
                    "SELECT * FROM contacts WHERE org_id = %s AND phone = %s",
                    [org, sample["phone"]],
                ).fetchone()
                reads.raw_lookup.append(time.perf_counter() - started)
                if reads.can_route:
                    started = time.perf_counter()
                    status, answer = connection.request(
                        "POST", f"/v1/conversations/{sample['conversation']}/route",
                        b'{"dry_run": true}',
                    )  # fmt: skip
                    reads.route.append(time.perf_counter() - started)
                    if status >= 400:
                        reads.errors.append(f"route {status}: {answer[:200]!r}")
        finally:
            connection.close()


def run_threads(targets: list[threading.Thread]) -> float:
    """Seconds from starting the threads until the last one ends."""
    started = time.perf_counter()
    for thread in targets:
        thread.start()
    for thread in targets:
        thread.join()
    return time.perf_counter() - started


def progress_bar(console: Console) -> Progress:
    return Progress(
        "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
        TimeRemainingColumn(), console=console,
    )  # fmt: skip


@contextlib.contextmanager
def serve(url: str, home: Path, key: str, enrich: str, workers: int) -> Iterator[Server]:
    """``rapport serve`` with ``workers`` processes and the requested enrichment mode."""
    port = free_port()
    env = {**os.environ, "RAPPORT_HOME": str(home), "RAPPORT_DATABASE_URL": url,
           "RAPPORT_ENRICH": enrich}  # fmt: skip
    log = home / "bench-calls-server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*_command(), "serve", "--host", HOST, "--port", str(port),
             "--workers", str(workers)],
            env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Server(port, workers, process, log)
    try:
        server.wait_ready(key)
        yield server
    finally:
        server.stop()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def report(
    console: Console,
    args: argparse.Namespace,
    ours: tuple[Load, float],
    baseline: tuple[Load, float],
    reads: Reads,
    caught_up: float,
) -> None:
    """The figures, each beside its raw-psycopg baseline from the same run."""
    (load, elapsed), (raw, raw_elapsed) = ours, baseline
    if load.failures or reads.errors:
        console.print(f"[red]failures[/]: {(load.failures + reads.errors)[:5]}")
    write, raw_write = sorted(load.latencies), sorted(raw.latencies)
    rate, raw_rate = len(write) / elapsed, len(raw_write) / raw_elapsed
    lookup, raw_lookup = sorted(reads.lookup), sorted(reads.raw_lookup)
    table = Table(title=f"POST /v1/calls/learn: {args.calls:,} calls × {args.turns} turns, "
                        f"{args.threads} threads, {args.workers} server worker(s), "
                        f"{f'paced at {args.rate:g} calls/s, ' if args.rate else ''}"
                        f"enrichment {args.enrich}")  # fmt: skip
    for column in ("figure", "Rapport", "raw psycopg", "ratio"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    table.add_row("calls/s (sustained)", f"{rate:.1f}", f"{raw_rate:.1f}", f"{rate / raw_rate:.2f}")
    table.add_row("messages/s", f"{rate * args.turns:,.0f}", f"{raw_rate * args.turns:,.0f}", "")
    if args.enrich == "background":
        enriched = len(write) / caught_up
        table.add_row("calls/s enriched (stored, embedded, extracted)", f"{enriched:.1f}", "—",
                      "")  # fmt: skip
    for label, q in (("write p50", 50), ("write p95", 95)):
        ours, theirs = percentile(write, q), percentile(raw_write, q)
        table.add_row(f"one call's {label}", ms(ours), ms(theirs), f"{ours / theirs:.2f}")
    if lookup:
        ours, theirs = percentile(lookup, 95), percentile(raw_lookup, 95)
        table.add_row(f"lead by phone p95 (n={len(lookup)}, during load)", ms(ours), ms(theirs),
                      f"{ours / theirs:.2f}")  # fmt: skip
    if reads.route:
        table.add_row(f"route p95 (n={len(reads.route)}, during load)",
                      ms(percentile(sorted(reads.route), 95)), "—", "")  # fmt: skip
    else:
        table.add_row("route p95", "skipped: no /v1/conversations/{id}/route", "—", "")
    console.print(table)


def main() -> None:
    args = parse_args()
    console = Console()
    home = args.home or Path(tempfile.mkdtemp(prefix="rapport-bench-calls-"))
    if args.home is None:
        atexit.register(shutil.rmtree, home, ignore_errors=True)
    with console.status(f"Starting the embedded PostgreSQL under {home}…"):
        settings = Settings(home=home, database_url=None)
        url = runtime.prepare(settings)
    database = Database(url, min_size=1, max_size=2)
    # The server migrates as the owner, and raw psycopg runs as a user would write it: as the
    # schema's owner, with no row-level security.
    owner_url = runtime.database_url(settings)
    run = uuid.uuid4().hex[:8]
    org = database.run(orgs.ensure_org(f"bench-calls-{run}"))["id"]
    raw_org = database.run(orgs.ensure_org(f"bench-calls-raw-{run}"))["id"]
    _, key = database.run(api_keys.create_key(org, "owner", "bench"))
    random.seed(7)
    bodies = [call_payload(i, args.turns, 0) for i in range(args.calls)]
    raw_bodies = [call_payload(i, args.turns, 1) for i in range(args.calls)]
    console.print(
        f"[bold]Voice calls[/]: {args.calls:,} calls × {args.turns} turns "
        f"({args.calls * args.turns:,} messages), {args.threads} threads, "
        f"enrichment {args.enrich}, {os.cpu_count()} cores"
    )

    with serve(owner_url, home, key, args.enrich, args.workers) as server:
        probe = HttpConnection(HOST, server.port, key)
        paths = orjson.loads(probe.request("GET", "/openapi.json")[1])["paths"]
        probe.close()
        reads = Reads("/v1/conversations/{id}/route" in paths)
        load = Load(bodies, args.rate)
        with progress_bar(console) as progress:
            task = progress.add_task("learn over HTTP", total=args.calls)
            workers = [threading.Thread(target=learn_worker,
                                        args=(server.port, key, load, progress, task))
                       for _ in range(args.threads)]  # fmt: skip
            reader = threading.Thread(
                target=reads_worker, args=(server.port, key, owner_url, org, load, reads)
            )
            reader.start()
            elapsed = run_threads(workers)
            reads.stop.set()
            reader.join()
        caught_up = elapsed
        if args.enrich == "background":  # until every transcript turn is embedded and read
            with console.status("Waiting for enrichment to catch up…"):
                flusher = HttpConnection(HOST, server.port, key)
                started = time.perf_counter()
                flusher.request("POST", "/v1/enrichment/flush", b"")
                caught_up += time.perf_counter() - started
                flusher.close()

    raw = Load(raw_bodies)
    with progress_bar(console) as progress:
        task = progress.add_task("raw psycopg", total=args.calls)
        workers = [threading.Thread(target=baseline_worker, args=(owner_url, raw_org, raw, progress,
                                                                  task))
                   for _ in range(args.threads)]  # fmt: skip
        raw_elapsed = run_threads(workers)

    report(console, args, (load, elapsed), (raw, raw_elapsed), reads, caught_up)
    database.close()


if __name__ == "__main__":
    main()

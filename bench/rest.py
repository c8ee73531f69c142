"""Sections 3 and 6: the REST API, served by a real `rapport serve` subprocess.

Section 3 times GET /v1/conversations/{id} on one keep-alive connection, interleaved with
raw psycopg's lookup. Section 6 drives sustained appends from a separate load-generator
process, against one and two server workers, and the raw baseline from the same generator;
then it retries a sample of the appends with the same external_ids, which must answer 200
and write nothing.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import psycopg

import baseline
import cpu
import loadgen
from dataset import Org
from plan import Plan
from report import Row, Section, Target
from server import HOST, Server, serve
from timing import Summary, interleave
from wire import HttpConnection

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Rest:
    """Where the server's database is and how to call it."""

    database_url: str
    home: Path
    key: str


def rest_lookup(
    org: Org, conn: psycopg.Connection[Any], rest: Rest, rounds: int, rng: random.Random
) -> Section:
    section = Section(
        "3. Single conversation lookup over REST",
        "Rapport: GET /v1/conversations/{id} to `rapport serve` (1 worker) on one keep-alive "
        "connection (a minimal HTTP/1.1 client). Baseline: raw psycopg SELECT on one open "
        f"connection. Interleaved, {rounds:,} random ids each.",
    )
    with serve(rest.database_url, rest.home, rest.key, workers=1) as server:
        http = HttpConnection(HOST, server.port, rest.key)
        try:

            def get(conversation_id: str) -> None:
                status, body = http.request("GET", f"/v1/conversations/{conversation_id}")
                if status != 200:
                    raise RuntimeError(f"GET conversation: {status} {body[:300]!r}")

            result = interleave(
                rounds,
                {
                    "ours": get,
                    "raw": lambda cid: conn.execute(
                        baseline.GET_CONVERSATION, [org.org_id, cid]
                    ).fetchone(),
                },
                lambda _: rng.choice(org.conversation_ids),
            )
        finally:
            http.close()
    targets = {"p95": [Target("seed", 5.0), Target("aim", 2.0)]}
    section.latency("GET /v1/conversations/{id}", result["ours"], result["raw"], targets)
    return section


@dataclass
class Load:
    """One load run and its replay check."""

    result: dict[str, Any]
    stored: int  # rows carrying this run's external_ids, counted after the run
    replay: Summary
    replay_statuses: dict[int, int]
    replay_written: int
    cpu: cpu.Cpu  # CPU seconds of the whole run, warm-up included

    def cpu_ms(self, seconds: float) -> float:
        """CPU milliseconds per append (every append the run made, warm-up included)."""
        return seconds * 1000 / max(1, int(self.result["appends_total"]))


def run_loadgen(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, str(HERE / "loadgen.py")],
        input=orjson.dumps(spec),
        capture_output=True,
        timeout=spec["warmup"] + spec["seconds"] + 300,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr.decode()[-3000:]}")
    return dict(orjson.loads(done.stdout))


def count_messages(conn: psycopg.Connection[Any], org_id: str, pattern: str = "%") -> int:
    row = conn.execute(
        "SELECT count(*) FROM messages WHERE org_id = %s AND coalesce(external_id, '') LIKE %s",
        [org_id, pattern],
    ).fetchone()
    return int(row[0]) if row else 0


def replay_http(server: Server, key: str, sample: list[list[str]]) -> tuple[list[float], list[int]]:
    """Send sampled appends again with their external_ids; Rapport must answer 200."""
    http = HttpConnection(HOST, server.port, key)
    latencies, statuses = [], []
    try:
        for conversation_id, external_id in sample:
            started = time.perf_counter()
            status, _ = http.request(
                "POST",
                f"/v1/conversations/{conversation_id}/messages",
                loadgen.message_body(external_id),
            )
            latencies.append(time.perf_counter() - started)
            statuses.append(status)
    finally:
        http.close()
    return latencies, statuses


def replay_sql(
    conn: psycopg.Connection[Any], org: Org, sample: list[list[str]]
) -> tuple[list[float], list[int]]:
    """The baseline's retry: the same INSERT ... ON CONFLICT DO NOTHING, which must skip."""
    latencies, statuses = [], []
    for conversation_id, external_id in sample:
        params = loadgen.append_params(
            org.org_id, conversation_id, org.contact_of[conversation_id], external_id
        )
        started = time.perf_counter()
        rowcount = conn.execute(baseline.APPEND_IDEMPOTENT, params).rowcount
        latencies.append(time.perf_counter() - started)
        statuses.append(201 if rowcount == 1 else 200)
    return latencies, statuses


def measure_load(
    conn: psycopg.Connection[Any], org: Org, spec: dict[str, Any], server: Server | None
) -> Load:
    """Run the load generator, then check durability and replay a sample of its appends."""
    postmaster = cpu.postmaster_of(conn.info.backend_pid)
    server_pid = server.process.pid if server is not None else None
    before_cpu = cpu.snapshot(postmaster, server_pid)
    result = run_loadgen(spec)
    used = cpu.snapshot(postmaster, server_pid) - before_cpu
    stored = count_messages(conn, org.org_id, f"{spec['run_id']}-%")
    sample = result["sample"][: spec["sample_size"]]
    before = count_messages(conn, org.org_id)
    if server is not None:
        latencies, statuses = replay_http(server, spec["key"], sample)
    else:
        latencies, statuses = replay_sql(conn, org, sample)
    written = count_messages(conn, org.org_id) - before
    tally = {s: statuses.count(s) for s in sorted(set(statuses))}
    return Load(result, stored, Summary.of(latencies), tally, written, used)


def load_spec(org: Org, rest: Rest, plan: Plan, mode: str, port: int = 0) -> dict[str, Any]:
    connections = plan.connections
    return {
        "mode": mode,
        "host": HOST,
        "port": port,
        "key": rest.key,
        "database_url": rest.database_url,
        "org_id": org.org_id,
        "targets": [[c, org.contact_of[c]] for c in org.conversation_ids],
        "connections": connections,
        "warmup": plan.warmup_seconds,
        "seconds": plan.load_seconds,
        "run_id": f"{mode}-{uuid.uuid4().hex[:8]}",
        "sample_size": plan.replays,
        "sample_per_connection": plan.replays // connections + 2,
    }


def sustained_appends(org: Org, conn: psycopg.Connection[Any], rest: Rest, plan: Plan) -> Section:
    section = Section(
        "6. Sustained message appends with idempotency keys",
        f"A separate load-generator process keeps {plan.connections} keep-alive connections "
        f"busy for {plan.load_seconds:g} s (after {plan.warmup_seconds:g} s warm-up), over "
        f"{len(org.conversation_ids):,} conversations, each message with a unique external_id. "
        "Rapport: POST /v1/conversations/{id}/messages (also updates the conversation, the "
        "contact and the interaction summary). Baseline: raw psycopg single-row INSERT ... "
        "ON CONFLICT DO NOTHING from the same process shape and connection count. "
        "CPU per append: CPU seconds of the API server, PostgreSQL and the load generator over "
        "the run / appends; the ceiling is cores × 1,000 ms / that, the rate a quiet machine "
        "could at best reach. "
        "Replay: a sample resent with the same external_ids; must be 200 and write nothing.",
    )
    raw = measure_load(conn, org, load_spec(org, rest, plan, "sql"), None)
    _note(section, "raw psycopg", raw)
    for workers in (1, 2):
        with serve(rest.database_url, rest.home, rest.key, workers=workers) as server:
            ours = measure_load(conn, org, load_spec(org, rest, plan, "http", server.port), server)
        _note(section, f"{workers} worker{'s' if workers > 1 else ''}", ours)
        _rows(section, f"{workers}w", ours, raw)
    return section


def _rows(section: Section, tag: str, ours: Load, raw: Load) -> None:
    a, b = ours.result, raw.result
    pg_ours, pg_raw = ours.cpu_ms(ours.cpu.postgres), raw.cpu_ms(raw.cpu.postgres)
    all_ours, all_raw = ours.cpu_ms(ours.cpu.total), raw.cpu_ms(raw.cpu.total)
    section.rows += [
        Row(f"appends/s ({tag})", a["rate"], b["rate"], "/s", [Target("aim", 2000.0)]),
        Row(f"append p50 ({tag})", a["p50"], b["p50"]),
        Row(f"append p95 ({tag})", a["p95"], b["p95"]),
        Row(f"PostgreSQL CPU per append ({tag})", pg_ours, pg_raw),
        Row(f"all CPU per append ({tag})", all_ours, all_raw),
        Row(f"CPU-bound ceiling ({tag})", _ceiling(all_ours), _ceiling(all_raw), "/s"),
        Row(f"replay p50 ({tag})", ours.replay.p50, raw.replay.p50),
        Row(f"rows written by replay ({tag})", ours.replay_written, raw.replay_written, "rows"),
    ]


def _ceiling(ms_per_append: float) -> float:
    """Appends/s if every core did nothing else: what a quiet machine could at best reach."""
    return cpu.cores() * 1000 / ms_per_append if ms_per_append > 0 else 0.0


def _note(section: Section, name: str, load: Load) -> None:
    result, used, ms = load.result, load.cpu, load.cpu_ms
    statuses = ", ".join(f"{n:,}× {s}" for s, n in sorted(result["statuses"].items()))
    durable = load.stored == result["created_total"]
    replay_ok = set(load.replay_statuses) == {200} and load.replay_written == 0
    replays = ", ".join(f"{n}× {s}" for s, n in load.replay_statuses.items())
    server = f"server {ms(used.server):.2f} ms, " if used.server else ""
    section.notes.append(
        f"{name}: {result['requests']:,} appends measured ({statuses}); CPU per append: "
        f"{server}PostgreSQL {ms(used.postgres):.2f} ms, "
        f"load generator {ms(used.client):.2f} ms; {load.stored:,} rows stored for "
        f"{result['created_total']:,} created {_mark(durable)}; replay of {load.replay.n}: "
        f"{replays or 'none'}, {load.replay_written} rows written {_mark(replay_ok)}"
    )


def _mark(ok: bool) -> str:
    return "[green]✓[/green]" if ok else "[red]✗[/red]"

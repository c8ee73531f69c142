"""Section 7: the query patterns of seeds 000 and 003 on a large organization.

The data set is written through ``rapport.synthetic.populate`` (the real bulk path; its
message rate is reported beside raw executemany's), then VACUUM ANALYZE runs so both sides
plan on fresh statistics and index-only scans see an up-to-date visibility map. Each pattern
then runs ~200 times with random parameters, interleaved with its raw SQL.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

import baseline
import dataset
from dataset import Org
from plan import Plan
from rapport import synthetic
from rapport.retrieval import terms
from report import Row, Section, Target
from timing import Summary, interleave

AIM = [Target("aim", 10.0)]
RAW_BATCHES = 10  # raw executemany batches of 1,000 messages timed for the rate baseline


def _nothing(_: random.Random) -> None:
    return None


def _org_only(org_id: str, _: Any) -> list[Any]:
    return [org_id]


@dataclass(frozen=True)
class Pattern:
    """One query pattern: Rapport's call and the raw SQL, on parameters drawn per round.

    ``draw(rng)`` picks a round's parameter; ``ours(parameter)`` is the Rapport call and
    ``params(org_id, parameter)`` the raw statement's parameters.
    """

    label: str
    ours: Callable[[Any], object]
    sql: str
    draw: Callable[[random.Random], Any] = _nothing
    params: Callable[[str, Any], list[Any]] = _org_only


def generate(org: Org, console: Console, plan: Plan) -> tuple[float, float]:
    """Populate with a progress bar; returns (messages, seconds spent on the messages)."""
    conversations = plan.conversations
    per = plan.messages_per_conversation
    contacts = max(100, conversations // 5)
    columns = (TextColumn("{task.description:>14}"), BarColumn(), MofNCompleteColumn())
    last_tick: dict[str, float] = {}
    with Progress(*columns, TimeElapsedColumn(), console=console, transient=True) as progress:
        tasks = {
            "contacts": progress.add_task("contacts", total=contacts),
            "conversations": progress.add_task("conversations", total=conversations),
            "messages": progress.add_task("messages", total=conversations * per),
        }

        def tick(stage: str, done: int) -> None:
            last_tick[stage] = time.perf_counter()
            progress.advance(tasks[stage], done)

        before = time.perf_counter()
        messages = dataset.populate(org, contacts, conversations, per, progress=tick)
        ended = time.perf_counter()
    # populate ticks after each batch, so the message stage began at the last conversation tick
    return messages, ended - last_tick.get("conversations", before)


def raw_rate(org: Org, conn: psycopg.Connection[Any], rng: random.Random, per: int) -> float:
    """Messages/s of raw executemany in 1,000-row transactions, rows built in Python too.

    The rows are deleted afterwards so the data set stays what Rapport wrote.
    """
    per_batch = max(1, 1000 // per)
    ids: list[str] = []
    elapsed = 0.0
    for _ in range(RAW_BATCHES):
        started = time.perf_counter()
        group = rng.sample(org.conversation_ids, per_batch)
        items = dataset.message_items(group, per_batch * per, rng, _now())
        rows = baseline.message_rows(org.org_id, items, org.contact_of)
        with conn.transaction(), conn.cursor() as cursor:
            cursor.executemany(baseline.INSERT_MESSAGE, rows)
        elapsed += time.perf_counter() - started
        ids += [row[1] for row in rows]
    conn.execute(
        "DELETE FROM messages WHERE org_id = %s AND id = ANY(%s::uuid[])", [org.org_id, ids]
    )
    return len(ids) / elapsed


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def vacuum(conn: psycopg.Connection[Any]) -> float:
    started = time.perf_counter()
    conn.execute("VACUUM ANALYZE contacts, conversations, messages, interaction_summaries")
    return time.perf_counter() - started


def _today() -> tuple[datetime.datetime, datetime.datetime]:
    start = _now().replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(days=1)


def _window(rng: random.Random, contacts: list[str]) -> tuple[str, datetime.datetime, Any]:
    """A random contact and a random 30-day window within the data's 180 days."""
    start = _now() - datetime.timedelta(days=rng.randint(30, 180))
    return rng.choice(contacts), start, start + datetime.timedelta(days=30)


def patterns(org: Org) -> list[Pattern]:
    """Seed 000's and seed 003's query patterns, each with its raw SQL twin."""
    r = org.r
    stages = [stage for stage, _ in synthetic.STAGES]
    intents = [intent for intent, _ in synthetic.INTENTS]
    day = _today()
    talked = sorted(set(org.contact_of.values()))  # contacts that have a conversation
    return [
        Pattern(
            "latest conversation of a contact",
            r.contacts.latest_conversation,
            baseline.LATEST_CONVERSATION,
            lambda g: g.choice(talked),
            lambda o, contact: [o, contact],
        ),
        Pattern("pipeline counts", lambda _: r.pipeline.counts(), baseline.PIPELINE_COUNTS),
        Pattern(
            "pipeline rows (stage, active)",
            lambda stage: r.conversations.list(
                filter={"sales_stage": stage, "status": "active"}, order_by="-updated_at", limit=50
            ),
            baseline.PIPELINE_ROWS,
            lambda g: g.choice(stages),
            lambda o, stage: [o, stage],
        ),
        Pattern(
            "follow-ups due today",
            lambda _: r.pipeline.follow_ups_due(),
            baseline.FOLLOW_UPS_DUE,
            params=lambda o, _: [o, *day],
        ),
        Pattern("agent workload", lambda _: r.pipeline.workload(), baseline.WORKLOAD),
        Pattern(
            "contact sessions in 30 days",
            lambda window: r.contacts.sessions(*window),
            baseline.SESSIONS,
            lambda g: _window(g, talked),
            lambda o, window: [o, *window],
        ),
        Pattern(
            "session messages by role",
            lambda c: r.conversations.history(c, role="user"),
            baseline.HISTORY_BY_ROLE,
            lambda g: g.choice(org.conversation_ids),
            lambda o, c: [o, c, "user"],
        ),
        Pattern("top 100 contacts", lambda _: r.contacts.top(limit=100), baseline.TOP_CONTACTS),
        Pattern(
            "messages by intent, confidence >= 0.8",
            lambda intent: r.messages.by_intent(intent, 0.8),
            baseline.BY_INTENT,
            lambda g: g.choice(intents),
            lambda o, intent: [o, intent, 0.8],
        ),
        Pattern(
            'search "pizza boxes"',
            r.messages.search,
            baseline.SEARCH,
            lambda _: "pizza boxes",
            lambda o, q: [q, o],
        ),
        Pattern(
            'search rare "pizzas <n>"',
            r.messages.search,
            baseline.SEARCH,
            lambda g: f"pizzas {g.randint(2, 900)}",
            lambda o, q: [q, o],
        ),
    ]


def measure(
    pattern: Pattern, org_id: str, conn: psycopg.Connection[Any], runs: int, rng: random.Random
) -> dict[str, Summary]:
    """One pattern, Rapport's call and its raw SQL interleaved on the same parameters."""

    def raw(drawn: Any) -> object:
        return baseline.fetch_all(conn, pattern.sql, pattern.params(org_id, drawn))

    return interleave(runs, {"ours": pattern.ours, "raw": raw}, lambda _: pattern.draw(rng), 10)


def query_patterns(
    org: Org, conn: psycopg.Connection[Any], console: Console, plan: Plan, rng: random.Random
) -> Section:
    messages, seconds = generate(org, console, plan)
    dataset.load_contacts(org, conn)
    raw = raw_rate(org, conn, rng, plan.messages_per_conversation)
    vacuumed = vacuum(conn)
    started = time.perf_counter()  # as the worker does for a server's orgs
    org.r.database.run(terms.refresh(org.org_id, force=True))
    counted = time.perf_counter() - started
    section = Section(
        "7. Query patterns at scale",
        f"{messages:,.0f} messages in {len(org.conversation_ids):,} conversations of "
        f"{len(org.contact_ids):,} contacts, written by rapport.synthetic.populate, then "
        f"VACUUM ANALYZE. Each pattern: p95 of {plan.pattern_runs} runs with random "
        "parameters, interleaved with the equivalent raw SQL (same rows and columns).",
    )
    section.rows.append(Row("generation rate (messages)", messages / seconds, raw, "/s"))
    for pattern in patterns(org):
        result = measure(pattern, org.org_id, conn, plan.pattern_runs, rng)
        section.rows.append(
            Row(f"{pattern.label} p95", result["ours"].p95, result["raw"].p95, "ms", AIM)
        )
    section.notes.append(
        f"generation: Rapport's rate is the message stage of populate (1,000-message bulk "
        f"creates, {seconds:.1f} s); raw is executemany of {RAW_BATCHES} × 1,000-row "
        f"transactions (deleted afterwards). VACUUM ANALYZE took {vacuumed:.1f} s; the "
        f"worker's count of the org's term statistics, which the keyword ranker bounds "
        f"common words by, {counted:.1f} s."
    )
    return section

"""Sections 1, 2, 4 and 5: Rapport in-process (``rapport.Rapport``) against raw psycopg.

Both sides run in this process on the same database, interleaved call by call (see
``timing.interleave``), so each ratio is what Rapport's layers cost over the SQL alone.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool

import baseline
from dataset import Org, message_items
from report import Section, Target
from timing import interleave

SEED_BULK = Target("seed", 500.0)


def bulk_insert(org: Org, conn: psycopg.Connection[Any], runs: int, rng: random.Random) -> Section:
    """1,000 messages per call: Rapport's one-statement bulk_create vs raw executemany."""
    section = Section(
        "1. Bulk insert of 1,000 messages",
        "Rapport: r.messages.bulk_create (one statement that also bumps conversation counters, "
        "contacts.last_interaction and interaction_summaries in the same transaction). "
        "Baseline: raw executemany INSERT INTO messages, same columns, one transaction, "
        "client-side UUIDv7 ids; it updates nothing else. "
        f"{runs} runs each, alternating.",
    )
    shapes = {
        "100 conversations × 10": org.conversation_ids[:100],
        "1 conversation × 1,000": org.conversation_ids[100:101],
    }
    for shape, conversations in shapes.items():

        def items(_: int, conversations: list[str] = conversations) -> list[dict[str, Any]]:
            now = datetime.datetime.now(datetime.UTC)
            return message_items(conversations, 1000, rng, now)

        result = interleave(
            runs,
            {
                "ours": org.r.messages.bulk_create,
                "raw": lambda batch: baseline.bulk_insert(conn, org.org_id, batch, org.contact_of),
            },
            items,
            warmup=2,
        )
        targets = {"p50": [SEED_BULK], "p95": [SEED_BULK]}
        section.latency(shape, result["ours"], result["raw"], targets)
    return section


def lookups(org: Org, conn: psycopg.Connection[Any], rounds: int, rng: random.Random) -> Section:
    """A conversation by id: r.conversations.get vs a raw SELECT, direct and through a pool."""
    section = Section(
        "2. Single conversation lookup (in-process)",
        "Rapport: r.conversations.get(id) (pool checkout, org-scoped SELECT building the JSON "
        "document, orjson decode). Baselines: raw SELECT of the same columns by (org_id, id) on "
        f"one open connection, and through a psycopg_pool. {rounds:,} random ids each.",
    )
    pool = ConnectionPool(
        conn.info.dsn, min_size=1, max_size=1, kwargs={"autocommit": True}, open=True
    )
    try:

        def pooled(conversation_id: str) -> object:
            with pool.connection() as pooled_conn:
                return pooled_conn.execute(
                    baseline.GET_CONVERSATION, [org.org_id, conversation_id]
                ).fetchone()

        result = interleave(
            rounds,
            {
                "ours": org.r.conversations.get,
                "raw": lambda cid: conn.execute(
                    baseline.GET_CONVERSATION, [org.org_id, cid]
                ).fetchone(),
                "pool": pooled,
            },
            lambda _: rng.choice(org.conversation_ids),
        )
    finally:
        pool.close()
    aim = {"p50": [Target("aim", 0.3, inclusive=True)]}
    section.latency("get, baseline on one connection", result["ours"], result["raw"], aim)
    section.latency("get, baseline through a pool", result["ours"], result["pool"], aim)
    return section


def history(
    org: Org, conn: psycopg.Connection[Any], long_ids: list[str], rounds: int, rng: random.Random
) -> Section:
    section = Section(
        "4. 100-message history",
        "Rapport: r.conversations.history(id, limit=100) on conversations holding "
        f"{len(long_ids)} × ≥100 messages. Baseline: raw SELECT of the same 100 rows "
        f"ORDER BY ts. {rounds:,} random conversations each.",
    )
    result = interleave(
        rounds,
        {
            "ours": lambda cid: org.r.conversations.history(cid, limit=100),
            "raw": lambda cid: baseline.fetch_all(conn, baseline.HISTORY, [org.org_id, cid, 100]),
        },
        lambda _: rng.choice(long_ids),
    )
    targets = {"p95": [Target("seed", 20.0), Target("aim", 1.0)]}
    section.latency("history(limit=100)", result["ours"], result["raw"], targets)
    return section


def analytics(org: Org, conn: psycopg.Connection[Any], rounds: int) -> Section:
    contacts = org.r.analytics.interactions()["contacts"]
    section = Section(
        "5. Analytics aggregation over 1,000 contacts",
        f"Rapport: r.analytics.interactions() in an org of {contacts:,} contacts with "
        "summaries. Baseline: the same aggregation (totals, satisfaction, activity, "
        f"languages, top 20 intents) as raw SQL. {rounds:,} runs each.",
    )
    result = interleave(
        rounds,
        {
            "ours": lambda _: org.r.analytics.interactions(),
            "raw": lambda _: baseline.fetch_all(conn, baseline.ANALYTICS, [org.org_id]),
        },
        lambda _: None,
    )
    targets = {"p95": [Target("seed", 100.0)]}
    section.latency("interactions()", result["ours"], result["raw"], targets)
    return section

"""The bench's organizations and the rows every section reads, written through Rapport.

Each run uses fresh organizations (named after the run), so a reused ``--home`` never mixes
runs. Data goes in through ``rapport.synthetic.populate`` (the real bulk path), so counters
and interaction summaries are what production would hold. The raw baselines need each
conversation's contact (Rapport looks it up itself), read back here once.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field
from typing import Any

import psycopg

from rapport import synthetic
from rapport.db.database import Database
from rapport.sdk import Rapport

LONG_HISTORY = 120  # messages in each "long" conversation (section 4 reads 100 of them)


@dataclass
class Org:
    """One organization: the in-process SDK acting for it, and its ids."""

    r: Rapport
    contact_ids: list[str] = field(default_factory=list)
    conversation_ids: list[str] = field(default_factory=list)
    contact_of: dict[str, str] = field(default_factory=dict)

    @property
    def org_id(self) -> str:
        return self.r.principal.org_id


def open_org(database: Database, name: str) -> Org:
    # The store alone: extraction and embeddings are bench/memory.py's to measure.
    return Org(Rapport(name, database=database, enrich="off"))


def load_contacts(org: Org, conn: psycopg.Connection[Any]) -> None:
    """Each conversation's contact_id, which the raw inserts must send themselves."""
    rows = conn.execute(
        "SELECT id::text, contact_id::text FROM conversations WHERE org_id = %s", [org.org_id]
    ).fetchall()
    org.contact_of = dict(rows)


def populate(
    org: Org,
    contacts: int,
    conversations: int,
    per_conversation: int,
    progress: synthetic.Progress | None = None,
) -> int:
    """Synthetic contacts, conversations and messages for ``org``; returns messages written.

    Call ``load_contacts`` afterwards if a raw baseline will write to these conversations.
    """
    population = synthetic.populate(
        org.r.database,
        org.r.principal,
        contacts,
        conversations,
        per_conversation,
        progress=progress,
    )
    org.contact_ids = population.contact_ids
    org.conversation_ids = population.conversation_ids
    return population.messages


def analyze(conn: psycopg.Connection[Any]) -> None:
    """Fresh planner statistics before a read section, as autovacuum would have by then.

    The bench writes tens of thousands of rows seconds before it reads them; without this
    the planner may pick a plan for a table it believes empty (e.g. sort 500 messages of a
    conversation rather than read 100 in index order), which no production store would do.
    """
    conn.execute("ANALYZE contacts, conversations, messages, interaction_summaries")


def message_items(
    conversation_ids: list[str], count: int, rng: random.Random, at: datetime.datetime
) -> list[dict[str, object]]:
    """``count`` realistic user/agent turns spread round-robin over ``conversation_ids``."""
    items: list[dict[str, object]] = []
    for i in range(count):
        user = i % 2 == 0
        items.append(
            {
                "conversation_id": conversation_ids[i % len(conversation_ids)],
                "role": "user" if user else "agent",
                "agent_type": None if user else "qualifier",
                "content": rng.choice(synthetic.USER_LINES if user else synthetic.AGENT_LINES),
                "language": "en",
                "intent": rng.choice(synthetic.INTENTS)[0] if user else None,
                "confidence": round(rng.uniform(0.4, 1.0), 3) if user else None,
                "sentiment": round(rng.uniform(-1, 1), 3) if user else None,
                "timestamp": at + datetime.timedelta(milliseconds=i),
            }
        )
    return items


def add_long_histories(org: Org, count: int, rng: random.Random) -> list[str]:
    """``count`` conversations of LONG_HISTORY messages each (for the 100-message history)."""
    chosen = org.conversation_ids[:count]
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)
    per_batch = max(1, 1000 // LONG_HISTORY)
    for i in range(0, len(chosen), per_batch):
        group = chosen[i : i + per_batch]
        org.r.messages.bulk_create(message_items(group, LONG_HISTORY * len(group), rng, start))
    return chosen

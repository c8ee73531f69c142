"""Realistic synthetic sales data, written through the real bulk operations.

Benchmarks and the index tests need a large organization: thousands of contacts, conversations
spread over every stage, status, agent and channel, follow-ups around today, and messages with
intents, languages and searchable content. Everything goes through ``crud.bulk_create`` (the
path users take), so counters and summaries are as they would be in production.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rapport.conversations.contacts import CONTACTS
from rapport.conversations.conversations import CONVERSATIONS
from rapport.conversations.messages import MESSAGES
from rapport.db.database import Database
from rapport.resources import crud
from rapport.tenancy.principal import Principal

BATCH = 1000

AGENTS = ("supervisor", "qualifier", "objection_handler", "closer")
CHANNELS = (("instagram_dm", 50), ("whatsapp", 35), ("voice", 10), ("facebook_messenger", 5))
STATUSES = (("active", 45), ("inactive", 20), ("completed", 25), ("abandoned", 10))
STAGES = (
    ("qualification", 40),
    ("objection_handling", 20),
    ("closing", 15),
    ("not_qualified", 10),
    ("won", 8),
    ("lost", 7),
)
INDUSTRIES = ("SaaS", "Retail", "Healthcare", "Fintech", "Education", "Logistics", "Food")
SIZES = ("1-10", "11-50", "51-200", "201-1000", "1000+")
TITLES = ("Founder", "CEO", "VP Engineering", "Head of Sales", "Operations Manager", "Owner")
INTENTS = (
    ("pricing_question", 25),
    ("order_placement", 15),
    ("demo_request", 15),
    ("objection_price", 10),
    ("objection_timing", 8),
    ("greeting", 15),
    ("support", 12),
)
LANGUAGES = (("en", 80), ("es", 8), ("pt", 6), ("id", 6))

USER_LINES = (
    "Hi, we need {n} boxes for 10 inch pizzas delivered every week",
    "What does the pro plan cost for a team of {n}?",
    "Honestly that is more than our budget of ${n} a month",
    "Can you do a demo on Thursday afternoon?",
    "We are already using a competitor and the contract ends in {n} months",
    "I need to check with my manager before we sign anything",
    "Does it integrate with WhatsApp and Instagram DMs?",
    "Our main problem is slow replies to leads on weekends",
    "Please send the invoice to our finance team",
    "Is there a discount for annual billing?",
)
AGENT_LINES = (
    "Thanks for reaching out! Could you tell me a bit about your team?",
    "Our pro plan is ${n} per month and includes unlimited conversations.",
    "Totally understand the budget concern; many teams start on the starter plan.",
    "I can book a demo for you, what time works best?",
    "Happy to loop in your manager, shall I send a one-page summary?",
    "Yes, we integrate with WhatsApp Business and Instagram DMs out of the box.",
)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


@dataclass
class Population:
    contact_ids: list[str] = field(default_factory=list)
    conversation_ids: list[str] = field(default_factory=list)
    messages: int = 0


Progress = Callable[[str, int], None]


def populate(
    database: Database,
    principal: Principal,
    contacts: int,
    conversations: int,
    messages_per_conversation: int,
    seed: int = 7,
    progress: Progress | None = None,
) -> Population:
    """Write the data set; ``progress(stage, done)`` is called after every batch."""
    rng = random.Random(seed)
    now = datetime.datetime.now(datetime.UTC)
    population = Population()
    tick = progress or (lambda stage, done: None)
    batch: list[dict[str, Any]]

    for start in range(0, contacts, BATCH):
        batch = [
            {
                "external_id": f"synthetic-{seed}-{i}",
                "name": f"Lead {i}",
                "instagram_handle": f"lead_{seed}_{i}",
                "industry": rng.choice(INDUSTRIES),
                "company_size": rng.choice(SIZES),
                "job_title": rng.choice(TITLES),
                "tags": rng.sample(["vip", "inbound", "outbound", "partner", "trial"], 2),
                "source": rng.choice(["instagram_ad", "referral", "website", "event"]),
            }
            for i in range(start, min(start + BATCH, contacts))
        ]
        population.contact_ids.extend(database.run(crud.bulk_create(CONTACTS, principal, batch)))
        tick("contacts", len(batch))

    for start in range(0, conversations, BATCH):
        batch = []
        for _ in range(start, min(start + BATCH, conversations)):
            created = now - datetime.timedelta(minutes=rng.randint(0, 180 * 24 * 60))
            follow_up = rng.random() < 0.3
            batch.append(
                {
                    "contact_id": rng.choice(population.contact_ids),
                    "channel": _pick(rng, CHANNELS),
                    "status": _pick(rng, STATUSES),
                    "sales_stage": _pick(rng, STAGES),
                    "current_agent": rng.choice(AGENTS),
                    "created_at": created.isoformat(),
                    "qualification": {"score": rng.randint(0, 100)},
                    "follow_up": {
                        "required": follow_up,
                        "scheduled_date": (
                            now + datetime.timedelta(hours=rng.randint(-15 * 24, 15 * 24))
                        ).isoformat()
                        if follow_up
                        else None,
                        "reason": "check in" if follow_up else None,
                    },
                    "metadata": {
                        "source": rng.choice(["instagram_ad", "referral", "website"]),
                        "campaign": rng.choice(["bf24", "spring", "always-on"]),
                        "lead_score": rng.randint(0, 100),
                    },
                }
            )
        population.conversation_ids.extend(
            database.run(crud.bulk_create(CONVERSATIONS, principal, batch))
        )
        tick("conversations", len(batch))

    if messages_per_conversation:
        per_batch = max(1, BATCH // messages_per_conversation)
        ids = population.conversation_ids
        for start in range(0, len(ids), per_batch):
            batch = []
            for conversation_id in ids[start : start + per_batch]:
                at = now - datetime.timedelta(minutes=rng.randint(60, 90 * 24 * 60))
                language = _pick(rng, LANGUAGES)
                for turn in range(messages_per_conversation):
                    at += datetime.timedelta(seconds=rng.randint(5, 600))
                    user = turn % 2 == 0
                    lines = USER_LINES if user else AGENT_LINES
                    batch.append(
                        {
                            "conversation_id": conversation_id,
                            "role": "user" if user else "agent",
                            "agent_type": None if user else rng.choice(AGENTS),
                            "content": rng.choice(lines).format(n=rng.randint(2, 900)),
                            "language": language,
                            "intent": _pick(rng, INTENTS) if user else None,
                            "confidence": round(rng.uniform(0.4, 1.0), 3) if user else None,
                            "sentiment": round(rng.uniform(-1, 1), 3) if user else None,
                            "timestamp": at.isoformat(),
                        }
                    )
            database.run(crud.bulk_create(MESSAGES, principal, batch))
            population.messages += len(batch)
            tick("messages", len(batch))
    return population

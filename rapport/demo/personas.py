"""Simulated leads for the demo: who they are, what they say, and how they tend to decide.

Each lead is drawn from a seeded random generator, so a run is reproducible. The lines are
varied templates that the offline extractor reads like real messages (budget, authority,
timeline, need, objections), so what Rapport remembers and how the supervisor routes come
from the conversation itself, not from labels handed to it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

FIRST = ["Ana", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gus", "Hana", "Ivan", "Julia",
         "Kofi", "Lena", "Marco", "Nina", "Omar", "Priya", "Quinn", "Rosa", "Sam", "Tara",
         "Uma", "Victor", "Wen", "Yara", "Zoe"]  # fmt: skip
LAST = ["Silva", "Kim", "Novak", "Garcia", "Okafor", "Rossi", "Chen", "Haddad", "Müller",
        "Patel", "Smith", "Tanaka", "Dubois", "Costa", "Ivanova"]  # fmt: skip
BUSINESSES = ["a bakery", "a yoga studio", "a dental clinic", "an online store",
              "a real estate agency", "a coffee shop", "a gym", "a law firm",
              "a marketing agency", "a hair salon"]  # fmt: skip
NEEDS = [
    "We need more leads from Instagram, our posts get likes but no bookings.",
    "I'm looking for a way to answer DMs faster, we lose customers at night.",
    "We want to automate appointment booking over WhatsApp.",
    "Our problem is following up with people who ask for prices and disappear.",
    "I need help qualifying inbound leads before my sales team calls them.",
]
BUDGETS = [
    "Our budget is around ${n} a month.",
    "We could spend about ${n} per month on this.",
    "I have roughly ${n}/month set aside for marketing tools.",
]
NO_BUDGET = ["Not sure about budget yet, just looking around.", "Depends on the price honestly."]
AUTHORITY = [
    "I'm the owner, so it's my call.",
    "I make the decisions here, I run the business.",
    "I'm the founder, I sign off on tools like this.",
]
NO_AUTHORITY = [
    "I need to check with my boss before committing.",
    "My business partner has to approve anything we buy.",
]
TIMELINES = [
    "We want to start next week.",
    "Ideally within the next month.",
    "We're hoping to have something running by {month}.",
    "No rush, maybe in a few months.",
]
OBJECTIONS = {
    "price": ["Honestly it seems too expensive for us.", "That's more than we wanted to pay."],
    "timing": [
        "It's a bad time, we're swamped until the holidays.",
        "Can we revisit this next quarter?",
    ],
    "trust": [
        "How do I know this actually works? Do you have reviews?",
        "I've been burned by tools like this before.",
    ],
    "competitor": [
        "We're also talking to ManyChat, they're cheaper.",
        "We already use another tool for this.",
    ],
}
ACCEPT = ["Ok that makes sense, let's do it.", "Alright, sounds good. How do we start?",
          "Great, send me the link and I'll sign up today."]  # fmt: skip
HESITATE = ["I'll think about it and get back to you.", "Let me sleep on it."]
REFUSE = ["Thanks, but we'll pass for now.", "Not for us, sorry."]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
CHANNELS = [("instagram_dm", 0.45), ("whatsapp", 0.35), ("voice", 0.20)]


@dataclass
class Lead:
    """One simulated lead and the way their conversation will go."""

    first_name: str
    last_name: str
    business: str
    channel: str
    phone: str
    handle: str
    need: str
    budget: int | None
    decides: bool
    timeline: str
    objection: str | None
    resolves: float  # chance an objection is overcome
    eagerness: float  # chance of buying once qualified and objections are handled
    tags: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def make_lead(rng: random.Random, index: int) -> Lead:
    channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
    first, last = rng.choice(FIRST), rng.choice(LAST)
    budget = rng.choice([None, 300, 500, 800, 1200, 2000, 5000]) if rng.random() < 0.85 else None
    return Lead(
        first_name=first,
        last_name=last,
        business=rng.choice(BUSINESSES),
        channel=channel,
        phone=f"+1 (415) 555-{index:04d}",
        handle=f"@{first.lower()}.{last.lower().replace('ü', 'u')}{index}",
        need=rng.choice(NEEDS),
        budget=budget,
        decides=rng.random() < 0.7,
        timeline=rng.choice(TIMELINES).format(month=rng.choice(MONTHS)),
        objection=rng.choice([None, "price", "price", "timing", "trust", "competitor"]),
        resolves=rng.uniform(0.3, 0.9),
        eagerness=rng.uniform(0.4, 0.95),
        tags=["vip"] if budget and budget >= 2000 else [],
    )


def budget_line(rng: random.Random, lead: Lead) -> str:
    if lead.budget is None:
        return rng.choice(NO_BUDGET)
    return rng.choice(BUDGETS).format(n=f"{lead.budget:,}")


def authority_line(rng: random.Random, lead: Lead) -> str:
    return rng.choice(AUTHORITY if lead.decides else NO_AUTHORITY) + " " + lead.timeline

"""The demo's sales team: four agents and what each says, rule-based by default.

An LLM is a plug-in, not a requirement: anything with ``reply(role, lead, turn, memory)``
can stand in for ``RuleBasedReplies`` (``rapport demo --replies module:Class``).
"""

from __future__ import annotations

import random
from typing import Any, Protocol

from rapport.demo.personas import Lead

AGENTS: list[dict[str, Any]] = [
    {
        "name": "supervisor",
        "role": "supervisor",
        "visibility": "hidden",
        "persona": {
            "description": "Routes each conversation to the agent its stage needs",
            "instructions": "Route on stage, qualification score and open objections.",
        },
    },
    {
        "name": "qualifier",
        "role": "qualifier",
        "persona": {
            "display_name": "Mia",
            "description": "Finds budget, authority, need and timeline",
            "instructions": "Ask one BANT question at a time. Warm, short messages.",
            "model": {"provider": "rules"},
        },
        "quick_tasks": [{"name": "recap", "prompt": "Summarise what we know about this lead."}],
    },
    {
        "name": "qualifier-2",
        "role": "qualifier",
        "persona": {"display_name": "Leo", "description": "Second qualifier for busy hours"},
    },
    {
        "name": "objection_handler",
        "role": "objection_handler",
        "persona": {
            "display_name": "Sara",
            "description": "Answers price, timing, trust and competitor objections",
            "instructions": "Acknowledge, reframe with proof, ask a closing question.",
        },
    },
    {
        "name": "closer",
        "role": "closer",
        "persona": {"display_name": "Kevin", "description": "Human closer; takes transfers"},
        "quick_tasks": [{"name": "contract", "prompt": "Draft the contract for this lead."}],
    },
]

KNOWLEDGE = [
    {
        "title": "Pricing FAQ",
        "text": "Starter costs $300 a month, Growth $800 a month and Scale $2,000 a month. "
        "Annual plans get two months free. Every plan has a 14-day money-back guarantee.",
        "source": "faq",
    },
    {
        "title": "Objection playbook",
        "text": "Price: show the cost of one lost booking a week. Timing: offer a setup done "
        "for them in one afternoon. Trust: share the case study of a studio that doubled "
        "bookings. Competitor: we answer in their language and hand off to a human closer.",
        "source": "playbook",
    },
]

ANSWERS = {
    "price": "I hear you. Most clients win back the cost with one extra booking a week, "
    "and there's a 14-day money-back guarantee.",
    "timing": "Totally fair. We do the whole setup for you in one afternoon, "
    "so it won't take your team's time.",
    "trust": "Good question! A yoga studio like yours doubled bookings in 6 weeks, "
    "happy to share the case study.",
    "competitor": "Makes sense to compare. The difference: we reply in your customers' "
    "language and hand hot leads to a real closer.",
}


class Replies(Protocol):
    def reply(self, role: str, lead: Lead, turn: int, memory: dict[str, Any]) -> str: ...


class RuleBasedReplies:
    """What each role says next, from what Rapport remembers about the lead."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def reply(self, role: str, lead: Lead, turn: int, memory: dict[str, Any]) -> str:
        if role == "qualifier":
            if "budget" not in memory:
                return f"Thanks {lead.first_name}! What budget do you have in mind per month?"
            if "authority" not in memory or "timeline" not in memory:
                return "Got it. Who decides on this, and when would you like to start?"
            return "Perfect, that helps. Anything else you want this to solve?"
        if role == "objection_handler":
            return ANSWERS.get(lead.objection or "", "Let me address that.") + " Shall we go ahead?"
        if role == "closer":
            return f"Great, {lead.first_name}! Here's the link to start: rapport.example/start"
        return "Thanks for your message!"

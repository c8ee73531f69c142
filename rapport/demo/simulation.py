"""``rapport demo``: a sales team working a few hundred simulated leads, through the SDK.

Each chat lead (Instagram DM or WhatsApp) writes; Rapport stores the message and extracts
what it says (budget, authority, timeline, objections); the supervisor routes the
conversation (``r.conversations.route``) and the agent it names replies. The lead then
accepts, hesitates (a follow-up is scheduled, some already overdue) or walks away, and the
conversation ends won, lost, not qualified or waiting. Voice leads go through
``r.calls.learn`` with a transcript, and the closer's availability decides their transfer.
Chat leads are assigned an opening line in the qualifier's experiment, and each agent
message is reported sent, delivered and (often) read (``rapport.demo.learning``).

Only the public SDK is used, so the demo is also an example of it.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from typing import Any

from rich.progress import Progress

from rapport import errors
from rapport.demo import personas, team
from rapport.demo.learning import Loop
from rapport.demo.personas import Lead

ROUTING_RULES = [
    {
        "when": {"message_count": {"$gte": 6}, "qualification.budget": {"$exists": False}},
        "stage": "not_qualified",
        "reason": "no budget after three exchanges",
    }
]
CLOSER_TIMEZONE = "America/New_York"
AVAILABILITY: dict[str, Any] = {
    "closer": "default",
    "timezone": CLOSER_TIMEZONE,
    "weekly": [{"day_of_week": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)],
    "overrides": [],
}


def setup(r: Any) -> None:
    """Agents, knowledge, routing rules and the closer's hours (all idempotent)."""
    documents = [r.knowledge.create(doc)["id"] for doc in team.KNOWLEDGE]
    for agent in team.AGENTS:
        r.agents.create({**agent, "knowledge_sources": documents})
    r.update_org({"pipeline": {"qualified_threshold": 70, "rules": ROUTING_RULES}})
    r.availability.set(**AVAILABILITY)


class Simulation:
    def __init__(self, r: Any, replies: team.Replies, rng: random.Random, loop: Loop) -> None:
        self.r = r
        self.loop = loop
        self.replies = replies
        self.rng = rng
        self.now = datetime.datetime.now(datetime.UTC)
        self.outcomes: dict[str, int] = {}
        # Each run adds its own leads; a second run next to the first is another campaign.
        self.run_id = self.now.strftime("%Y%m%d%H%M%S")

    def clock(self, index: int) -> datetime.datetime:
        """When a lead first wrote: spread over the last two weeks."""
        return self.now - datetime.timedelta(minutes=self.rng.randint(60, 14 * 24 * 60))

    def chat(self, lead: Lead, index: int) -> str:
        r, rng = self.r, self.rng
        contact = r.contacts.create(
            name=lead.name,
            external_id=f"demo-{self.run_id}-lead-{index}",
            instagram_handle=lead.handle if lead.channel == "instagram_dm" else None,
            phone=lead.phone if lead.channel == "whatsapp" else None,
            source=f"{lead.channel}_ad",
            tags=lead.tags,
        )
        talk = r.conversations.create(
            contact_id=contact["id"],
            external_id=f"demo-{self.run_id}-thread-{index}",
            channel=lead.channel,
            metadata={"source": f"{lead.channel}_ad", "campaign": "winter", "tags": lead.tags},
        )
        self.loop.assign(contact["id"])
        at = self.clock(index)
        turn = 0

        def say(role: str, text: str, agent: str | None = None) -> dict[str, Any]:
            nonlocal at, turn
            at += datetime.timedelta(minutes=rng.randint(1, 90))
            turn += 1
            message: dict[str, Any] = r.conversations.append_message(
                talk["id"],
                role=role,
                content=text,
                agent_type=agent,
                external_id=f"demo-{self.run_id}-{index}-{turn}",
                timestamp=at.isoformat(),
            )
            return message

        def agent_turn() -> dict[str, Any]:
            # Routing reads what the lead just said: over HTTP the server enriches the
            # conversation's pending messages before deciding (in-process they already are).
            decision: dict[str, Any] = r.conversations.route(talk["id"])
            role = decision["role"] or "qualifier"
            memory = {
                m["key"]: m["value"]
                for m in r.memories.list({"contact_id": contact["id"]})["items"]
            }
            sent = say("agent", self.replies.reply(role, lead, turn, memory), decision["agent"])
            self.loop.engage(sent, at)
            if decision["agent"]:
                self._remember(decision["agent"], contact["id"], role, turn)
            return decision

        say("user", f"Hi! I run {lead.business}. {lead.need}")
        agent_turn()
        say("user", personas.budget_line(rng, lead))
        agent_turn()
        say("user", personas.authority_line(rng, lead))
        if lead.objection:
            say("user", rng.choice(personas.OBJECTIONS[lead.objection]))
        decision = agent_turn()
        if decision["stage"] == "not_qualified":
            return "not_qualified"
        if decision["stage"] == "objection_handling":
            if rng.random() > lead.resolves:
                return self._hesitate_or_lose(talk["id"], lead, say)
            say("user", rng.choice(personas.ACCEPT))
            still_open = {"conversation_id": talk["id"], "resolved": False}
            for open_one in r.objections.list(still_open)["items"]:
                r.objections.update(open_one["id"], resolved=True, resolution="handled by playbook")
            decision = agent_turn()
        if decision["stage"] == "not_qualified":
            return "not_qualified"
        if decision["stage"] != "closing":
            return self._hesitate_or_lose(talk["id"], lead, say)
        if rng.random() < lead.eagerness:
            say("user", "Done, I've signed up!")
            r.conversations.move(talk["id"], "won", reason="signed up from the closer's link")
            r.conversations.update(talk["id"], status="completed")
            return "won"
        return self._hesitate_or_lose(talk["id"], lead, say)

    def _hesitate_or_lose(self, talk_id: str, lead: Lead, say: Any) -> str:
        rng = self.rng
        if rng.random() < 0.6:
            say("user", rng.choice(personas.HESITATE))
            due = self.now + datetime.timedelta(hours=rng.randint(-72, 96))
            self.r.follow_ups.create(
                conversation_id=talk_id,
                due_at=due.isoformat(),
                reason="check in after they thought about it",
                cancel_on_reply=True,
            )
            return "follow_up"
        say("user", rng.choice(personas.REFUSE))
        self.r.conversations.move(talk_id, "lost", reason="the lead declined")
        self.r.conversations.update(talk_id, status="inactive")
        return "lost"

    def _remember(self, agent: str, contact_id: str, role: str, turn: int) -> None:
        """Each agent keeps its own state about the lead, with optimistic versions."""
        try:
            current = self.r.agents.get_state(agent, contact_id)
        except errors.NotFound:  # no state yet
            current = {"state": {}, "version": 0}
        state = {**current["state"], "last_turn": turn, "role": role}
        self.r.agents.put_state(agent, contact_id, state, version=current["version"])

    def voice(self, lead: Lead, index: int) -> str:
        from rapport.demo.calls import simulate_call

        return simulate_call(self.r, self.rng, lead, f"{self.run_id}-{index}", self.dial_time())

    def dial_time(self) -> datetime.datetime:
        """When the voice agent called: a weekday between 08:00 and 18:00 in New York, so
        most calls fall in the closer's hours (09-17) and a few just outside them."""
        zone = zoneinfo.ZoneInfo(CLOSER_TIMEZONE)
        while True:
            day = (self.now - datetime.timedelta(days=self.rng.randint(1, 14))).astimezone(zone)
            if day.weekday() < 5:
                break
        start = day.replace(hour=8, minute=0, second=0, microsecond=0)
        return start + datetime.timedelta(minutes=self.rng.randint(0, 10 * 60 - 10))


def run(
    r: Any, leads: int, seed: int, replies: team.Replies | None = None
) -> tuple[dict[str, int], Loop]:
    """Work ``leads`` simulated leads; how many ended each way, and the learning loop."""
    rng = random.Random(seed)
    setup(r)
    loop = Loop(r, rng)
    simulation = Simulation(r, replies or team.RuleBasedReplies(rng), rng, loop)
    with Progress() as progress:
        task = progress.add_task("leads", total=leads)
        for index in range(leads):
            lead = personas.make_lead(rng, index)
            outcome = (
                simulation.voice(lead, index)
                if lead.channel == "voice"
                else simulation.chat(lead, index)
            )
            key = f"{lead.channel}:{outcome}"
            simulation.outcomes[key] = simulation.outcomes.get(key, 0) + 1
            progress.advance(task)
    return simulation.outcomes, loop

"""Voice leads in the demo: a phone call with a transcript, learned in one request.

The call runs through five phases (greeting, discovery, qualification, objections,
transfer). Whether it ends in a transfer depends on the lead's engagement and on the
closer's availability at the time of the call, asked of Rapport's transfer decision.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from rapport.demo import personas
from rapport.demo.personas import Lead
from rapport.demo.team import ANSWERS


def simulate_call(
    r: Any, rng: random.Random, lead: Lead, index: str, start: datetime.datetime
) -> str:
    at = start
    transcript: list[dict[str, Any]] = []

    def say(speaker: str, text: str, phase: int) -> None:
        nonlocal at
        at += datetime.timedelta(seconds=rng.randint(4, 25))
        transcript.append(
            {"speaker": speaker, "text": text, "timestamp": at.isoformat(), "phase": phase}
        )

    if rng.random() < 0.1:
        end = start + datetime.timedelta(seconds=30)
        return _learn(r, lead, index, start, end, [], "no_answer", 0, 0.0, False, False, False)
    say("agent", f"Hi {lead.first_name}, this is Mia from Rapport, is now a good time?", 1)
    say("prospect", f"Sure. I run {lead.business}. {lead.need}", 1)
    say("agent", "What budget do you have in mind per month?", 2)
    say("prospect", personas.budget_line(rng, lead), 2)
    say("agent", "Who decides on this, and when would you like to start?", 3)
    say("prospect", personas.authority_line(rng, lead), 3)
    phase = 3
    engagement = round(rng.uniform(3, 10), 1)
    if lead.objection:
        phase = 4
        say("prospect", rng.choice(personas.OBJECTIONS[lead.objection]), 4)
        say("agent", ANSWERS[lead.objection], 4)
        if rng.random() < lead.resolves:
            say("prospect", rng.choice(personas.ACCEPT), 4)
        else:
            say("prospect", rng.choice(personas.HESITATE), 4)
            engagement = min(engagement, 5.0)
    qualified = lead.budget is not None and lead.decides
    decision = r.calls.transfer_decision(
        engagement_score=engagement, phase_reached=phase, is_qualified=qualified, at=at.isoformat()
    )
    attempted = qualified and engagement >= 7
    transferred = attempted and decision["transfer"]
    if transferred:
        phase = 5
        say("agent", "Let me connect you with Kevin, our closer.", 5)
        say("closer", f"Hi {lead.first_name}, Kevin here. Let's get you started.", 5)
        outcome = "transferred"
    elif attempted:
        say("agent", "Our closer is busy right now; can he call you back tomorrow?", phase)
        outcome = "callback"
    else:
        say("agent", "Thanks for your time! I'll send you some information.", phase)
        outcome = "qualified" if qualified else "not_qualified"
    end = at + datetime.timedelta(seconds=5)
    return _learn(
        r, lead, index, start, end, transcript, outcome, phase, engagement, attempted,
        transferred, decision["available"],
    )  # fmt: skip


def _learn(
    r: Any,
    lead: Lead,
    index: str,
    start: datetime.datetime,
    end: datetime.datetime,
    transcript: list[dict[str, Any]],
    outcome: str,
    phase: int,
    engagement: float,
    attempted: bool,
    transferred: bool,
    available: bool,
) -> str:
    r.calls.learn(
        {
            "lead": {
                "phone": lead.phone,
                "first_name": lead.first_name,
                "last_name": lead.last_name,
                "source": "voice_ad",
            },
            "call": {
                "external_id": f"demo-call-{index}",
                "start_time": start.isoformat(),
                "end_time": end.isoformat(),
                "outcome": outcome,
                "transfer_attempted": attempted,
                "transfer_successful": transferred,
                "engagement_score": engagement,
                "phase_reached": phase,
                "closer_available": available,
            },
            "transcript": transcript,
            "factors": {},
        }
    )
    return outcome

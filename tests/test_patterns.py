"""The pattern graph (seed 002): edges derived from what is stored and kept in step with it,
patterns ranked for an outcome, a lead's path, the caller's observations, and best
practices; both SDK ways against the real database and the real embedding model."""

from __future__ import annotations

from typing import Any

import pytest

from rapport import errors
from tests.conftest import Tenant
from tests.test_calls import call_body


def learn(sdk: Any, n: int, outcome: str, patterns: list[Any], score: float = 7.0,
          **call: Any) -> dict[str, Any]:  # fmt: skip
    call.setdefault("external_id", f"CA-{n}")
    body = call_body(phone=f"+1 415 555 {1000 + n:04d}", outcome=outcome, engagement_score=score,
                     transfer_attempted=outcome == "transferred",
                     transfer_successful=outcome == "transferred", **call)  # fmt: skip
    body["learning_patterns"] = patterns
    day = body["call"]["start_time"][:10]  # the transcript on the call's day
    for said in body["transcript"]:
        said["timestamp"] = day + said["timestamp"][10:]
    return sdk.calls.learn(body)


def named(items: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(i["pattern"]["type"], i["pattern"]["name"]): i for i in items}


def test_patterns_rank_by_effectiveness_and_frequency_for_an_outcome(
    sdk: Any, other_tenant: Tenant
) -> None:
    """Seed 002's "which patterns win in qualified calls": the caller's patterns and the
    derived ones (phases, the transfer) counted per outcome, with rate, lift and average
    effectiveness; ordered as asked, narrowed by type; no other org sees them."""
    roi = {"type": "roi_reframe", "effectiveness": 9.0}
    learn(sdk, 1, "qualified", [roi, "social_proof"], score=8)
    learn(
        sdk,
        2,
        "qualified",
        [{"type": "roi_reframe", "effectiveness": 7.0}, "social_proof"],
        score=6,
    )
    learn(sdk, 3, "qualified", ["social_proof"], score=5)
    learn(sdk, 4, "not_qualified", ["social_proof", {"type": "discount", "effectiveness": 2}])
    learn(sdk, 5, "not_qualified", [{"type": "discount"}, {"name": "x", "bad": 1}, 7, ""])

    ranked = sdk.patterns.ranking(outcome="qualified")
    assert (ranked["outcome"], ranked["order"]) == ("qualified", "effectiveness")
    found = named(ranked["items"])
    roi_row = found[("technique", "roi_reframe")]
    assert (roi_row["frequency"], roi_row["conversations"], roi_row["rate"]) == (2, 2, 1.0)
    assert roi_row["avg_effectiveness"] == pytest.approx(8.0)  # the caller's 9 and 7
    proof = found[("technique", "social_proof")]
    assert (proof["frequency"], proof["conversations"]) == (3, 4)
    assert proof["avg_effectiveness"] == pytest.approx((8 + 6 + 5) / 3)  # the calls' scores
    assert ("technique", "discount") not in found  # never in a qualified call
    assert found[("phase_reached", "phase 4")]["frequency"] == 3  # derived from the call
    assert ranked["items"][0]["pattern"]["name"] == "roi_reframe"  # 8.0 is the best average
    # Lift: each one's rate against the share of every edge that ended qualified.
    assert roi_row["lift"] > proof["lift"] > 1

    by_count = sdk.patterns.ranking(outcome="qualified", order="frequency", type="technique")
    assert [i["pattern"]["name"] for i in by_count["items"]] == ["social_proof", "roi_reframe"]
    losing = named(sdk.patterns.ranking(outcome="not_qualified")["items"])
    assert losing[("technique", "discount")]["frequency"] == 2
    assert losing[("technique", "discount")]["avg_effectiveness"] == pytest.approx((2 + 7) / 2)
    assert sdk.patterns.ranking(outcome="qualified", min_frequency=3)["items"][0]["frequency"] >= 3
    listed = {(p["type"], p["name"]): p for p in sdk.patterns.list(type="technique")["items"]}
    assert listed[("technique", "social_proof")]["conversations"] == 4
    assert ("technique", "x") not in listed
    assert ("technique", "7") not in listed

    with pytest.raises(errors.BadRequest, match="outcome"):
        sdk.patterns.ranking(outcome="maybe")
    with other_tenant.local() as theirs:
        assert theirs.patterns.ranking(outcome="qualified")["items"] == []
        assert theirs.patterns.list()["items"] == []


def edges_of(sdk: Any, contact_id: str) -> dict[tuple[str, str], dict[str, Any]]:
    legs = sdk.patterns.lead_path(contact_id)["conversations"]
    return {(p["type"], p["name"]): {**p, "outcome": leg["outcome"]}
            for leg in legs for p in leg["patterns"]}  # fmt: skip


def test_a_conversations_edges_follow_what_is_stored(sdk: Any) -> None:
    """Objections raised and handled, agents' questions, hand-offs, stages and follow-ups
    kept become edges as they are written; each edge's outcome follows the conversation's
    stage and qualification; a removed fact takes its edge with it."""
    person = sdk.contacts.create(name="Priya", industry="SaaS")
    talk = sdk.conversations.create(contact_id=person["id"], channel="instagram",
                                    current_agent="qualifier")  # fmt: skip
    sdk.messages.create(conversation_id=talk["id"], role="agent",
                        content="What budget have you set aside for this?")  # fmt: skip
    sdk.messages.create(conversation_id=talk["id"], role="user", content="Hi there")
    sdk.enrichment.flush()
    found = edges_of(sdk, person["id"])
    assert found[("question_asked", "budget")]["outcome"] == "open"
    assert found[("question_asked", "budget")]["source"] == "derived"

    objection = sdk.objections.create(conversation_id=talk["id"], type="price")
    assert ("objection_raised", "price") in edges_of(sdk, person["id"])
    assert ("objection_handled", "price") not in edges_of(sdk, person["id"])
    sdk.objections.update(objection["id"], resolved=True, resolution="annual discount")
    assert ("objection_handled", "price") in edges_of(sdk, person["id"])

    sdk.conversations.update(talk["id"], current_agent="closer")  # a hand-off
    sdk.conversations.move(talk["id"], "closing", reason="budget approved")
    found = edges_of(sdk, person["id"])
    assert ("hand_off", "qualifier to closer") in found
    assert ("stage_reached", "closing") in found

    follow_up = sdk.follow_ups.create(conversation_id=talk["id"], due_at="2030-01-01T09:00:00Z")
    assert ("follow_up_kept", "closer") not in edges_of(sdk, person["id"])
    sdk.follow_ups.done(follow_up["id"])
    assert ("follow_up_kept", "closer") in edges_of(sdk, person["id"])  # named by its agent

    sdk.conversations.move(talk["id"], "won")
    assert {e["outcome"] for e in edges_of(sdk, person["id"]).values()} == {"won"}
    won = named(sdk.patterns.ranking(outcome="won")["items"])
    assert won[("objection_handled", "price")]["frequency"] == 1
    assert sdk.patterns.ranking(outcome="open")["items"] == []  # its edges moved, not copied

    sdk.objections.delete(objection["id"])  # the fact goes; so do its edges
    found = edges_of(sdk, person["id"])
    assert ("objection_raised", "price") not in found
    assert ("objection_handled", "price") not in found
    assert ("objection_raised", "price") not in named(sdk.patterns.ranking(outcome="won")["items"])


def test_a_leads_path_runs_through_its_calls_in_order(sdk: Any) -> None:
    """Seed 002's Lead -> Call -> Pattern -> Outcome: each call of the lead in time order,
    its patterns in the order they happened, how each ended, and the latest outcome."""
    first = learn(
        sdk,
        1,
        "callback",
        ["rapport_building"],
        score=5,
        start_time="2025-01-15T15:00:00Z",
        end_time="2025-01-15T15:07:40Z",
    )
    second = learn(
        sdk,
        1,
        "transferred",
        ["roi_reframe"],
        score=9,
        external_id="CA-1b",
        start_time="2025-01-17T15:00:00Z",
        end_time="2025-01-17T15:09:00Z",
    )
    lead = first["lead"]["id"]
    assert second["lead"]["id"] == lead
    path = sdk.patterns.lead_path(lead)
    assert path["contact_id"] == lead
    assert path["outcome"] == "transferred"
    legs = path["conversations"]
    assert [leg["call_id"] for leg in legs] == [first["call"]["id"], second["call"]["id"]]
    assert [leg["outcome"] for leg in legs] == ["callback", "transferred"]
    assert [leg["engagement"] for leg in legs] == [5, 9]
    steps = [(p["type"], p["name"]) for p in legs[1]["patterns"]]
    assert steps.index(("phase_reached", "phase 1")) < steps.index(("phase_reached", "phase 4"))
    assert ("hand_off", "transfer to kevin") in steps
    assert ("technique", "roi_reframe") in steps
    assert ("hand_off", "transfer to kevin") not in [
        (p["type"], p["name"]) for p in legs[0]["patterns"]
    ]
    stamps = [p["at"] for p in legs[1]["patterns"]]
    assert stamps == sorted(stamps)

    with pytest.raises(errors.NotFound):
        sdk.patterns.lead_path("01a00000-0000-7000-8000-000000000000")
    quiet = sdk.contacts.create(name="No calls yet")
    assert sdk.patterns.lead_path(quiet["id"]) == {
        "contact_id": quiet["id"],
        "outcome": None,
        "conversations": [],
    }


def test_a_callers_observation_is_stored_once_and_follows_the_outcome(sdk: Any) -> None:
    """POST /v1/patterns/observations: made once (201, then 200 with what was stored), the
    pattern made by type and name, the edge's outcome the conversation's as it changes;
    bad input names the problem and stores nothing."""
    person = sdk.contacts.create(name="Ana")
    talk = sdk.conversations.create(contact_id=person["id"], channel="whatsapp")
    body = {"conversation_id": talk["id"], "name": "voice_note_follow_up",
            "description": "Sent a voice note the day after", "effectiveness": 8.5,
            "at": "2025-02-01T10:00:00Z"}  # fmt: skip
    made = sdk.patterns.observe(body)
    assert made["pattern"]["type"] == "technique"
    assert made["pattern"]["description"] == "Sent a voice note the day after"
    assert (made["source"], made["outcome"], made["effectiveness"]) == ("caller", "open", 8.5)
    assert made["contact_id"] == person["id"]
    assert sdk.patterns.observe(body) == made  # a retry

    sdk.conversations.update(talk["id"], is_qualified=True)
    ranked = named(sdk.patterns.ranking(outcome="qualified")["items"])
    assert ranked[("technique", "voice_note_follow_up")]["avg_effectiveness"] == 8.5
    sdk.enrichment.flush()  # derivation after a batch leaves the caller's edge alone
    assert edges_of(sdk, person["id"])[("technique", "voice_note_follow_up")]["source"] == "caller"

    for bad, named_field in (({**body, "effectiveness": 11}, "effectiveness"),
                             ({**body, "type": "Not A Type"}, "type"),
                             ({**body, "name": ""}, "name"),
                             ({**body, "surprise": 1}, "surprise")):  # fmt: skip
        with pytest.raises((errors.BadRequest, errors.ValidationFailed)) as raised:
            sdk.patterns.observe(bad)
        assert named_field in str(raised.value)
    with pytest.raises(errors.NotFound, match="conversation"):
        sdk.patterns.observe({**body, "conversation_id": "01a00000-0000-7000-8000-000000000000"})
    assert len(sdk.patterns.list()["items"]) == 1


def test_an_observation_over_rest_is_201_then_200(http: Any, tenant: Tenant) -> None:
    with tenant.local() as sdk:
        person = sdk.contacts.create(name="Ana")
        talk = sdk.conversations.create(contact_id=person["id"], channel="whatsapp")
    body = {"conversation_id": talk["id"], "name": "roi_reframe"}
    assert http.post("/v1/patterns/observations", json=body).status_code == 201
    assert http.post("/v1/patterns/observations", json=body).status_code == 200
    answer = http.get("/v1/patterns/ranking", params={"outcome": "open"})
    assert answer.status_code == 200
    assert answer.json()["items"][0]["frequency"] == 1
    assert http.get("/v1/patterns/ranking").status_code in (400, 422)  # outcome is required


def chat(sdk: Any, name: str, industry: str, lines: list[str], stage: str | None,
         patterns: list[str]) -> dict[str, Any]:  # fmt: skip
    person = sdk.contacts.create(name=name, industry=industry)
    talk = sdk.conversations.create(contact_id=person["id"], channel="instagram")
    for i, line in enumerate(lines):
        sdk.messages.create(conversation_id=talk["id"], role="user" if i % 2 else "agent",
                            content=line)  # fmt: skip
    for pattern in patterns:
        sdk.patterns.observe({"conversation_id": talk["id"], "name": pattern})
    if stage == "qualified":
        sdk.conversations.update(talk["id"], is_qualified=True)
    elif stage is not None:
        sdk.conversations.move(talk["id"], "closing")
        sdk.conversations.move(talk["id"], stage)
    return talk


def test_best_practices_rank_the_patterns_of_similar_successful_conversations(
    sdk: Any,
) -> None:
    """Seed 002's findBestPractices: the conversations most like the context that ended
    well (by meaning, through the real model), filtered by outcome, engagement and the
    lead, and their patterns ranked with the reasons."""
    price_won = chat(sdk, "A", "SaaS", [
        "Thanks for your interest in our analytics plan.",
        "Honestly the price is too high for a team our size.",
        "Most teams earn the cost back within two months from saved hours."], "won",
        ["roi_reframe"])  # fmt: skip
    price_qualified = chat(sdk, "B", "Retail", [
        "Happy to walk you through the plans.",
        "It costs more than we budgeted, it seems expensive.",
        "Let me show you what it saves you each month."], "qualified",
        ["roi_reframe", "case_study"])  # fmt: skip
    price_lost = chat(sdk, "C", "SaaS", [
        "Here is our pricing.",
        "That is far too expensive for us.",
        "We can give you twenty percent off."], "lost", ["discount"])  # fmt: skip
    chat(sdk, "D", "SaaS", [
        "Would Tuesday work for the demo?",
        "Tuesday at 3pm is perfect, my whole team will join.",
        "Great, I sent the calendar invite."], "won", ["calendar_link"])  # fmt: skip
    sdk.enrichment.flush()

    answer = sdk.patterns.best_practices({"context": "they think it costs too much money"})
    assert answer["outcomes"] == ["qualified", "transferred", "won"]
    similar = [c["conversation_id"] for c in answer["conversations"]]
    assert price_lost["id"] not in similar  # it did not end well
    assert set(similar[:2]) == {price_won["id"], price_qualified["id"]}
    assert answer["conversations"][0]["similarity"] > answer["conversations"][-1]["similarity"]
    assert (
        "expensive" in answer["conversations"][0]["excerpt"]
        or "price" in (answer["conversations"][0]["excerpt"])
    )
    best = answer["practices"][0]
    assert (best["pattern"]["name"], best["in_similar"]) == ("roi_reframe", 2)
    assert best["reasons"][0] == "in 2 of the 3 most similar successful conversations"
    assert any("ended well" in reason for reason in best["reasons"])
    assert set(best["examples"]) == {price_won["id"], price_qualified["id"]}
    assert "discount" not in [p["pattern"]["name"] for p in answer["practices"]]
    scores = [p["score"] for p in answer["practices"]]
    assert scores == sorted(scores, reverse=True)

    saas = sdk.patterns.best_practices(
        {"context": "too expensive", "filter": {"industry": "SaaS"}, "limit": 1}
    )
    assert [c["conversation_id"] for c in saas["conversations"]] == [price_won["id"]]
    lost = sdk.patterns.best_practices({"context": "too expensive", "filter": {"outcome": "lost"}})
    assert [c["conversation_id"] for c in lost["conversations"]] == [price_lost["id"]]
    assert lost["outcomes"] == ["lost"]
    assert lost["practices"][0]["pattern"]["name"] == "discount"

    learn(sdk, 7, "qualified", ["roi_reframe"], score=8.5)  # a call, with its engagement
    sdk.enrichment.flush()
    engaged = sdk.patterns.best_practices(
        {"context": "too expensive", "filter": {"engagement_score": {"$gte": 7}}}
    )
    assert [c["engagement"] for c in engaged["conversations"]] == [8.5]

    with pytest.raises(errors.BadRequest, match="mood"):
        sdk.patterns.best_practices({"context": "x", "filter": {"mood": "happy"}})
    with pytest.raises((errors.BadRequest, errors.ValidationFailed), match="context"):
        sdk.patterns.best_practices({"context": ""})
    with pytest.raises(errors.BadRequest, match="outcome"):
        sdk.patterns.best_practices({"context": "x", "filter": {"outcome": "maybe"}})

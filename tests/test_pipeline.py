"""The sales pipeline: agents and their state, stage transitions, routing, follow-ups."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest

from rapport import errors

UTC = datetime.UTC


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def lead(sdk: Any, **fields: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    person = sdk.contacts.create(name="Ana", **fields)
    talk = sdk.conversations.create(contact_id=person["id"], channel="instagram_dm")
    return person, talk


def team(sdk: Any) -> None:
    for name, role in [
        ("qualifier", "qualifier"),
        ("qualifier-2", "qualifier"),
        ("objection_handler", "objection_handler"),
        ("closer", "closer"),
    ]:
        sdk.agents.create(name=name, role=role)


# ---------------------------------------------------------------- agents


def test_agent_persona_knowledge_tasks_and_visibility(sdk: Any) -> None:
    faq = sdk.knowledge.create(title="Pricing FAQ", text="Growth costs $499 a month.")
    agent = sdk.agents.create(
        name="closer",
        role="closer",
        visibility="hidden",
        persona={
            "description": "Closes qualified leads",
            "instructions": "Confirm budget, then send the contract.",
            "model": {"provider": "anthropic", "name": "claude", "temperature": 0.2},
            "tone": "warm",
        },
        knowledge_sources=[faq["id"]],
        quick_tasks=[{"name": "recap", "prompt": "Summarise the deal so far."}],
    )
    assert agent["persona"]["instructions"].startswith("Confirm budget")
    assert agent["persona"]["model"]["temperature"] == 0.2
    assert agent["persona"]["tone"] == "warm"  # extra persona keys are kept
    assert agent["knowledge_sources"] == [faq["id"]]
    assert agent["quick_tasks"][0]["name"] == "recap"
    assert sdk.agents.list({"visibility": "hidden"})["items"] == [agent]
    changed = sdk.agents.update(agent["id"], persona={"tone": "direct"})
    assert changed["persona"]["tone"] == "direct"
    assert changed["persona"]["instructions"] == agent["persona"]["instructions"]


def test_agent_links_must_exist(sdk: Any) -> None:
    missing = "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"
    with pytest.raises(errors.NotFound) as caught:
        sdk.agents.create(name="x", role="closer", knowledge_sources=[missing])
    assert caught.value.field == "knowledge_sources[0]"
    with pytest.raises(errors.NotFound) as caught:
        sdk.agents.create(name="x", role="closer", shared_with=[missing])
    assert caught.value.field == "shared_with[0]"
    assert sdk.agents.count() == 0
    with pytest.raises(errors.ValidationFailed) as invalid:
        sdk.agents.create(name="x", role="closer", visibility="secret")
    assert invalid.value.field == "visibility"


def test_which_orgs_may_use_an_agent(tenant: Any, other_tenant: Any) -> None:
    with tenant.local() as mine, other_tenant.local() as theirs:
        theirs.agents.create(name="public-closer", role="closer", visibility="public")
        shared = theirs.agents.create(
            name="shared-qualifier", role="qualifier", shared_with=[tenant.id]
        )
        private = theirs.agents.create(name="their-own", role="qualifier")
        hidden = theirs.agents.create(
            name="their-hidden", role="supervisor", visibility="hidden", shared_with=[tenant.id]
        )
        mine.agents.create(name="my-closer", role="closer")
        with pytest.raises(errors.BadRequest):
            mine.agents.available("janitor")
        names = [a["name"] for a in mine.agents.available()["items"]]
        assert names == ["my-closer", "public-closer", "shared-qualifier"]
        assert [a["name"] for a in mine.agents.available("closer")["items"]] == [
            "my-closer",
            "public-closer",
        ]
        person = mine.contacts.create(name="Lee")
        # A shared agent keeps state in the using org; a hidden shared one is usable by id.
        assert mine.agents.put_state(shared["id"], person["id"], {"a": 1})["version"] == 1
        assert mine.agents.put_state(hidden["id"], person["id"], {"b": 2})["version"] == 1
        with pytest.raises(errors.NotFound):
            mine.agents.put_state(private["id"], person["id"], {"c": 3})
        assert mine.agents.list()["items"][0]["name"] == "my-closer"  # list: own org only


def test_agent_state_versions(sdk: Any) -> None:
    agent = sdk.agents.create(name="qualifier", role="qualifier")
    person = sdk.contacts.create(name="Ana")
    first = sdk.agents.put_state(agent["id"], person["id"], {"step": "budget"})
    assert (first["version"], first["subject_type"]) == (1, "contact")
    # By name works too; the retry of the same write is answered with what it stored.
    assert sdk.agents.put_state("qualifier", person["id"], {"step": "budget"}, 0) == first
    second = sdk.agents.put_state(agent["id"], person["id"], {"step": "timeline"}, version=1)
    assert second["version"] == 2
    with pytest.raises(errors.Conflict) as stale:
        sdk.agents.put_state(agent["id"], person["id"], {"step": "lost update"}, version=1)
    assert stale.value.field == "version"
    assert "version 2" in stale.value.detail
    assert sdk.agents.get_state(agent["id"], person["id"])["state"] == {"step": "timeline"}
    operator = sdk.users.create(email="op@example.com", name="Op")
    mine = sdk.agents.put_state(agent["id"], operator["id"], {"pinned": ["lead-1"]})
    assert mine["subject_type"] == "user"
    assert len(sdk.agents.states(person["id"])["items"]) == 1
    sdk.agents.delete_state(agent["id"], person["id"])
    sdk.agents.delete_state(agent["id"], person["id"])  # a retried delete is a no-op
    with pytest.raises(errors.NotFound):
        sdk.agents.get_state(agent["id"], person["id"])


def test_agent_state_bad_input(sdk: Any) -> None:
    agent = sdk.agents.create(name="qualifier", role="qualifier")
    person = sdk.contacts.create(name="Ana")
    with pytest.raises(errors.NotFound) as unknown_agent:
        sdk.agents.put_state("nobody", person["id"], {})
    assert unknown_agent.value.field == "agent_id"
    with pytest.raises(errors.NotFound) as unknown_subject:
        sdk.agents.put_state(agent["id"], agent["id"], {})
    assert unknown_subject.value.field == "subject_id"
    with pytest.raises(errors.Conflict):
        sdk.agents.put_state(agent["id"], person["id"], {"x": 1}, version=4)
    with pytest.raises(errors.ValidationFailed):
        sdk.agents.put_state(agent["id"], person["id"], {"x": 1}, version=-1)
    assert sdk.agents.states(person["id"])["items"] == []


def test_agent_state_status_codes(http: httpx.Client) -> None:
    agent = http.post("/v1/agents", json={"name": "q", "role": "qualifier"}).json()
    person = http.post("/v1/contacts", json={"name": "Ana"}).json()
    path = f"/v1/agents/{agent['id']}/state/{person['id']}"
    assert http.put(path, json={"state": {"a": 1}, "version": 0}).status_code == 201
    assert http.put(path, json={"state": {"a": 2}, "version": 1}).status_code == 200
    stale = http.put(path, json={"state": {"a": 3}, "version": 1})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


# ---------------------------------------------------------------- stages


def test_only_allowed_transitions_pass_and_each_is_recorded(sdk: Any) -> None:
    _, talk = lead(sdk)
    sdk.conversations.update(talk["id"], sales_stage="objection_handling")
    with pytest.raises(errors.Conflict) as refused:
        sdk.conversations.update(talk["id"], sales_stage="won")
    assert refused.value.field == "sales_stage"
    assert "qualification, closing, not_qualified, lost" in refused.value.detail
    assert refused.value.extra["allowed"] == ["qualification", "closing", "not_qualified", "lost"]
    assert sdk.conversations.get(talk["id"])["sales_stage"] == "objection_handling"
    moved = sdk.conversations.move(talk["id"], "closing", reason="budget approved")
    assert moved["transition"]["reason"] == "budget approved"
    sdk.conversations.update(talk["id"], sales_stage="won")
    with pytest.raises(errors.Conflict) as final:
        sdk.conversations.move(talk["id"], "qualification")
    assert "none (it is final)" in final.value.detail
    history = sdk.conversations.transitions(talk["id"])
    assert [(t["from_stage"], t["to_stage"]) for t in history["items"]] == [
        ("qualification", "objection_handling"),
        ("objection_handling", "closing"),
        ("closing", "won"),
    ]
    assert [t["reason"] for t in history["items"]] == ["PATCH", "budget approved", "PATCH"]
    assert all(t["actor"] for t in history["items"])
    assert (history["stage"], history["allowed_next"]) == ("won", [])
    paged = sdk.conversations.transitions(talk["id"], limit=2)
    rest = sdk.conversations.transitions(talk["id"], cursor=paged["next_cursor"])
    assert [t["id"] for t in paged["items"] + rest["items"]] == [t["id"] for t in history["items"]]


def test_bulk_stage_change_is_all_or_nothing(sdk: Any) -> None:
    person, first = lead(sdk)
    second = sdk.conversations.create(contact_id=person["id"], channel="whatsapp")
    sdk.conversations.update(second["id"], sales_stage="closing")
    with pytest.raises(errors.Conflict):
        sdk.conversations.bulk_update({"contact_id": person["id"]}, {"sales_stage": "won"})
    assert sdk.conversations.get(first["id"])["sales_stage"] == "qualification"
    assert sdk.conversations.get(second["id"])["sales_stage"] == "closing"


def test_disallowed_stage_over_rest_is_409_naming_allowed(http: httpx.Client) -> None:
    person = http.post("/v1/contacts", json={"name": "Ana"}).json()
    talk = http.post(
        "/v1/conversations", json={"contact_id": person["id"], "channel": "whatsapp"}
    ).json()
    refused = http.patch(f"/v1/conversations/{talk['id']}", json={"sales_stage": "won"})
    assert refused.status_code == 409
    problem = refused.json()
    assert problem["allowed"] == ["objection_handling", "closing", "not_qualified", "lost"]
    assert "objection_handling, closing, not_qualified, lost" in problem["detail"]
    transitions = http.get(f"/v1/conversations/{talk['id']}/transitions").json()
    assert transitions["items"] == []
    assert http.get("/v1/conversations/not-an-id/transitions").status_code == 404


def test_is_qualified_follows_the_org_threshold(sdk: Any) -> None:
    _, talk = lead(sdk)
    assert sdk.conversations.update(talk["id"], qualification={"score": 65})["is_qualified"] is None
    assert sdk.conversations.update(talk["id"], qualification={"score": 75})["is_qualified"]
    sdk.update_org({"pipeline": {"qualified_threshold": 50}})
    _, other = lead(sdk)
    assert sdk.conversations.update(other["id"], qualification={"score": 55})["is_qualified"]
    assert sdk.org()["settings"]["pipeline"]["qualified_threshold"] == 50


# ---------------------------------------------------------------- routing


def test_route_moves_through_the_pipeline_to_the_least_loaded_agent(sdk: Any) -> None:
    team(sdk)
    person, talk = lead(sdk)
    for _ in range(2):  # qualifier holds two active conversations, qualifier-2 none
        sdk.conversations.create(contact_id=person["id"], channel="sms", current_agent="qualifier")
    first = sdk.conversations.route(talk["id"])
    assert (first["stage"], first["agent"], first["role"]) == (
        "qualification",
        "qualifier-2",
        "qualifier",
    )
    assert first["changed"]
    again = sdk.conversations.route(talk["id"])  # sticky: same agent, nothing changes
    assert (again["agent"], again["changed"]) == ("qualifier-2", False)

    sdk.objections.create(conversation_id=talk["id"], type="price", description="too dear")
    objection = sdk.conversations.route(talk["id"])
    assert (objection["stage"], objection["agent"]) == ("objection_handling", "objection_handler")
    assert objection["open_objections"] == ["price"]
    assert "price" in objection["reason"]

    raised = sdk.objections.list({"conversation_id": talk["id"]})["items"][0]
    sdk.objections.update(raised["id"], resolved=True, resolution="annual discount")
    sdk.conversations.update(talk["id"], qualification={"score": 80})
    closing = sdk.conversations.route(talk["id"])
    assert (closing["stage"], closing["agent"]) == ("closing", "closer")
    assert closing["conversation"]["is_qualified"] is True
    steps = sdk.conversations.transitions(talk["id"])["items"]
    assert [t["to_stage"] for t in steps] == [
        "qualification",
        "objection_handling",
        "closing",
    ]
    assert steps[0]["to_agent"] == "qualifier-2"
    assert steps[-1]["actor"].startswith("supervisor")


def test_route_dry_run_and_org_rules(sdk: Any) -> None:
    team(sdk)
    person = sdk.contacts.create(name="VIP")
    vip = sdk.conversations.create(
        contact_id=person["id"], channel="whatsapp", metadata={"tags": ["vip"]}
    )
    sdk.update_org(
        {
            "pipeline": {
                "rules": [
                    {
                        "when": {"metadata.tags": {"$contains": "vip"}},
                        "stage": "closing",
                        "reason": "VIPs go straight to a closer",
                    }
                ]
            }
        }
    )
    preview = sdk.conversations.route(vip["id"], dry_run=True)
    assert (preview["stage"], preview["agent"], preview["rule"]) == ("closing", "closer", 0)
    assert sdk.conversations.get(vip["id"])["sales_stage"] == "qualification"
    applied = sdk.conversations.route(vip["id"])
    assert applied["reason"] == "VIPs go straight to a closer"
    assert sdk.conversations.get(vip["id"])["current_agent"] == "closer"


def test_route_without_an_agent_of_the_role_warns(sdk: Any) -> None:
    _, talk = lead(sdk)
    decision = sdk.conversations.route(talk["id"])
    assert decision["agent"] is None
    assert "no active agent has the role qualifier" in decision["warning"]


def test_bad_routing_rules_are_refused_when_written(sdk: Any) -> None:
    with pytest.raises(errors.RapportError) as caught:
        sdk.update_org({"pipeline": {"rules": [{"when": {"nope": 1}, "stage": "closing"}]}})
    assert "rules[0].when" in str(caught.value.field)
    with pytest.raises(errors.ValidationFailed):
        sdk.update_org({"pipeline": {"qualified_threshold": 150}})
    assert "pipeline" not in sdk.org()["settings"]


def test_route_unknown_conversation(sdk: Any) -> None:
    with pytest.raises(errors.NotFound):
        sdk.conversations.route("0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e")


# ---------------------------------------------------------------- follow-ups


def test_follow_ups_resource_and_due(sdk: Any) -> None:
    team(sdk)
    person, talk = lead(sdk)
    sdk.conversations.update(talk["id"], current_agent="closer")
    now = datetime.datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    later = sdk.follow_ups.create(
        conversation_id=talk["id"], due_at=iso(now + datetime.timedelta(days=3)), reason="demo"
    )
    today = sdk.follow_ups.create(
        conversation_id=talk["id"], due_at=iso(now), reason="send pricing", external_id="fu-1"
    )
    assert (
        sdk.follow_ups.create(
            conversation_id=talk["id"], due_at=iso(now), reason="send pricing", external_id="fu-1"
        )
        == today
    )  # retry
    assert (today["agent"], today["status"], today["contact_id"]) == (
        "closer",
        "scheduled",
        person["id"],
    )
    overdue = sdk.follow_ups.create(
        conversation_id=talk["id"],
        due_at=iso(now - datetime.timedelta(days=2)),
        reason="call back",
        agent="qualifier",
    )
    # The conversation's seed-000 follow_up shows the next one.
    shown = sdk.conversations.get(talk["id"])["follow_up"]
    assert (shown["required"], shown["reason"]) == (True, "call back")

    assert [f["id"] for f in sdk.follow_ups.due()["items"]] == [today["id"]]
    both = sdk.follow_ups.due(overdue=True)["items"]
    assert [(f["id"], f["overdue"]) for f in both] == [(overdue["id"], True), (today["id"], False)]
    assert both[0]["conversation"]["id"] == talk["id"]
    assert [f["id"] for f in sdk.follow_ups.due(overdue=True, agent="qualifier")["items"]] == [
        overdue["id"]
    ]
    done = sdk.follow_ups.done(overdue["id"], reason="called, no answer")
    assert (done["status"], done["closed_reason"]) == ("done", "called, no answer")
    assert done["closed_at"] is not None
    assert sdk.follow_ups.done(overdue["id"])["closed_at"] == done["closed_at"]  # idempotent
    with pytest.raises(errors.Conflict):
        sdk.follow_ups.cancel(overdue["id"])
    assert sdk.conversations.get(talk["id"])["follow_up"]["reason"] == "send pricing"
    sdk.follow_ups.cancel(today["id"])
    assert sdk.conversations.get(talk["id"])["follow_up"]["reason"] == "demo"
    assert sdk.follow_ups.count({"conversation_id": talk["id"]}) == 3
    assert later["id"] in [f["id"] for f in sdk.follow_ups.list({"status": "scheduled"})["items"]]


def test_seed_000_follow_up_field_writes_a_follow_up(sdk: Any) -> None:
    person = sdk.contacts.create(name="Ana")
    when = datetime.datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    talk = sdk.conversations.create(
        contact_id=person["id"],
        channel="instagram_dm",
        follow_up={"required": True, "scheduled_date": iso(when), "reason": "pricing"},
    )
    [created] = sdk.follow_ups.list({"conversation_id": talk["id"]})["items"]
    assert (created["reason"], created["due_at"][:16]) == ("pricing", iso(when)[:16])
    moved = when + datetime.timedelta(hours=3)
    sdk.conversations.update(talk["id"], follow_up={"scheduled_date": iso(moved)})
    [updated] = sdk.follow_ups.list({"conversation_id": talk["id"]})["items"]
    assert updated["id"] == created["id"]
    assert updated["due_at"][:16] == iso(moved)[:16]
    assert [f["id"] for f in sdk.follow_ups.due(overdue=True)["items"]] == [created["id"]]
    sdk.conversations.update(talk["id"], follow_up={"required": False})
    assert sdk.follow_ups.get(created["id"])["status"] == "done"
    assert sdk.follow_ups.due(overdue=True)["items"] == []


def test_a_reply_cancels_the_follow_ups_waiting_for_it(sdk: Any) -> None:
    _, talk = lead(sdk)
    soon = iso(datetime.datetime.now(UTC) + datetime.timedelta(days=1))
    nudge = sdk.follow_ups.create(
        conversation_id=talk["id"], due_at=soon, reason="nudge if quiet", cancel_on_reply=True
    )
    promised = sdk.follow_ups.create(conversation_id=talk["id"], due_at=soon, reason="call")
    sdk.conversations.append_message(talk["id"], role="agent", content="Any questions?")
    assert sdk.follow_ups.get(nudge["id"])["status"] == "scheduled"  # our own message: no
    sdk.conversations.append_message(talk["id"], role="user", content="Yes, what about price?")
    cancelled = sdk.follow_ups.get(nudge["id"])
    assert (cancelled["status"], cancelled["closed_reason"]) == ("cancelled", "the lead replied")
    assert sdk.follow_ups.get(promised["id"])["status"] == "scheduled"
    assert sdk.conversations.get(talk["id"])["follow_up"]["reason"] == "call"


def test_follow_up_bad_input_stores_nothing(sdk: Any) -> None:
    _, talk = lead(sdk)
    with pytest.raises(errors.NotFound) as agent:
        sdk.follow_ups.create(conversation_id=talk["id"], due_at="2025-01-01T00:00:00Z", agent="x")
    assert agent.value.field == "agent"
    with pytest.raises(errors.NotFound) as conversation:
        sdk.follow_ups.create(
            conversation_id="0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e", due_at="2025-01-01T00:00:00Z"
        )
    assert conversation.value.field == "conversation_id"
    with pytest.raises(errors.ValidationFailed) as when:
        sdk.follow_ups.create(conversation_id=talk["id"], due_at="next tuesday")
    assert when.value.field == "due_at"
    with pytest.raises(errors.ValidationFailed):
        sdk.follow_ups.create(conversation_id=talk["id"], due_at="2025-01-01T00:00:00Z", status="x")
    assert sdk.follow_ups.count() == 0
    assert sdk.conversations.get(talk["id"])["follow_up"]["required"] is False

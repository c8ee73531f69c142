"""Memories: supersede, identical writes, deletion, history and as_of, both SDK ways."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from rapport import errors


@pytest.fixture
def lead(sdk: Any) -> dict[str, Any]:
    contact = sdk.contacts.create(name="Maria", external_id=f"lead-{time.time_ns()}")
    conversation = sdk.conversations.create(contact_id=contact["id"], channel="whatsapp")
    return {"contact": contact["id"], "conversation": conversation["id"]}


def remember(sdk: Any, lead: dict[str, Any], key: str, value: Any, when: str, **extra: Any) -> Any:
    return sdk.memories.create(
        contact_id=lead["contact"], key=key, value=value, valid_from=when, **extra
    )


def test_a_new_value_supersedes_and_keeps_the_old_window(sdk: Any, lead: dict[str, Any]) -> None:
    first = remember(sdk, lead, "budget", {"amount": 5000}, "2025-03-01T00:00:00Z",
                     extracted_by="qualifier")  # fmt: skip
    second = remember(sdk, lead, "budget", {"amount": 8000}, "2025-03-10T00:00:00Z",
                      extracted_by="closer")  # fmt: skip

    assert second["id"] != first["id"]
    assert second["supersedes"] == first["id"]
    assert second["chain_id"] == first["id"]
    old = sdk.memories.get(first["id"])
    assert old["valid_to"] == second["valid_from"]
    assert old["ended_reason"] == "superseded"
    assert old["ended_by"] == "closer"

    current = sdk.memories.list({"contact_id": lead["contact"], "key": "budget"})["items"]
    assert [m["value"] for m in current] == [{"amount": 8000}]


def test_as_of_answers_what_we_knew_that_day(sdk: Any, lead: dict[str, Any]) -> None:
    remember(sdk, lead, "budget", {"amount": 5000}, "2025-03-01T00:00:00Z")
    remember(sdk, lead, "budget", {"amount": 8000}, "2025-03-10T00:00:00Z")
    spec = {"contact_id": lead["contact"], "key": "budget"}

    def value_on(day: str) -> list[Any]:
        return [m["value"] for m in sdk.memories.recall(spec, as_of=day)["items"]]

    assert value_on("2025-02-28T00:00:00Z") == []
    assert value_on("2025-03-05T00:00:00Z") == [{"amount": 5000}]
    assert value_on("2025-03-10T00:00:00Z") == [{"amount": 8000}]  # valid_to is exclusive
    assert value_on("2026-01-01") == [{"amount": 8000}]
    assert len(sdk.memories.recall(spec, all_versions=True)["items"]) == 2
    # every version written by a moment, whether still valid then or not
    known = sdk.memories.recall(spec, as_of="2025-03-05T00:00:00Z", all_versions=True)
    assert [m["value"] for m in known["items"]] == [{"amount": 5000}]
    assert sdk.memories.count(spec, as_of="2025-03-12", all_versions=True) == 2


def test_metadata_null_clears_it(sdk: Any, lead: dict[str, Any]) -> None:
    first = remember(sdk, lead, "budget", 5000, "2025-03-01T00:00:00Z", metadata={"a": 1})
    assert sdk.memories.update(first["id"], metadata=None)["metadata"] == {}
    remember(sdk, lead, "need", "boxes", "2025-03-01T00:00:00Z", metadata={"a": 1})
    spec = {"contact_id": lead["contact"], "key": "need"}
    assert sdk.memories.bulk_update(spec, {"metadata": None}) == 1
    assert [m["metadata"] for m in sdk.memories.list(spec)["items"]] == [{}]


def test_an_identical_value_changes_nothing(sdk: Any, lead: dict[str, Any]) -> None:
    first = remember(sdk, lead, "need", "more leads", "2025-03-01T00:00:00Z")
    again = remember(sdk, lead, "need", "more leads", "2025-03-05T00:00:00Z")
    assert again == first
    assert sdk.memories.count({"contact_id": lead["contact"]}) == 1
    assert len(sdk.memories.history(first["id"])["items"]) == 1


def test_deleting_ends_validity_and_history_shows_every_change(
    sdk: Any, lead: dict[str, Any]
) -> None:
    first = remember(sdk, lead, "timeline", "Q3", "2025-03-01T00:00:00Z", extracted_by="a")
    second = sdk.memories.update(first["id"], value="Q4", extracted_by="b")
    assert second["value"] == "Q4"
    assert second["text"] == "timeline: Q4"  # the old sentence described the old value
    sdk.memories.delete(second["id"])
    sdk.memories.delete(second["id"])  # a retried delete is a no-op

    assert sdk.memories.list({"contact_id": lead["contact"]})["items"] == []
    ended = sdk.memories.get(second["id"])
    assert ended["ended_reason"] == "deleted"
    assert ended["valid_to"] is not None

    events = sdk.memories.history(first["id"])["items"]
    assert [(e["event"], e["new_value"], e["actor"]) for e in events] == [
        ("ADD", "Q3", "a"),
        ("UPDATE", "Q4", "b"),
        ("DELETE", None, events[2]["actor"]),
    ]
    assert events[1]["old_value"] == "Q3"
    assert sdk.memories.history(second["id"]) == sdk.memories.history(first["id"])
    with pytest.raises(errors.Conflict, match="no longer current"):
        sdk.memories.update(first["id"], value="Q1")


def test_agent_scoped_memories_do_not_supersede_the_contact_wide_one(
    sdk: Any, lead: dict[str, Any]
) -> None:
    agent = sdk.agents.create(name=f"closer-{time.time_ns()}", role="closer")
    shared = remember(sdk, lead, "preference", "email", "2025-03-01T00:00:00Z")
    own = remember(sdk, lead, "preference", "call", "2025-03-02T00:00:00Z",
                   agent_id=agent["id"])  # fmt: skip
    assert own["chain_id"] != shared["chain_id"]
    current = sdk.memories.list({"contact_id": lead["contact"]}, order_by="valid_from")["items"]
    assert [m["value"] for m in current] == ["email", "call"]


def test_bad_memories_are_refused_and_nothing_is_written(
    sdk: Any, lead: dict[str, Any], other_tenant: Any
) -> None:
    with pytest.raises(errors.ValidationFailed, match="key"):
        sdk.memories.create(contact_id=lead["contact"], key="Budget!", value=1)
    with pytest.raises(errors.NotFound, match="contact"):
        sdk.memories.create(contact_id="0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e", key="budget")
    stranger = other_tenant.local().contacts.create(name="Elsewhere")
    with pytest.raises(errors.NotFound):
        sdk.memories.create(contact_id=stranger["id"], key="budget", value=1)
    other = sdk.contacts.create(name="Someone else")
    with pytest.raises(errors.ValidationFailed, match="another contact"):
        sdk.memories.create(
            contact_id=other["id"], conversation_id=lead["conversation"], key="budget", value=1
        )
    with pytest.raises(errors.BadRequest, match="as_of"):
        sdk.memories.recall({"contact_id": lead["contact"]}, as_of="yesterday")
    assert sdk.memories.count({"contact_id": lead["contact"]}) == 0


def test_rest_contract_for_memories(http: httpx.Client, sdk: Any) -> None:
    contact = http.post("/v1/contacts", json={"name": "Raw"}).json()
    created = http.post(
        "/v1/memories",
        json={"contact_id": contact["id"], "key": "budget", "value": 100, "text": "about 100"},
    )
    assert created.status_code == 201
    retried = http.post(
        "/v1/memories",
        json={"contact_id": contact["id"], "key": "budget", "value": 100, "text": "about 100"},
    )
    assert retried.status_code == 200
    assert retried.json()["id"] == created.json()["id"]
    params = {"filter": f'{{"contact_id": "{contact["id"]}", "key": "budget"}}',
              "as_of": "2199-01-01T00:00:00Z"}  # fmt: skip
    listed = http.get("/v1/memories", params=params).json()
    assert {"key", "value", "text", "valid_from", "valid_to"} <= set(listed["items"][0])
    history = http.get(f"/v1/memories/{created.json()['id']}/history")
    assert history.status_code == 200
    assert history.json()["items"][0]["event"] == "ADD"


def test_extraction_writes_memories_objections_and_qualification(
    sdk: Any, lead: dict[str, Any]
) -> None:
    conversation = lead["conversation"]
    sdk.conversations.append_message(
        conversation,
        role="user",
        content="I'm the owner. Our budget is around $5k a month and we want to launch "
        "next month, but honestly it feels expensive.",
        timestamp="2025-03-12T10:00:00Z",
    )
    sdk.conversations.append_message(
        conversation, role="user", content="Ok, let's do it! Send the contract.",
        timestamp="2025-03-14T10:00:00Z",
    )  # fmt: skip
    sdk.enrichment.flush()

    found = {m["key"]: m for m in sdk.memories.list({"contact_id": lead["contact"]})["items"]}
    assert found["budget"]["value"] == {"amount": 5000.0, "currency": "USD", "period": "month"}
    assert found["timeline"]["value"]["date"] == "2025-04-15"
    assert found["authority"]["value"]["decision_maker"] is True
    assert found["budget"]["extracted_by"] == "extractor:rules+learned"
    [objection] = sdk.objections.list({"conversation_id": conversation})["items"]
    assert objection["type"] == "price"
    assert objection["resolved"] is True
    assert objection["resolved_at"] == "2025-03-14T10:00:00+00:00"
    document = sdk.conversations.document(conversation)
    assert {m["key"] for m in document["memories"]} >= {"budget", "timeline", "authority"}
    assert document["qualification"]["budget"] == "Budget: USD 5,000 per month"
    # budget 25, decision maker 25, a timeline 34 days out 20, and 25 if a need was read
    assert document["qualification"]["score"] == 70 + (25 if "need" in found else 0)
    history = sdk.conversations.history(conversation)["items"]
    assert history[0]["intent"] == "objection"
    assert history[0]["language"] == "en"
    assert history[1]["intent"] == "purchase_intent"


def test_values_the_caller_sent_are_kept(sdk: Any, lead: dict[str, Any]) -> None:
    message = sdk.conversations.append_message(
        lead["conversation"], role="user", content="how much is it?", intent="pricing",
        confidence=0.99, sentiment=-0.5, language="pt", keywords=["preço"],
    )  # fmt: skip
    sdk.enrichment.flush()
    stored = sdk.messages.get(message["id"])
    assert (stored["intent"], stored["confidence"], stored["sentiment"]) == ("pricing", 0.99, -0.5)
    assert (stored["language"], stored["keywords"]) == ("pt", ["preço"])
    assert sdk.enrichment.pending() == {"messages": 0, "memories": 0, "knowledge_chunks": 0}

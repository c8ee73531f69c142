"""Seed 000's query patterns and seed 003's examples, and the message write path behind them."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import pytest

from rapport import errors

UTC = datetime.UTC


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def contact(sdk: Any, **fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "Lead")
    return sdk.contacts.create(**fields)


def conversation(sdk: Any, contact_id: str, **fields: Any) -> dict[str, Any]:
    fields.setdefault("channel", "whatsapp")
    return sdk.conversations.create(contact_id=contact_id, **fields)


def test_append_updates_counters_and_summary_together(sdk: Any) -> None:
    person = contact(sdk)
    chat = conversation(sdk, person["id"])
    at = datetime.datetime(2025, 1, 15, 9, 30, tzinfo=UTC)
    first = sdk.conversations.append_message(
        chat["id"],
        role="user",
        content="Hi, we need 400 boxes for 10 inch pizzas",
        external_id="wamid.1",
        intent="order_placement",
        confidence=0.95,
        language="en",
        sentiment=0.5,
        timestamp=iso(at),
    )
    sdk.conversations.append_message(
        chat["id"], role="assistant", content="400 boxes confirmed", timestamp=iso(at)
    )
    sdk.conversations.append_message(
        chat["id"],
        role="user",
        content="Gracias",
        language="es",
        sentiment=-0.1,
        intent="thanks",
        timestamp=iso(at + datetime.timedelta(minutes=1)),
    )
    sdk.conversations.append_message(
        chat["id"],
        role="user",
        content="also need lids",
        language="en",
        sentiment=0.3,
        intent="order_placement",
        timestamp=iso(at + datetime.timedelta(minutes=2)),
    )

    stored = sdk.conversations.get(chat["id"])
    assert stored["message_count"] == 4
    assert stored["last_message_at"] == "2025-01-15T09:32:00+00:00"
    assert stored["language"] == "en"
    assert sdk.contacts.get(person["id"])["last_interaction"] == "2025-01-15T09:32:00+00:00"

    summary = sdk.interaction_summaries.get(person["id"])
    assert summary["total_conversations"] == 1
    assert summary["total_messages"] == 4
    assert summary["common_intents"] == {"order_placement": 2, "thanks": 1}
    assert summary["language_counts"] == {"en": 2, "es": 1}
    assert summary["preferred_language"] == "en"
    assert summary["avg_satisfaction"] == pytest.approx((0.5 - 0.1 + 0.3) / 3)
    assert summary["first_interaction"] <= "2025-01-15T09:30:00+00:00"
    assert first["contact_id"] == person["id"]


def test_retried_delivery_returns_first_message_and_writes_nothing(sdk: Any) -> None:
    person = contact(sdk)
    chat = conversation(sdk, person["id"])
    first = sdk.conversations.append_message(
        chat["id"], role="user", content="hello", external_id="ig-mid-1", intent="greeting"
    )
    sdk.enrichment.flush()  # over HTTP, sentiment and keywords land a moment after the 201
    first = sdk.messages.get(first["id"])
    before = sdk.interaction_summaries.get(person["id"])
    retry = sdk.conversations.append_message(
        chat["id"], role="user", content="hello (redelivered)", external_id="ig-mid-1"
    )
    assert retry == first
    assert sdk.conversations.get(chat["id"])["message_count"] == 1
    assert sdk.messages.count({"conversation_id": chat["id"]}) == 1
    assert sdk.interaction_summaries.get(person["id"]) == before

    ids = sdk.conversations.append_messages(
        chat["id"],
        [
            {"role": "user", "content": "two", "external_id": "ig-mid-2"},
            {"role": "user", "content": "one again", "external_id": "ig-mid-1"},
            {"role": "user", "content": "two again", "external_id": "ig-mid-2"},
        ],
    )
    assert ids[1] == first["id"]
    assert ids[0] == ids[2]
    assert sdk.conversations.get(chat["id"])["message_count"] == 2


ENRICHED = ("intent", "confidence", "sentiment", "language", "keywords")


def test_retry_status_codes_over_http(http: httpx.Client, tenant: Any) -> None:
    local = tenant.local()
    person = local.contacts.create(name="Lead")
    chat = local.conversations.create(contact_id=person["id"], channel="whatsapp")
    body = {"role": "user", "content": "hi", "external_id": "wamid.X"}
    created = http.post(f"/v1/conversations/{chat['id']}/messages", json=body)
    retried = http.post(f"/v1/conversations/{chat['id']}/messages", json=body)
    assert created.status_code == 201
    assert retried.status_code == 200
    # the first message as stored now (enrichment may have added its intent meanwhile)
    assert retried.json()["id"] == created.json()["id"]
    assert {k: v for k, v in retried.json().items() if k not in ENRICHED} == {
        k: v for k, v in created.json().items() if k not in ENRICHED
    }


def test_bulk_append_is_all_or_nothing(sdk: Any) -> None:
    person = contact(sdk)
    chat = conversation(sdk, person["id"])
    other = conversation(sdk, person["id"])
    missing = "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"
    with pytest.raises(errors.NotFound) as raised:
        sdk.messages.bulk_create(
            [
                {"conversation_id": chat["id"], "role": "user", "content": "a"},
                {"conversation_id": other["id"], "role": "user", "content": "b"},
                {"conversation_id": missing, "role": "user", "content": "c"},
            ]
        )
    assert raised.value.field == "items[2].conversation_id"
    assert sdk.messages.count() == 0
    assert sdk.conversations.get(chat["id"])["message_count"] == 0
    assert not sdk.interaction_summaries.get(person["id"])["total_messages"]


def test_latest_conversation_of_a_contact(sdk: Any) -> None:
    person = contact(sdk)
    older = conversation(sdk, person["id"])
    newer = conversation(sdk, person["id"])
    assert sdk.contacts.latest_conversation(person["id"])["id"] == newer["id"]
    sdk.conversations.append_message(older["id"], role="user", content="back again")
    assert sdk.contacts.latest_conversation(person["id"])["id"] == older["id"]

    quiet = contact(sdk)
    with pytest.raises(errors.NotFound, match="no conversations"):
        sdk.contacts.latest_conversation(quiet["id"])
    with pytest.raises(errors.NotFound, match="no contact"):
        sdk.contacts.latest_conversation("0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e")


def test_pipeline_counts_by_stage_and_status(sdk: Any) -> None:
    person = contact(sdk)
    shape = [
        ("qualification", "active"),
        ("qualification", "active"),
        ("qualification", "inactive"),
        ("closing", "active"),
        ("won", "completed"),
    ]
    for stage, status in shape:
        conversation(sdk, person["id"], sales_stage=stage, status=status, channel="instagram_dm")
    conversation(sdk, person["id"], sales_stage="closing", status="active", channel="voice")

    counts = sdk.pipeline.counts()
    assert counts["total"] == 6
    assert counts["stages"]["qualification"] == {"total": 3, "active": 2, "inactive": 1}
    assert counts["stages"]["closing"] == {"total": 2, "active": 2}
    assert counts["stages"]["won"] == {"total": 1, "completed": 1}
    dm_only = sdk.pipeline.counts({"channel": "instagram_dm"})
    assert dm_only["stages"]["closing"] == {"total": 1, "active": 1}

    rows = sdk.conversations.list(
        {"sales_stage": "qualification", "status": "active"}, order_by="-updated_at"
    )
    assert len(rows["items"]) == 2


def test_follow_ups_due_today_and_overdue(sdk: Any) -> None:
    person = contact(sdk)
    today = datetime.datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    due_today = conversation(
        sdk, person["id"], follow_up={"required": True, "scheduled_date": iso(today)}
    )
    overdue = conversation(
        sdk,
        person["id"],
        follow_up={"required": True, "scheduled_date": iso(today - datetime.timedelta(days=1))},
    )
    conversation(
        sdk,
        person["id"],
        follow_up={"required": True, "scheduled_date": iso(today + datetime.timedelta(days=1))},
    )
    conversation(sdk, person["id"], follow_up={"required": False, "scheduled_date": iso(today)})

    default = sdk.pipeline.follow_ups_due()
    assert [f["conversation_id"] for f in default["items"]] == [due_today["id"]]
    assert default["items"][0]["conversation"]["id"] == due_today["id"]
    with_overdue = sdk.pipeline.follow_ups_due(overdue=True)
    assert [f["conversation_id"] for f in with_overdue["items"]] == [
        overdue["id"],
        due_today["id"],
    ]

    window = sdk.pipeline.follow_ups_due(
        start=iso(today - datetime.timedelta(days=2)), end=iso(today + datetime.timedelta(days=2))
    )
    assert len(window["items"]) == 3
    done = sdk.conversations.update(due_today["id"], follow_up={"required": False})
    assert done["follow_up"]["scheduled_date"] == due_today["follow_up"]["scheduled_date"]
    assert sdk.pipeline.follow_ups_due()["items"] == []
    with pytest.raises(errors.BadRequest):
        sdk.pipeline.follow_ups_due(start="2025-02-01", end="2025-01-01")


def test_agent_workload(sdk: Any) -> None:
    sdk.agents.create(name="closer", role="closer")
    sdk.agents.create(name="objection_handler", role="objection_handler")
    person = contact(sdk)
    first = conversation(sdk, person["id"], current_agent="qualifier")
    conversation(sdk, person["id"], current_agent="qualifier")
    conversation(sdk, person["id"], current_agent="closer")
    conversation(sdk, person["id"], current_agent="closer", status="completed")

    workload = {row["agent"]: row for row in sdk.pipeline.workload()["items"]}
    assert workload["qualifier"]["count"] == 2
    assert workload["qualifier"]["oldest_updated_at"] == first["updated_at"]
    assert workload["closer"]["count"] == 1
    assert workload["closer"]["role"] == "closer"
    assert workload["objection_handler"]["count"] == 0
    both = {r["agent"]: r["count"] for r in sdk.pipeline.workload(["active", "completed"])["items"]}
    assert both["closer"] == 2


def test_sessions_in_a_date_range(sdk: Any) -> None:
    person = contact(sdk)
    for day in (5, 15, 25):
        conversation(sdk, person["id"], start_time=f"2025-01-{day:02d}T10:00:00Z")
    conversation(sdk, person["id"], start_time="2025-02-03T10:00:00Z")
    january = sdk.contacts.sessions(person["id"], start="2025-01-01", end="2025-02-01")
    assert [s["start_time"][:10] for s in january["items"]] == [
        "2025-01-25",
        "2025-01-15",
        "2025-01-05",
    ]
    paged = sdk.contacts.sessions(person["id"], start="2025-01-01", end="2025-02-01", limit=2)
    rest = sdk.contacts.sessions(
        person["id"], start="2025-01-01", end="2025-02-01", limit=2, cursor=paged["next_cursor"]
    )
    assert [s["id"] for s in paged["items"] + rest["items"]] == [s["id"] for s in january["items"]]


def test_history_by_role_in_time_order(sdk: Any) -> None:
    person = contact(sdk)
    chat = conversation(sdk, person["id"])
    base = datetime.datetime(2025, 1, 15, 9, 0, tzinfo=UTC)
    # delivered out of order: the history is still in time order
    for minute, role in ((3, "user"), (1, "user"), (2, "assistant"), (0, "system")):
        sdk.conversations.append_message(
            chat["id"],
            role=role,
            content=f"m{minute}",
            timestamp=iso(base + datetime.timedelta(minutes=minute)),
        )
    every = sdk.conversations.history(chat["id"])
    assert [m["content"] for m in every["items"]] == ["m0", "m1", "m2", "m3"]
    users = sdk.conversations.history(chat["id"], role="user")
    assert [m["content"] for m in users["items"]] == ["m1", "m3"]
    with pytest.raises(errors.NotFound):
        sdk.conversations.history("0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e")


def test_top_contacts_and_intent_queries(sdk: Any) -> None:
    people = [contact(sdk, name=f"Lead {i}") for i in range(3)]
    for person, chats in zip(people, (1, 3, 2), strict=True):
        for _ in range(chats):
            chat = conversation(sdk, person["id"])
    top = sdk.contacts.top()
    assert [s["total_conversations"] for s in top["items"]] == [3, 2, 1]
    assert top["items"][0]["contact_id"] == people[1]["id"]
    assert len(sdk.contacts.top(min_conversations=2)["items"]) == 2

    for confidence in (0.95, 0.85, 0.5):
        sdk.conversations.append_message(
            chat["id"],
            role="user",
            content="order",
            intent="order_placement",
            confidence=confidence,
        )
    found = sdk.messages.by_intent("order_placement", min_confidence=0.8)
    assert [m["confidence"] for m in found["items"]] == [0.95, 0.85]


def test_full_text_search_is_ranked_and_filterable(sdk: Any) -> None:
    person = contact(sdk)
    chat = conversation(sdk, person["id"])
    other = conversation(sdk, person["id"])
    sdk.conversations.append_message(chat["id"], role="user", content="We need pizza boxes")
    sdk.conversations.append_message(
        chat["id"], role="user", content="Pizza boxes, pizza boxes, more pizza boxes please"
    )
    sdk.conversations.append_message(other["id"], role="user", content="A box for one pizza")
    sdk.conversations.append_message(other["id"], role="user", content="Nothing relevant here")

    hits = sdk.messages.search("pizza boxes")
    assert len(hits["items"]) == 3  # English stemming: "box" matches "boxes"
    assert hits["items"][0]["content"].startswith("Pizza boxes, pizza boxes")
    assert hits["items"][0]["rank"] >= hits["items"][1]["rank"] >= hits["items"][2]["rank"]
    assert "<b>" in hits["items"][0]["snippet"]

    scoped = sdk.messages.search("pizza", filter={"conversation_id": other["id"]})
    assert [m["content"] for m in scoped["items"]] == ["A box for one pizza"]
    assert (
        sdk.messages.search('"more pizza" -relevant')["items"][0]["conversation_id"] == chat["id"]
    )
    with pytest.raises(errors.BadRequest):
        sdk.messages.search("   ")


def test_conversation_document(sdk: Any) -> None:
    person = sdk.contacts.create(
        name="Jane", instagram_handle="jane.doe", email="jane@example.com", external_id="ig:jane"
    )
    chat = conversation(
        sdk,
        person["id"],
        channel="instagram_dm",
        current_agent="qualifier",
        qualification={"budget": "$5k", "score": 55},
        follow_up={"required": True, "scheduled_date": "2025-01-16T09:00:00Z"},
        metadata={"source": "ad", "campaign": "bf24", "tags": ["vip"]},
    )
    sdk.conversations.append_message(chat["id"], role="user", content="hi", agent_type=None)
    sdk.conversations.append_message(
        chat["id"], role="agent", content="hello!", agent_type="qualifier"
    )
    sdk.objections.create(conversation_id=chat["id"], type="price", description="too pricey")

    document = sdk.conversations.document(chat["id"])
    assert document["user_id"] == "ig:jane"
    assert document["user_info"]["instagram_handle"] == "jane.doe"
    assert document["user_info"]["email"] == "jane@example.com"
    assert [m["content"] for m in document["conversation_history"]] == ["hi", "hello!"]
    assert document["conversation_history"][1]["agent_type"] == "qualifier"
    assert document["memories"] == []
    assert document["qualification"]["score"] == 55
    assert document["objections"][0]["type"] == "price"
    assert document["follow_up"]["required"] is True
    assert document["metadata"]["campaign"] == "bf24"
    for key in (
        "status",
        "sales_stage",
        "is_qualified",
        "current_agent",
        "channel",
        "created_at",
        "updated_at",
        "completed_at",
    ):
        assert key in document


def test_interaction_analytics(sdk: Any) -> None:
    for language, intent in (("en", "order"), ("en", "order"), ("es", "pricing")):
        person = contact(sdk)
        chat = conversation(sdk, person["id"])
        sdk.conversations.append_message(
            chat["id"], role="user", content="x", language=language, intent=intent, sentiment=0.5
        )
    analytics = sdk.analytics.interactions()
    assert analytics["contacts"] == 3
    assert analytics["conversations"] == 3
    assert analytics["messages"] == 3
    assert analytics["languages"] == {"en": 2, "es": 1}
    assert analytics["top_intents"] == {"order": 2, "pricing": 1}
    assert analytics["avg_satisfaction"] == pytest.approx(0.5)
    spanish = sdk.analytics.interactions({"preferred_language": "es"})
    assert spanish["contacts"] == 1

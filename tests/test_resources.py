"""The nine operations on every resource, in-process and over HTTP alike."""

from __future__ import annotations

from typing import Any

import pytest

from rapport import errors


def make_contact(sdk: Any, **fields: Any) -> dict[str, Any]:
    return sdk.contacts.create(name="Jane Doe", **fields)


def make_conversation(sdk: Any, **fields: Any) -> dict[str, Any]:
    contact = make_contact(sdk)
    return sdk.conversations.create(contact_id=contact["id"], channel="instagram_dm", **fields)


def test_contact_lifecycle(sdk: Any) -> None:
    contact = sdk.contacts.create(
        name="Jane Doe",
        phone="+65 9123 4567",
        instagram_handle="@Jane.Doe",
        email="Jane@Example.com",
        tags=["vip"],
        industry="SaaS",
    )
    assert contact["phone"] == "+6591234567"
    assert contact["instagram_handle"] == "jane.doe"
    assert contact["email"] == "jane@example.com"
    assert sdk.contacts.get(contact["id"]) == contact
    assert sdk.contacts.exists(contact["id"])

    updated = sdk.contacts.update(contact["id"], job_title="CTO", email=None)
    assert updated["job_title"] == "CTO"
    assert updated["email"] is None
    assert updated["phone"] == "+6591234567"
    assert updated["updated_at"] >= contact["updated_at"]

    sdk.contacts.delete(contact["id"])
    assert not sdk.contacts.exists(contact["id"])
    with pytest.raises(errors.NotFound):
        sdk.contacts.get(contact["id"])
    with pytest.raises(errors.NotFound):
        sdk.contacts.delete(contact["id"])


def test_create_with_external_id_is_idempotent(sdk: Any) -> None:
    first = sdk.contacts.create(external_id="crm-1", name="Jane")
    again = sdk.contacts.create(external_id="crm-1", name="Someone else")
    assert again == first
    assert sdk.contacts.count({"external_id": "crm-1"}) == 1


def test_phone_is_unique_per_org(sdk: Any) -> None:
    sdk.contacts.create(phone="+6591234567")
    with pytest.raises(errors.Conflict) as raised:
        sdk.contacts.create(phone="+65 9123-4567")
    assert raised.value.field == "phone"


def test_conversation_document_fields_round_trip(sdk: Any) -> None:
    conversation = make_conversation(
        sdk,
        current_agent="qualifier",
        qualification={"budget": "$5k/month", "need": "inbox automation", "score": 40},
        follow_up={"required": True, "scheduled_date": "2025-01-16T09:00:00Z", "reason": "pricing"},
        metadata={"source": "instagram_ad", "campaign": "bf24", "tags": ["vip"], "custom": 7},
        intents={"primary": "pricing", "confidence": 0.8},
        outlet_id="outlet-3",
    )
    assert conversation["status"] == "active"
    assert conversation["sales_stage"] == "qualification"
    assert conversation["is_qualified"] is None
    assert conversation["qualification"]["score"] == 40
    assert conversation["follow_up"]["scheduled_date"] == "2025-01-16T09:00:00+00:00"
    assert conversation["follow_up"]["reminder_sent"] is False
    assert conversation["metadata"]["custom"] == 7
    assert conversation["message_count"] == 0
    assert sdk.conversations.get(conversation["id"]) == conversation


def test_patch_merges_nested_objects(sdk: Any) -> None:
    conversation = make_conversation(
        sdk,
        follow_up={"required": True, "reason": "pricing"},
        metadata={"source": "ad", "campaign": "bf24", "keep": 1, "drop": 2},
    )
    patched = sdk.conversations.update(
        conversation["id"],
        follow_up={"notes": "call after 5pm"},
        metadata={"drop": None, "added": "yes"},
    )
    assert patched["follow_up"]["required"] is True
    assert patched["follow_up"]["reason"] == "pricing"
    assert patched["follow_up"]["notes"] == "call after 5pm"
    assert patched["metadata"]["keep"] == 1
    assert patched["metadata"]["added"] == "yes"
    assert "drop" not in patched["metadata"]


def test_completed_at_follows_status(sdk: Any) -> None:
    conversation = make_conversation(sdk)
    completed = sdk.conversations.update(conversation["id"], status="completed")
    assert completed["completed_at"] is not None
    reopened = sdk.conversations.update(conversation["id"], status="active")
    assert reopened["completed_at"] is None


def test_list_count_and_bulk(sdk: Any) -> None:
    contact = make_contact(sdk)
    items = [
        {"contact_id": contact["id"], "channel": "whatsapp", "current_agent": agent}
        for agent in ["qualifier"] * 3 + ["closer"] * 2
    ]
    ids = sdk.conversations.bulk_create(items)
    assert len(ids) == 5
    assert sdk.conversations.count() == 5
    assert sdk.conversations.count({"current_agent": "closer"}) == 2

    changed = sdk.conversations.bulk_update({"current_agent": "closer"}, {"status": "inactive"})
    assert changed == 2
    assert sdk.conversations.count({"status": "inactive"}) == 2

    page = sdk.conversations.list({"current_agent": "qualifier"}, order_by="-created_at", limit=2)
    assert len(page["items"]) == 2
    assert page["next_cursor"]
    rest = sdk.conversations.list(
        {"current_agent": "qualifier"}, order_by="-created_at", limit=2, cursor=page["next_cursor"]
    )
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None
    seen = [c["id"] for c in page["items"] + rest["items"]]
    assert sorted(seen) == sorted(ids[:3])


def test_bulk_create_is_all_or_nothing(sdk: Any) -> None:
    contact = make_contact(sdk)
    good = {"contact_id": contact["id"], "channel": "whatsapp"}
    with pytest.raises(errors.ValidationFailed) as raised:
        sdk.conversations.bulk_create([good, good, {**good, "status": "sleeping"}])
    assert raised.value.field == "items[2].status"
    assert sdk.conversations.count() == 0

    missing = "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"
    with pytest.raises(errors.NotFound):
        sdk.conversations.bulk_create([good, {**good, "contact_id": missing}])
    assert sdk.conversations.count() == 0


def test_objections_copy_contact_from_conversation(sdk: Any) -> None:
    conversation = make_conversation(sdk)
    objection = sdk.objections.create(
        conversation_id=conversation["id"], type="price", description="too expensive"
    )
    assert objection["contact_id"] == conversation["contact_id"]
    assert objection["resolved"] is False
    resolved = sdk.objections.update(objection["id"], resolved=True, resolution="annual discount")
    assert resolved["resolved_at"] is not None
    assert sdk.objections.count({"type": "price", "resolved": True}) == 1


def test_agents_are_unique_by_name(sdk: Any) -> None:
    agent = sdk.agents.create(name="qualifier", role="qualifier")
    assert sdk.agents.create(name="qualifier", role="closer") == agent
    assert sdk.agents.list()["items"] == [agent]
    assert sdk.agents.update(agent["id"], status="inactive")["status"] == "inactive"


def test_users_and_summaries(sdk: Any) -> None:
    user = sdk.users.create(email="Kevin@Example.com", name="Kevin", role="operator")
    assert user["email"] == "kevin@example.com"
    assert sdk.users.count({"role": "operator"}) == 1

    contact = make_contact(sdk)
    summary = sdk.interaction_summaries.create(
        contact_id=contact["id"], total_conversations=3, common_intents={"order": 2}
    )
    assert summary["id"] == contact["id"]
    assert sdk.interaction_summaries.get(contact["id"])["total_conversations"] == 3
    updated = sdk.interaction_summaries.update(contact["id"], metadata={"segment": "smb"})
    assert updated["metadata"] == {"segment": "smb"}
    assert sdk.interaction_summaries.exists(contact["id"])


def test_every_resource_supports_the_nine_operations(sdk: Any) -> None:
    conversation = make_conversation(sdk)
    contact_id = conversation["contact_id"]
    creations: dict[str, dict[str, Any]] = {
        "contacts": {"name": "A"},
        "conversations": {"contact_id": contact_id, "channel": "sms"},
        # An agent's message: enrichment (woken by every write) embeds it but extracts nothing,
        # so what create returned is what get reads back.
        "messages": {"conversation_id": conversation["id"], "role": "agent", "content": "hi"},
        "objections": {"conversation_id": conversation["id"], "type": "trust"},
        "agents": {"name": "closer-2", "role": "closer"},
        "users": {"email": "op@example.com"},
        "knowledge": {"title": "FAQ", "text": "We ship worldwide."},
        "follow_ups": {"conversation_id": conversation["id"], "due_at": "2025-01-16T09:00:00Z"},
        "calls": {"contact_id": contact_id, "start_time": "2025-01-15T14:00:00Z"},
    }
    patches = {
        "contacts": {"name": "B"},
        "conversations": {"language": "en"},
        "messages": {"intent": "greeting"},
        "objections": {"description": "unsure"},
        "agents": {"visibility": "public"},
        "users": {"name": "Op"},
        "knowledge": {"source": "faq"},
        "follow_ups": {"notes": "bring the contract"},
        "calls": {"outcome": "callback"},
    }
    for name, data in creations.items():
        client = getattr(sdk, name)
        created = client.create(data)
        assert client.get(created["id"]) == created
        assert client.exists(created["id"])
        key, value = next(iter(patches[name].items()))
        assert client.update(created["id"], {key: value})[key] == value
        assert client.count({key: value}) == 1
        assert [i["id"] for i in client.list({key: value})["items"]] == [created["id"]]
        assert len(
            client.bulk_create([data] if name not in ("agents", "users", "calls") else [])
        ) in (0, 1)
        assert client.bulk_update({"id": created["id"]}, patches[name]) == 1
        if name != "contacts":  # deleting the contact would cascade to the others
            client.delete(created["id"])
            assert not client.exists(created["id"])

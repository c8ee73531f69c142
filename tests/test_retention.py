"""Retention: per-org policies enforced in batches, legal holds that exempt a contact or a
conversation, everything derived from an expired message gone with it, sessions and counts
kept, every run recorded; both SDK transports, on the real database."""

from __future__ import annotations

import datetime
from typing import Any

import psycopg
import pytest

from rapport import errors
from tests.conftest import Tenant


def days_ago(days: float) -> str:
    return (datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=days)).isoformat()


def _lead(sdk: Any, name: str, old: str, recent: str) -> tuple[dict[str, Any], dict[str, Any]]:
    person = sdk.contacts.create(name=name)
    chat = sdk.conversations.create(contact_id=person["id"], channel="whatsapp")
    sdk.conversations.append_message(chat["id"], role="user", content=old, timestamp=days_ago(200))
    sdk.conversations.append_message(chat["id"], role="user", content=recent)
    return person, chat


def test_retention_expires_what_is_past_policy_except_what_is_held(
    sdk: Any, database_url: str, tenant: Tenant
) -> None:
    kept, _ = _lead(sdk, "Held", "zanzibarkept budget is $9k", "hello again")
    gone, chat = _lead(sdk, "Expired", "quokkagone our budget is $5k, too expensive", "hi")
    done = sdk.conversations.create(contact_id=gone["id"], channel="sms", status="completed")
    sdk.conversations.append_message(done["id"], role="user", content="wombatdone thanks")
    sdk.enrichment.flush()
    with psycopg.connect(database_url, autocommit=True) as conn:  # it was completed long ago
        conn.execute(
            "UPDATE conversations SET completed_at = now() - interval '100 days' WHERE id = %s",
            [done["id"]],
        )
    assert sdk.memories.count(filter={"contact_id": gone["id"], "key": "budget"}) == 1
    hold = sdk.legal_holds.create(contact_id=kept["id"], reason="Dispute 2026-114")
    before_count = sdk.conversations.get(chat["id"])["message_count"]

    status = sdk.retention.status()
    assert status["policies"]["messages_days"] == 90
    assert status["past_policy"]["messages"] == 1  # the held contact's old message is not
    assert status["past_policy"]["completed_conversation_messages"] == 1
    assert status["legal_holds"] == 1

    record = sdk.retention.run()
    assert record["removed"]["messages"] == 2
    assert record["removed"]["memories"] >= 1
    assert record["removed"]["objections"] == 1
    assert record["error"] is None
    assert record["trigger"] == "request"
    assert sdk.messages.search("quokkagone")["items"] == []
    assert sdk.messages.search("wombatdone")["items"] == []
    assert len(sdk.messages.search("zanzibarkept")["items"]) == 1  # held
    assert sdk.memories.count(filter={"contact_id": gone["id"], "key": "budget"}) == 0
    assert sdk.objections.count(filter={"conversation_id": chat["id"]}) == 0
    # Sessions stay, and their counts count what happened.
    assert sdk.conversations.get(done["id"])["status"] == "completed"
    assert sdk.conversations.get(chat["id"])["message_count"] == before_count
    assert [m["content"] for m in sdk.conversations.history(chat["id"])["items"]] == ["hi"]

    after = sdk.retention.status()
    assert after["past_policy"]["messages"] == 0
    assert after["last_run"]["id"] == record["id"]
    assert sdk.retention.run()["removed"]["messages"] == 0  # nothing twice

    sdk.legal_holds.delete(hold["id"])  # released: the next run takes it
    assert sdk.retention.run()["removed"]["messages"] == 1
    assert sdk.messages.search("zanzibarkept")["items"] == []


def test_policies_are_per_org_settings_and_runs_need_an_admin(sdk: Any, tenant: Tenant) -> None:
    sdk.update_org(settings={"retention": {"messages_days": 365}})
    person = sdk.contacts.create(name="Ana")
    chat = sdk.conversations.create(contact_id=person["id"], channel="sms")
    sdk.conversations.append_message(
        chat["id"], role="user", content="old", timestamp=days_ago(200)
    )
    assert sdk.retention.status()["past_policy"]["messages"] == 0  # 200 days < 365
    with pytest.raises(errors.ValidationFailed):
        sdk.update_org(settings={"retention": {"messages_days": 0}})
    with pytest.raises(errors.ValidationFailed):
        sdk.legal_holds.create(reason="no subject")
    with pytest.raises(errors.ValidationFailed):
        sdk.legal_holds.create(contact_id=person["id"], conversation_id=chat["id"], reason="both")
    with pytest.raises(errors.NotFound):
        sdk.legal_holds.create(contact_id="0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e", reason="x")
    with tenant.local("operator") as operator:
        with pytest.raises(errors.Forbidden):
            operator.retention.run()
        with pytest.raises(errors.Forbidden):
            operator.legal_holds.create(contact_id=person["id"], reason="not mine to place")
        assert operator.retention.status()["policies"]["messages_days"] == 365


def test_old_summaries_and_agent_states_go_unless_their_contact_is_held(
    sdk: Any, database_url: str
) -> None:
    agent = sdk.agents.create(name="qualifier", role="qualifier")
    people = []
    for name in ("Old", "Held"):
        person = sdk.contacts.create(name=name)
        chat = sdk.conversations.create(contact_id=person["id"], channel="sms")
        sdk.conversations.append_message(chat["id"], role="user", content="hello")
        sdk.agents.put_state(agent["id"], person["id"], {"step": 1})
        people.append(person["id"])
    sdk.enrichment.flush()
    old, held = people
    sdk.legal_holds.create(contact_id=held, reason="audit")
    with psycopg.connect(database_url, autocommit=True) as conn:  # untouched for years
        conn.execute("UPDATE interaction_summaries SET updated_at = now() - interval '800 days'")
        conn.execute("UPDATE agent_states SET updated_at = now() - interval '40 days'")
    assert sdk.retention.status()["past_policy"]["summaries"] == 1
    removed = sdk.retention.run()["removed"]
    assert (removed["summaries"], removed["agent_states"], removed["messages"]) == (1, 1, 0)
    with pytest.raises(errors.NotFound):
        sdk.interaction_summaries.get(old)
    assert sdk.interaction_summaries.get(held)["contact_id"] == held
    assert sdk.agents.states(old)["items"] == []
    assert len(sdk.agents.states(held)["items"]) == 1

"""Enrichment: an extractor is a plug-in behind one interface, and a failing one never
stops the queue; extraction fills only what the caller left empty."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

from rapport.db import isolation
from rapport.extraction.base import Chain, Extraction, Finding, Inbound
from rapport.extraction.rules import RulesExtractor
from rapport.memory import enrichment
from rapport.memory.enricher import Enricher


class Picky:
    """A plug-in (think: an LLM) that fails on one message and adds a fact to the rest."""

    name = "picky"

    def extract(self, messages: Sequence[Inbound]) -> list[Extraction]:
        if any("poison" in m.text for m in messages):
            raise RuntimeError("cannot read this one")
        return [Extraction(findings=[Finding("fact.length", len(m.text), "long", 0.5)])
                for m in messages]  # fmt: skip


def test_a_failing_extractor_stores_the_message_unread_and_goes_on(
    tenant: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with tenant.local() as r:
        r_off = type(r)(org=tenant.name, database=tenant.database, enrich="off")
        contact = r_off.contacts.create(name="Pat")
        chat = r_off.conversations.create(contact_id=contact["id"], channel="whatsapp")
        ids = r_off.conversations.append_messages(
            chat["id"],
            [
                {"role": "user", "content": "our budget is about $3k a month"},
                {"role": "user", "content": "poison pill"},
                {"role": "user", "content": "we want to start next week"},
            ],
        )
        enricher = Enricher(tenant.database, extractor=Chain(Picky(), RulesExtractor()))
        with caplog.at_level(logging.ERROR, logger="rapport.enrichment"):
            done = enricher.flush(tenant.id)
        assert done.messages == 3
        assert "failed on message " + ids[1] in caplog.text
        assert tenant.database.run(enrichment.pending(tenant.id))["messages"] == 0
        keys = {m["key"] for m in r.memories.list({"contact_id": contact["id"]})["items"]}
        assert {"fact.length", "budget", "timeline"} <= keys
        poisoned = r.messages.get(ids[1])
        assert poisoned["intent"] is None  # not read, but stored and searchable
        found = r.search("poison pill", scope=["messages"], mode="semantic", k=1)["results"]
        assert found[0]["id"] == ids[1]
        r_off.close()


def test_an_unreadable_row_cannot_stall_another_tenants_enrichment(
    tenant: Any, other_tenant: Any
) -> None:
    """A row the API would refuse today (stored 1 BC, from before the check, or by hand)
    sits in the queue of the server's cross-org enricher: the other tenant's messages are
    still enriched, and the bad one is set aside with the reason, once."""
    with tenant.local() as r:
        contact = r.contacts.create(name="Old")
        chat = r.conversations.create(contact_id=contact["id"], channel="sms")
    with tenant.database.pool.connection() as conn:
        # The pooled connection acts for whichever org used it last: act for this one.
        conn.execute("SELECT set_config('rapport.org', %s, false)", [tenant.id])
        isolation.remember(conn, tenant.id)
        conn.execute(
            "INSERT INTO messages (org_id, conversation_id, contact_id, role, content, ts)"
            " VALUES (%s, %s, %s, 'user', 'from long ago', '0001-01-01 00:00:00+14:00')",
            [tenant.id, chat["id"], contact["id"]],
        )
    with other_tenant.local() as other:
        other_off = type(other)(org=other_tenant.name, database=other_tenant.database,
                                enrich="off")  # fmt: skip
        person = other_off.contacts.create(name="New")
        talk = other_off.conversations.create(contact_id=person["id"], channel="sms")
        sent = other_off.conversations.append_message(
            talk["id"], role="user", content="our budget is about $3k a month"
        )
        other_off.close()
        enricher = Enricher(tenant.database)
        done = 0
        while rows := enricher.step_every_org():  # every org, as the server's thread does
            done += rows
        assert done >= 2
        assert other.messages.get(sent["id"])["intent"] is not None
    for org in (tenant.id, other_tenant.id):
        assert tenant.database.run(enrichment.pending(org))["messages"] == 0


def test_an_edited_message_is_read_again(sdk: Any) -> None:
    """PATCH new content: intent and memories follow the new text, not the old one, and
    what the caller set on the message itself stays."""
    contact = sdk.contacts.create(name="Kim")
    chat = sdk.conversations.create(contact_id=contact["id"], channel="whatsapp")
    first = sdk.conversations.append_message(
        chat["id"], role="user", content="our budget is about $3k a month", variant_id="v1"
    )
    sdk.enrichment.flush()
    spec = {"contact_id": contact["id"]}
    assert {m["key"] for m in sdk.memories.list(spec)["items"]} >= {"budget"}
    sdk.messages.update(first["id"], content="I'm the owner; we want to start next week")
    sdk.enrichment.flush()
    edited = sdk.messages.get(first["id"])
    assert edited["content"].startswith("I'm the owner")
    assert edited["variant_id"] == "v1"
    keys = {m["key"] for m in sdk.memories.list(spec)["items"]}
    assert "budget" not in keys  # the new text does not say it
    assert {"authority", "timeline"} <= keys
    ended = [m for m in sdk.memories.recall(spec, all_versions=True)["items"]
             if m["key"] == "budget"]  # fmt: skip
    assert ended
    assert ended[0]["ended_reason"] == "deleted"
    assert "edited" in ended[0]["ended_by"]

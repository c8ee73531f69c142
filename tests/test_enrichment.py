"""Enrichment: an extractor is a plug-in behind one interface, and a failing one never
stops the queue; extraction fills only what the caller left empty."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import pytest

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

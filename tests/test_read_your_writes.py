"""A caller reads its own writes: what a message implies is there for the next call.

The server enriches in the background. An agent that appends "Budget is $30k, I decide" and
at once routes the conversation, reads its document or lists the contact's memories must see
the budget and the authority. These tests hold the server's background enricher still, so
nothing but the read itself can enrich the message: each assertion fails if the read does
not settle the conversation (or contact) first.

Also: which writes wake enrichment is decided by the verb's declaration, the same for every
front end, including the generic ``POST /v1/messages`` and its bulk form.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import orjson
import psycopg
import pytest

from rapport.config import Settings
from rapport.memory import enrichment
from tests.conftest import ServerThread, Store, Tenant

SAID = "Budget is $30k, I decide, and we need a CRM for the sales team by next month."


def app_state(server: ServerThread) -> Any:
    app = server.server.config.app
    return app.state


@pytest.fixture
def still(store: Store, model: None) -> ServerThread:
    """The store's server with its background enricher stopped: it never enriches."""
    server = store.server()
    runtime = app_state(server).enrichment
    runtime.background.stop()
    assert runtime.mode == "background"
    return server


@pytest.fixture
def client(still: ServerThread, tenant: Tenant) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {tenant.key('owner')}"}
    with httpx.Client(base_url=still.url, headers=headers, timeout=30) as http:
        yield http


def _lead(client: httpx.Client) -> tuple[dict[str, Any], dict[str, Any]]:
    contact = client.post("/v1/contacts", json={"name": "Dana"}).json()
    chat = client.post(
        "/v1/conversations", json={"contact_id": contact["id"], "channel": "instagram_dm"}
    ).json()
    client.post("/v1/agents", json={"name": "closer", "role": "closer"}).raise_for_status()
    client.post("/v1/agents", json={"name": "qualifier", "role": "qualifier"}).raise_for_status()
    sent = client.post(f"/v1/conversations/{chat['id']}/messages",
                       json={"role": "user", "content": SAID})  # fmt: skip
    assert sent.status_code == 201, sent.text
    assert client.get("/v1/enrichment").json()["messages"] == 1  # nobody has read it yet
    return contact, chat


def test_route_sees_what_the_message_just_said(client: httpx.Client) -> None:
    client.patch("/v1/org", json={"settings": {"pipeline": {"qualified_threshold": 50}}})
    _, chat = _lead(client)
    decision = client.post(f"/v1/conversations/{chat['id']}/route", json={}).json()
    assert decision["score"] is not None, decision
    assert decision["score"] >= 50, decision
    assert decision["stage"] == "closing", decision
    assert decision["agent"] == "closer"
    assert client.get("/v1/enrichment").json()["messages"] == 0


def test_the_document_sees_what_the_message_just_said(client: httpx.Client) -> None:
    _, chat = _lead(client)
    document = client.get(f"/v1/conversations/{chat['id']}/document").json()
    assert document["qualification"]["budget"], document["qualification"]
    assert document["qualification"]["score"] is not None
    keys = {m["key"] for m in document["memories"]}
    assert {"budget", "authority"} <= keys
    assert document["conversation_history"][0]["intent"] is not None


def test_a_contacts_memories_include_what_the_message_just_said(client: httpx.Client) -> None:
    contact, _ = _lead(client)
    spec = orjson.dumps({"contact_id": contact["id"]}).decode()
    found = client.get("/v1/memories", params={"filter": spec}).json()["items"]
    by_key = {m["key"]: m["value"] for m in found}
    assert by_key["budget"]["amount"] == 30000
    assert "authority" in by_key
    assert client.get("/v1/memories/count", params={"filter": spec}).json()["count"] == len(found)
    search = client.post("/v1/search", json={"query": "how much can they spend?",
                                             "filter": {"contact_id": contact["id"]}})  # fmt: skip
    assert any(r["type"] == "memory" and r["memory"]["key"] == "budget"
               for r in search.json()["results"])  # fmt: skip


def test_a_read_waits_for_another_enricher_then_answers_503_with_retry_after(
    admin_url: str, template_url: str, model: None, dropper: Any
) -> None:
    """While another worker holds the message (its batch has not committed), the read waits
    for it; past ``RAPPORT_SETTLE_SECONDS`` it answers 503 with Retry-After, and stores
    nothing."""
    store = Store(admin_url, Settings(settle_seconds=0.5), dropper)
    try:
        server = store.server()
        app_state(server).enrichment.background.stop()
        tenant = Tenant(store.database)
        headers = {"Authorization": f"Bearer {tenant.key('owner')}"}
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            _, chat = _lead(client)
            held = threading.Event()
            release = threading.Event()

            def hold() -> None:  # what another enricher's open batch does to the rows
                with psycopg.connect(store.url) as conn:
                    conn.execute("SELECT id FROM messages WHERE enriched_at IS NULL FOR UPDATE")
                    held.set()
                    release.wait(10)

            holder = threading.Thread(target=hold)
            holder.start()
            held.wait(5)
            started = time.monotonic()
            refused = client.post(f"/v1/conversations/{chat['id']}/route", json={})
            waited = time.monotonic() - started
            release.set()
            holder.join()
            assert refused.status_code == 503, refused.text
            assert refused.headers["retry-after"] == "1"
            assert "still being enriched" in refused.json()["detail"]
            assert 0.5 <= waited < 5
            assert client.get(f"/v1/conversations/{chat['id']}").json()["sales_stage"] == (
                "qualification"
            )
            # Released: the same read now enriches the message and answers.
            assert client.post(f"/v1/conversations/{chat['id']}/route", json={}).status_code == 200
    finally:
        store.close()


def test_a_read_waits_for_what_another_enricher_writes_after_its_commit(
    still: ServerThread, client: httpx.Client, store: Store, tenant: Tenant
) -> None:
    """Another worker's batch has committed what it read (nothing is pending) but not yet the
    writes that follow (the conversation's qualification): the read waits for those too."""
    client.patch("/v1/org", json={"settings": {"pipeline": {"qualified_threshold": 50}}})
    _, chat = _lead(client)
    enricher = app_state(still).enrichment.enricher
    batch = store.database.run(
        enrichment.enrich_messages(tenant.id, enricher.embedder.embed, enricher.extractor)
    )
    assert batch.messages == 1
    assert client.get("/v1/enrichment").json()["messages"] == 0
    later = threading.Timer(
        0.5, lambda: store.database.run(enrichment.after_commit(tenant.id, batch))
    )
    later.start()
    started = time.monotonic()
    decision = client.post(f"/v1/conversations/{chat['id']}/route", json={}).json()
    waited = time.monotonic() - started
    later.join()
    assert waited >= 0.4, waited
    assert decision["score"] is not None, decision
    assert decision["stage"] == "closing", decision


def test_generic_message_writes_wake_enrichment(store: Store, tenant: Tenant) -> None:
    """POST /v1/messages and /v1/messages/bulk wake the background enricher, as appends do:
    with its idle poll pushed far out, only the wake can have enriched them this soon."""
    server = store.server()
    runtime = app_state(server).enrichment
    runtime.background.idle_seconds = 60
    time.sleep(0.1)  # let it finish the wait it was in, and start the long one
    headers = {"Authorization": f"Bearer {tenant.key('owner')}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
        contact = client.post("/v1/contacts", json={"name": "Ari"}).json()
        chat = client.post(
            "/v1/conversations", json={"contact_id": contact["id"], "channel": "sms"}
        ).json()
        time.sleep(0.6)  # any wake from these writes has passed
        question = {"conversation_id": chat["id"], "role": "user", "content": "what's the price?"}
        one = client.post("/v1/messages", json=question)
        bulk = client.post(
            "/v1/messages/bulk",
            json={
                "items": [
                    {"conversation_id": chat["id"], "role": "user", "content": "we are ten people"}
                ]
            },
        )
        assert one.status_code == 201, one.text
        assert bulk.status_code == 201, bulk.text
        deadline = time.monotonic() + 10
        while client.get("/v1/enrichment").json()["messages"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/v1/enrichment").json()["messages"] == 0
        assert client.get(f"/v1/messages/{one.json()['id']}").json()["intent"] is not None


def test_what_wins_and_who_is_who_see_what_the_messages_just_said(client: httpx.Client) -> None:
    """The pattern graph, best practices and facets read what enrichment derives from the
    messages (questions asked, keywords, embeddings): each settles the org's pending
    messages first, so an agent's question and a lead's words are there at once."""
    contact, chat = _lead(client)
    asked = client.post(
        f"/v1/conversations/{chat['id']}/messages",
        json={"role": "agent", "content": "What budget did you set aside?"},
    )
    assert asked.status_code == 201, asked.text
    path = client.get(f"/v1/contacts/{contact['id']}/path").json()
    steps = {(p["type"], p["name"]) for leg in path["conversations"] for p in leg["patterns"]}
    assert ("question_asked", "budget") in steps, path
    ended = path["outcome"]  # open, or qualified: the lead said a lot

    client.post(f"/v1/conversations/{chat['id']}/messages",
                json={"role": "agent", "content": "When do you need it live?"})  # fmt: skip
    ranked = client.get("/v1/patterns/ranking", params={"outcome": ended}).json()["items"]
    assert ("question_asked", "timeline") in {(i["pattern"]["type"], i["pattern"]["name"])
                                               for i in ranked}  # fmt: skip

    client.post(
        f"/v1/conversations/{chat['id']}/messages",
        json={"role": "user", "content": "We also need SSO for the whole team."},
    )
    words = client.get("/v1/contacts/facets", params={"facets": "keyword"}).json()
    said = client.get(f"/v1/contacts/{contact['id']}").json()["keywords"]
    assert said, "the lead's messages left no keywords"
    assert {v["value"] for v in words["facets"]["keyword"]["values"]} == set(said)

    client.post(
        f"/v1/conversations/{chat['id']}/messages",
        json={"role": "user", "content": "Honestly the price worries me a lot."},
    )
    ended = client.get(f"/v1/contacts/{contact['id']}/path").json()["outcome"]  # by now
    found = client.post(
        "/v1/best-practices",
        json={"context": "the price worries them", "filter": {"outcome": ended}},
    ).json()
    assert [c["conversation_id"] for c in found["conversations"]] == [chat["id"]], found
    assert client.get("/v1/enrichment").json()["messages"] == 0

"""Concurrent appends over HTTP share statements, yet each request gets its own answer."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.conftest import ServerThread, Tenant

MISSING = "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"


async def _post_all(url: str, key: str, requests: list[tuple[str, dict[str, Any]]]) -> list[Any]:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=url, headers=headers, timeout=30) as client:
        return await asyncio.gather(
            *(client.post(f"/v1/conversations/{cid}/messages", json=body) for cid, body in requests)
        )


def test_concurrent_appends_each_get_their_own_outcome(
    server: ServerThread, tenant: Tenant
) -> None:
    local = tenant.local()
    person = local.contacts.create(name="Lead")
    chats = [
        local.conversations.create(contact_id=person["id"], channel="whatsapp")["id"]
        for _ in range(3)
    ]
    requests = [
        (
            chats[i % 3],
            {
                "role": "user",
                "content": f"m{i}",
                "external_id": f"wamid.{i}",
                "intent": "order" if i % 2 else None,
            },
        )
        for i in range(120)
    ]
    requests += [(MISSING, {"role": "user", "content": "lost", "external_id": "x"})] * 5
    requests += [(chats[0], {"role": "user", "content": "again", "external_id": "wamid.0"})] * 5

    responses = asyncio.run(_post_all(server.url, tenant.key("operator"), requests))

    statuses = [r.status_code for r in responses]
    assert statuses[:120] == [201] * 120
    assert statuses[120:125] == [404] * 5
    assert all(r.json()["field"] == "id" for r in responses[120:125])
    # retries of wamid.0 (racing the first delivery) all name the one stored message
    first = responses[0].json()
    assert all(r.status_code in (200, 201) for r in responses[125:])
    assert {r.json()["id"] for r in responses[125:]} == {first["id"]}
    assert [r.json()["content"] for r in responses[:120]] == [f"m{i}" for i in range(120)]

    assert local.messages.count() == 120
    counts = [local.conversations.get(c)["message_count"] for c in chats]
    assert counts == [40, 40, 40]
    local.enrichment.flush()  # the extractor reads the 60 sent without an intent
    summary = local.interaction_summaries.get(person["id"])
    assert summary["total_messages"] == 120
    assert summary["common_intents"]["order"] == 60
    assert sum(summary["common_intents"].values()) == 120


def test_appends_for_two_orgs_do_not_mix(
    server: ServerThread, tenant: Tenant, other_tenant: Tenant
) -> None:
    chats = {}
    for org in (tenant, other_tenant):
        local = org.local()
        person = local.contacts.create(name="Lead")
        chats[org.id] = local.conversations.create(contact_id=person["id"], channel="sms")["id"]

    async def both() -> tuple[list[Any], list[Any]]:
        mine = [(chats[tenant.id], {"role": "user", "content": f"a{i}"}) for i in range(30)]
        theirs = [(chats[other_tenant.id], {"role": "user", "content": f"b{i}"}) for i in range(30)]
        crossing = [(chats[other_tenant.id], {"role": "user", "content": "sneaky"})] * 3
        return await asyncio.gather(
            _post_all(server.url, tenant.key("operator"), mine + crossing),
            _post_all(server.url, other_tenant.key("operator"), theirs),
        )

    mine, theirs = asyncio.run(both())
    assert [r.status_code for r in mine] == [201] * 30 + [404] * 3
    assert [r.status_code for r in theirs] == [201] * 30
    assert tenant.local().messages.count() == 30
    assert other_tenant.local().messages.count() == 30

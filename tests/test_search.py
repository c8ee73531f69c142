"""Search: hybrid, semantic and keyword over messages, memories and knowledge, with filters
applied inside the search, against the real model and database, both SDK ways."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from rapport import errors

TOPICS = [
    "Can you send me the price list for the premium plan?",
    "We need more leads from Instagram for our dental clinic",
    "My partner has to approve anything over a thousand dollars",
    "Do you integrate with Shopify and WooCommerce?",
    "We want to launch the campaign before Black Friday",
    "Our last agency burned us, how do I know this works?",
]


def conversation(sdk: Any, name: str, channel: str = "whatsapp", **extra: Any) -> dict[str, Any]:
    contact = sdk.contacts.create(name=name)
    return sdk.conversations.create(contact_id=contact["id"], channel=channel, **extra)


def fill(sdk: Any, convo: dict[str, Any], count: int, start_day: int = 1) -> list[str]:
    items = [
        {
            "role": "user" if i % 2 == 0 else "assistant",
            "content": f"{TOPICS[i % len(TOPICS)]} (note {i})",
            "timestamp": f"2025-03-{start_day + i % 20:02d}T10:{i % 60:02d}:00Z",
        }
        for i in range(count)
    ]
    ids: list[str] = sdk.conversations.append_messages(convo["id"], items)
    return ids


def test_a_filtered_search_still_returns_k_results(sdk: Any) -> None:
    few = conversation(sdk, "Few")
    many = conversation(sdk, "Many", channel="instagram_dm")
    few_ids = set(fill(sdk, few, 14))
    fill(sdk, many, 240)
    sdk.enrichment.flush()
    for mode in ("hybrid", "semantic", "keyword"):
        found = sdk.search(
            "price list premium plan", scope=["messages"], k=10, mode=mode,
            filter={"contact_id": few["contact_id"]},
        )["results"]  # fmt: skip
        # keyword finds only the 3 of 14 that share a word; the others rank all 14
        assert len(found) == (3 if mode == "keyword" else 10), mode
        assert {r["id"] for r in found} <= few_ids
    by_channel = sdk.search("launch before black friday", scope=["messages"], k=12,
                            filter={"channel": "whatsapp"})["results"]  # fmt: skip
    assert len(by_channel) == 12
    assert all(r["message"]["conversation_id"] == few["id"] for r in by_channel)


def test_results_name_what_found_them(sdk: Any) -> None:
    convo = conversation(sdk, "Ann")
    [price, _dog] = sdk.conversations.append_messages(
        convo["id"],
        [
            {"role": "user", "content": "What's the price of the premium plan for 5 seats?"},
            {"role": "user", "content": "Our dog Rex loves the beach in summer"},
        ],
    )
    sdk.enrichment.flush()
    [best, *_] = sdk.search("price of the premium plan", scope=["messages"], k=2)["results"]
    assert best["id"] == price
    assert best["type"] == "message"
    assert best["retrievers"] == ["keyword", "semantic"]
    assert best["content"] == best["text"] == best["message"]["content"]
    assert best["score"] > 0

    # No shared word: only meaning connects them.
    meaning = sdk.search("how expensive is the top tier subscription", scope=["messages"],
                         k=1, mode="semantic")["results"]  # fmt: skip
    assert meaning[0]["id"] == price
    assert sdk.search("how expensive is the top tier subscription", scope=["messages"],
                      mode="keyword")["results"] == []  # fmt: skip


def test_the_answer_ranks_with_the_question_it_answers(sdk: Any) -> None:
    """The turn after a matching one shares neither its words nor its meaning ("what's your
    budget?" / "about five grand"); hybrid search lifts it, and says which turn did."""
    convo = conversation(sdk, "Bea")
    noise = [{"role": "user", "content": topic} for topic in TOPICS]
    asked, answer, *_ = sdk.conversations.append_messages(convo["id"], [
        {"role": "assistant", "content": "What monthly budget do you have in mind?"},
        {"role": "user", "content": "About five grand, give or take"},
        *noise,
    ])  # fmt: skip
    sdk.enrichment.flush()
    results = sdk.search("what budget did they mention", scope=["messages"], k=3)["results"]
    by_id = {result["id"]: result for result in results}
    assert results[0]["id"] == asked
    assert answer in by_id
    assert "context" in by_id[answer]["retrievers"]
    assert by_id[answer]["context_of"] == asked
    assert results[0]["context_of"] is None or results[0]["context_of"] == answer
    # The single retrievers do not lift: keyword search finds the question only.
    keyword = sdk.search("what budget did they mention", scope=["messages"], mode="keyword")
    assert [result["id"] for result in keyword["results"]] == [asked]


def test_filters_on_time_metadata_and_role_apply_inside(sdk: Any) -> None:
    vip = conversation(sdk, "Vip", metadata={"campaign": "bf25"})
    plain = conversation(sdk, "Plain")
    fill(sdk, vip, 20, start_day=1)
    fill(sdk, plain, 20, start_day=1)
    sdk.enrichment.flush()
    spec = {
        "metadata.campaign": "bf25",
        "role": "user",
        "time": {"$gte": "2025-03-05", "$lt": "2025-03-15"},
    }
    found = sdk.search("instagram leads", scope=["messages"], k=5, filter=spec)["results"]
    assert len(found) == 5
    for result in found:
        message = result["message"]
        assert message["conversation_id"] == vip["id"]
        assert message["role"] == "user"
        assert "2025-03-05" <= message["timestamp"] < "2025-03-15"


def test_memories_and_knowledge_are_searched_too(sdk: Any) -> None:
    convo = conversation(sdk, "Lea")
    sdk.memories.create(contact_id=convo["contact_id"], key="budget", value={"amount": 5000},
                        text="Budget is about 5k a month", valid_from="2025-01-01")  # fmt: skip
    sdk.memories.create(contact_id=convo["contact_id"], key="budget", value={"amount": 9000},
                        text="Budget grew to 9k a month", valid_from="2025-06-01")  # fmt: skip
    document = sdk.knowledge.add(
        "Shipping FAQ",
        "We ship worldwide. Orders leave our warehouse in two working days. "
        "Returns are free within 30 days for unused items.",
        source="faq",
    )
    assert sdk.knowledge.add(
        "Shipping FAQ",
        "We ship worldwide. Orders leave our warehouse in two working days. "
        "Returns are free within 30 days for unused items.",
    )["id"] == document["id"]  # fmt: skip
    sdk.enrichment.flush()

    [memory] = sdk.search("how much can they spend", scope=["memories"], k=1,
                          filter={"contact_id": convo["contact_id"]})["results"]  # fmt: skip
    assert (memory["type"], memory["text"]) == ("memory", "Budget grew to 9k a month")
    [then] = sdk.search("how much can they spend", scope=["memories"], k=1,
                        as_of="2025-03-01T00:00:00Z")["results"]  # fmt: skip
    assert then["text"] == "Budget is about 5k a month"

    [chunk] = sdk.search("can I send something back?", scope=["knowledge"], k=1)["results"]
    assert chunk["type"] == "knowledge"
    assert chunk["knowledge"]["title"] == "Shipping FAQ"
    assert chunk["knowledge"]["document_id"] == document["id"]
    assert "Returns are free" in chunk["text"]
    everywhere = sdk.search("budget", k=10)["results"]
    assert {r["type"] for r in everywhere} >= {"memory"}


def test_the_agent_filter_reads_messages_and_memories(sdk: Any) -> None:
    convo = conversation(sdk, "Ivy")
    closer = sdk.agents.create(name="closer-ivy", role="closer")
    sdk.conversations.append_messages(
        convo["id"],
        [
            {"role": "agent", "agent_type": "closer-ivy", "content": "Here is the contract"},
            {"role": "agent", "agent_type": "qualifier", "content": "What is the contract size?"},
        ],
    )
    sdk.memories.create(contact_id=convo["contact_id"], agent_id=closer["id"], key="note",
                        text="Wants the contract by email")  # fmt: skip
    sdk.memories.create(contact_id=convo["contact_id"], key="note", text="Contract questions")
    sdk.enrichment.flush()
    found = sdk.search("contract", filter={"agent": "closer-ivy"}, k=10)["results"]
    texts = sorted(r["text"] for r in found)
    assert texts == ["Here is the contract", "Wants the contract by email"]


def test_a_scope_without_the_filtered_field_returns_nothing(sdk: Any) -> None:
    convo = conversation(sdk, "Kim")
    fill(sdk, convo, 3)
    sdk.knowledge.add("Pricing", "The premium plan costs 99 dollars a month.")
    sdk.enrichment.flush()
    found = sdk.search("premium plan price", filter={"contact_id": convo["contact_id"]},
                       scope=["messages", "knowledge"])["results"]  # fmt: skip
    assert found
    assert {r["type"] for r in found} == {"message"}


def test_a_conversation_filter_over_every_scope_finds_the_messages(sdk: Any) -> None:
    voice = conversation(sdk, "Lee", channel="voice")
    sdk.conversations.append_message(
        voice["id"], role="user", content="Honestly it is too expensive"
    )
    chat = conversation(sdk, "Max")
    sdk.conversations.append_message(chat["id"], role="user", content="Too expensive for me")
    sdk.enrichment.flush()
    found = sdk.search("too expensive", filter={"channel": "voice"})["results"]
    assert [r["message"]["conversation_id"] for r in found] == [voice["id"]]  # no memories


def test_search_never_crosses_organizations(sdk: Any, other_tenant: Any) -> None:
    with other_tenant.local() as stranger:
        theirs = conversation(stranger, "Theirs")
        stranger.conversations.append_message(
            theirs["id"], role="user", content="Secret price list for the premium plan"
        )
    convo = conversation(sdk, "Ours")
    fill(sdk, convo, 2)
    sdk.enrichment.flush()
    found = sdk.search("secret price list premium plan", k=50)["results"]
    assert found
    assert all("Secret" not in r["text"] for r in found)


def test_bad_searches_are_clear_errors(sdk: Any) -> None:
    with pytest.raises(errors.BadRequest, match="nope"):
        sdk.search("x", filter={"nope": 1})
    with pytest.raises(errors.ValidationFailed, match="k"):
        sdk.search("x", k=0)
    with pytest.raises(errors.ValidationFailed, match="mode"):
        sdk.search("x", mode="fuzzy")
    with pytest.raises(errors.ValidationFailed, match="scope"):
        sdk.search("x", scope=["emails"])
    with pytest.raises(errors.ValidationFailed, match="query"):
        sdk.search("")
    with pytest.raises(errors.BadRequest, match="query"):
        sdk.search("!!!", mode="keyword")


def test_rest_contract(http: httpx.Client) -> None:
    contact = http.post("/v1/contacts", json={"name": "Raw"}).json()
    convo = http.post(
        "/v1/conversations", json={"contact_id": contact["id"], "channel": "whatsapp"}
    ).json()
    message = http.post(
        f"/v1/conversations/{convo['id']}/messages",
        json={"role": "user", "content": "We need a website for our bakery"},
    ).json()
    knowledge = http.post("/v1/knowledge", json={"title": "Sites", "text": "We build websites."})
    assert knowledge.status_code == 201
    assert http.post("/v1/enrichment/flush", timeout=60).status_code == 200
    response = http.post("/v1/search", json={"query": "bakery website", "scope": ["messages"]})
    assert response.status_code == 200
    [result] = response.json()["results"]
    assert result["id"] == message["id"]
    assert {"id", "type", "score", "content", "text"} <= set(result)

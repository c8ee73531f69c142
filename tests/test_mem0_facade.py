"""``rapport.Memory`` behaves as Mem0's ``Memory`` does, on the real database and model."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import pytest

import rapport
from rapport.mem0 import Memory
from tests.conftest import ServerThread, Tenant


@pytest.fixture
def m(tenant: Tenant) -> Iterator[Memory]:
    with tenant.local() as r:
        yield Memory(rapport=r)


def texts(result: dict[str, Any]) -> list[str]:
    return [item["memory"] for item in result["results"]]


def test_import_from_rapport() -> None:
    assert rapport.Memory is Memory


def test_add_without_inference_stores_each_message(m: Memory) -> None:
    added = m.add(
        [
            {"role": "system", "content": "You are a helpful assistant."},
            {"role": "user", "content": "I love spicy Thai curry", "name": "alice"},
            {"role": "assistant", "content": "Noted: spicy Thai curry."},
        ],
        user_id="alice",
        metadata={"category": "food"},
        infer=False,
    )
    results = added["results"]
    assert [(r["memory"], r["event"], r["role"]) for r in results] == [
        ("I love spicy Thai curry", "ADD", "user"),
        ("Noted: spicy Thai curry.", "ADD", "assistant"),
    ]
    assert results[0]["actor_id"] == "alice"
    got = m.get(results[0]["id"])
    assert got is not None
    assert got["id"] == results[0]["id"]
    assert got["memory"] == "I love spicy Thai curry"
    assert got["hash"] == hashlib.md5(b"I love spicy Thai curry").hexdigest()
    assert got["user_id"] == "alice"
    assert got["metadata"] == {"category": "food"}
    assert got["role"] == "user"
    assert got["actor_id"] == "alice"
    assert got["created_at"] == got["updated_at"]
    assert m.get("00000000-0000-0000-0000-000000000000") is None


def test_a_string_is_one_user_message(m: Memory) -> None:
    added = m.add("My dog is called Rex", user_id="alice", infer=False)
    assert [(r["memory"], r["role"]) for r in added["results"]] == [
        ("My dog is called Rex", "user")
    ]


def test_get_all_is_scoped_to_the_user(m: Memory) -> None:
    m.add("I love spicy Thai curry", user_id="alice", infer=False)
    m.add("I am allergic to peanuts", user_id="bob", infer=False)
    alice = m.get_all(filters={"user_id": "alice"})
    assert texts(alice) == ["I love spicy Thai curry"]
    assert "score" not in alice["results"][0]
    assert texts(m.get_all(user_id="bob")) == ["I am allergic to peanuts"]  # 1.x style
    assert m.get_all(filters={"user_id": "nobody"}) == {"results": []}


def test_search_ranks_by_meaning_within_the_user(m: Memory) -> None:
    m.add("My dog is called Rex", user_id="alice", infer=False)
    m.add("I love spicy Thai curry", user_id="alice", infer=False)
    m.add("I adore pad thai and green curry", user_id="bob", infer=False)
    found = m.search("what food do I like", filters={"user_id": "alice"})["results"]
    assert found[0]["memory"] == "I love spicy Thai curry"
    assert found[0]["user_id"] == "alice"
    assert all(item["user_id"] == "alice" for item in found)
    scores = [item["score"] for item in found]
    assert scores == sorted(scores, reverse=True)
    top = m.search("what food do I like", user_id="alice", limit=1)["results"]
    assert texts({"results": top}) == ["I love spicy Thai curry"]
    assert m.search("what food do I like", filters={"user_id": "carol"}) == {"results": []}


def test_search_filters_on_metadata(m: Memory) -> None:
    m.add("I love spicy Thai curry", user_id="alice", metadata={"category": "food"}, infer=False)
    m.add("I love long walks", user_id="alice", metadata={"category": "hobby"}, infer=False)
    food = m.search("what do I love", filters={"user_id": "alice", "category": "food"})
    assert texts(food) == ["I love spicy Thai curry"]
    either = m.get_all(filters={"user_id": "alice", "category": {"in": ["food", "hobby"]}})
    assert sorted(texts(either)) == ["I love long walks", "I love spicy Thai curry"]
    with pytest.raises(ValueError, match="icontains"):
        m.search("love", filters={"user_id": "alice", "category": {"icontains": "FO"}})


def test_update_keeps_the_id_and_history_shows_each_change(m: Memory) -> None:
    memory_id = m.add("I love spicy Thai curry", user_id="alice", infer=False)["results"][0]["id"]
    assert m.update(memory_id, "I love mild Thai curry") == {
        "message": "Memory updated successfully!"
    }
    assert texts(m.get_all(filters={"user_id": "alice"})) == ["I love mild Thai curry"]
    got = m.get(memory_id)
    assert got is not None
    assert got["id"] == memory_id
    assert got["memory"] == "I love mild Thai curry"
    assert got["created_at"] < got["updated_at"]
    m.update(memory_id, data="I love mild curry")  # Mem0's older keyword
    history = m.history(memory_id)
    assert [(h["event"], h["old_memory"], h["new_memory"]) for h in history] == [
        ("ADD", None, "I love spicy Thai curry"),
        ("UPDATE", "I love spicy Thai curry", "I love mild Thai curry"),
        ("UPDATE", "I love mild Thai curry", "I love mild curry"),
    ]
    assert {h["memory_id"] for h in history} == {memory_id}
    assert history[0]["actor_id"] == "mem0"
    assert not any(h["is_deleted"] for h in history)
    with pytest.raises(ValueError, match="not found"):
        m.update("00000000-0000-0000-0000-000000000000", "anything")


def test_update_changes_metadata(m: Memory) -> None:
    memory_id = m.add("I love curry", user_id="alice", metadata={"a": 1}, infer=False)
    got_id = memory_id["results"][0]["id"]
    m.update(got_id, metadata={"a": 2})
    got = m.get(got_id)
    assert got is not None
    assert got["metadata"] == {"a": 2}


def test_delete_removes_it_from_get_all_and_search(m: Memory) -> None:
    memory_id = m.add("I love spicy Thai curry", user_id="alice", infer=False)["results"][0]["id"]
    m.add("My dog is called Rex", user_id="alice", infer=False)
    assert m.delete(memory_id) == {"message": "Memory deleted successfully!"}
    assert texts(m.get_all(filters={"user_id": "alice"})) == ["My dog is called Rex"]
    found = m.search("spicy Thai curry", filters={"user_id": "alice"}, threshold=0.0)
    assert "I love spicy Thai curry" not in texts(found)
    assert m.get(memory_id) is None
    assert [h["event"] for h in m.history(memory_id)] == ["ADD", "DELETE"]
    assert m.history(memory_id)[-1]["is_deleted"] is True
    with pytest.raises(ValueError, match="not found"):
        m.delete(memory_id)


def test_delete_all_leaves_other_users_alone(m: Memory) -> None:
    m.add(["I love curry", "I live in Lisbon"], user_id="alice", infer=False)
    m.add("I love ramen", user_id="bob", infer=False)
    assert m.delete_all(user_id="alice") == {"message": "Memories deleted successfully!"}
    assert m.get_all(filters={"user_id": "alice"}) == {"results": []}
    assert texts(m.get_all(filters={"user_id": "bob"})) == ["I love ramen"]


def test_reset_ends_every_memory(m: Memory) -> None:
    m.add("I love curry", user_id="alice", infer=False)
    m.add("I love ramen", user_id="bob", infer=False)
    assert m.reset() is None
    assert m.get_all(filters={"user_id": "alice"}) == {"results": []}
    assert m.get_all(filters={"user_id": "bob"}) == {"results": []}


def test_agent_and_run_scope_within_a_user(m: Memory) -> None:
    m.add("Prefers email", user_id="alice", agent_id="closer", run_id="run-1", infer=False)
    m.add("Likes curry", user_id="alice", infer=False)
    got = m.get_all(filters={"user_id": "alice", "agent_id": "closer"})["results"]
    assert [(g["memory"], g["agent_id"], g["run_id"]) for g in got] == [
        ("Prefers email", "closer", "run-1")
    ]
    assert texts(m.get_all(filters={"user_id": "alice", "run_id": "run-1"})) == ["Prefers email"]
    assert len(m.get_all(filters={"user_id": "alice"})["results"]) == 2
    assert m.get_all(filters={"user_id": "alice", "agent_id": "nobody"}) == {"results": []}
    with pytest.raises(ValueError, match="another user"):
        m.add("Hi", user_id="bob", run_id="run-1", infer=False)


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.add("I love curry", agent_id="closer", infer=False),
        lambda m: m.add("I love curry", run_id="run-1", infer=False),
        lambda m: m.search("curry", filters={"agent_id": "closer"}),
        lambda m: m.get_all(filters={"run_id": "run-1"}),
        lambda m: m.delete_all(agent_id="closer"),
    ],
)
def test_memories_need_a_user(m: Memory, call: Any) -> None:
    with pytest.raises(ValueError, match="per person: pass user_id"):
        call(m)


def test_add_with_inference_extracts_what_the_user_said(m: Memory) -> None:
    said = "our budget is about $5k a month and we want to start next month"
    added = m.add([{"role": "user", "content": said}], user_id="acme", run_id="call-7")
    events = {item["id"]: item for item in added["results"]}
    assert {item["event"] for item in events.values()} == {"ADD"}
    stored = {
        g["id"]: g for g in m.get_all(filters={"user_id": "acme", "run_id": "call-7"})["results"]
    }
    assert set(stored) == set(events)
    memories = " | ".join(item["memory"] for item in events.values())
    assert "Budget: USD 5,000 per month" in memories
    assert "Timeline: next month" in memories
    later = m.add("actually the budget is $8k a month", user_id="acme", run_id="call-7")
    budget = [item for item in later["results"] if item["memory"].startswith("Budget")]
    assert budget[0]["event"] == "UPDATE"
    assert budget[0]["previous_memory"] == "Budget: USD 5,000 per month"
    assert budget[0]["id"] in events  # the same memory, as Mem0 keeps ids


def test_from_config_ignores_mem0_settings(tenant: Tenant) -> None:
    config = {"llm": {"provider": "openai"}, "vector_store": {"provider": "qdrant"}}
    with tenant.local() as r:
        m = Memory.from_config(config, rapport=r)
        assert m.config == config
        assert m.add("I love curry", user_id="alice", infer=False)["results"][0]["event"] == "ADD"


def test_over_http(server: ServerThread, tenant: Tenant) -> None:
    with rapport.Client(server.url, tenant.key("owner")) as client:
        m = Memory(rapport=client)
        memory_id = m.add("I love spicy Thai curry", user_id="alice", infer=False)["results"][0][
            "id"
        ]
        m.add("My dog is called Rex", user_id="alice", infer=False)
        found = m.search("what food do I like", filters={"user_id": "alice"})["results"]
        assert found[0]["id"] == memory_id
        m.update(memory_id, "I love mild curry")
        assert [h["event"] for h in m.history(memory_id)] == ["ADD", "UPDATE"]

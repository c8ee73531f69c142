"""Memory hygiene: the same fact said again in other words is evidence for one version, not
a pile of versions; evidence and confidence are visible; memory search says why it matched."""

from __future__ import annotations

from typing import Any

import pytest

from rapport.memory import evidence


def _said(sdk: Any, texts: list[str]) -> tuple[str, list[str]]:
    contact = sdk.contacts.create(name="Noor")
    chat = sdk.conversations.create(contact_id=contact["id"], channel="whatsapp")
    items = [{"role": "user", "content": text, "timestamp": f"2025-03-1{n}T10:00:00Z"}
             for n, text in enumerate(texts)]  # fmt: skip
    ids = sdk.conversations.append_messages(chat["id"], items)
    sdk.enrichment.flush()
    return contact["id"], ids


def _versions(sdk: Any, contact: str, key: str) -> list[dict[str, Any]]:
    spec = {"contact_id": contact, "key": key}
    return list(sdk.memories.recall(spec, all_versions=True)["items"])


def test_the_same_budget_three_ways_is_one_version_with_three_messages(sdk: Any) -> None:
    contact, ids = _said(sdk, [
        "our budget is about $5k a month",
        "like I said, 5k/month is what we have",
        "we can do $5,000 a month, not more",
    ])  # fmt: skip
    [budget] = _versions(sdk, contact, "budget")
    assert budget["value"]["amount"] == 5000
    assert budget["evidence"] == ids
    assert budget["source_message_id"] == ids[0]
    assert budget["confidence"] > 0.97  # three readings at 0.85 each
    [added] = sdk.memories.history(budget["id"])["items"]
    assert (added["event"], added["evidence"]) == ("ADD", ids)


def test_a_need_in_other_words_is_evidence_and_a_new_budget_a_new_version(sdk: Any) -> None:
    contact, ids = _said(sdk, [
        "we need more clients for my lash studio",
        "honestly we just need more clients for the studio",
        "our budget is $300 a month",
        "ok we could stretch to $450 a month",
    ])  # fmt: skip
    needs = _versions(sdk, contact, "need")
    assert len(needs) == 1
    assert needs[0]["evidence"] == ids[:2]
    budgets = _versions(sdk, contact, "budget")
    assert [b["value"]["amount"] for b in budgets] == [300, 450] or sorted(
        b["value"]["amount"] for b in budgets
    ) == [300, 450]
    current = next(b for b in budgets if b["valid_to"] is None)
    assert (current["value"]["amount"], current["evidence"]) == (450, [ids[3]])
    # which memories a message supports: a filter on the evidence list
    said_by_second = sdk.memories.recall({"evidence": ids[1]})["items"]
    assert [m["key"] for m in said_by_second] == ["need"]
    assert sdk.memories.recall({"evidence": {"$contains": ids[:2]}})["items"] == said_by_second
    assert sdk.memories.recall({"evidence": {"$contains": [ids[0], ids[3]]}})["items"] == []


def test_an_edited_message_leaves_the_evidence_and_the_last_one_ends_it(sdk: Any) -> None:
    contact, ids = _said(sdk, ["our budget is about $5k a month", "5k a month is our budget"])
    sdk.messages.update(ids[0], content="we want to start next week")
    sdk.enrichment.flush()
    [budget] = [b for b in _versions(sdk, contact, "budget") if b["valid_to"] is None]
    assert budget["evidence"] == [ids[1]]  # still said by the second message
    sdk.messages.update(ids[1], content="thanks, talk soon")
    sdk.enrichment.flush()
    assert not [b for b in _versions(sdk, contact, "budget") if b["valid_to"] is None]


def test_a_person_writing_the_same_value_again_is_taken_as_written(sdk: Any) -> None:
    contact, _ = _said(sdk, ["our budget is about $5k a month"])
    value = {"amount": 5000, "currency": "USD", "period": "month"}
    sdk.memories.create(contact_id=contact, key="budget", value=value, text="Budget: 5k/mo")
    versions = _versions(sdk, contact, "budget")
    assert len(versions) == 2  # the API writes what it is given
    assert next(v for v in versions if v["valid_to"] is None)["evidence"] == []


def test_memory_search_says_why_it_matched(sdk: Any) -> None:
    contact, _ = _said(sdk, ["our budget is about $5k a month"])
    found = sdk.search("what budget did they give?", scope=["memories"],
                       filter={"contact_id": contact}, k=3)["results"]  # fmt: skip
    [top] = [r for r in found if r["memory"]["key"] == "budget"]
    assert top["matched_terms"] == ["budget"]
    assert "words budget" in top["why"]
    assert "meaning" in top["why"]
    assert top["memory"]["evidence"]


@pytest.mark.parametrize(
    ("key", "old", "new", "same"),
    [
        ("budget", {"amount": 5000, "currency": "USD", "period": "month"},
         {"amount": 5000, "currency": None, "period": "month"}, True),
        ("budget", {"amount": 5000, "currency": "USD", "period": "month"},
         {"amount": 5000, "currency": "EUR", "period": "month"}, False),
        ("budget", {"amount": 5000, "period": "month"}, {"amount": 5000, "period": "year"}, False),
        ("timeline", {"date": "2025-04-15"}, {"date": "2025-04-15T00:00:00"}, True),
        ("authority", {"decision_maker": True, "title": "owner"},
         {"decision_maker": True, "title": None}, True),
        ("authority", {"decision_maker": True, "title": None},
         {"decision_maker": False, "title": None}, False),
        ("need", {"summary": "a new pos"}, {"summary": "new website"}, False),
        ("objection.price", {"type": "price", "resolved": False, "said": "too much"},
         {"type": "price", "resolved": False, "said": "pricey"}, True),
        ("objection.price", {"type": "price", "resolved": False},
         {"type": "price", "resolved": True}, False),
    ],
)  # fmt: skip
def test_what_means_the_same(key: str, old: Any, new: Any, same: bool) -> None:
    assert evidence.alike(key, old, new) is same

"""The filter language and keyset pagination, on real rows."""

from __future__ import annotations

from typing import Any

import pytest

from rapport import errors


@pytest.fixture
def leads(sdk: Any) -> list[dict[str, Any]]:
    """Six contacts with varied, partly missing fields."""
    rows = [
        {
            "name": "Ana",
            "industry": "SaaS",
            "lead_score": 90,
            "tags": ["vip", "inbound"],
            "company_size": "11-50",
            "metadata": {"tier": "gold", "seats": 12},
        },
        {
            "name": "Bo",
            "industry": "SaaS",
            "lead_score": 40,
            "tags": ["inbound"],
            "metadata": {"tier": "silver", "seats": 3},
        },
        {
            "name": "Cy",
            "industry": "Retail",
            "lead_score": 75,
            "tags": ["vip"],
            "metadata": {"tier": "gold"},
        },
        {
            "name": "Di",
            "industry": "Retail",
            "lead_score": None,
            "tags": [],
            "metadata": {"seats": 40},
        },
        {"name": "Ed", "industry": None, "lead_score": 10, "tags": ["outbound"], "metadata": {}},
        {
            "name": "Flo",
            "industry": "Health",
            "lead_score": 75,
            "tags": ["vip", "outbound"],
            "job_title": "VP Engineering",
            "metadata": {"tier": None},
        },
    ]
    return [sdk.contacts.create(**row) for row in rows]


def names(page: dict[str, Any]) -> list[str]:
    return sorted(item["name"] for item in page["items"])


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"industry": "SaaS"}, ["Ana", "Bo"]),
        ({"industry": {"$eq": "Retail"}}, ["Cy", "Di"]),
        ({"industry": {"$ne": "SaaS"}}, ["Cy", "Di", "Ed", "Flo"]),
        ({"industry": None}, ["Ed"]),
        ({"lead_score": {"$gt": 40}}, ["Ana", "Cy", "Flo"]),
        ({"lead_score": {"$gte": 40, "$lt": 90}}, ["Bo", "Cy", "Flo"]),
        ({"lead_score": {"$lte": 10}}, ["Ed"]),
        ({"industry": {"$in": ["Retail", "Health"]}}, ["Cy", "Di", "Flo"]),
        ({"industry": {"$nin": ["Retail", "Health"]}}, ["Ana", "Bo", "Ed"]),
        ({"lead_score": {"$exists": False}}, ["Di"]),
        ({"job_title": {"$exists": True}}, ["Flo"]),
        ({"job_title": {"$contains": "engineer"}}, ["Flo"]),
        ({"tags": {"$contains": "vip"}}, ["Ana", "Cy", "Flo"]),
        ({"tags": {"$contains": ["vip", "outbound"]}}, ["Flo"]),
        ({"tags": {"$in": ["inbound", "outbound"]}}, ["Ana", "Bo", "Ed", "Flo"]),
        ({"metadata.tier": "gold"}, ["Ana", "Cy"]),
        ({"metadata.seats": {"$gte": 10}}, ["Ana", "Di"]),
        ({"metadata.tier": {"$exists": True}}, ["Ana", "Bo", "Cy"]),
        ({"metadata.tier": {"$in": ["silver", "bronze"]}}, ["Bo"]),
        ({"$or": [{"industry": "Health"}, {"lead_score": {"$lt": 20}}]}, ["Ed", "Flo"]),
        ({"$and": [{"tags": {"$contains": "vip"}}, {"lead_score": 75}]}, ["Cy", "Flo"]),
        ({"name": {"$contains": "%"}}, []),
    ],
)
def test_operators(sdk: Any, leads: list[dict[str, Any]], spec: Any, expected: list[str]) -> None:
    assert names(sdk.contacts.list(spec)) == expected
    assert sdk.contacts.count(spec) == len(expected)


def test_dates_filter_as_iso(sdk: Any, leads: list[dict[str, Any]]) -> None:
    created = leads[2]["created_at"]
    assert sdk.contacts.count({"created_at": {"$gt": created}}) == 3
    assert sdk.contacts.count({"created_at": {"$lte": created}}) == 3
    assert sdk.contacts.count({"created_at": {"$gte": "2000-01-01"}}) == 6


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"nope": 1}, "nope"),
        ({"industry": {"$regex": "S"}}, "industry"),
        ({"$nor": []}, "$nor"),
        ({"lead_score": {"$gt": "high"}}, "lead_score"),
        ({"created_at": {"$gt": "yesterday"}}, "created_at"),
        ({"id": "not-a-uuid"}, "id"),
        ({"metadata.bad key": 1}, "metadata.bad key"),
        ({"tags": {"$gt": 1}}, "tags"),
        ({"$or": []}, "$or"),
    ],
)
def test_bad_filters_name_the_field(
    sdk: Any, leads: list[dict[str, Any]], spec: Any, field: str
) -> None:
    with pytest.raises(errors.BadRequest) as raised:
        sdk.contacts.list(spec)
    assert raised.value.field == field


def test_enum_values_are_checked_in_filters(sdk: Any) -> None:
    with pytest.raises(errors.BadRequest, match="not one of"):
        sdk.conversations.list({"status": "sleeping"})


def test_keyset_pages_cover_everything_once(sdk: Any, leads: list[dict[str, Any]]) -> None:
    for order in ("-lead_score,name", "lead_score", "industry,-name", "-industry", "name"):
        seen: list[str] = []
        cursor = None
        while True:
            page = sdk.contacts.list(order_by=order, limit=2, cursor=cursor)
            seen += [item["name"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        whole = [item["name"] for item in sdk.contacts.list(order_by=order)["items"]]
        assert seen == whole, order
        assert sorted(seen) == sorted(lead["name"] for lead in leads)


def test_order_puts_nulls_last_ascending(sdk: Any, leads: list[dict[str, Any]]) -> None:
    ascending = [c["lead_score"] for c in sdk.contacts.list(order_by="lead_score")["items"]]
    assert ascending == [10, 40, 75, 75, 90, None]
    descending = [c["lead_score"] for c in sdk.contacts.list(order_by="-lead_score")["items"]]
    assert descending == [None, 90, 75, 75, 40, 10]


def test_cursor_belongs_to_its_order(sdk: Any, leads: list[dict[str, Any]]) -> None:
    page = sdk.contacts.list(order_by="name", limit=2)
    with pytest.raises(errors.BadRequest, match="different order_by"):
        sdk.contacts.list(order_by="-name", limit=2, cursor=page["next_cursor"])
    with pytest.raises(errors.BadRequest):
        sdk.contacts.list(cursor="garbage!")


def test_iterate_walks_every_page(sdk: Any, leads: list[dict[str, Any]]) -> None:
    walked = [c["name"] for c in sdk.contacts.iterate(order_by="name", page_size=4)]
    assert walked == ["Ana", "Bo", "Cy", "Di", "Ed", "Flo"]


def test_bulk_update_with_a_filter(sdk: Any, leads: list[dict[str, Any]]) -> None:
    changed = sdk.contacts.bulk_update({"tags": {"$contains": "vip"}}, {"campaign": "q1-vip"})
    assert changed == 3
    assert names(sdk.contacts.list({"campaign": "q1-vip"})) == ["Ana", "Cy", "Flo"]
    with pytest.raises(errors.BadRequest):
        sdk.contacts.bulk_update({"tags": {"$contains": "vip"}}, {})

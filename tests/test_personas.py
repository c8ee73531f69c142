"""Personas cut by any facet (seed 001): contacts counted per industry, company size, job
title, sales stage, channel and keyword under any filter, against the real database, with
keywords from the real extractor."""

from __future__ import annotations

from typing import Any

import pytest

from rapport import errors
from tests.conftest import Tenant


def values(answer: dict[str, Any], facet: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in answer["facets"][facet]["values"]}


def person(sdk: Any, name: str, industry: str | None, title: str | None, channel: str,
           said: list[str], keywords: list[str] | None = None) -> dict[str, Any]:  # fmt: skip
    contact = sdk.contacts.create(name=name, industry=industry, job_title=title,
                                  company_size="11-50")  # fmt: skip
    talk = sdk.conversations.create(contact_id=contact["id"], channel=channel)
    for text in said:
        extra = {"keywords": keywords} if keywords is not None else {}
        sdk.messages.create(conversation_id=talk["id"], role="user", content=text, **extra)
    return {"contact": contact, "talk": talk}


def test_facets_count_contacts_per_value_under_any_filter(sdk: Any, other_tenant: Tenant) -> None:
    """Every facet's values with their counts and the contacts with none; a filter over the
    contact's fields, its keywords and channels narrows all of them at once ("VPs of
    Engineering in SaaS who mentioned scaling" is one query); stage and channels follow
    the conversations."""
    vp = person(sdk, "Ana", "SaaS", "VP Engineering", "instagram",
                ["Hi"], keywords=["Scaling", "kubernetes"])  # fmt: skip
    person(sdk, "Ben", "SaaS", "VP Engineering", "whatsapp", ["Hello"], keywords=["pricing"])
    person(sdk, "Cy", "SaaS", "CTO", "instagram", ["Hey"], keywords=["scaling"])
    person(sdk, "Di", "Retail", "VP Engineering", "instagram", ["Yo"], keywords=["scaling"])
    sdk.contacts.create(name="Ed")  # no conversation, no facets
    sdk.enrichment.flush()

    everyone = sdk.contacts.facets()
    assert everyone["total"] == 5
    assert values(everyone, "industry") == {"SaaS": 3, "Retail": 1}
    assert everyone["facets"]["industry"]["missing"] == 1
    assert values(everyone, "channel") == {"instagram": 3, "whatsapp": 1}
    assert values(everyone, "keyword") == {"scaling": 3, "kubernetes": 1, "pricing": 1}
    assert everyone["facets"]["keyword"]["missing"] == 1
    assert values(everyone, "sales_stage") == {"qualification": 4}
    assert values(everyone, "company_size") == {"11-50": 4}

    wanted = {"job_title": "VP Engineering", "industry": "SaaS", "keyword": "scaling"}
    vps = sdk.contacts.facets(filter=wanted, facets="channel,sales_stage")
    assert vps["total"] == 1
    assert set(vps["facets"]) == {"channel", "sales_stage"}
    assert values(vps, "channel") == {"instagram": 1}
    listed = sdk.contacts.list(
        filter={"job_title": "VP Engineering", "industry": "SaaS", "keywords": "scaling"}
    )
    assert [c["id"] for c in listed["items"]] == [vp["contact"]["id"]]  # the same, as a list

    sdk.conversations.move(vp["talk"]["id"], "closing")
    sdk.conversations.create(contact_id=vp["contact"]["id"], channel="whatsapp",
                             start_time="2020-01-01T00:00:00Z")  # older: its stage not  # fmt: skip
    ana = sdk.contacts.get(vp["contact"]["id"])
    assert (ana["sales_stage"], ana["channels"]) == ("closing", ["instagram", "whatsapp"])
    assert ana["keywords"] == ["kubernetes", "scaling"]
    closing = sdk.contacts.facets(filter={"sales_stage": "closing"}, facets=["channel"])
    assert values(closing, "channel") == {"instagram": 1, "whatsapp": 1}
    assert sdk.contacts.facets(filter={"channel": "whatsapp"}, facets="industry")["total"] == 2
    top = sdk.contacts.facets(facets="keyword", size=1)
    assert values(top, "keyword") == {"scaling": 3}

    with pytest.raises(errors.BadRequest, match="facets: unknown facet 'mood'"):
        sdk.contacts.facets(facets="industry,mood")
    with pytest.raises(errors.BadRequest, match="colour"):
        sdk.contacts.facets(filter={"colour": "red"})
    with pytest.raises(errors.BadRequest, match="sales_stage"):
        sdk.contacts.facets(filter={"sales_stage": "dreaming"})
    with other_tenant.local() as theirs:
        assert theirs.contacts.facets()["total"] == 0


def test_keywords_the_extractor_finds_become_facets(sdk: Any) -> None:
    """A message sent without keywords gets them from enrichment; its contact's keyword
    facet has them after the batch."""
    who = person(
        sdk,
        "Fay",
        "SaaS",
        "Founder",
        "instagram",
        ["We need to scale our kubernetes infrastructure before the launch"],
    )
    sdk.enrichment.flush()
    found = sdk.messages.list(filter={"conversation_id": who["talk"]["id"]})["items"][0]
    assert found["keywords"]
    contact = sdk.contacts.get(who["contact"]["id"])
    assert set(contact["keywords"]) == {k.lower() for k in found["keywords"]}
    facet = values(sdk.contacts.facets(facets="keyword"), "keyword")
    assert set(facet) == set(contact["keywords"])


def test_facets_over_rest_take_the_filter_as_json(http: Any) -> None:
    answer = http.get(
        "/v1/contacts/facets", params={"filter": '{"industry": "SaaS"}', "facets": "industry"}
    )
    assert answer.status_code == 200
    assert answer.json() == {"total": 0, "facets": {"industry": {"values": [], "missing": 0}}}
    bad = http.get("/v1/contacts/facets", params={"facets": "nope"})
    assert bad.status_code == 400
    assert "nope" in bad.text


def test_the_counts_kept_for_all_contacts_agree_with_counting_them(
    sdk: Any, database: Any, tenant: Tenant
) -> None:
    """Without a filter the facets come from counts kept as contacts change; after creates,
    edits, new conversations and keywords, deletes, and the worker's fold, they are what
    counting every contact says."""
    from rapport.personas import facets as module

    everyone = {"id": {"$exists": True}}  # a filter: the facets are counted from the rows
    a = person(sdk, "Ana", "SaaS", "CTO", "instagram", ["Hi"], keywords=["scaling", "sso"])
    b = person(sdk, "Ben", "Retail", None, "whatsapp", ["Yo"], keywords=["sso"])
    sdk.contacts.bulk_create([{"name": f"bulk {i}", "industry": "SaaS"} for i in range(3)])
    sdk.enrichment.flush()
    assert sdk.contacts.facets() == sdk.contacts.facets(filter=everyone)
    sdk.contacts.update(a["contact"]["id"], industry="Health", job_title=None)
    sdk.conversations.move(b["talk"]["id"], "closing")
    sdk.conversations.create(contact_id=b["contact"]["id"], channel="voice")
    sdk.contacts.delete(sdk.contacts.list(filter={"name": "bulk 0"})["items"][0]["id"])
    kept = sdk.contacts.facets()
    assert kept == sdk.contacts.facets(filter=everyone)
    assert kept["total"] == 4
    assert values(kept, "industry") == {"Health": 1, "Retail": 1, "SaaS": 2}
    assert values(kept, "channel") == {"instagram": 1, "whatsapp": 1, "voice": 1}
    database.run(module.fold(tenant.id))
    assert sdk.contacts.facets() == kept

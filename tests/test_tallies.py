"""The pipeline and workload tallies the database keeps stay equal to a fresh count."""

from __future__ import annotations

import random
from typing import Any

from tests.conftest import Tenant

STAGES = ["qualification", "objection_handling", "closing", "won", "lost", "not_qualified"]
STATUSES = ["active", "inactive", "completed", "abandoned"]
AGENTS = ["qualifier", "closer", None]


def recounted(sdk: Any) -> dict[str, Any]:
    """Counts by aggregating the rows (a filter makes counts() aggregate, not read tallies)."""
    return sdk.pipeline.counts({"id": {"$exists": True}})


def workload_by_count(sdk: Any, statuses: list[str]) -> dict[str, int]:
    return {
        agent: sdk.conversations.count({"current_agent": agent, "status": {"$in": statuses}})
        for agent in ("qualifier", "closer")
    }


def test_tallies_follow_every_kind_of_write(tenant: Tenant) -> None:
    sdk = tenant.local()
    rng = random.Random(3)
    people = [sdk.contacts.create(name=f"Lead {i}")["id"] for i in range(4)]

    def random_conversation() -> dict[str, Any]:
        return {
            "contact_id": rng.choice(people),
            "channel": "whatsapp",
            "sales_stage": rng.choice(STAGES),
            "status": rng.choice(STATUSES),
            "current_agent": rng.choice(AGENTS),
        }

    ids = sdk.conversations.bulk_create([random_conversation() for _ in range(60)])
    ids += [sdk.conversations.create(random_conversation())["id"] for _ in range(10)]
    for conversation_id in rng.sample(ids, 25):
        where = sdk.conversations.transitions(conversation_id)
        sdk.conversations.update(
            conversation_id,
            # only allowed moves pass
            sales_stage=rng.choice([where["stage"], *where["allowed_next"]]),
            status=rng.choice(STATUSES),
            current_agent=rng.choice(AGENTS),
        )
    sdk.conversations.bulk_update({"sales_stage": "closing"}, {"status": "completed"})
    sdk.conversations.bulk_update({"current_agent": None}, {"current_agent": "closer"})
    for conversation_id in rng.sample(ids, 8):
        sdk.conversations.append_message(conversation_id, role="user", content="still here")
    survivors = set(ids)
    for conversation_id in rng.sample(ids, 6):
        sdk.conversations.delete(conversation_id)
        survivors.discard(conversation_id)
    sdk.contacts.delete(people[0])  # its conversations go with it

    assert sdk.pipeline.counts() == recounted(sdk)
    assert sdk.pipeline.counts()["total"] == sdk.conversations.count()
    for statuses in (["active"], ["active", "inactive"], STATUSES):
        held = {row["agent"]: row["count"] for row in sdk.pipeline.workload(statuses)["items"]}
        assert {a: held.get(a, 0) for a in ("qualifier", "closer")} == workload_by_count(
            sdk, statuses
        )


def test_oldest_and_newest_per_agent(tenant: Tenant) -> None:
    sdk = tenant.local()
    person = sdk.contacts.create(name="Lead")["id"]
    made = [
        sdk.conversations.create(
            contact_id=person, channel="sms", current_agent="closer", status=status
        )
        for status in ("active", "inactive", "active")
    ]
    row = next(r for r in sdk.pipeline.workload(["active", "inactive"])["items"])
    assert row["count"] == 3
    assert row["oldest_updated_at"] == made[0]["updated_at"]
    assert row["newest_updated_at"] == made[2]["updated_at"]
    only_inactive = sdk.pipeline.workload("inactive")["items"][0]
    assert only_inactive["oldest_updated_at"] == made[1]["updated_at"]

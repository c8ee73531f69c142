"""GET /v1/health/data: rows past retention, PII completion, orphaned sessions, volume, and
query performance from pg_stat_statements (which the embedded engine preloads); each org
sees its own; statement statistics for admins only."""

from __future__ import annotations

from typing import Any

import rapport
from tests.conftest import ServerThread, Tenant
from tests.test_retention import days_ago


def test_the_report_counts_what_is_there(sdk: Any) -> None:
    person = sdk.contacts.create(name="Ana")
    chat = sdk.conversations.create(contact_id=person["id"], channel="whatsapp")
    for n in range(3):
        sdk.conversations.append_message(chat["id"], role="user", content=f"hello {n}")
    sdk.conversations.append_message(
        chat["id"], role="user", content="from long ago", timestamp=days_ago(200)
    )
    sdk.conversations.create(contact_id=person["id"], channel="sms")  # a session, no messages

    health = sdk.health.data(days=7)
    assert health["past_retention"]["messages"] == 1
    assert health["past_retention"]["total"] == 1
    assert health["pii"]["policy"] == {"when": "off", "mode": "redact"}
    assert health["pii"]["completion"] is None
    assert health["orphaned_sessions"] == {"without_messages": 1, "never_had_messages": 1}
    volume = health["volume"]
    assert (volume["contacts"], volume["sessions"], volume["messages"]) == (1, 2, 4)
    assert volume["messages_per_session"] == {"mean": 2.0, "p50": 2.0, "p95": 3.8}
    assert volume["active_contacts"] == {"last_7_days": 1, "last_30_days": 1}
    per_day = volume["sessions_per_day"]
    assert len(per_day) == 7
    assert per_day[-1]["sessions"] == 2
    assert sum(d["sessions"] for d in per_day) == 2

    sdk.update_org(settings={"pii": {"when": "within_24h"}})  # the backlog, for the sweep
    assert sdk.health.data()["pii"] | {"policy": None} == {
        "policy": None,
        "completion": 0.0,
        "pending": 4,
        "scrubbed": 0,
    }

    performance = health["query_performance"]  # the SDK fixture holds an owner's rights
    assert performance["available"] is True
    assert performance["statements"]
    assert all("$1" in s["query"] or "%" not in s["query"] for s in performance["statements"])
    assert "hello 1" not in str(performance)  # texts carry placeholders, never values


def test_each_org_sees_its_own_and_only_admins_see_statements(
    server: ServerThread, tenant: Tenant, other_tenant: Tenant
) -> None:
    with tenant.local() as mine:
        person = mine.contacts.create(name="Bo")
        mine.conversations.create(contact_id=person["id"], channel="sms")
    with rapport.Client(server.url, other_tenant.key("admin")) as theirs:
        report = theirs.health.data()
        assert report["volume"]["contacts"] == 0
        assert report["orphaned_sessions"]["without_messages"] == 0
    with rapport.Client(server.url, tenant.key("viewer")) as viewer:
        report = viewer.health.data()
        assert report["volume"]["sessions"] == 1
        assert "query_performance" not in report

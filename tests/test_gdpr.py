"""GDPR: a person's data exported (JSON and CSV) and erased everywhere, with a signed
receipt that can be checked later; a legal hold refuses erasure; admins only, each org its
own. Both SDK transports, on the real database; the erasure is proven by searching every
table for the person's unique text afterwards."""

from __future__ import annotations

import base64
import csv
import io
import time
from typing import Any

import httpx
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

import rapport
from rapport import errors
from tests.conftest import ServerThread, Tenant

UNIQUE = "zyxquorblat"  # the person's own word: nowhere once they are erased


def _person(r: Any, word: str = UNIQUE, phone: str = "+1 415 555 0111") -> dict[str, Any]:
    """A lead with something in every part of the store."""
    person = r.contacts.create(name=f"Ana {word}", email=f"{word}@example.com", phone=phone)
    chat = r.conversations.create(contact_id=person["id"], channel="whatsapp",
                                  follow_up={"required": True, "reason": f"call {word}",
                                             "scheduled_date": "2030-01-07T09:00:00Z"})  # fmt: skip
    r.conversations.append_message(
        chat["id"], role="user",
        content=f"Too expensive for {word} corp. Mail me at ana.{word}@example.org",
    )  # fmt: skip
    r.conversations.append_message(chat["id"], role="user", content=f"{word}: budget is $9k")
    r.conversations.append_message(chat["id"], role="user", content=f"{word}: budget is $12k")
    r.conversations.append_message(chat["id"], role="assistant", content=f"Thanks {word}!")
    agent = r.agents.create(name=f"closer-{phone[-4:]}", role="closer")  # not theirs
    r.agents.put_state(agent["id"], person["id"], state={"note": f"likes {word}"})
    r.conversations.move(chat["id"], stage="objection_handling", reason=f"{word} balked")
    notes = {"notes": f"{word} on the phone"}
    r.calls.create(contact_id=person["id"], start_time="2025-01-15T14:00:00Z",
                   conversation_id=chat["id"], metadata=notes)  # fmt: skip
    said = {"speaker": "prospect", "text": f"{word} speaking", "timestamp": "2025-01-15T15:00:05Z"}
    r.calls.learn({"lead": {"phone": phone, "first_name": "Ana", "last_name": word},
                   "call": {"external_id": f"CA-{word}", "start_time": "2025-01-15T15:00:00Z",
                            "outcome": "callback"},
                   "transcript": [said]})  # fmt: skip
    r.enrichment.flush()
    return {"contact": person, "conversation": chat, "agent": agent}


def test_export_has_everything_held_about_the_person(sdk: Any) -> None:
    sdk.update_org(settings={"pii": {"when": "ingest", "mode": "tokenize"}})
    made = _person(sdk)
    other = _person(sdk, "otherperson", "+1 415 555 0122")
    got = sdk.gdpr.export(made["contact"]["id"])
    assert got["contact"]["id"] == made["contact"]["id"]
    chats = [c["id"] for c in got["conversations"]]  # the chat, and the call's
    assert len(chats) == 2
    assert made["conversation"]["id"] in chats
    assert len(got["messages"]) == 5  # with the call's transcript
    assert "zyxquorblat speaking" in {m["content"] for m in got["messages"]}
    assert "ana.zyxquorblat@example.org" not in str(got["messages"])  # tokenised when stored
    assert {p["value"] for p in got["personal_data"]} == {"ana.zyxquorblat@example.org"}
    budgets = [m for m in got["memories"] if m["key"] == "budget"]
    assert len(budgets) == 2
    assert sum(m["valid_to"] is None for m in budgets) == 1
    assert got["objections"]
    assert got["objections"][0]["type"] == "price"
    assert len(got["calls"]) == 2
    assert len(got["follow_ups"]) == 1
    assert got["stage_transitions"][0]["to_stage"] == "objection_handling"
    assert got["agent_states"][0]["state"] == {"note": "likes zyxquorblat"}
    assert got["summaries"][0]["contact_id"] == made["contact"]["id"]
    assert "otherperson" not in str(got)

    text = sdk.gdpr.export(made["contact"]["id"], format="csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    sections = {row["section"] for row in rows}
    assert {"contact", "conversations", "messages", "memories", "objections", "calls",
            "follow_ups", "stage_transitions", "agent_states", "summaries",
            "personal_data"} <= sections  # fmt: skip
    assert sum(row["section"] == "messages" for row in rows) == 5
    assert any(row["text"] == "zyxquorblat: budget is $12k" for row in rows)
    exports = sdk.audit.list(filter={"action": "gdpr.export"})["items"]
    assert len(exports) == 2
    assert {e["target"] for e in exports} == {made["contact"]["id"]}
    assert other["contact"]["id"] not in str(exports)


def _holding(database_url: str, needle: str) -> dict[str, int]:
    """Every table (as the superuser) with rows whose text holds ``needle``."""
    found = {}
    with psycopg.connect(database_url) as conn:
        tables = conn.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
            "AND relkind IN ('r', 'p') ORDER BY 1"
        ).fetchall()
        for (table,) in tables:
            n = conn.execute(
                f"SELECT count(*) FROM {table} AS t WHERE t::text ILIKE %s", [f"%{needle}%"]
            ).fetchone()
            if n and n[0]:
                found[table] = n[0]
    return found


def test_erasure_leaves_nothing_of_the_person_and_a_receipt_that_verifies(
    sdk: Any, database_url: str
) -> None:
    sdk.update_org(settings={"pii": {"when": "ingest", "mode": "tokenize"}})
    made = _person(sdk)
    kept = _person(sdk, "keptperson", "+1 415 555 0133")
    person = made["contact"]["id"]
    before = sdk.pipeline.counts()
    assert set(_holding(database_url, UNIQUE)) >= {"contacts", "messages", "memories"}

    receipt = sdk.gdpr.erase(person)
    assert set(receipt) == {"id", "contact_id", "erased_at", "counts", "receipt_signature"}
    assert receipt["contact_id"] == person
    counts = receipt["counts"]
    assert counts["contacts"] == 1
    assert counts["conversations"] == 2
    assert counts["messages"] == 5
    assert counts["memories"] >= 2
    assert counts["embeddings"] >= 5
    assert counts["objections"] == 1
    assert counts["calls"] == 2
    assert counts["follow_ups"] == 1
    assert counts["agent_states"] == 1
    assert counts["summaries"] == 1
    assert counts["vaulted"] == 1

    assert _holding(database_url, UNIQUE) == {}  # every table, every row
    assert "contacts" not in _holding(database_url, person)  # the receipt keeps the id
    assert set(_holding(database_url, person)) <= {"erasures", "audit_events"}
    with pytest.raises(errors.NotFound):
        sdk.contacts.get(person)
    assert sdk.messages.search(UNIQUE)["items"] == []
    found = sdk.search(f"{UNIQUE} budget")["results"]  # hybrid: neither index has them
    assert found
    assert UNIQUE not in str(found)
    assert person not in str(found)
    assert sdk.gdpr.export(kept["contact"]["id"])["contact"]["name"] == "Ana keptperson"

    # The pipeline's counts still add up to what is stored.
    after = sdk.pipeline.counts()
    assert after["total"] == before["total"] - 2 == sdk.conversations.count()
    for stage, bucket in after["stages"].items():
        assert bucket["total"] == sdk.conversations.count(filter={"sales_stage": stage})

    checked = sdk.gdpr.receipt(receipt["id"])
    assert checked["valid"] is True
    assert checked["algorithm"] == "Ed25519"
    assert {k: checked[k] for k in receipt} == receipt
    public = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(checked["public_key"]))
    public.verify(
        base64.urlsafe_b64decode(receipt["receipt_signature"]), checked["signed"].encode()
    )  # fmt: skip  (raises if it does not verify)

    assert sdk.gdpr.erase(person) == receipt  # a retry: the same receipt
    with psycopg.connect(database_url, autocommit=True) as conn:  # tampered with, as the owner
        conn.execute("UPDATE erasures SET counts = counts || '{\"messages\": 1}' WHERE id = %s",
                     [receipt["id"]])  # fmt: skip
    assert sdk.gdpr.receipt(receipt["id"])["valid"] is False


def test_a_legal_hold_refuses_erasure_and_nothing_goes(sdk: Any) -> None:
    made = _person(sdk)
    hold = sdk.legal_holds.create(conversation_id=made["conversation"]["id"], reason="Case 7")
    with pytest.raises(errors.Conflict, match=f"legal hold {hold['id']}.*Case 7"):
        sdk.gdpr.erase(made["contact"]["id"])
    assert sdk.messages.count(filter={"conversation_id": made["conversation"]["id"]}) == 4
    assert sdk.contacts.get(made["contact"]["id"])["name"] == f"Ana {UNIQUE}"
    sdk.legal_holds.delete(hold["id"])
    assert sdk.gdpr.erase(made["contact"]["id"])["counts"]["messages"] == 5


def test_erasure_over_http_answers_201_then_200_and_needs_an_admin(
    server: ServerThread, tenant: Tenant, other_tenant: Tenant
) -> None:
    with tenant.local() as r:
        person = r.contacts.create(name="Bo")
    headers = {"Authorization": f"Bearer {tenant.key('admin')}"}
    with httpx.Client(base_url=server.url, headers=headers) as http:
        for role in ("viewer", "operator"):
            weaker = {"Authorization": f"Bearer {tenant.key(role)}"}
            erase = http.post(f"/v1/contacts/{person['id']}/erase", headers=weaker)
            assert erase.status_code == 403
            export = http.get(f"/v1/contacts/{person['id']}/export", headers=weaker)
            assert export.status_code == 403
        theirs = {"Authorization": f"Bearer {other_tenant.key('admin')}"}
        assert http.post(f"/v1/contacts/{person['id']}/erase", headers=theirs).status_code == 404
        assert http.get(f"/v1/contacts/{person['id']}/export", headers=theirs).status_code == 404
        csv_answer = http.get(f"/v1/contacts/{person['id']}/export", params={"format": "csv"})
        assert csv_answer.headers["content-type"].startswith("text/csv")
        assert "attachment" in csv_answer.headers["content-disposition"]
        wrong = http.get(f"/v1/contacts/{person['id']}/export", params={"format": "xml"})
        assert wrong.status_code == 400
        assert "format" in wrong.text
        first = http.post(f"/v1/contacts/{person['id']}/erase")
        assert first.status_code == 201, first.text
        again = http.post(f"/v1/contacts/{person['id']}/erase")
        assert again.status_code == 200
        assert again.json() == first.json()
        receipt = first.json()["id"]
        assert http.get(f"/v1/erasures/{receipt}", headers=theirs).status_code == 404
        assert http.get(f"/v1/erasures/{receipt}").json()["valid"] is True
        assert http.post("/v1/contacts/not-an-id/erase").status_code == 404
        erasures = http.get("/v1/audit", params={"filter": '{"action": "gdpr.erase"}'}).json()
        assert [e["target"] for e in erasures["items"]] == [person["id"]] * 2  # and its retry
    with rapport.Client(server.url, tenant.key("admin")) as client:
        assert client.gdpr.receipt(receipt)["contact_id"] == person["id"]


def test_two_erasures_of_one_person_at_once_return_one_receipt(
    tenant: Tenant, database_url: str
) -> None:
    import threading

    with tenant.local() as r:
        person = r.contacts.create(name="Twice")
        chat = r.conversations.create(contact_id=person["id"], channel="sms")
        r.conversations.append_message(chat["id"], role="user", content="hello")
    got: list[Any] = []
    with psycopg.connect(database_url) as blocker:  # holds the contact while both start
        blocker.execute("SELECT FROM contacts WHERE id = %s FOR UPDATE", [person["id"]])

        def erase() -> None:
            with tenant.local() as r:
                got.append(r.gdpr.erase(person["id"]))

        threads = [threading.Thread(target=erase) for _ in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(0.5)  # both wait on the lock
        blocker.rollback()
        for thread in threads:
            thread.join(timeout=30)
    assert len(got) == 2
    assert got[0] == got[1]
    assert got[0]["counts"]["messages"] == 1

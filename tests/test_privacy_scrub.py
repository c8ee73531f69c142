"""PII scrubbing per org: on ingest or within 24 hours, redacted, masked or tokenised into a
vault only admins can reverse; everything derived (embeddings, search entries, memories,
extraction) read from the scrubbed text; the completion rate exposed. Both SDK transports,
on the real database, the real model and the real worker's sweep."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest

import rapport
from rapport import errors
from rapport.privacy import scrubbing
from tests.conftest import ServerThread, Tenant

SAID = "Reach me at ana.souza@example.com or +1 415 555 2671, my budget is $9k"


def _stored(database_url: str, message_id: str) -> tuple[str, bool]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT content, pii_scrubbed FROM messages WHERE id = %s", [message_id]
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def _everything_text(database_url: str) -> str:
    """Every text column of the tables scrubbing must reach, as one string."""
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT string_agg(content, ' ') FROM messages UNION ALL "
            "SELECT string_agg(text || ' ' || value::text, ' ') FROM memories UNION ALL "
            "SELECT string_agg(coalesce(description, '') || coalesce(resolution, ''), ' ') "
            "FROM objections"
        ).fetchall()
    return " ".join(r[0] or "" for r in rows)


@pytest.mark.parametrize("mode", ["redact", "mask", "tokenize"])
def test_ingest_scrubs_before_anything_is_stored(sdk: Any, database_url: str, mode: str) -> None:
    sdk.update_org(settings={"pii": {"when": "ingest", "mode": mode}})
    person = sdk.contacts.create(name="Ana")
    chat = sdk.conversations.create(contact_id=person["id"], channel="whatsapp")
    message = sdk.conversations.append_message(chat["id"], role="user", content=SAID)
    content, scrubbed = _stored(database_url, message["id"])
    assert scrubbed
    assert message["pii_scrubbed"] is True
    assert "ana.souza@example.com" not in content
    assert "555 2671" not in content
    assert "budget is $9k" in content  # what is not personal data stays
    if mode == "redact":
        assert content.startswith("Reach me at [EMAIL] or [PHONE]")
    elif mode == "mask":
        assert "@example.com" in content
        assert "[EMAIL]" not in content
    else:
        assert "[EMAIL:" in content
        assert "[PHONE:" in content
    sdk.enrichment.flush()
    assert "ana.souza" not in _everything_text(database_url)
    assert sdk.messages.search("ana.souza@example.com")["items"] == []
    assert sdk.pii.status()["completion"] == 1.0


def test_tokens_are_revealed_to_admins_only_and_each_reveal_is_audited(
    server: ServerThread, tenant: Tenant
) -> None:
    with rapport.Client(server.url, tenant.key("admin")) as admin:
        admin.update_org(settings={"pii": {"when": "ingest", "mode": "tokenize"}})
        person = admin.contacts.create(name="Ana")
        chat = admin.conversations.create(contact_id=person["id"], channel="whatsapp")
        message = admin.conversations.append_message(chat["id"], role="user", content=SAID)
        again = admin.conversations.append_message(
            chat["id"], role="user", content="again: ana.souza@example.com"
        )
        text = admin.messages.get(message["id"])["content"]
        token = text.split("[EMAIL:")[1][:16]
        assert token in admin.messages.get(again["id"])["content"]  # same value, same token

        shown = admin.pii.reveal(text=text)
        assert shown["text"] == SAID
        assert shown["tokens"][token] == {"kind": "email", "value": "ana.souza@example.com"}
        unknown = admin.pii.reveal(tokens=["0123456789abcdef"])
        assert unknown == {"tokens": {}, "unknown": ["0123456789abcdef"]}
        assert admin.pii.reveal() == {"tokens": {}, "unknown": []}

        audit = admin.audit.list(filter={"action": "pii.reveal"})["items"]
        assert len(audit) == 3
        assert "ana.souza" not in str(audit)

    for role in ("viewer", "operator"):
        with rapport.Client(server.url, tenant.key(role)) as weaker:
            with pytest.raises(errors.Forbidden):
                weaker.pii.reveal(text=text)
            assert weaker.pii.status()["vaulted"] == 2  # an email and a phone number


def test_another_org_cannot_reveal_tokens(tenant: Tenant, other_tenant: Tenant) -> None:
    with tenant.local() as mine, other_tenant.local() as theirs:
        mine.update_org(settings={"pii": {"when": "ingest", "mode": "tokenize"}})
        person = mine.contacts.create(name="Ana")
        chat = mine.conversations.create(contact_id=person["id"], channel="sms")
        text = mine.conversations.append_message(chat["id"], role="user", content=SAID)["content"]
        assert mine.pii.reveal(text=text)["text"] == SAID
        shown = theirs.pii.reveal(text=text)
        assert shown["tokens"] == {}
        assert shown["text"] == text
        assert len(shown["unknown"]) == 2


def test_within_24h_scrubs_in_enrichment_before_anything_is_derived(
    sdk: Any, database_url: str
) -> None:
    sdk.update_org(settings={"pii": {"when": "within_24h", "mode": "redact"}})
    person = sdk.contacts.create(name="Bea")
    chat = sdk.conversations.create(contact_id=person["id"], channel="whatsapp")
    message = sdk.conversations.append_message(
        chat["id"], role="user", content="my email is bea.lima@example.org, budget is $20k"
    )
    sdk.enrichment.flush()
    content, scrubbed = _stored(database_url, message["id"])
    assert scrubbed
    assert content == "my email is [EMAIL], budget is $20k"
    assert "bea.lima" not in _everything_text(database_url)
    assert sdk.memories.count(filter={"contact_id": person["id"], "key": "budget"}) == 1
    status = sdk.pii.status()
    assert status["pending"] == 0
    assert status["completion"] == 1.0
    assert status["policy"] == {"when": "within_24h", "mode": "redact"}


def test_the_sweep_scrubs_what_was_stored_before_and_what_it_left(
    tenant: Tenant, database_url: str
) -> None:
    with tenant.local() as r:
        person = r.contacts.create(name="Cai")
        chat = r.conversations.create(contact_id=person["id"], channel="whatsapp")
        said = "Too expensive, ring 415-555-0199 please. Mail cai.wu@example.net, budget $40k"
        old = r.conversations.append_message(chat["id"], role="user", content=said)
        clean = r.conversations.append_message(chat["id"], role="user", content="thanks!")
        r.enrichment.flush()
        assert r.pii.status()["completion"] is None  # scrubbing is off
        assert "ring 415-555-0199 please" in _everything_text(database_url).split("Objection")[1]

        assert tenant.id not in tenant.database.run(scrubbing.scrubbing_orgs())
        r.update_org(settings={"pii": {"when": "within_24h", "mode": "mask"}})
        assert tenant.id in tenant.database.run(scrubbing.scrubbing_orgs())  # the worker's list
        assert r.pii.status()["completion"] == 0.0
        done = tenant.database.run(scrubbing.sweep(tenant.id))
        assert done["messages"] == 2
        assert done["changed"] == 1
        assert done["derived"] >= 1
        assert tenant.database.run(scrubbing.sweep(tenant.id))["messages"] == 0
        r.enrichment.flush()  # the changed message is read again, from its scrubbed text

        content, _ = _stored(database_url, old["id"])
        assert "cai.wu@" not in content
        assert "$40k" in content
        assert _stored(database_url, clean["id"]) == ("thanks!", True)
        assert "cai.wu@" not in _everything_text(database_url)
        assert "555-0199" not in _everything_text(database_url)
        assert r.messages.search("cai.wu")["items"] == []
        assert r.memories.count(filter={"contact_id": person["id"], "key": "budget"}) == 1
        assert r.pii.status()["completion"] == 1.0


def test_an_edit_is_scrubbed_too(sdk: Any, database_url: str) -> None:
    sdk.update_org(settings={"pii": {"when": "ingest", "mode": "redact"}})
    person = sdk.contacts.create(name="Dee")
    chat = sdk.conversations.create(contact_id=person["id"], channel="sms")
    message = sdk.conversations.append_message(chat["id"], role="user", content="hello")
    edited = sdk.messages.update(message["id"], content="now: dee@example.com")
    assert edited["content"] == "now: [EMAIL]"
    assert _stored(database_url, message["id"]) == ("now: [EMAIL]", True)


def test_a_bad_policy_is_refused_and_changes_nothing(sdk: Any) -> None:
    with pytest.raises(errors.ValidationFailed, match=r"settings\.pii\.when"):
        sdk.update_org(settings={"pii": {"when": "sometimes"}})
    assert sdk.pii.status()["policy"] == {"when": "off", "mode": "redact"}


def test_retention_takes_vaulted_tokens_as_old_as_the_messages_it_expires(
    tenant: Tenant, database_url: str
) -> None:
    with tenant.local() as r:
        r.update_org(settings={"pii": {"when": "ingest", "mode": "tokenize"}})
        person = r.contacts.create(name="Eve")
        chat = r.conversations.create(contact_id=person["id"], channel="sms")
        r.conversations.append_message(chat["id"], role="user", content="eve@example.com")
        r.conversations.append_message(chat["id"], role="user", content="+1 415 555 0144")
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(
                "UPDATE pii_vault SET vaulted_at = now() - interval '200 days' WHERE kind = 'email'"
            )
        assert r.retention.run()["removed"]["pii_tokens"] == 1
        assert r.pii.status()["vaulted"] == 1  # the phone number's token is recent


def test_in_an_org_that_scrubs_pii_scrubbed_is_rapports_to_set(sdk: Any, database_url: str) -> None:
    sdk.update_org(settings={"pii": {"when": "within_24h", "mode": "redact"}})
    person = sdk.contacts.create(name="Fay")
    chat = sdk.conversations.create(contact_id=person["id"], channel="sms")
    said = "fay@example.com, trust me"
    message = sdk.conversations.append_message(
        chat["id"], role="user", content=said, pii_scrubbed=True
    )
    sdk.enrichment.flush()  # not the caller's to say: the scrubber read it
    assert _stored(database_url, message["id"]) == ("[EMAIL], trust me", True)
    with pytest.raises(errors.BadRequest, match="pii_scrubbed: in an org that scrubs"):
        sdk.messages.update(message["id"], pii_scrubbed=False)
    with pytest.raises(errors.BadRequest, match="pii_scrubbed"):
        sdk.messages.bulk_update({"conversation_id": chat["id"]}, {"pii_scrubbed": True})
    with pytest.raises(errors.ValidationFailed, match=r"set\.content: unknown field"):
        sdk.messages.bulk_update({"conversation_id": chat["id"]}, {"content": "x@example.com"})
    assert _stored(database_url, message["id"]) == ("[EMAIL], trust me", True)


def test_a_policy_changed_by_another_server_is_the_one_the_next_request_appends_under(
    server: ServerThread, tenant: Tenant, database_url: str
) -> None:
    with rapport.Client(server.url, tenant.key("operator")) as r:
        person = r.contacts.create(name="Gil")
        chat = r.conversations.create(contact_id=person["id"], channel="sms")
        r.conversations.append_message(chat["id"], role="user", content="hi")  # cached: off
        with psycopg.connect(database_url, autocommit=True) as conn:  # as another server would
            conn.execute(
                "UPDATE orgs SET settings = settings || "
                '\'{"pii": {"when": "ingest", "mode": "redact"}}\' WHERE org_id = %s',
                [tenant.id],
            )
        message = r.conversations.append_message(chat["id"], role="user", content="gil@example.com")
        assert _stored(database_url, message["id"]) == ("[EMAIL]", True)
        assert r.pii.status()["policy"] == {"when": "ingest", "mode": "redact"}

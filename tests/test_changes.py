"""The change stream: writes publish org-scoped changes to an outbox with a NOTIFY; readers
page through them or follow them as server-sent events, resuming from the last id seen and
missing nothing, even when transactions commit out of order; against the real database and
a real HTTP server."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import httpx
import psycopg
import pytest

from rapport import errors
from tests.conftest import ServerThread, Store, Tenant


def kinds(page: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["kind"], c["op"]) for c in page["items"]]


def test_writes_are_read_back_in_order_from_any_position(sdk: Any, other_tenant: Tenant) -> None:
    """A page from now holds nothing; what is written next is there, in order, with its
    ids; reading on from any change's id gives the rest; no other org sees any of it."""
    start = sdk.changes.list()
    assert start["items"] == []
    person = sdk.contacts.create(name="Ana")
    talk = sdk.conversations.create(contact_id=person["id"], channel="instagram")
    said = sdk.messages.create(conversation_id=talk["id"], role="user", content="hi")
    page = sdk.changes.list(after=start["next"])
    assert ("contacts", "insert") in kinds(page)
    assert ("messages", "insert") in kinds(page)
    inserted = {c["kind"]: c for c in page["items"] if c["op"] == "insert"}
    assert inserted["contacts"]["ids"] == [person["id"]]
    assert inserted["conversations"]["ids"] == [talk["id"]]
    assert inserted["messages"]["ids"] == [said["id"]]
    assert inserted["messages"]["count"] == 1
    positions = [c["id"] for c in page["items"]]
    assert page["next"] == positions[-1]
    assert len(set(positions)) == len(positions)

    rest = sdk.changes.list(after=positions[0])
    assert [c["id"] for c in rest["items"]] == positions[1:]
    assert sdk.changes.list(after=page["next"])["items"] == []
    assert sdk.changes.list(after=start["next"], limit=1)["items"][0]["id"] == positions[0]

    sdk.contacts.delete(person["id"])
    gone = sdk.changes.list(after=page["next"])
    assert ("contacts", "delete") in kinds(gone)
    with other_tenant.local() as theirs:
        assert theirs.changes.list(after="0")["items"] == []
    with pytest.raises(errors.BadRequest, match="after"):
        sdk.changes.list(after="yesterday")


def test_a_transaction_that_commits_late_comes_after_one_that_committed_first(
    store: Store, tenant: Tenant
) -> None:
    """Transaction A writes first and commits last: numbered as they commit, B's change
    comes first and A's after it, so a reader that read B's before A committed still
    reads A's (ordering by when each wrote would have put A's behind it, unseen)."""
    with tenant.local() as sdk:
        start = sdk.changes.list()["next"]
        early = psycopg.connect(store.url)
        late = psycopg.connect(store.url)
        try:
            early.execute("INSERT INTO contacts (org_id, name) VALUES (%s, 'early')", (tenant.id,))
            late.execute("INSERT INTO contacts (org_id, name) VALUES (%s, 'late')", (tenant.id,))
            late.commit()
            first = sdk.changes.list(after=start)
            assert kinds(first) == [("contacts", "insert")]  # only B's: A is not committed
            early.commit()
            then = sdk.changes.list(after=first["next"])
            assert kinds(then) == [("contacts", "insert")]
        finally:
            early.close()
            late.close()
        names = [sdk.contacts.get(c["items"][0]["ids"][0])["name"] for c in (first, then)]
        assert names == ["late", "early"]
        assert int(then["next"]) == int(first["next"]) + 1


def events(response: httpx.Response, wanted: int, timeout: float) -> list[dict[str, Any]]:
    """The next ``wanted`` events of an open stream (ids and data), within ``timeout``."""
    found: list[dict[str, Any]] = []
    event: dict[str, Any] = {}
    deadline = time.monotonic() + timeout
    for line in response.iter_lines():
        if line.startswith("id:"):
            event["id"] = line[3:].strip()
        elif line.startswith("data:"):
            event["data"] = json.loads(line[5:].strip())
        elif line == "" and "data" in event:
            found.append(event)
            event = {}
            if len(found) == wanted:
                return found
        if time.monotonic() > deadline:
            break
    return found


def test_the_stream_serves_each_write_within_a_second_and_resumes(
    server: ServerThread, tenant: Tenant, other_tenant: Tenant
) -> None:
    """GET /v1/changes/stream: a write through the API arrives as an event within a second;
    a reconnect with Last-Event-ID gets what was written meanwhile, once; another org's
    stream shows none of it; ?seconds= ends the stream."""
    headers = {"Authorization": f"Bearer {tenant.key('viewer')}"}
    theirs = {"Authorization": f"Bearer {other_tenant.key('viewer')}"}
    with tenant.local() as sdk:
        person = sdk.contacts.create(name="Ana")
    with httpx.Client(base_url=server.url, timeout=10) as client:
        with client.stream("GET", "/v1/changes/stream", headers=headers,
                           params={"seconds": 5}) as live:  # fmt: skip
            assert live.status_code == 200
            assert live.headers["content-type"].startswith("text/event-stream")
            written = time.monotonic()
            threading.Timer(0.2, lambda: client.post(
                "/v1/conversations", headers={"Authorization": f"Bearer {tenant.key('admin')}"},
                json={"contact_id": person["id"], "channel": "sms"})).start()  # fmt: skip
            first = events(live, 1, timeout=3)
            assert time.monotonic() - written < 1.2 + 0.2
        assert first[0]["data"]["kind"] in ("conversations", "contacts")
        last = first[0]["id"]

        with tenant.local() as sdk:
            sdk.contacts.create(name="Ben")  # while no one listens
        with client.stream("GET", "/v1/changes/stream", params={"seconds": 2},
                           headers={**headers, "Last-Event-ID": last}) as again:  # fmt: skip
            caught = events(again, 10, timeout=3)
        assert last not in [e["id"] for e in caught]
        assert any(e["data"]["kind"] == "contacts" and e["data"]["op"] == "insert"
                   for e in caught)  # fmt: skip

        with client.stream("GET", "/v1/changes/stream", headers=theirs,
                           params={"seconds": 1, "after": "0"}) as other:  # fmt: skip
            assert events(other, 1, timeout=3) == []
        bad = client.get("/v1/changes/stream", headers=headers, params={"after": "soon"})
        assert bad.status_code in (400, 422)
        assert client.get("/v1/changes/stream").status_code == 401


def test_the_sweep_prunes_changes_older_than_a_day(store: Store, tenant: Tenant) -> None:
    from rapport.changes import feed

    with tenant.local() as sdk:
        start = sdk.changes.list()["next"]
        sdk.contacts.create(name="Old")
        sdk.contacts.create(name="New")
        made = sdk.changes.list(after=start)["items"]
        with psycopg.connect(store.url, autocommit=True) as owner:
            owner.execute("UPDATE changes SET at = now() - interval '2 days' WHERE seq = %s "
                          "AND org_id = %s", [int(made[0]["id"]), tenant.id])  # fmt: skip
        assert store.database.run(feed.prune()) == 1
        assert [c["id"] for c in sdk.changes.list(after=start)["items"]] == [made[1]["id"]]

"""Organization isolation and roles, against the real server (and the SDK both ways).

Two organizations, A and B, each get the same small world: a contact, a conversation with a
message, an objection, an agent, a user, and the contact's interaction summary. Every check
below is made with B's key against A's ids, and then A's world is read back through A's key
to prove nothing moved. The same calls with A's key (or with B's own ids) are the control:
they find what B must not, so a filter that matched nothing for anybody could not pass.

The checks that write nothing to A share one pair of organizations per module (``shared``);
tests that write on purpose get fresh ones from the ``tenant``/``other_tenant`` fixtures.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

import rapport
from rapport import errors
from rapport.resources.catalog import RESOURCES
from rapport.tenancy import api_keys, orgs

SCHEDULED = "2030-01-15T09:00:00+00:00"
WINDOW = {"from": "2030-01-15T00:00:00Z", "to": "2030-01-16T00:00:00Z"}

# What each organization's world is made of; the values differ so any leak is visible.
FLAVOURS = {
    "a": {"word": "aardvarkalpha", "intent": "intent_alpha", "agent": "alpha-qualifier"},
    "b": {"word": "bumblebeebravo", "intent": "intent_bravo", "agent": "bravo-qualifier"},
}

# A valid PATCH for each resource: what a leaking update would write. None of them changes
# what the views (pipeline, workload, search, analytics) count.
PATCHES: dict[str, dict[str, Any]] = {
    "contacts": {"name": "Overwritten", "tags": ["stolen"]},
    "conversations": {"outlet_id": "stolen", "context": {"stolen": True}},
    "messages": {"phase": "stolen"},
    "objections": {"description": "stolen"},
    "agents": {"visibility": "public"},
    "interaction-summaries": {"metadata": {"stolen": True}},
    "users": {"name": "Overwritten"},
    "memories": {"metadata": {"stolen": True}},
    "knowledge": {"source": "stolen"},
    "follow-ups": {"notes": "stolen"},
    "calls": {"closer": "stolen"},
    "legal-holds": {"reason": "stolen"},
    "feedback": {"text": "stolen"},
    "prompt-variants": {"template": "stolen"},
    "experiments": {"min_sample": 1},
    "triggers": {"reason": "stolen"},
}
# Rows each world holds per resource: one, but two prompt variants (its experiment's).
ROWS = {**dict.fromkeys(RESOURCES, 1), "prompt-variants": 2}


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> dict:
    """``response`` is an RFC 9457 problem document with ``status`` (and ``field``)."""
    request = response.request
    assert response.status_code == status, f"{request.method} {request.url}: {response.text}"
    if request.method == "HEAD":
        return {}
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("https://")
    assert problem["title"]
    assert problem["detail"]
    if field is not None:
        assert problem.get("field") == field, problem
    return problem


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


class World:
    """One organization's rows, made over HTTP with its admin key."""

    def __init__(self, client: httpx.Client, flavour: str) -> None:
        self.client = client
        self.flavour = FLAVOURS[flavour]
        word, intent, agent = (self.flavour[k] for k in ("word", "intent", "agent"))
        contact = ok(
            client.post(
                "/v1/contacts",
                json={
                    "external_id": "crm-42",
                    "name": "Jane Doe",
                    "phone": "+6591234567",
                    "email": "jane@example.com",
                    "instagram_handle": "jane.doe",
                },
            ),
            201,
        )
        conversation = ok(
            client.post(
                "/v1/conversations",
                json={
                    "contact_id": contact["id"],
                    "external_id": "thread-1",
                    "channel": "whatsapp",
                    "current_agent": agent,
                    "follow_up": {"required": True, "scheduled_date": SCHEDULED},
                    "metadata": {"campaign": f"campaign-{flavour}"},
                },
            ),
            201,
        )
        message = ok(
            client.post(
                f"/v1/conversations/{conversation['id']}/messages",
                json={
                    "external_id": "wamid-1",
                    "role": "user",
                    "content": f"Is the {word} plan available?",
                    "intent": intent,
                    "confidence": 0.9,
                    "sentiment": 0.5,
                    "language": "en",
                },
            ),
            201,
        )
        objection = ok(
            client.post(
                "/v1/objections", json={"conversation_id": conversation["id"], "type": "price"}
            ),
            201,
        )
        agent_row = ok(client.post("/v1/agents", json={"name": agent, "role": "qualifier"}), 201)
        user = ok(client.post("/v1/users", json={"email": "ops@example.com"}), 201)
        memory = ok(
            client.post(
                "/v1/memories",
                json={"contact_id": contact["id"], "key": "fact.plan", "value": f"the {word} plan"},
            ),
            201,
        )
        document = ok(
            client.post(
                "/v1/knowledge", json={"title": f"{word} FAQ", "text": f"All about {word}."}
            ),
            201,
        )
        # The conversation's follow_up (seed 000) is its follow-up record.
        [follow_up] = ok(client.get("/v1/follow-ups"))["items"]
        call = ok(
            client.post(
                "/v1/calls",
                json={"contact_id": contact["id"], "start_time": "2025-01-15T14:00:00Z"},
            ),
            201,
        )
        hold = ok(
            client.post(
                "/v1/legal-holds", json={"contact_id": contact["id"], "reason": "Dispute 114"}
            ),
            201,
        )
        feedback = ok(
            client.post(
                "/v1/feedback", json={"message_id": message["id"], "kind": "csat", "score": 5}
            ),
            201,
        )
        variants = [
            ok(client.post("/v1/prompt-variants",
                           json={"agent": agent, "name": name, "template": f"{word} {name}"}), 201)
            for name in ("short", "long")
        ]  # fmt: skip
        experiment = ok(
            client.post("/v1/experiments", json={
                "name": "opening", "agent": agent, "variants": [v["id"] for v in variants],
                "control": variants[0]["id"]}),
            201,
        )  # fmt: skip
        trigger = ok(
            client.post("/v1/triggers", json={"name": "nudge", "when": "read_no_reply",
                                              "after": "24h"}),
            201,
        )  # fmt: skip
        ok(client.post("/v1/enrichment/flush"), 200)  # enrichment's writes land before the snapshot
        self.ids: dict[str, str] = {
            "contacts": contact["id"],
            "conversations": conversation["id"],
            "messages": message["id"],
            "objections": objection["id"],
            "agents": agent_row["id"],
            "users": user["id"],
            "interaction-summaries": contact["id"],  # a summary's id is its contact's
            "memories": memory["id"],
            "knowledge": document["id"],
            "follow-ups": follow_up["id"],
            "calls": call["id"],
            "legal-holds": hold["id"],
            "feedback": feedback["id"],
            "prompt-variants": variants[0]["id"],  # and variants[1], also the experiment's
            "experiments": experiment["id"],
            "triggers": trigger["id"],
        }
        assert set(self.ids) == set(RESOURCES), "a resource is missing from the isolation world"
        self.variants = [v["id"] for v in variants]
        self.snapshot = self.read()
        assert self.snapshot["conversations"]["message_count"] == 1
        assert self.snapshot["interaction-summaries"]["total_messages"] == 1

    @property
    def contact(self) -> str:
        return self.ids["contacts"]

    @property
    def conversation(self) -> str:
        return self.ids["conversations"]

    def read(self) -> dict[str, dict[str, Any]]:
        return {
            name: ok(self.client.get(f"/v1/{name}/{row_id}")) for name, row_id in self.ids.items()
        }

    def assert_unchanged(self) -> None:
        """Every row of this world reads exactly as it did when it was made."""
        assert self.read() == self.snapshot

    def counts(self) -> dict[str, int]:
        return {name: ok(self.client.get(f"/v1/{name}/count"))["count"] for name in self.ids}


def client_for(server: Any, key: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.url, headers=headers)


@pytest.fixture
def clients(server: Any) -> Iterator[Callable[[str | None], httpx.Client]]:
    """Makes an HTTP client for a key (or none); closes them all afterwards."""
    made: list[httpx.Client] = []

    def make(key: str | None) -> httpx.Client:
        client = client_for(server, key)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


class Org:
    """An organization for this module's shared worlds, with a key per role."""

    def __init__(self, database: Any) -> None:
        self.database = database
        self.id = database.run(orgs.ensure_org(f"test-{uuid.uuid4().hex[:12]}"))["id"]
        self._keys: dict[str, str] = {}

    def key(self, role: str) -> str:
        if role not in self._keys:
            self._keys[role] = self.database.run(api_keys.create_key(self.id, role))[1]
        return self._keys[role]


class Shared:
    """World A and world B, made once for the checks that must leave A untouched.

    These checks write nothing to A when isolation holds, and each one proves it by reading
    all of A back through A's key. What they write to B never changes B's row counts, so
    they do not depend on each other's order. ``b`` is B's owner: the strongest key there
    is, in the wrong organization.
    """

    def __init__(self, a: World, b: World) -> None:
        self.a = a
        self.b = b

    @property
    def client(self) -> httpx.Client:
        return self.b.client


@pytest.fixture(scope="module")
def shared(module_store: Any, model: None) -> Iterator[Shared]:
    database, server = module_store.database, module_store.server()
    org_a, org_b = Org(database), Org(database)
    with client_for(server, org_a.key("admin")) as a, client_for(server, org_b.key("owner")) as b:
        yield Shared(World(a, "a"), World(b, "b"))


@pytest.fixture
def world_a(http: httpx.Client) -> World:
    """A fresh world in ``tenant``'s organization, for tests that write."""
    return World(http, "a")


@pytest.fixture
def b(clients: Callable[[str | None], httpx.Client], other_tenant: Any) -> httpx.Client:
    """``other_tenant``'s owner key."""
    return clients(other_tenant.key("owner"))


@pytest.fixture
def world_b(b: httpx.Client) -> World:
    return World(b, "b")


# ------------------------------------------------------------------ the nine operations


@pytest.mark.parametrize("resource", sorted(RESOURCES))
@pytest.mark.parametrize("verb", ["GET", "PATCH", "DELETE", "HEAD"])
def test_another_orgs_row_is_not_found(verb: str, resource: str, shared: Shared) -> None:
    b, row_id = shared.client, shared.a.ids[resource]
    body = PATCHES[resource] if verb == "PATCH" else None
    response = b.request(verb, f"/v1/{resource}/{row_id}", json=body)
    if verb == "HEAD":
        assert response.status_code == 404
    else:
        problem = assert_problem(response, 404, "id")
        assert row_id in problem["detail"]
    if verb != "DELETE":
        # control: the same route with B's own id answers (an empty PATCH writes nothing)
        own = b.request(
            verb, f"/v1/{resource}/{shared.b.ids[resource]}", json={} if verb == "PATCH" else None
        )
        assert own.status_code == 200, own.text
    shared.a.assert_unchanged()


def reference_filters(world: World, resource: str) -> list[dict[str, Any]]:
    """Filters that name ``world``'s ids, directly or through a parent."""
    ids = world.ids
    filters: list[dict[str, Any]] = [
        {"id": ids[resource]},
        {"id": {"$in": [ids[resource]]}},
        {"$or": [{"id": ids[resource]}, {"id": {"$in": sorted(set(ids.values()))}}]},
    ]
    if resource in ("conversations", "messages", "objections", "interaction-summaries"):
        filters.append({"contact_id": world.contact})
    if resource in ("messages", "objections"):
        filters.append({"conversation_id": world.conversation})
    return filters


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_list_and_count_never_show_another_orgs_rows(resource: str, shared: Shared) -> None:
    b = shared.client
    for spec in reference_filters(shared.a, resource):
        params = {"filter": json.dumps(spec)}
        assert ok(b.get(f"/v1/{resource}", params=params)) == {"items": [], "next_cursor": None}
        assert ok(b.get(f"/v1/{resource}/count", params=params)) == {"count": 0}
        # control: A finds its row with the very same filter
        assert ok(shared.a.client.get(f"/v1/{resource}/count", params=params)) == {"count": 1}
    # Unfiltered, B sees exactly its own row.
    listed = ok(b.get(f"/v1/{resource}", params={"limit": 1000}))["items"]
    assert shared.b.ids[resource] in [item["id"] for item in listed]
    assert len(listed) == ROWS[resource]
    assert ok(b.get(f"/v1/{resource}/count")) == {"count": ROWS[resource]}
    shared.a.assert_unchanged()


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_bulk_update_never_touches_another_orgs_rows(resource: str, shared: Shared) -> None:
    b, patch = shared.client, PATCHES[resource]
    for spec in reference_filters(shared.a, resource):
        response = b.patch(f"/v1/{resource}/bulk", json={"filter": spec, "set": patch})
        assert ok(response) == {"updated": 0}, spec
    # "Every row" means every row of B's organization: its one row, not A's.
    updated = ok(b.patch(f"/v1/{resource}/bulk", json={"filter": {}, "set": patch}))
    assert updated == {"updated": ROWS[resource]}
    shared.a.assert_unchanged()


LEAKY_CHILDREN: dict[str, Callable[[World], dict[str, Any]]] = {
    "conversations": lambda w: {"contact_id": w.contact, "channel": "sms"},
    "messages": lambda w: {"conversation_id": w.conversation, "role": "user", "content": "hi"},
    "objections": lambda w: {"conversation_id": w.conversation, "type": "trust"},
    "interaction-summaries": lambda w: {"contact_id": w.contact, "total_messages": 99},
    "memories": lambda w: {"contact_id": w.contact, "key": "budget", "value": 99},
}


@pytest.mark.parametrize("resource", sorted(LEAKY_CHILDREN))
def test_children_cannot_name_another_orgs_parent(resource: str, shared: Shared) -> None:
    b = shared.client
    leaky = LEAKY_CHILDREN[resource](shared.a)
    own = LEAKY_CHILDREN[resource](shared.b)
    parent_key = "conversation_id" if "conversation_id" in leaky else "contact_id"
    before = shared.b.counts()

    assert_problem(b.post(f"/v1/{resource}", json=leaky), 404, parent_key)
    problem = assert_problem(b.post(f"/v1/{resource}/bulk", json={"items": [own, leaky]}), 404)
    assert problem["field"] in (f"items[1].{parent_key}", parent_key)
    # All or nothing: B's own item was not written either, and neither org gained a row.
    assert shared.b.counts() == before
    assert shared.a.counts() == ROWS
    shared.a.assert_unchanged()


# ------------------------------------------------------------------ capability verbs

VERBS = {
    "append": ("POST", "/v1/conversations/{conversation}/messages"),
    "append_bulk": ("POST", "/v1/conversations/{conversation}/messages/bulk"),
    "history": ("GET", "/v1/conversations/{conversation}/messages"),
    "document": ("GET", "/v1/conversations/{conversation}/document"),
    "latest": ("GET", "/v1/contacts/{contact}/conversations/latest"),
    "sessions": ("GET", "/v1/contacts/{contact}/sessions"),
}
NEW_MESSAGE = {"role": "user", "content": "let me in"}


@pytest.mark.parametrize("verb", sorted(VERBS))
def test_capability_verbs_404_for_another_orgs_ids(verb: str, shared: Shared) -> None:
    method, template = VERBS[verb]
    body = {"append": NEW_MESSAGE, "append_bulk": {"items": [NEW_MESSAGE]}}.get(verb)

    def path(world: World) -> str:
        return template.format(conversation=world.conversation, contact=world.contact)

    problem = assert_problem(shared.client.request(method, path(shared.a), json=body), 404)
    assert problem["field"] in ("id", "contact_id")
    if method == "GET":  # control: B reads its own (appending would change B's counts)
        assert shared.client.get(path(shared.b)).status_code == 200
    shared.a.assert_unchanged()


def test_views_and_analytics_show_only_the_callers_org(world_a: World, world_b: World) -> None:
    for world, other in ((world_b, world_a), (world_a, world_b)):
        client, mine, theirs = world.client, world.flavour, other.flavour

        pipeline = ok(client.get("/v1/pipeline"))
        assert pipeline["total"] == 1
        assert pipeline["items"] == [
            {"sales_stage": "qualification", "status": "active", "count": 1}
        ]

        workload = ok(client.get("/v1/agents/workload"))["items"]
        assert [(w["agent"], w["count"]) for w in workload] == [(mine["agent"], 1)]

        due = ok(client.get("/v1/follow-ups/due", params={**WINDOW, "overdue": "true"}))
        assert [f["conversation_id"] for f in due["items"]] == [world.conversation]

        found = ok(client.get("/v1/messages/search", params={"q": theirs["word"]}))
        assert found == {"items": []}
        found = ok(client.get("/v1/messages/search", params={"q": mine["word"]}))
        assert [m["id"] for m in found["items"]] == [world.ids["messages"]]

        page = ok(client.get("/v1/messages/by-intent", params={"intent": theirs["intent"]}))
        assert page == {"items": [], "next_cursor": None}
        page = ok(client.get("/v1/messages/by-intent", params={"intent": mine["intent"]}))
        assert [m["id"] for m in page["items"]] == [world.ids["messages"]]

        top = ok(client.get("/v1/contacts/top"))["items"]
        assert [s["id"] for s in top] == [world.contact]

        analytics = ok(client.get("/v1/analytics/interactions"))
        assert (analytics["contacts"], analytics["conversations"], analytics["messages"]) == (
            1,
            1,
            1,
        )
        assert analytics["top_intents"] == {mine["intent"]: 1}
        assert analytics["avg_satisfaction"] == pytest.approx(0.5)

        assert ok(client.get("/v1/org"))["id"] != ok(other.client.get("/v1/org"))["id"]
    world_a.assert_unchanged()


def test_idempotency_keys_are_per_org(world_a: World, b: httpx.Client) -> None:
    """A retry key A used does not hand A's row to B: B gets a new row of its own."""
    contact = ok(b.post("/v1/contacts", json={"external_id": "crm-42", "name": "Bob"}), 201)
    assert contact["id"] != world_a.contact
    assert contact["name"] == "Bob"
    agent = ok(b.post("/v1/agents", json={"name": world_a.flavour["agent"], "role": "closer"}), 201)
    assert agent["id"] != world_a.ids["agents"]
    assert agent["role"] == "closer"
    user = ok(b.post("/v1/users", json={"email": "ops@example.com", "role": "viewer"}), 201)
    assert user["id"] != world_a.ids["users"]
    conversation = ok(
        b.post(
            "/v1/conversations",
            json={"contact_id": contact["id"], "external_id": "thread-1", "channel": "sms"},
        ),
        201,
    )
    assert conversation["id"] != world_a.conversation
    message = ok(
        b.post(
            f"/v1/conversations/{conversation['id']}/messages",
            json={"external_id": "wamid-1", "role": "user", "content": "hi"},
        ),
        201,
    )
    assert message["id"] != world_a.ids["messages"]
    # Phone and handle are unique per organization, not across them.
    phone = ok(
        b.post("/v1/contacts", json={"phone": "+65 9123 4567", "instagram_handle": "@Jane.Doe"}),
        201,
    )
    assert phone["id"] != world_a.contact
    world_a.assert_unchanged()


# ------------------------------------------------------------------ API keys across orgs


def test_keys_are_per_org(
    tenant: Any, other_tenant: Any, clients: Callable[[str | None], httpx.Client]
) -> None:
    a = clients(tenant.key("admin"))
    b = clients(other_tenant.key("admin"))
    a_keys = ok(a.get("/v1/keys"))["items"]
    b_keys = ok(b.get("/v1/keys"))["items"]
    assert a_keys
    assert b_keys
    assert not {k["id"] for k in a_keys} & {k["id"] for k in b_keys}
    # B cannot revoke A's keys: they are not found, and they keep working.
    for key in a_keys:
        assert_problem(b.delete(f"/v1/keys/{key['id']}"), 404, "id")
    after = ok(a.get("/v1/keys"))["items"]
    assert [k["id"] for k in after] == [k["id"] for k in a_keys]
    assert all(k["revoked_at"] is None for k in after)
    assert ok(a.get("/v1/org"))["role"] == "admin"


# ------------------------------------------------------------------ roles


def write_requests(world: World) -> list[tuple[str, str, Any]]:
    """A valid request for every write verb, on ``world``'s own rows."""
    requests: list[tuple[str, str, Any]] = []
    creations = {
        "contacts": {"name": "New"},
        "conversations": {"contact_id": world.contact, "channel": "sms"},
        "messages": {"conversation_id": world.conversation, "role": "user", "content": "x"},
        "objections": {"conversation_id": world.conversation, "type": "need"},
        "agents": {"name": "new-agent", "role": "closer"},
        "interaction-summaries": {"contact_id": world.contact},
        "users": {"email": "new@example.com"},
        "memories": {"contact_id": world.contact, "key": "fact", "text": "x"},
        "knowledge": {"title": "New", "text": "x"},
        "follow-ups": {"conversation_id": world.conversation, "due_at": "2025-01-16T09:00Z"},
        "calls": {"contact_id": world.contact, "start_time": "2025-03-01T10:00:00Z"},
        "legal-holds": {"conversation_id": world.conversation, "reason": "audit"},
        "feedback": {"conversation_id": world.conversation, "kind": "text", "text": "x"},
        "prompt-variants": {"agent": "closer", "name": "new", "template": "x"},
        "experiments": {"name": "new", "agent": world.flavour["agent"],
                        "variants": world.variants, "control": world.variants[0]},
        "triggers": {"name": "new", "when": "no_inbound", "after": "3d"},
    }  # fmt: skip
    for name, row_id in world.ids.items():
        requests += [
            ("POST", f"/v1/{name}", creations[name]),
            ("POST", f"/v1/{name}/bulk", {"items": [creations[name]]}),
            ("PATCH", f"/v1/{name}/{row_id}", PATCHES[name]),
            ("PATCH", f"/v1/{name}/bulk", {"filter": {}, "set": PATCHES[name]}),
            ("DELETE", f"/v1/{name}/{row_id}", None),
        ]
    conversation = world.conversation
    requests += [
        ("POST", f"/v1/conversations/{conversation}/messages", {"role": "user", "content": "x"}),
        (
            "POST",
            f"/v1/conversations/{conversation}/messages/bulk",
            {"items": [{"role": "user", "content": "x"}]},
        ),
        ("POST", "/v1/keys", {"role": "viewer"}),
        ("POST", "/v1/events/bulk", {"items": [
            {"type": "read", "at": "2025-01-15T10:00:00Z", "external_id": "r",
             "conversation_id": conversation}]}),
        ("POST", f"/v1/experiments/{world.ids['experiments']}/assign",
         {"contact_id": world.contact}),
        ("POST", f"/v1/experiments/{world.ids['experiments']}/review", None),
        ("POST", "/v1/triggers/run", None),
        ("POST", "/v1/learning/refresh", None),
    ]  # fmt: skip
    return requests


def test_viewer_reads_but_cannot_write(
    world_a: World, tenant: Any, clients: Callable[[str | None], httpx.Client]
) -> None:
    viewer = clients(tenant.key("viewer"))
    for name, row_id in world_a.ids.items():
        assert ok(viewer.get(f"/v1/{name}/{row_id}")) == world_a.snapshot[name]
        assert viewer.head(f"/v1/{name}/{row_id}").status_code == 200
        assert ok(viewer.get(f"/v1/{name}/count")) == {"count": ROWS[name]}
        assert len(ok(viewer.get(f"/v1/{name}"))["items"]) == ROWS[name]
    assert ok(viewer.get(f"/v1/conversations/{world_a.conversation}/document"))["id"]
    assert ok(viewer.get("/v1/pipeline"))["total"] == 1
    assert ok(viewer.get("/v1/org"))["role"] == "viewer"

    key_id = ok(world_a.client.get("/v1/keys"))["items"][0]["id"]
    requests = [*write_requests(world_a), ("DELETE", f"/v1/keys/{key_id}", None)]
    requests.append(("GET", "/v1/keys", None))
    for method, path, body in requests:
        problem = assert_problem(viewer.request(method, path, json=body), 403)
        assert "viewer" in problem["detail"], (method, path, problem)
    world_a.assert_unchanged()
    assert all(k["revoked_at"] is None for k in ok(world_a.client.get("/v1/keys"))["items"])


def test_operator_cannot_manage_users_or_keys(
    world_a: World, tenant: Any, clients: Callable[[str | None], httpx.Client]
) -> None:
    operator = clients(tenant.key("operator"))
    user_id = world_a.ids["users"]
    forbidden = [
        ("POST", "/v1/users", {"email": "sneaky@example.com", "role": "owner"}),
        ("POST", "/v1/users/bulk", {"items": [{"email": "sneaky@example.com"}]}),
        ("PATCH", f"/v1/users/{user_id}", {"role": "owner"}),
        ("PATCH", "/v1/users/bulk", {"filter": {}, "set": {"is_active": False}}),
        ("DELETE", f"/v1/users/{user_id}", None),
        ("POST", "/v1/keys", {"role": "operator"}),
        ("POST", "/v1/keys", {"role": "viewer"}),
        ("GET", "/v1/keys", None),
        ("DELETE", f"/v1/keys/{ok(world_a.client.get('/v1/keys'))['items'][0]['id']}", None),
    ]
    for method, path, body in forbidden:
        assert_problem(operator.request(method, path, json=body), 403)
    world_a.assert_unchanged()
    # An operator reads users and writes conversation data.
    assert ok(operator.get(f"/v1/users/{user_id}")) == world_a.snapshot["users"]
    ok(operator.patch(f"/v1/contacts/{world_a.contact}", json={"job_title": "CTO"}))
    ok(operator.post("/v1/contacts", json={"name": "Operator's lead"}), 201)


def test_admin_cannot_mint_an_owner_key(
    tenant: Any, clients: Callable[[str | None], httpx.Client]
) -> None:
    admin = clients(tenant.key("admin"))
    before = ok(admin.get("/v1/keys"))["items"]
    problem = assert_problem(admin.post("/v1/keys", json={"role": "owner"}), 403)
    assert "owner" in problem["detail"]
    assert len(ok(admin.get("/v1/keys"))["items"]) == len(before)
    # Admins make admin keys and below, and manage users; owners make owner keys.
    created = ok(admin.post("/v1/keys", json={"role": "admin", "name": "ci"}), 201)
    assert created["role"] == "admin"
    assert created["key"].startswith("rk_")
    ok(admin.post("/v1/users", json={"email": "new-admin@example.com", "role": "admin"}), 201)
    owner = clients(tenant.key("owner"))
    assert ok(owner.post("/v1/keys", json={"role": "owner"}), 201)["role"] == "owner"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Token rk_whatever",
        "Bearer not-a-rapport-key",
        "Bearer rk_",
        "Bearer rk_thisKeyWasNeverIssuedByAnyoneAnywhere0000000",
    ],
    ids=[
        "absent",
        "empty",
        "bearer-no-token",
        "basic",
        "token-scheme",
        "malformed",
        "prefix-only",
        "unknown",
    ],
)
def test_requests_without_a_valid_key_are_401(
    authorization: str | None, shared: Shared, server: Any
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    contact = shared.a.contact
    with httpx.Client(base_url=server.url, headers=headers) as anonymous:
        assert_problem(anonymous.get("/v1/contacts"), 401)
        assert_problem(anonymous.get(f"/v1/contacts/{contact}"), 401)
        assert anonymous.head(f"/v1/contacts/{contact}").status_code == 401
        assert_problem(anonymous.post("/v1/contacts", json={"name": "x"}), 401)
        assert_problem(anonymous.patch(f"/v1/contacts/{contact}", json={"name": "x"}), 401)
        assert_problem(anonymous.delete(f"/v1/contacts/{contact}"), 401)
        assert_problem(anonymous.get("/v1/pipeline"), 401)
        assert_problem(anonymous.get("/v1/org"), 401)
    assert shared.a.counts() == ROWS
    shared.a.assert_unchanged()


def test_a_revoked_key_stops_working(
    tenant: Any, clients: Callable[[str | None], httpx.Client]
) -> None:
    admin = clients(tenant.key("admin"))
    record = ok(admin.post("/v1/keys", json={"role": "operator", "name": "temp"}), 201)
    temporary = clients(record["key"])
    assert ok(temporary.get("/v1/org"))["role"] == "operator"
    ok(temporary.post("/v1/contacts", json={"name": "before revocation"}), 201)

    revoked = ok(admin.delete(f"/v1/keys/{record['id']}"))
    assert revoked["id"] == record["id"]
    assert revoked["revoked_at"] is not None

    assert_problem(temporary.get("/v1/org"), 401)
    assert_problem(temporary.post("/v1/contacts", json={"name": "after revocation"}), 401)
    assert ok(admin.get("/v1/contacts/count")) == {"count": 1}
    # Revoking twice keeps the first revocation time; the admin key itself still works.
    assert ok(admin.delete(f"/v1/keys/{record['id']}"))["revoked_at"] == revoked["revoked_at"]
    listed = {k["id"]: k for k in ok(admin.get("/v1/keys"))["items"]}
    assert listed[record["id"]]["revoked_at"] == revoked["revoked_at"]


# ------------------------------------------------------------------ the SDK, both ways


@pytest.fixture(params=["local", "http"])
def connect(request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:
    """Opens an SDK client for (tenant, role) or a key, in-process or over HTTP."""
    opened: list[Any] = []

    def open_client(tenant: Any, role: str = "owner", *, key: str | None = None) -> Any:
        secret = key or tenant.key(role)
        if request.param == "local":
            client: Any = rapport.Rapport(api_key=secret, database=tenant.database)
        else:
            client = rapport.Client(request.getfixturevalue("server").url, secret)
        opened.append(client)
        return client

    yield open_client
    for client in opened:
        client.close()


def test_sdk_isolation(connect: Callable[..., Any], tenant: Any, other_tenant: Any) -> None:
    a = connect(tenant, "owner")
    b = connect(other_tenant, "owner")
    contact = a.contacts.create(name="Jane", phone="+6591234567")
    conversation = a.conversations.create(contact_id=contact["id"], channel="instagram_dm")
    a.conversations.append_message(conversation["id"], role="user", content="hello there")
    a.enrichment.flush()  # over HTTP, what extraction writes lands a moment after the append
    before = a.conversations.get(conversation["id"])
    contact = a.contacts.get(contact["id"])  # as the message left it

    with pytest.raises(errors.NotFound):
        b.contacts.get(contact["id"])
    with pytest.raises(errors.NotFound):
        b.contacts.update(contact["id"], name="Mallory")
    with pytest.raises(errors.NotFound):
        b.conversations.delete(conversation["id"])
    assert not b.conversations.exists(conversation["id"])
    assert b.conversations.count({"id": conversation["id"]}) == 0
    assert b.messages.list({"conversation_id": conversation["id"]})["items"] == []
    assert b.conversations.bulk_update({"contact_id": contact["id"]}, {"status": "abandoned"}) == 0
    with pytest.raises(errors.NotFound):
        b.conversations.append_message(conversation["id"], role="user", content="let me in")
    with pytest.raises(errors.NotFound):
        b.conversations.history(conversation["id"])
    with pytest.raises(errors.NotFound):
        b.conversations.document(conversation["id"])
    with pytest.raises(errors.NotFound):
        b.contacts.latest_conversation(contact["id"])
    with pytest.raises(errors.NotFound) as raised:
        b.messages.create(conversation_id=conversation["id"], role="user", content="x")
    assert raised.value.field == "conversation_id"
    with pytest.raises(errors.NotFound):
        b.conversations.create(contact_id=contact["id"], channel="sms")
    assert b.messages.search("hello")["items"] == []
    assert b.pipeline.counts()["total"] == 0

    assert a.conversations.get(conversation["id"]) == before
    assert a.contacts.get(contact["id"]) == contact
    assert a.messages.count({"conversation_id": conversation["id"]}) == 1


def test_sdk_roles(connect: Callable[..., Any], tenant: Any) -> None:
    owner = connect(tenant, "owner")
    contact = owner.contacts.create(name="Jane")
    viewer = connect(tenant, "viewer")
    operator = connect(tenant, "operator")
    admin = connect(tenant, "admin")

    assert viewer.contacts.get(contact["id"]) == contact
    assert viewer.org()["role"] == "viewer"
    with pytest.raises(errors.Forbidden):
        viewer.contacts.create(name="Nope")
    with pytest.raises(errors.Forbidden):
        viewer.contacts.update(contact["id"], name="Nope")
    with pytest.raises(errors.Forbidden):
        viewer.contacts.delete(contact["id"])
    with pytest.raises(errors.Forbidden):
        operator.users.create(email="sneaky@example.com")
    with pytest.raises(errors.Forbidden):
        operator.keys.create(role="viewer")
    with pytest.raises(errors.Forbidden):
        operator.keys.list()
    with pytest.raises(errors.Forbidden):
        admin.keys.create(role="owner")
    assert owner.contacts.get(contact["id"]) == contact
    assert owner.users.count() == 0

    record = admin.keys.create(role="viewer", name="temp")
    admin.keys.revoke(record["id"])
    with pytest.raises(errors.Unauthorized):
        connect(tenant, key=record["key"]).contacts.count()
    with pytest.raises(errors.Unauthorized):
        connect(tenant, key="rk_neverIssued").contacts.count()


# ------------------------------------------------------------------ every verb with ids

# Path parameters that are not another org's id, with the reason.
NOT_AN_ID = {
    "/v1/leads/by-phone/{phone:path}": "a phone number: each org finds its own lead by it",
}


def _id_verbs() -> list[tuple[str, str]]:
    from rapport.resources.registry import all_verbs

    found = {(v.method, v.path) for v in all_verbs() if "{" in v.path}
    return sorted(p for p in found if p[1] not in NOT_AN_ID)


@pytest.fixture(scope="module")
def foreign_ids(shared: Shared, module_store: Any) -> dict[str, str]:
    """One id of A's for each path parameter: its rows, a key, an erasure receipt (of a
    contact made for it, so A's world stays as it was)."""
    a = shared.a.client
    ids = {name: row for name, row in shared.a.ids.items()}
    ids["keys"] = ok(a.post("/v1/keys", json={"role": "viewer", "name": "probe"}), 201)["id"]
    gone = ok(a.post("/v1/contacts", json={"name": "Erased"}), 201)
    ids["erasures"] = ok(a.post(f"/v1/contacts/{gone['id']}/erase"), 201)["id"]
    return ids


def _filled(path: str, ids: dict[str, str]) -> str:
    resource = path.split("/")[2]
    values = {"id": ids[resource], "agent_id": ids["agents"], "subject_id": ids["contacts"]}
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values[m.group(1)], path)


@pytest.mark.parametrize(("method", "path"), _id_verbs())
def test_every_verb_is_404_for_another_orgs_ids(
    method: str, path: str, shared: Shared, foreign_ids: dict[str, str]
) -> None:
    """Every verb whose path names a record, called by B's owner with A's ids: 404, and A
    unchanged. A verb added later is walked too."""
    from rapport.resources.registry import all_verbs

    verb = next(v for v in all_verbs() if (v.method, v.path) == (method, path))
    valid = {"/v1/conversations/{id}/messages": NEW_MESSAGE,
             "/v1/conversations/{id}/messages/bulk": {"items": [NEW_MESSAGE]}}  # fmt: skip
    body = valid.get(path) or (verb.examples or [{}])[0]
    body = body if method in ("POST", "PUT", "PATCH") else None
    response = shared.client.request(method, _filled(path, foreign_ids), json=body)
    assert response.status_code == 404, f"{method} {path}: {response.status_code} {response.text}"
    shared.a.assert_unchanged()

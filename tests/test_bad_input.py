"""Bad input, against the real server: every refusal is an RFC 9457 problem document.

Each 4xx has ``Content-Type: application/problem+json`` and ``type``, ``title``, ``status``
and ``detail``, and ``field`` names the offending field where there is one. Nothing a caller
sends produces a 500, and a refused write leaves nothing behind: every test that sends a
bad write counts the rows afterwards.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import orjson
import pytest

from rapport.db.operation import Query, Steps, operation
from rapport.resources.catalog import RESOURCES
from rapport.tenancy import api_keys, orgs

MISSING = "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"  # a well-formed id no organization has
MAX_BODY = 1024 * 1024  # the test server's limit (tests/conftest.py)


def assert_problem(
    response: httpx.Response, status: int, field: str | None = None, *, detail: str = ""
) -> dict[str, Any]:
    """``response`` is a problem document with ``status``, naming ``field`` if given."""
    request = response.request
    assert response.status_code == status, f"{request.method} {request.url}: {response.text}"
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("https://rapport.dev/problems/")
    assert isinstance(problem["title"], str)
    assert problem["title"]
    assert isinstance(problem["detail"], str)
    assert problem["detail"]
    if field is not None:
        assert problem.get("field") == field, problem
    assert detail.lower() in problem["detail"].lower(), problem
    return problem


def assert_refused(response: httpx.Response) -> None:
    """Any 4xx, as a problem document; never a 5xx."""
    request = response.request
    assert 400 <= response.status_code < 500, f"{request.method} {request.url}: {response.text}"
    assert_problem(response, response.status_code)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def send(client: httpx.Client, method: str, path: str, body: Any) -> httpx.Response:
    """``body`` as JSON text, escapes and all (so lone surrogates and NULs travel as sent)."""
    content = json.dumps(body).encode()
    return client.request(
        method, path, content=content, headers={"content-type": "application/json"}
    )


@operation
def _state(org_id: str) -> Steps[dict[str, tuple[int, str]]]:
    """Per resource: how many rows the organization has, and a digest of all of them."""
    tables = {name: resource.table for name, resource in RESOURCES.items()}
    parts = ", ".join(
        "(SELECT row(count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')))"
        f"::text FROM {table} AS t WHERE t.org_id = %(org)s)"
        for table in tables.values()
    )
    row = yield Query(f"SELECT {parts}", {"org": org_id})
    found = {}
    for name, text in zip(tables, row, strict=True):
        number, digest = text.strip("()").split(",")
        found[name] = (int(number), digest)
    return found


# What ``Rows`` stores per resource: one row, but two prompt variants (its experiment's).
STORED = {**dict.fromkeys(RESOURCES, 1), "prompt-variants": 2}


class Rows:
    """One row of every resource in an organization, and valid bodies to vary.

    ``state()`` reads the organization's rows straight from PostgreSQL (a count and a digest
    per resource), so "nothing was written" is checked on every test without slowing it.
    """

    def __init__(self, client: httpx.Client, database: Any, org_id: str) -> None:
        self.client = client
        self.database = database
        self.org_id = org_id
        contact = ok(
            client.post("/v1/contacts", json={"name": "Jane", "phone": "+6591234567"}), 201
        )
        self.contact = contact["id"]
        self.conversation = ok(
            client.post("/v1/conversations", json={"contact_id": self.contact, "channel": "sms"}),
            201,
        )["id"]
        self.valid: dict[str, dict[str, Any]] = {
            "contacts": {"name": "Ann"},
            "conversations": {"contact_id": self.contact, "channel": "whatsapp"},
            "messages": {"conversation_id": self.conversation, "role": "user", "content": "hi"},
            "objections": {"conversation_id": self.conversation, "type": "price"},
            "agents": {"name": "closer", "role": "closer"},
            "interaction-summaries": {"contact_id": self.contact},
            "users": {"email": "kevin@example.com"},
            "memories": {"contact_id": self.contact, "key": "budget", "value": 5000},
            "knowledge": {"title": "Shipping FAQ", "text": "We ship worldwide in 5 days."},
            "follow-ups": {"conversation_id": self.conversation, "due_at": "2025-01-16T09:00Z"},
            "calls": {"contact_id": self.contact, "start_time": "2025-01-15T14:00:00Z"},
            "legal-holds": {"contact_id": self.contact, "reason": "Dispute 2026-114"},
            "feedback": {"conversation_id": self.conversation, "kind": "csat", "score": 4},
            "prompt-variants": {"agent": "closer", "name": "short", "template": "Hi {name}"},
            "triggers": {"name": "nudge", "when": "read_no_reply", "after": "24h"},
        }
        # An experiment needs two variants: the one above, and this one.
        other = {"agent": "closer", "name": "long", "template": "Hello {name}, ..."}
        second = ok(client.post("/v1/prompt-variants", json=other), 201)["id"]
        self.ids = {"contacts": self.contact, "conversations": self.conversation}
        self.ids["interaction-summaries"] = self.contact
        created = ("messages", "objections", "agents", "users", "memories", "knowledge")
        later = ("follow-ups", "calls", "legal-holds", "feedback", "prompt-variants", "triggers")
        for name in (*created, *later):
            self.ids[name] = ok(client.post(f"/v1/{name}", json=self.valid[name]), 201)["id"]
        self.valid["experiments"] = {
            "name": "opening", "agent": "closer", "variants": [self.ids["prompt-variants"], second],
            "control": second,
        }  # fmt: skip
        assert set(self.valid) == set(RESOURCES)
        self.ids["experiments"] = ok(
            client.post("/v1/experiments", json=self.valid["experiments"]), 201
        )["id"]
        ok(client.post("/v1/enrichment/flush"), 200)  # the enricher's writes come first
        self.before = self.state()
        assert self.counts() == STORED
        assert self.read()["conversations"]["message_count"] == 1

    def state(self) -> dict[str, tuple[int, str]]:
        return self.database.run(_state(self.org_id))

    def counts(self) -> dict[str, int]:
        return {name: number for name, (number, _) in self.state().items()}

    def read(self) -> dict[str, Any]:
        return {name: ok(self.client.get(f"/v1/{name}/{i}")) for name, i in self.ids.items()}

    def assert_unchanged(self) -> None:
        """No row of the organization was added, removed or changed since they were made."""
        assert self.state() == self.before


class Org:
    """A fresh organization with an admin key, for this module's shared rows."""

    def __init__(self, database: Any) -> None:
        self.id = database.run(orgs.ensure_org(f"test-{uuid.uuid4().hex[:12]}"))["id"]
        self.admin_key = database.run(api_keys.create_key(self.id, "admin"))[1]


@pytest.fixture(scope="module")
def rows(module_store: Any, model: None) -> Iterator[Rows]:
    """Rows shared by the checks that must write nothing; each one proves it wrote nothing."""
    database = module_store.database
    org = Org(database)
    headers = {"Authorization": f"Bearer {org.admin_key}"}
    with httpx.Client(base_url=module_store.server().url, headers=headers) as client:
        yield Rows(client, database, org.id)


@pytest.fixture
def http(rows: Rows) -> httpx.Client:
    """This module's ``http``: the admin client of the shared rows' organization."""
    return rows.client


@pytest.fixture
def fresh(tenant: Any, server: Any) -> Iterator[Rows]:
    """Rows in a fresh organization, for checks that write on purpose."""
    headers = {"Authorization": f"Bearer {tenant.key('admin')}"}
    with httpx.Client(base_url=server.url, headers=headers) as client:
        yield Rows(client, tenant.database, tenant.id)


# ------------------------------------------------------------------ the body itself

MALFORMED = [
    b'{"name": ',
    b"{'name': 'single quotes'}",
    b'{"name": "x",}',
    b'{"name" "x"}',
    b'{"name": "x"} trailing',
    b"nul",
]
BODY_ROUTES = [
    ("POST", "/v1/{resource}"),
    ("PATCH", "/v1/{resource}/{id}"),
    ("POST", "/v1/{resource}/bulk"),
    ("PATCH", "/v1/{resource}/bulk"),
]


NOT_NUMBERS = [b"NaN", b"Infinity", b"-Infinity", b"1e400", b"-1e400"]


@pytest.mark.parametrize("number", NOT_NUMBERS)
def test_numbers_json_does_not_have_are_400_and_store_nothing(
    number: bytes, rows: Rows, http: httpx.Client
) -> None:
    """Python's JSON reader takes NaN, Infinity and 1e400 (as infinity); JSON has none of
    them, and PostgreSQL would store them as null. They are malformed bodies."""
    bodies = [
        ("POST", "/v1/contacts", b'{"name": "Nan", "lead_score": %s}' % number),
        ("PATCH", f"/v1/contacts/{rows.ids['contacts']}", b'{"lead_score": %s}' % number),
        ("POST", "/v1/contacts", b'{"name": "Nan", "metadata": {"x": [1, %s]}}' % number),
        ("POST", f"/v1/conversations/{rows.conversation}/messages",
         b'{"role": "user", "content": "hi", "sentiment": %s}' % number),
        ("POST", "/v1/calls/transfer-decision",
         b'{"engagement_score": %s, "phase_reached": 3}' % number),
    ]  # fmt: skip
    for method, path, raw in bodies:
        response = http.request(
            method, path, content=raw, headers={"content-type": "application/json"}
        )
        assert_problem(response, 400, "body", detail="not valid JSON")
    rows.assert_unchanged()


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_malformed_json_is_400(resource: str, rows: Rows, http: httpx.Client) -> None:
    for method, template in BODY_ROUTES:
        path = template.format(resource=resource, id=rows.ids[resource])
        for raw in MALFORMED:
            response = http.request(
                method, path, content=raw, headers={"content-type": "application/json"}
            )
            assert_problem(response, 400, "body", detail="not valid JSON")
    rows.assert_unchanged()


def test_malformed_json_on_verbs_is_400(rows: Rows, http: httpx.Client) -> None:
    for path in (
        f"/v1/conversations/{rows.conversation}/messages",
        f"/v1/conversations/{rows.conversation}/messages/bulk",
        "/v1/keys",
    ):
        response = http.post(
            path, content=b'{"role": ', headers={"content-type": "application/json"}
        )
        assert_problem(response, 400, "body", detail="not valid JSON")
    rows.assert_unchanged()


NOT_OBJECTS = [b"[]", b'[{"name": "x"}]', b'"a string"', b"42", b"true", b"null", b""]


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_a_body_that_is_not_an_object_is_refused(
    resource: str, rows: Rows, http: httpx.Client
) -> None:
    for method, template in BODY_ROUTES:
        path = template.format(resource=resource, id=rows.ids[resource])
        for raw in NOT_OBJECTS:
            response = http.request(
                method, path, content=raw, headers={"content-type": "application/json"}
            )
            problem = assert_problem(response, 400, "body")
            assert "expected a JSON object" in problem["detail"]
    rows.assert_unchanged()


def test_a_body_that_is_not_json_is_refused(rows: Rows, http: httpx.Client) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = http.post(
            "/v1/contacts", content=b"name=Jane", headers={"content-type": content_type}
        )
        assert_problem(response, 400, "body")
    response = http.post(
        "/v1/contacts", content=b"\xff\xfe\x00{", headers={"content-type": "application/json"}
    )
    assert_refused(response)
    rows.assert_unchanged()


# ------------------------------------------------------------------ values in the body

# (resource, fields merged into a valid create body, the field the problem must name)
INVALID_VALUES = [
    # wrong types
    ("contacts", {"name": 5}, "name"),
    ("contacts", {"tags": "vip"}, "tags"),
    ("contacts", {"tags": ["ok", 7]}, "tags[1]"),
    ("contacts", {"channel_ids": {"whatsapp": 123}}, "channel_ids.whatsapp"),
    ("contacts", {"metadata": ["not", "an", "object"]}, "metadata"),
    ("contacts", {"lead_score": "high"}, "lead_score"),
    ("contacts", {"created_at": "last tuesday"}, "created_at"),
    ("conversations", {"contact_id": "not-an-id"}, "contact_id"),
    ("conversations", {"is_qualified": "perhaps"}, "is_qualified"),
    ("conversations", {"qualification": "hot lead"}, "qualification"),
    ("conversations", {"follow_up": {"required": "maybe"}}, "follow_up.required"),
    ("conversations", {"follow_up": {"scheduled_date": "soon"}}, "follow_up.scheduled_date"),
    ("conversations", {"channel": "Not A Channel!"}, "channel"),
    ("messages", {"content": 42}, "content"),
    ("messages", {"keywords": "pricing"}, "keywords"),
    ("messages", {"media": {"url": "https://x.example/a.ogg"}}, "media.kind"),
    ("messages", {"timestamp": "2025-02-30T10:00:00Z"}, "timestamp"),
    ("messages", {"content": "x" * 100_001}, "content"),
    ("objections", {"resolved": "yes please"}, "resolved"),
    ("objections", {"message_id": 12}, "message_id"),
    ("agents", {"name": ""}, "name"),
    ("agents", {"config": "verbose"}, "config"),
    ("users", {"is_active": "sometimes"}, "is_active"),
    ("memories", {"key": "Budget!"}, "key"),
    ("memories", {"confidence": 2}, "confidence"),
    ("memories", {"valid_from": "someday"}, "valid_from"),
    ("knowledge", {"text": ""}, "text"),
    ("knowledge", {"metadata": "x"}, "metadata"),
    ("interaction-summaries", {"total_messages": "many"}, "total_messages"),
    ("interaction-summaries", {"common_intents": {"order": "lots"}}, "common_intents.order"),
    # nulls for required fields
    ("conversations", {"channel": None}, "channel"),
    ("messages", {"role": None}, "role"),
    ("objections", {"type": None}, "type"),
    ("users", {"email": None}, "email"),
    ("agents", {"name": None}, "name"),
    ("interaction-summaries", {"contact_id": None}, "contact_id"),
    # unknown fields, at the top and nested
    ("contacts", {"nmae": "Jane"}, "nmae"),
    ("conversations", {"qualification": {"bant": 3}}, "qualification.bant"),
    ("conversations", {"follow_up": {"when": "tomorrow"}}, "follow_up.when"),
    ("messages", {"media": {"url": "u", "kind": "image", "size": 1}}, "media.size"),
    ("objections", {"contact_id": MISSING}, "contact_id"),
    ("agents", {"org_id": MISSING}, "org_id"),
    ("users", {"password": "hunter2"}, "password"),
    ("interaction-summaries", {"preferred_language": "en"}, "preferred_language"),
    # enums
    ("conversations", {"status": "sleeping"}, "status"),
    ("conversations", {"sales_stage": "negotiation"}, "sales_stage"),
    ("messages", {"role": "bot"}, "role"),
    ("objections", {"type": "weather"}, "type"),
    ("agents", {"role": "janitor"}, "role"),
    ("agents", {"status": "asleep"}, "status"),
    ("users", {"role": "superuser"}, "role"),
    # out of range
    ("messages", {"confidence": 1.01}, "confidence"),
    ("messages", {"confidence": -0.1}, "confidence"),
    ("messages", {"sentiment": -1.5}, "sentiment"),
    ("messages", {"sentiment": 1.5}, "sentiment"),
    (
        "messages",
        {"media": {"url": "u", "kind": "voice_note", "duration_seconds": -1}},
        "media.duration_seconds",
    ),
    ("conversations", {"qualification": {"score": 100.5}}, "qualification.score"),
    ("conversations", {"qualification": {"score": -1}}, "qualification.score"),
    (
        "conversations",
        {"metadata": {"conversion_probability": 1.5}},
        "metadata.conversion_probability",
    ),
    ("interaction-summaries", {"avg_satisfaction": -2}, "avg_satisfaction"),
    ("interaction-summaries", {"total_conversations": -1}, "total_conversations"),
    # identities
    ("contacts", {"phone": "12345"}, "phone"),
    ("contacts", {"phone": "+1 555"}, "phone"),
    ("contacts", {"phone": "call me maybe"}, "phone"),
    ("contacts", {"phone": "+65 9123 45678 9"}, "phone"),
    ("contacts", {"email": "jane@"}, "email"),
    ("contacts", {"email": "@example.com"}, "email"),
    ("contacts", {"email": "jane example.com"}, "email"),
    ("contacts", {"instagram_handle": "has space"}, "instagram_handle"),
    ("contacts", {"instagram_handle": "@"}, "instagram_handle"),
    ("contacts", {"instagram_handle": "x" * 31}, "instagram_handle"),
    ("contacts", {"instagram_handle": "emoji😀"}, "instagram_handle"),
    ("users", {"email": "not-an-email"}, "email"),
]


@pytest.mark.parametrize(
    ("resource", "values", "field"),
    INVALID_VALUES,
    ids=[f"{r}-{f}-{i}" for i, (r, _, f) in enumerate(INVALID_VALUES)],
)
def test_invalid_values_are_422_naming_the_field(
    resource: str, values: dict[str, Any], field: str, rows: Rows, http: httpx.Client
) -> None:
    body = {**rows.valid[resource], **values}
    assert_problem(send(http, "POST", f"/v1/{resource}", body), 422, field)
    # The same value in a PATCH, where the field may be patched, is refused the same way.
    row_id = rows.ids[resource]
    patch = send(http, "PATCH", f"/v1/{resource}/{row_id}", values)
    assert_problem(patch, 422, field)
    rows.assert_unchanged()


def test_unknown_and_immutable_fields_in_patches(rows: Rows, http: httpx.Client) -> None:
    cases = [
        ("contacts", {"created_at": "2020-01-01T00:00:00Z"}, "created_at"),
        ("conversations", {"contact_id": rows.contact}, "contact_id"),
        ("conversations", {"message_count": 5}, "message_count"),
        ("conversations", {"status": None}, "status"),
        ("messages", {"conversation_id": rows.conversation}, "conversation_id"),
        ("objections", {"resolved_by": "me"}, "resolved_by"),
        ("interaction-summaries", {"contact_id": rows.contact}, "contact_id"),
        ("users", {"id": MISSING}, "id"),
    ]
    for resource, patch, field in cases:
        response = send(http, "PATCH", f"/v1/{resource}/{rows.ids[resource]}", patch)
        assert_problem(response, 422, field)
        bulk = {"filter": {}, "set": patch}
        assert_problem(send(http, "PATCH", f"/v1/{resource}/bulk", bulk), 422, f"set.{field}")
    rows.assert_unchanged()


def test_bulk_bodies_of_the_wrong_shape(rows: Rows, http: httpx.Client) -> None:
    cases: list[tuple[str, str, Any, str]] = [
        ("POST", "/v1/contacts/bulk", {}, "items"),
        ("POST", "/v1/contacts/bulk", {"items": {"name": "x"}}, "items"),
        ("POST", "/v1/contacts/bulk", {"items": [{"name": "x"}], "extra": 1}, "extra"),
        ("POST", "/v1/contacts/bulk", {"items": [1, "two", None]}, "items[0]"),
        ("PATCH", "/v1/contacts/bulk", {"set": {"name": "x"}}, "filter"),
        ("PATCH", "/v1/contacts/bulk", {"filter": "everything", "set": {"name": "x"}}, "filter"),
        ("PATCH", "/v1/contacts/bulk", {"filter": {}, "set": "x"}, "set"),
        ("PATCH", "/v1/contacts/bulk", {"filter": {}}, "set"),
        ("PATCH", "/v1/contacts/bulk", {"filter": {}, "set": {"name": 5}}, "set.name"),
        ("POST", f"/v1/conversations/{rows.conversation}/messages/bulk", {"items": "x"}, "items"),
    ]
    for method, path, body, field in cases:
        assert_problem(send(http, method, path, body), 422, field)
    # An empty patch is a malformed request rather than an invalid value.
    response = send(http, "PATCH", "/v1/contacts/bulk", {"filter": {}, "set": {}})
    assert_problem(response, 400, "set")
    rows.assert_unchanged()


def test_oversize_bodies_are_413(fresh: Rows) -> None:
    rows, http = fresh, fresh.client
    big = json.dumps({"name": "x", "metadata": {"blob": "x" * MAX_BODY}}).encode()
    for method, path in [
        ("POST", "/v1/contacts"),
        ("POST", "/v1/contacts/bulk"),
        ("PATCH", f"/v1/contacts/{rows.contact}"),
        ("POST", f"/v1/conversations/{rows.conversation}/messages"),
    ]:
        response = http.request(
            method, path, content=big, headers={"content-type": "application/json"}
        )
        problem = assert_problem(response, 413, detail=str(MAX_BODY))
        assert problem["max_bytes"] == MAX_BODY

    def streamed() -> Iterator[bytes]:  # no Content-Length: the limit must count as it reads
        yield b'{"name": "x", "metadata": {"blob": "'
        for _ in range(12):
            yield b"x" * 100_000
        yield b'"}}'

    response = http.post(
        "/v1/contacts", content=streamed(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)
    rows.assert_unchanged()
    # Just under the limit is fine.
    fits = json.dumps({"name": "x", "metadata": {"blob": "x" * (MAX_BODY - 100)}}).encode()
    response = http.post("/v1/contacts", content=fits, headers={"content-type": "application/json"})
    assert response.status_code == 201, response.text


# ------------------------------------------------------------------ query parameters

QUERY_ROUTES = ["/v1/{resource}", "/v1/{resource}/count"]
HARMLESS = {  # a valid bulk "set" for each resource
    "contacts": {"job_title": "x"},
    "conversations": {"outlet_id": "x"},
    "messages": {"phase": "x"},
    "objections": {"description": "x"},
    "agents": {"visibility": "hidden"},
    "interaction-summaries": {"metadata": {"x": 1}},
    "users": {"name": "x"},
    "memories": {"confidence": 0.5},
    "knowledge": {"source": "x"},
    "follow-ups": {"notes": "x"},
    "calls": {"closer": "x"},
    "legal-holds": {"reason": "x"},
    "feedback": {"text": "x"},
    "prompt-variants": {"weight": 2},
    "experiments": {"min_sample": 50},
    "triggers": {"reason": "x"},
}

# (filter text, the field the problem must name, words the detail must hold)
BAD_FILTERS = [
    ('{"nonexistent": 1}', "nonexistent", "unknown field"),
    ('{"id": {"$regex": "x"}}', "id", "unknown operator '$regex'"),
    ('{"id": {"$where": "1"}}', "id", "unknown operator '$where'"),
    ('{"$where": "sleep(10)"}', "$where", "unknown operator"),
    ('{"$or": []}', "$or", "non-empty list"),
    ('{"$and": {"id": 1}}', "$and", "non-empty list"),
    ('{"id": "not-an-id"}', "id", "not a valid id"),
    ('{"id": {"$in": "not-a-list"}}', "id", "expected a list"),
    ('{"created_at": {"$gte": "yesterday"}}', "created_at", "ISO 8601"),
    ('{"created_at": {"$lt": "2025-13-45"}}', "created_at", "ISO 8601"),
    ('{"created_at": 20250101}', "created_at", "ISO 8601"),
    ('{"created_at": {"$exists": "yes"}}', "created_at", "true or false"),
    ('{"id": ', "filter", "not valid JSON"),
    ("{'id': 1}", "filter", "not valid JSON"),
    ("not json at all", "filter", "not valid JSON"),
    ("[]", "filter", "expected a JSON object"),
    ('"id"', "filter", "expected a JSON object"),
    ("{" + '"$and": [{' * 12 + "}]" * 12 + "}", "filter", "nested too deeply"),
]


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_bad_filters_are_400_naming_them(resource: str, rows: Rows, http: httpx.Client) -> None:
    for template in QUERY_ROUTES:
        path = template.format(resource=resource)
        for text, field, words in BAD_FILTERS:
            response = http.get(path, params={"filter": text})
            assert_problem(response, 400, field, detail=words)
    for text, field, words in BAD_FILTERS:
        if _is_object(text):  # the same filter in a bulk update's body
            body = {"filter": json.loads(text), "set": HARMLESS[resource]}
            response = send(http, "PATCH", f"/v1/{resource}/bulk", body)
            assert_problem(response, 400, field, detail=words)
    rows.assert_unchanged()


def _is_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def test_bad_filters_on_the_views(rows: Rows, http: httpx.Client) -> None:
    for path, params in [
        ("/v1/pipeline", {}),
        ("/v1/analytics/interactions", {}),
        ("/v1/messages/search", {"q": "hello"}),
    ]:
        assert_problem(http.get(path, params={**params, "filter": "{oops"}), 400, "filter")
        response = http.get(path, params={**params, "filter": '{"colour": "red"}'})
        assert_problem(response, 400, "colour", detail="unknown field")
        response = http.get(path, params={**params, "filter": '{"created_at": {"$gt": "soon"}}'})
        assert_problem(response, 400, "created_at", detail="ISO 8601")
    # Filter values of the wrong type for the field.
    for text, field in [
        ('{"status": 5}', "status"),
        ('{"status": "sleeping"}', "status"),
        ('{"is_qualified": "yes"}', "is_qualified"),
        ('{"message_count": "ten"}', "message_count"),
        ('{"message_count": 1.5}', "message_count"),
        ('{"metadata": {"$gt": 1}}', "metadata"),
        ('{"metadata.bad key!": 1}', "metadata.bad key!"),
        ('{"follow_up": {"required": true}}', "follow_up"),
    ]:
        assert_problem(http.get("/v1/conversations", params={"filter": text}), 400, field)


def test_bad_order_by_is_400(rows: Rows, http: httpx.Client) -> None:
    for resource in RESOURCES:
        for order_by in ("nonexistent", "-nonexistent", "metadata", "name;DROP TABLE contacts"):
            response = http.get(f"/v1/{resource}", params={"order_by": order_by})
            assert_problem(response, 400, "order_by", detail="cannot sort by")
    rows.assert_unchanged()


LIMITED: list[tuple[str, dict[str, str]]] = [
    ("/v1/contacts", {}),
    ("/v1/interaction-summaries", {"order_by": "-total_messages"}),
    ("/v1/messages/search", {"q": "hello"}),
    ("/v1/messages/by-intent", {"intent": "pricing"}),
    ("/v1/contacts/top", {}),
    ("/v1/follow-ups/due", {}),
    ("/v1/conversations/{conversation}/messages", {}),
    ("/v1/contacts/{contact}/sessions", {}),
]


@pytest.mark.parametrize("limit", ["0", "5000", "1001", "-1", "ten", "1.5", "1e3"])
def test_bad_limits_are_400(limit: str, rows: Rows, http: httpx.Client) -> None:
    for template, params in LIMITED:
        path = template.format(conversation=rows.conversation, contact=rows.contact)
        assert_problem(http.get(path, params={**params, "limit": limit}), 400, "limit")
    # the bounds themselves are fine
    for template, params in LIMITED:
        path = template.format(conversation=rows.conversation, contact=rows.contact)
        for limit_ok in ("1", "1000"):
            assert http.get(path, params={**params, "limit": limit_ok}).status_code == 200


def forged_cursor(signature: str, values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps([signature, values]).encode()).decode().rstrip("=")


def test_bad_cursors_are_400(fresh: Rows) -> None:
    rows, http = fresh, fresh.client
    for name in ("Bea", "Cal", "Dee"):
        ok(http.post("/v1/contacts", json={"name": name}), 201)
    first = ok(http.get("/v1/contacts", params={"order_by": "name", "limit": 1}))
    assert first["next_cursor"]
    # The cursor works with the order it was issued for ...
    ok(http.get("/v1/contacts", params={"order_by": "name", "cursor": first["next_cursor"]}))
    # ... and with no other.
    for order_by in ("-name", "created_at", None):
        params = {"cursor": first["next_cursor"]} | ({"order_by": order_by} if order_by else {})
        response = http.get("/v1/contacts", params=params)
        assert_problem(response, 400, "cursor", detail="different order_by")
    # Another resource's cursor does not fit either.
    conversation_cursor = forged_cursor("-updated_at,-id", ["2025-01-01T00:00:00Z", MISSING])
    response = http.get("/v1/contacts", params={"cursor": conversation_cursor})
    assert_problem(response, 400, "cursor")

    garbage = [
        "garbage!!",
        "AAAA",
        "W10",  # []
        "bnVsbA",  # null
        "IkEi",  # "A"
        base64.urlsafe_b64encode(b"\xff\xfe\x00").decode(),
        "x" * 2000,
        forged_cursor("name,id", [{"$gt": ""}, MISSING]),
        forged_cursor("name,id", [["a"], [MISSING]]),
        forged_cursor("name,id", ["Bea", "not-an-id"]),
        forged_cursor("name,id", [5, MISSING]),
        forged_cursor("name,id", ["Bea"]),
        forged_cursor("name,id", "Bea"),
    ]
    for cursor in garbage:
        response = http.get("/v1/contacts", params={"order_by": "name", "cursor": cursor})
        assert_problem(response, 400, "cursor")
    for path in (
        f"/v1/conversations/{rows.conversation}/messages",
        f"/v1/contacts/{rows.contact}/sessions",
        "/v1/contacts/top",
        "/v1/follow-ups/due",
    ):
        assert_problem(http.get(path, params={"cursor": "garbage!!"}), 400, "cursor")
    response = http.get("/v1/messages/by-intent", params={"intent": "x", "cursor": "garbage!!"})
    assert_problem(response, 400, "cursor")


def test_bad_verb_parameters_are_400(rows: Rows, http: httpx.Client) -> None:
    cases = [
        ("/v1/messages/search", {}, "q"),
        ("/v1/messages/search", {"q": ""}, "q"),
        ("/v1/messages/search", {"q": "   "}, "q"),
        ("/v1/messages/by-intent", {}, "intent"),
        ("/v1/messages/by-intent", {"intent": "x", "min_confidence": "2"}, "min_confidence"),
        ("/v1/messages/by-intent", {"intent": "x", "min_confidence": "high"}, "min_confidence"),
        ("/v1/contacts/top", {"min_conversations": "-1"}, "min_conversations"),
        ("/v1/follow-ups/due", {"from": "tomorrow"}, "from"),
        ("/v1/follow-ups/due", {"to": "2025-02-30"}, "to"),
        ("/v1/follow-ups/due", {"from": "2025-01-02", "to": "2025-01-01"}, "to"),
        ("/v1/follow-ups/due", {"tz": "Mars/Olympus_Mons"}, "tz"),
        ("/v1/follow-ups/due", {"tz": "../../etc/passwd"}, "tz"),
        ("/v1/follow-ups/due", {"overdue": "sometimes"}, "overdue"),
        ("/v1/agents/workload", {"status": "sleeping"}, "status"),
        (f"/v1/conversations/{rows.conversation}/messages", {"role": "bot"}, "role"),
        (f"/v1/contacts/{rows.contact}/sessions", {"from": "whenever"}, "from"),
        (f"/v1/contacts/{rows.contact}/sessions", {"to": "whenever"}, "to"),
    ]
    for path, params, field in cases:
        assert_problem(http.get(path, params=params), 400, field)


# ------------------------------------------------------------------ routes and ids


def test_unknown_routes_are_404_problems(http: httpx.Client) -> None:
    for path in (
        "/v1/nothing",
        "/v2/contacts",
        "/",
        "/v1",
        f"/v1/contacts/{MISSING}/nothing",
        f"/v1/conversations/{MISSING}/messages/nothing",
    ):
        assert_problem(http.get(path), 404)


def test_wrong_methods_are_405_problems(rows: Rows, http: httpx.Client) -> None:
    for method, path in (
        ("PUT", "/v1/contacts"),
        ("DELETE", "/v1/contacts"),
        ("PUT", f"/v1/contacts/{rows.contact}"),
        ("POST", f"/v1/contacts/{rows.contact}"),
        ("POST", "/v1/pipeline"),
        ("DELETE", f"/v1/conversations/{rows.conversation}/document"),
        ("PUT", "/v1/keys"),
    ):
        problem = assert_problem(http.request(method, path, json={"name": "x"}), 405)
        assert problem["title"] == "Method not allowed"
    # Allow lists every method the path has, not only the one route Starlette tried
    answer = http.put(f"/v1/contacts/{rows.contact}", json={})
    assert answer.headers["allow"] == "DELETE, GET, HEAD, PATCH"
    assert "use DELETE, GET, HEAD, PATCH" in answer.json()["detail"]
    # a path of its own beside /v1/contacts/{id} lists its own methods
    assert http.put("/v1/contacts/top", json={}).headers["allow"] == "GET"
    rows.assert_unchanged()


MALFORMED_IDS = [
    "not-a-uuid",
    "1",
    "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6g",
    "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e0",
    "'; DROP TABLE contacts; --",
    "%00",
    "null",
]


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_malformed_ids_in_paths_are_404(resource: str, rows: Rows, http: httpx.Client) -> None:
    for bad in MALFORMED_IDS:
        path = f"/v1/{resource}/{bad}"
        assert_problem(http.get(path), 404, "id")
        assert_problem(send(http, "PATCH", path, {}), 404, "id")
        assert_problem(http.delete(path), 404, "id")
        assert http.head(path).status_code == 404
    rows.assert_unchanged()


def test_malformed_ids_in_verb_paths_are_404(rows: Rows, http: httpx.Client) -> None:
    message = {"role": "user", "content": "hi"}
    for bad in MALFORMED_IDS:
        for method, path, body in (
            ("GET", f"/v1/conversations/{bad}/messages", None),
            ("POST", f"/v1/conversations/{bad}/messages", message),
            ("POST", f"/v1/conversations/{bad}/messages/bulk", {"items": [message]}),
            ("GET", f"/v1/conversations/{bad}/document", None),
            ("GET", f"/v1/contacts/{bad}/conversations/latest", None),
            ("GET", f"/v1/contacts/{bad}/sessions", None),
            ("DELETE", f"/v1/keys/{bad}", None),
        ):
            assert_problem(http.request(method, path, json=body), 404, "id")
    # Well-formed ids that do not exist are 404 too.
    for method, path, body in (
        ("POST", f"/v1/conversations/{MISSING}/messages", message),
        ("GET", f"/v1/conversations/{MISSING}/document", None),
        ("GET", f"/v1/contacts/{MISSING}/sessions", None),
        ("DELETE", f"/v1/keys/{MISSING}", None),
    ):
        assert_problem(http.request(method, path, json=body), 404)
    rows.assert_unchanged()


# ------------------------------------------------------------------ all or nothing


BAD_SEVENTH = {
    "contacts": ({"email": "seven-at-example.com"}, "email"),
    "conversations": ({"status": "sleeping"}, "status"),
    "messages": ({"role": "robot"}, "role"),
    "objections": ({"type": "weather"}, "type"),
    "agents": ({"role": "janitor"}, "role"),
    "interaction-summaries": ({"total_messages": -7}, "total_messages"),
    "users": ({"role": "emperor"}, "role"),
    "memories": ({"key": "Not A Key"}, "key"),
    "knowledge": ({"title": ""}, "title"),
    "follow-ups": ({"status": "maybe"}, "status"),
    "calls": ({"outcome": "voicemail"}, "outcome"),
    "legal-holds": ({"reason": ""}, "reason"),
    "feedback": ({"kind": "emoji"}, "kind"),
    "prompt-variants": ({"status": "retired"}, "status"),
    "experiments": ({"strategy": "coin"}, "strategy"),
    "triggers": ({"after": "soon"}, "after"),
}


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_bulk_create_with_a_bad_item_writes_nothing(
    resource: str, rows: Rows, http: httpx.Client
) -> None:
    items = []
    for i in range(10):
        item = dict(rows.valid[resource])
        if resource == "agents":
            item["name"] = f"agent-{i}"
        elif resource == "users":
            item["email"] = f"user{i}@example.com"
        elif resource == "contacts":
            item["name"] = f"Contact {i}"
        elif resource in ("memories", "knowledge"):
            item["text"] = f"note {i}"
        elif resource == "calls":
            item["start_time"] = f"2025-02-01T10:{i:02d}:00Z"
        elif resource in ("prompt-variants", "experiments", "triggers"):
            item["name"] = f"name-{i}"
        items.append(item)
    bad, field = BAD_SEVENTH[resource]
    items[7] = {**items[7], **bad}
    problem = assert_problem(send(http, "POST", f"/v1/{resource}/bulk", {"items": items}), 422)
    assert problem["field"] == f"items[7].{field}"
    assert f"items[7].{field}" in problem["detail"]
    rows.assert_unchanged()


def test_appending_a_batch_with_a_bad_message_writes_nothing(
    rows: Rows, http: httpx.Client
) -> None:
    items = [{"role": "user", "content": f"message {i}"} for i in range(10)]
    items[7]["sentiment"] = -3
    path = f"/v1/conversations/{rows.conversation}/messages/bulk"
    assert_problem(send(http, "POST", path, {"items": items}), 422, "items[7].sentiment")
    rows.assert_unchanged()


def test_bulk_messages_naming_a_missing_conversation_write_nothing(
    rows: Rows, http: httpx.Client
) -> None:
    items = [
        {"conversation_id": rows.conversation, "role": "user", "content": f"message {i}"}
        for i in range(6)
    ]
    items[3]["conversation_id"] = MISSING
    problem = assert_problem(
        send(http, "POST", "/v1/messages/bulk", {"items": items}), 404, "items[3].conversation_id"
    )
    assert MISSING in problem["detail"]
    single = send(http, "POST", "/v1/messages", items[3])
    assert_problem(single, 404, "conversation_id")
    rows.assert_unchanged()  # also: the conversation's message_count did not move


def test_duplicate_phone_is_409_and_the_first_contact_is_untouched(fresh: Rows) -> None:
    rows, http = fresh, fresh.client
    first = ok(http.get(f"/v1/contacts/{rows.contact}"))
    for phone in ("+6591234567", "+65 9123 4567", "+65-9123-4567"):
        response = send(http, "POST", "/v1/contacts", {"name": "Impostor", "phone": phone})
        problem = assert_problem(response, 409, "phone")
        assert "9123" not in problem["detail"]  # the value is personal data: never repeated
    # A patch that would take the number, and a batch that repeats it, are refused too.
    other = ok(http.post("/v1/contacts", json={"name": "Other"}), 201)
    response = send(http, "PATCH", f"/v1/contacts/{other['id']}", {"phone": "+6591234567"})
    assert_problem(response, 409, "phone")
    twins = {
        "items": [{"name": "A", "phone": "+6598765432"}, {"name": "B", "phone": "+6598765432"}]
    }
    assert_problem(send(http, "POST", "/v1/contacts/bulk", twins), 409, "phone")
    assert http.delete(f"/v1/contacts/{other['id']}").status_code == 204
    assert ok(http.get(f"/v1/contacts/{rows.contact}")) == first
    rows.assert_unchanged()


def test_duplicate_instagram_handle_is_409(fresh: Rows) -> None:
    rows, http = fresh, fresh.client
    ok(http.post("/v1/contacts", json={"instagram_handle": "@Jane.Doe"}), 201)
    before = rows.state()
    response = send(http, "POST", "/v1/contacts", {"instagram_handle": "jane.doe"})
    assert_problem(response, 409, "instagram_handle")
    assert rows.state() == before


# ------------------------------------------------------------------ hostile input sweep


def nested(depth: int) -> Any:
    value: Any = "bottom"
    for i in range(depth):
        value = {"k": value} if i % 2 else [value]
    return value


HOSTILE: list[Any] = [
    None,
    "x" * 300_000,  # large, but well within the body limit
    "\ud800",  # a lone surrogate: a valid JSON escape, but not Unicode
    "nul\u0000byte",
    "12",
    2**70,
    -1e308,
    True,
    [[{"a": [None, {"b": []}]}]],
    {"$gt": {"$where": "1"}, "nested": {"deeper": [1, "two", None, {"x": {}}]}},
    nested(60),
]


def send_all(client: httpx.Client, requests: list[tuple[str, str, Any]]) -> list[httpx.Response]:
    """Each (method, path, JSON body or query params), eight at a time."""

    def one(request: tuple[str, str, Any]) -> httpx.Response:
        method, path, payload = request
        if method == "GET":
            return client.get(path, params=payload)
        return send(client, method, path, payload)

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, requests))


@pytest.mark.parametrize("resource", sorted(RESOURCES))
def test_hostile_values_never_cause_a_500(resource: str, fresh: Rows) -> None:
    """Every field of a create body, patch and filter, set to each hostile value in turn."""
    client, path = fresh.client, f"/v1/{resource}"
    creates = [
        ("POST", path, {**fresh.valid[resource], field: value})
        for field in RESOURCES[resource].create_model.model_fields
        for value in HOSTILE
    ]
    created = 0
    for response in send_all(client, creates):
        if response.status_code in (200, 201):  # 200: an idempotent retry of a stored row
            created += response.status_code == 201
        else:
            assert_refused(response)
    # Refused writes left nothing behind: the only new rows are the ones created (201).
    assert fresh.counts() == {**STORED, resource: STORED[resource] + created}

    patch_model = RESOURCES[resource].patch_model
    assert patch_model is not None
    row = f"{path}/{fresh.ids[resource]}"
    patches = [
        ("PATCH", row, {field: value}) for field in patch_model.model_fields for value in HOSTILE
    ]
    filters = [
        ("GET", f"{path}/count", {"filter": json.dumps({field: value})})
        for field in RESOURCES[resource].fields
        for value in (*HOSTILE[2:], {"$in": [None, {}, []]}, {"$contains": [{}]})
    ]
    for response in send_all(client, patches + filters):
        if response.status_code != 200:
            assert_refused(response)
    # Nesting too deep for the JSON parser is refused cleanly too.
    deep = b'{"metadata": {"x": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    response = client.post(path, content=deep, headers={"content-type": "application/json"})
    assert_refused(response)
    assert ok(client.get("/healthz")) == {"status": "ok"}


ABSURD_MOMENTS = ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "1899-12-31T23:59:59Z",
                  "2200-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00"]  # fmt: skip


@pytest.mark.parametrize("moment", ABSURD_MOMENTS)
def test_moments_outside_the_years_1900_to_2199_are_422(
    moment: str, rows: Rows, http: httpx.Client
) -> None:
    """A message stamped 1 BC (in UTC) used to be stored, and then stopped enrichment for
    every tenant; a follow-up due then broke the due list. Both are refused, naming the
    field, and nothing is stored."""
    checks = [
        ("POST", f"/v1/conversations/{rows.conversation}/messages",
         {"role": "user", "content": "hi", "timestamp": moment}, "timestamp"),
        ("POST", "/v1/follow-ups", {"conversation_id": rows.conversation, "due_at": moment},
         "due_at"),
        ("POST", "/v1/contacts", {"name": "Old", "created_at": moment}, "created_at"),
        ("POST", "/v1/memories", {"contact_id": rows.contact, "key": "fact",
                                  "valid_from": moment}, "valid_from"),
    ]  # fmt: skip
    for method, path, body, field in checks:
        assert_problem(send(http, method, path, body), 422, field, detail="1900")
    assert_problem(http.get("/v1/follow-ups/due", params={"from": moment}), 400, "from")
    rows.assert_unchanged()
    assert http.get("/v1/follow-ups/due", params={"overdue": "true"}).status_code == 200


def test_a_20_mb_body_gets_its_413_in_every_ordinary_client(fresh: Rows) -> None:
    """urllib, httpx and curl each send 20 MB to a server that takes 1 MiB, and each reads
    the 413 problem document (rather than a reset connection)."""
    import subprocess
    import urllib.error
    import urllib.request

    url = f"{fresh.client.base_url}/v1/contacts"
    key = fresh.client.headers["Authorization"]
    body = b'{"name": "' + b"x" * (20 * 1024 * 1024) + b'"}'
    headers = {"Authorization": key, "Content-Type": "application/json"}
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers))
    assert refused.value.code == 413
    assert orjson.loads(refused.value.read())["max_bytes"] == MAX_BODY
    answer = httpx.post(url, content=body, headers=headers, timeout=60)
    assert answer.status_code == 413
    assert answer.json()["type"].endswith("/payload-too-large")
    done = subprocess.run(
        ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", "POST", url,
         "-H", f"Authorization: {key}", "-H", "Content-Type: application/json",
         "--data-binary", "@-"],
        input=body, capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    text, _, status = done.stdout.decode().rpartition("\n")
    assert status == "413", done.stderr
    assert orjson.loads(text)["status"] == 413
    fresh.assert_unchanged()

"""API keys over REST: scopes, expiry, rotation with an overlap, revocation that takes effect
at once on every server, last_used_at, and failed authentications that are limited.

Also the least-privilege fixes an adversarial probe asked for: publishing an agent needs an
admin, another org sees only a public agent's public face, a viewer cannot run enrichment,
another org's contact is a 404 everywhere, CORS is off unless configured, and oversized
filters are a 400 that names the limit.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest

from rapport import errors
from rapport.api.app import create_app
from rapport.api.limits import MAX_HEADER_BYTES
from rapport.resources.filters import MAX_CONDITIONS
from tests.conftest import ServerThread, Store, Tenant
from tests.test_tenancy import assert_problem, client_for, ok


def later(**delta: float) -> str:
    return (datetime.datetime.now(datetime.UTC) + datetime.timedelta(**delta)).isoformat()


@pytest.fixture
def second_server(store: Store, model: None) -> Iterator[ServerThread]:
    """Another server process's worth of API over the same database (its own pools)."""
    with ServerThread(create_app(store.settings, store.url, supervise=False)) as running:
        yield running


def test_scopes_narrow_what_a_key_may_do(http: httpx.Client, server: ServerThread) -> None:
    reader = ok(http.post("/v1/keys", json={"scopes": ["read"], "name": "dashboard"}), 201)
    assert (reader["role"], reader["scopes"]) == ("viewer", ["read"])
    writer = ok(http.post("/v1/keys", json={"role": "admin", "scopes": ["read", "write"]}), 201)
    with client_for(server, reader["key"]) as client:
        assert client.get("/v1/contacts").status_code == 200
        assert_problem(client.post("/v1/contacts", json={"name": "X"}), 403)
    with client_for(server, writer["key"]) as client:
        assert ok(client.post("/v1/contacts", json={"name": "Y"}), 201)
        # Its role is admin, its scopes are not: it cannot manage keys.
        problem = assert_problem(client.post("/v1/keys", json={}), 403)
        assert "that needs the admin scope" in problem["detail"]
    problem = assert_problem(
        http.post("/v1/keys", json={"role": "viewer", "scopes": ["write"]}), 422, "scopes"
    )
    assert "a viewer key cannot have write" in problem["detail"]
    assert_problem(http.post("/v1/keys", json={"scopes": ["root"]}), 422, "scopes[0]")
    assert_problem(http.post("/v1/keys", json={"scopes": []}), 422, "scopes")


def test_an_expired_key_is_refused_with_the_reason(
    http: httpx.Client, server: ServerThread, store: Store
) -> None:
    assert_problem(http.post("/v1/keys", json={"expires_at": later(seconds=-5)}), 422, "expires_at")
    made = ok(http.post("/v1/keys", json={"expires_at": later(days=1)}), 201)
    with client_for(server, made["key"]) as client:
        assert client.get("/v1/org").status_code == 200
        with psycopg.connect(store.url, autocommit=True) as conn:  # a day passes
            conn.execute(
                "UPDATE api_keys SET expires_at = now() - interval '1 s' WHERE id = %s",
                [made["id"]],
            )
        problem = assert_problem(client.get("/v1/org"), 401)
        assert "expired at" in problem["detail"]
        challenge = client.get("/v1/org").headers["www-authenticate"]
        assert challenge.startswith('Bearer realm="rapport", error="invalid_token"')


def test_rotation_keeps_the_old_secret_for_the_overlap_only(
    http: httpx.Client, server: ServerThread, store: Store
) -> None:
    made = ok(http.post("/v1/keys", json={"role": "operator", "name": "agent"}), 201)
    rotated = ok(http.post(f"/v1/keys/{made['id']}/rotate", json={"overlap_seconds": 600}), 201)
    assert rotated["key"] != made["key"]
    assert (rotated["name"], rotated["role"], rotated["scopes"]) == (
        "agent", "operator", ["read", "write"])  # fmt: skip
    assert rotated["replaces"]["id"] == made["id"]
    assert rotated["replaces"]["replaced_by"] == rotated["id"]
    left = datetime.datetime.fromisoformat(rotated["replaces"]["expires_at"]) - (
        datetime.datetime.now(datetime.UTC)
    )
    assert datetime.timedelta(minutes=9) < left <= datetime.timedelta(minutes=10)
    for secret in (made["key"], rotated["key"]):
        with client_for(server, secret) as client:
            assert client.get("/v1/org").status_code == 200
    ok(http.post(f"/v1/keys/{made['id']}/rotate", json={"overlap_seconds": 0}), 201)
    with client_for(server, made["key"]) as client:  # the overlap is over: refused
        assert "expired at" in assert_problem(client.get("/v1/org"), 401)["detail"]
    with client_for(server, rotated["key"]) as client:
        assert client.get("/v1/org").status_code == 200
    ok(http.delete(f"/v1/keys/{rotated['id']}"))
    problem = assert_problem(http.post(f"/v1/keys/{rotated['id']}/rotate", json={}), 409)
    assert "was revoked" in problem["detail"]
    assert_problem(http.post(f"/v1/keys/{made['id']}x/rotate", json={}), 404, "id")


def test_a_revoked_key_is_refused_at_once_by_every_server(
    http: httpx.Client, server: ServerThread, second_server: ServerThread
) -> None:
    made = ok(http.post("/v1/keys", json={"role": "operator"}), 201)
    with client_for(server, made["key"]) as a, client_for(second_server, made["key"]) as b:
        assert a.get("/v1/org").status_code == 200
        assert b.get("/v1/org").status_code == 200  # each server has verified it once
        ok(http.delete(f"/v1/keys/{made['id']}"))  # revoked through the first server
        for client in (a, b):
            problem = assert_problem(client.get("/v1/org"), 401)
            assert "was revoked at" in problem["detail"]


def test_last_used_at_moves_at_most_once_a_minute(http: httpx.Client, server: ServerThread) -> None:
    made = ok(http.post("/v1/keys", json={"role": "viewer"}), 201)
    with client_for(server, made["key"]) as client:
        client.get("/v1/org")
        first = _key(http, made["id"])["last_used_at"]
        client.get("/v1/org")
        assert first is not None
        assert _key(http, made["id"])["last_used_at"] == first  # no write per request


def _key(http: httpx.Client, key_id: str) -> dict[str, Any]:
    return next(k for k in ok(http.get("/v1/keys"))["items"] if k["id"] == key_id)


def test_failed_authentications_are_limited_per_client(store: Store, tenant: Tenant) -> None:
    settings = store.settings.model_copy(update={"auth_failures_per_minute": 5})
    app = create_app(settings, store.url, supervise=False)
    with ServerThread(app) as running, httpx.Client(base_url=running.url) as client:
        bare = client.get("/v1/org")
        assert bare.status_code == 401
        assert bare.headers["www-authenticate"] == 'Bearer realm="rapport"'
        for n in range(5):
            wrong = client.get("/v1/org", headers={"Authorization": f"Bearer rk_wrong{n}"})
            assert wrong.status_code == 401
            assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
        limited = client.get("/v1/org", headers={"Authorization": "Bearer rk_wrong9"})
        problem = assert_problem(limited, 429)
        assert "too many failed authentications" in problem["detail"]
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        good = {"Authorization": f"Bearer {tenant.key('viewer')}"}
        assert client.get("/v1/org", headers=good).status_code == 429  # same client


def test_publishing_an_agent_needs_an_admin_and_shows_only_its_public_face(
    server: ServerThread, tenant: Tenant, other_tenant: Tenant
) -> None:
    public = {"name": "closer-x", "role": "closer", "visibility": "public",
              "persona": {"description": "Closes deals", "instructions": "SECRET PROMPT"},
              "config": {"api_key": "sk-live-secret"},
              "quick_tasks": [{"name": "recap", "prompt": "go", "description": "d"}]}  # fmt: skip
    with client_for(server, tenant.key("operator")) as operator:
        assert_problem(operator.post("/v1/agents", json=public), 403)
        shared = {"name": "q", "role": "qualifier", "shared_with": [other_tenant.id]}
        assert_problem(operator.post("/v1/agents", json=shared), 403)
        mine = ok(operator.post("/v1/agents", json={"name": "q", "role": "qualifier"}), 201)
        assert_problem(
            operator.patch(f"/v1/agents/{mine['id']}", json={"visibility": "public"}), 403
        )
        publish_all = {"filter": {}, "set": {"visibility": "public"}}
        assert_problem(operator.patch("/v1/agents/bulk", json=publish_all), 403)
    with client_for(server, tenant.key("admin")) as admin:
        ok(admin.post("/v1/agents", json=public), 201)
    with client_for(server, other_tenant.key("viewer")) as theirs:
        [seen] = ok(theirs.get("/v1/agents/available"))["items"]
    assert seen["name"] == "closer-x"
    assert seen["own"] is False
    assert seen["persona"] == {"description": "Closes deals"}
    assert seen["quick_tasks"] == [{"name": "recap", "description": "d"}]
    for hidden in ("org_id", "config", "shared_with", "knowledge_sources"):
        assert hidden not in seen
    assert "SECRET" not in str(seen)
    assert "sk-live" not in str(seen)


def test_a_viewer_cannot_run_enrichment_and_another_orgs_contact_is_404(
    server: ServerThread, tenant: Tenant, other_tenant: Tenant
) -> None:
    with client_for(server, tenant.key("viewer")) as viewer:
        assert_problem(viewer.post("/v1/enrichment/flush"), 403)
    with client_for(server, other_tenant.key("operator")) as theirs:
        person = ok(theirs.post("/v1/contacts", json={"name": "Lee"}), 201)
        assert ok(theirs.get(f"/v1/agents/states/{person['id']}")) == {"items": []}
    with client_for(server, tenant.key("admin")) as mine:
        assert_problem(mine.get(f"/v1/agents/states/{person['id']}"), 404, "subject_id")


def test_cors_is_off_unless_origins_are_configured(store: Store, http: httpx.Client) -> None:
    preflight = {"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "authorization"}  # fmt: skip
    refused = http.options("/v1/contacts", headers=preflight)
    assert "access-control-allow-origin" not in refused.headers
    settings = store.settings.model_copy(update={"cors_origins": ["https://app.example.com"]})
    app = create_app(settings, store.url, supervise=False)
    with ServerThread(app) as running, httpx.Client(base_url=running.url) as client:
        allowed = client.options("/v1/contacts", headers=preflight)
        assert allowed.status_code == 200
        assert allowed.headers["access-control-allow-origin"] == "https://app.example.com"
        other = client.options(
            "/v1/contacts", headers={**preflight, "Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in other.headers


def test_a_filter_past_the_limit_is_a_400_naming_it(http: httpx.Client, tenant: Tenant) -> None:
    with tenant.local() as local, pytest.raises(errors.BadRequest) as caught:
        local.contacts.list(filter={"$or": [{"name": f"n{i}"} for i in range(70_000)]})
    assert f"at most {MAX_CONDITIONS} conditions, this one has" in str(caught.value)
    assert caught.value.field == "filter"
    many = {"$or": [{"name": f"n{i}"} for i in range(5_000)]}
    problem = assert_problem(
        http.patch("/v1/contacts/bulk", json={"filter": many, "set": {"tags": ["x"]}}),
        400,
        "filter",
    )
    assert f"at most {MAX_CONDITIONS} conditions" in problem["detail"]
    fine = {"$or": [{"name": f"n{i}"} for i in range(MAX_CONDITIONS)]}
    assert (
        http.patch("/v1/contacts/bulk", json={"filter": fine, "set": {"tags": ["x"]}}).status_code
        == 200
    )


def test_oversized_headers_are_refused_before_any_route(server: ServerThread) -> None:
    with httpx.Client(base_url=server.url) as client:
        huge = client.get("/v1/org", headers={"X-Padding": "a" * (MAX_HEADER_BYTES + 1)})
        problem = assert_problem(huge, 431)
        assert f"larger than {MAX_HEADER_BYTES} bytes" in problem["detail"]
        assert client.get("/healthz").status_code == 200

"""Identity from the provider (seed 004: Clerk): RS256 tokens against a JWKS (a file, or a URL
that is cached and fetched again for a new key id), org and role from Clerk's v1 and v2
claims, and organizations and users synced from Clerk's signed webhooks.

Tokens and webhooks are made here the way Clerk makes them: RSA keys from ``cryptography``,
JWTs signed with PyJWT, webhook signatures from the ``standardwebhooks`` package Svix
publishes; nothing about the server is stubbed.
"""

from __future__ import annotations

import base64
import datetime
import http.server
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import psycopg
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from standardwebhooks import Webhook

from rapport.api.app import create_app
from tests.conftest import ServerThread, Store
from tests.test_tenancy import assert_problem, ok

ISSUER = "https://clerk.rapport.test"
SECRET = "whsec_" + base64.b64encode(b"a webhook signing secret, 32 b.").decode()


class Signer:
    """An RSA key pair with a key id, as a provider signs tokens with."""

    def __init__(self, kid: str) -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        found = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key()))
        return {**found, "kid": self.kid, "use": "sig", "alg": "RS256"}

    def token(self, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "sub": "user_29w83sxmDNGwOuEthce5gg56FcC", "iat": now,
                "nbf": now, "exp": now + 60, **claims}  # fmt: skip
        return jwt.encode(body, self.private, algorithm="RS256", headers={"kid": self.kid})


def jwks(*signers: Signer) -> str:
    return json.dumps({"keys": [s.jwk() for s in signers]})


class JwksServer:
    """The provider's JWKS endpoint: serves the current key set, counts its fetches."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.fetches = 0
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.fetches += 1
                data = outer.body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/.well-known/jwks.json"

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def signer() -> Signer:
    return Signer("ins_2a")


def _server(store: Store, **settings: Any) -> ServerThread:
    configured = store.settings.model_copy(
        update={"jwt_issuer": ISSUER, "clerk_webhook_secret": SECRET, **settings}
    )
    return ServerThread(create_app(configured, store.url, supervise=False))


@pytest.fixture
def api(store: Store, signer: Signer, tmp_path: Path, model: None) -> Iterator[httpx.Client]:
    """A server that accepts tokens signed by ``signer`` (its JWKS as a file: offline)."""
    keys = tmp_path / "jwks.json"
    keys.write_text(jwks(signer))
    with _server(store, jwt_jwks_file=keys) as running, httpx.Client(base_url=running.url) as c:
        yield c


def deliver(client: httpx.Client, event: dict[str, Any], event_id: str, *,
            secret: str = SECRET, svix: bool = True, at: datetime.datetime | None = None,
            ) -> httpx.Response:  # fmt: skip
    """POST a webhook signed as Svix signs Clerk's."""
    body = json.dumps(event)
    when = at or datetime.datetime.now(datetime.UTC)
    signature = Webhook(secret).sign(event_id, when, body)
    prefix = "svix" if svix else "webhook"
    headers = {f"{prefix}-id": event_id, f"{prefix}-timestamp": str(int(when.timestamp())),
               f"{prefix}-signature": signature, "Content-Type": "application/json"}  # fmt: skip
    return client.post("/v1/identity/webhooks/clerk", content=body, headers=headers)


def organization(org: str, slug: str, kind: str = "organization.created") -> dict[str, Any]:
    data = {"id": org, "name": slug.title(), "slug": slug, "object": "organization"}
    return {"type": kind, "object": "event", "data": data}


def membership(org: str, user: str, role: str, kind: str = "organizationMembership.created",
               email: str = "ana@acme.test") -> dict[str, Any]:  # fmt: skip
    return {"type": kind, "object": "event", "data": {
        "object": "organization_membership", "role": role,
        "organization": {"id": org, "slug": "acme", "name": "Acme"},
        "public_user_data": {"user_id": user, "identifier": email, "first_name": "Ana",
                             "last_name": "Lima"}}}  # fmt: skip


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_acts_for_the_synced_org_with_its_mapped_role(
    api: httpx.Client, signer: Signer, store: Store
) -> None:
    unknown = signer.token(o={"id": "org_acme", "rol": "admin", "slg": "acme"})
    problem = assert_problem(api.get("/v1/org", headers=bearer(unknown)), 401)
    assert "org_acme is not known to Rapport" in problem["detail"]
    assert ok(deliver(api, organization("org_acme", "acme"), "msg_1"))["duplicate"] is False

    admin = signer.token(o={"id": "org_acme", "rol": "admin", "slg": "acme"})  # Clerk v2
    me = ok(api.get("/v1/org", headers=bearer(admin)))
    assert (me["name"], me["role"]) == ("acme", "admin")
    made = ok(api.post("/v1/contacts", json={"name": "Lead"}, headers=bearer(admin)), 201)
    assert ok(api.get(f"/v1/contacts/{made['id']}", headers=bearer(admin)))["name"] == "Lead"

    member = signer.token(org_id="org_acme", org_role="org:member")  # Clerk v1
    assert ok(api.get("/v1/org", headers=bearer(member)))["role"] == "operator"
    assert_problem(api.post("/v1/keys", json={}, headers=bearer(member)), 403)
    odd = signer.token(o={"id": "org_acme", "rol": "billing"})  # a role no mapping names
    assert ok(api.get("/v1/org", headers=bearer(odd)))["role"] == "viewer"
    none = signer.token()
    assert (
        "names no organization"
        in assert_problem(api.get("/v1/org", headers=bearer(none)), 401)["detail"]
    )


def test_tokens_with_a_bad_issuer_signature_or_time_are_refused(
    api: httpx.Client, signer: Signer
) -> None:
    ok(deliver(api, organization("org_acme", "acme"), "msg_1"))
    claims = {"o": {"id": "org_acme", "rol": "admin"}}
    forger = Signer(signer.kid)  # the same key id, another key
    cases = {
        "issuer is not": signer.token(**claims, iss="https://evil.test"),
        "has expired": signer.token(**claims, exp=int(time.time()) - 120),
        "Signature verification failed": forger.token(**claims),
        "signing key 'ins_other'": Signer("ins_other").token(**claims),
    }
    for reason, token in cases.items():
        refused = api.get("/v1/org", headers=bearer(token))
        assert reason in assert_problem(refused, 401)["detail"]
        assert 'error="invalid_token"' in refused.headers["www-authenticate"]
    assert_problem(api.get("/v1/org", headers=bearer("eyJhbGciOi.not.ajwt")), 401)


def test_the_audience_is_checked_when_configured(
    store: Store, signer: Signer, tmp_path: Path, model: None
) -> None:
    keys = tmp_path / "jwks.json"
    keys.write_text(jwks(signer))
    with _server(store, jwt_jwks_file=keys, jwt_audience="rapport-api") as running, \
            httpx.Client(base_url=running.url) as client:  # fmt: skip
        ok(deliver(client, organization("org_acme", "acme"), "msg_1"))
        claims = {"o": {"id": "org_acme", "rol": "admin"}}
        assert (
            client.get(
                "/v1/org", headers=bearer(signer.token(**claims, aud="rapport-api"))
            ).status_code
            == 200
        )
        for wrong in (signer.token(**claims, aud="other"), signer.token(**claims)):
            assert_problem(client.get("/v1/org", headers=bearer(wrong)), 401)


def test_a_jwks_url_is_cached_and_fetched_again_for_a_new_key(
    store: Store, signer: Signer, model: None
) -> None:
    provider = JwksServer(jwks(signer))
    try:
        with _server(store, jwt_jwks_url=provider.url, jwt_jwks_refresh_seconds=0) as running, \
                httpx.Client(base_url=running.url) as client:  # fmt: skip
            ok(deliver(client, organization("org_acme", "acme"), "msg_1"))
            claims = {"o": {"id": "org_acme", "rol": "admin"}}
            for _ in range(5):
                assert (
                    client.get("/v1/org", headers=bearer(signer.token(**claims))).status_code == 200
                )
            assert provider.fetches == 1  # cached
            rotated = Signer("ins_2b")  # the provider rotates its signing key
            provider.body = jwks(signer, rotated)
            assert client.get("/v1/org", headers=bearer(rotated.token(**claims))).status_code == 200
            assert provider.fetches == 2  # fetched again once, for the new kid
            assert client.get("/v1/org", headers=bearer(rotated.token(**claims))).status_code == 200
            assert provider.fetches == 2
    finally:
        provider.close()


def test_webhooks_sync_members_once_each_and_a_bad_signature_stores_nothing(
    api: httpx.Client, signer: Signer, store: Store
) -> None:
    user = "user_29w83sxmDNGwOuEthce5gg56FcC"
    forged = deliver(
        api,
        organization("org_evil", "evil"),
        "msg_0",
        secret="whsec_" + base64.b64encode(b"x" * 32).decode(),
    )
    assert "does not verify" in assert_problem(forged, 401)["detail"]
    six_minutes_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=6)
    stale = deliver(api, organization("org_evil", "evil"), "msg_0", at=six_minutes_ago)
    assert "too old" in assert_problem(stale, 401)["detail"]
    unsigned = api.post("/v1/identity/webhooks/clerk", json=organization("org_evil", "evil"))
    assert_problem(unsigned, 401)
    with psycopg.connect(store.url) as conn:
        assert conn.execute("SELECT count(*) FROM identity_events").fetchone() == (0,)
        assert conn.execute(
            "SELECT count(*) FROM orgs WHERE external_id = 'org_evil'"
        ).fetchone() == (0,)

    joined = deliver(api, membership("org_acme", user, "org:admin"), "msg_2", svix=False)
    assert ok(joined)["done"] == f"user {user} synced in organization org_acme"
    again = ok(deliver(api, membership("org_acme", user, "org:member"), "msg_2"))
    assert again["duplicate"] is True  # the same event id: nothing written
    token = signer.token(o={"id": "org_acme", "rol": "admin"})
    [person] = ok(api.get("/v1/users", headers=bearer(token)))["items"]
    assert (person["email"], person["name"], person["role"], person["external_id"]) == (
        "ana@acme.test", "Ana Lima", "admin", user)  # fmt: skip

    ok(
        deliver(
            api,
            membership("org_acme", user, "org:member", "organizationMembership.updated"),
            "msg_3",
        )
    )
    renamed = {"type": "user.updated", "data": {
        "id": user, "first_name": "Ana", "last_name": "Souza",
        "primary_email_address_id": "idn_2", "email_addresses": [
            {"id": "idn_1", "email_address": "old@acme.test"},
            {"id": "idn_2", "email_address": "ana.souza@acme.test"}]}}  # fmt: skip
    ok(deliver(api, renamed, "msg_4"))
    [person] = ok(api.get("/v1/users", headers=bearer(token)))["items"]
    assert (person["email"], person["name"], person["role"], person["is_active"]) == (
        "ana.souza@acme.test", "Ana Souza", "operator", True)  # fmt: skip
    ok(
        deliver(
            api,
            membership("org_acme", user, "org:member", "organizationMembership.deleted"),
            "msg_5",
        )
    )
    [person] = ok(api.get("/v1/users", headers=bearer(token)))["items"]
    assert person["is_active"] is False

    key = ok(api.post("/v1/keys", headers=bearer(token), json={"role": "viewer"}), 201)["key"]
    assert ok(api.get("/v1/org", headers=bearer(key)))["name"]
    ok(deliver(api, organization("org_acme", "acme", "organization.deleted"), "msg_6"))
    assert "was deleted" in assert_problem(api.get("/v1/org", headers=bearer(token)), 401)["detail"]
    refused = assert_problem(api.get("/v1/org", headers=bearer(key)), 401)["detail"]
    assert "organization was deleted at its identity provider" in refused
    with psycopg.connect(store.url) as conn:
        assert conn.execute("SELECT count(*) FROM identity_events").fetchone() == (5,)

"""Each verb is declared once, and everything generated from it agrees: every declared verb
has its REST route, an SDK method with the same signature on both transports, and an OpenAPI
operation with the same parameters. The schema documents examples, problems and security."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

import rapport
from rapport.resources import signatures
from rapport.resources.registry import all_verbs
from rapport.resources.sections import ResourceSection
from rapport.resources.verbs import Section, Verb
from tests.conftest import ServerThread, Tenant

GENERIC = ("create", "get", "update", "delete", "exists", "list", "count", "bulk_create",
           "bulk_update")  # fmt: skip


def schema(server: ServerThread) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def _openapi_path(path: str) -> str:
    return re.sub(r"\{(\w+):\w+\}", r"{\1}", path)


def sdk_methods(surface: Any) -> dict[str, Any]:
    """Every SDK method of a surface by its verb's name, bound to the surface's transport."""
    found: dict[str, Any] = {}
    sections: list[Any] = [surface] + [v for v in vars(surface).values() if isinstance(v, Section)]
    for section in sections:
        for cls in type(section).__mro__:
            for attribute, value in vars(cls).items():
                if isinstance(value, Verb):
                    found.setdefault(value.name, getattr(section, attribute))
        if isinstance(section, ResourceSection):
            prefix = section.resource.replace("-", "_")
            for kind in GENERIC:
                found[f"{prefix}.{kind}"] = getattr(section, kind)
    return found


@pytest.fixture
def both(tenant: Tenant) -> Any:
    with tenant.local() as local, rapport.Client("http://127.0.0.1:9", "rk_unused") as remote:
        yield sdk_methods(local), sdk_methods(remote)


def test_every_verb_has_a_route_an_sdk_method_and_an_openapi_operation(
    server: ServerThread, both: Any
) -> None:
    document = schema(server)
    local, remote = both
    verbs = all_verbs()
    assert len(verbs) >= 130
    assert {v.name for v in verbs} == set(local) == set(remote)
    for verb in verbs:
        operation = document["paths"][_openapi_path(verb.path)][verb.method.lower()]
        assert operation["operationId"] == verb.name
        # The SDK method: the same signature in-process and over HTTP.
        assert inspect.signature(local[verb.name]) == inspect.signature(remote[verb.name]), (
            verb.name
        )
        if not verb.name.endswith(tuple(f".{kind}" for kind in GENERIC)):
            assert inspect.signature(local[verb.name]) == verb.sdk_signature(), verb.name
        # The OpenAPI operation: the same parameters as the service takes.
        declared = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
        expected = {
            ("path" if p.kind == "path" else "query", p.alias)
            for p in signatures.parameters(verb)
            if p.kind in ("path", "query")
        }
        assert declared == expected, verb.name
        body_kinds = {p.kind for p in signatures.parameters(verb)} & {"body"}
        assert ("requestBody" in operation) == bool(body_kinds), verb.name
        if verb.body == "*":
            ref = operation["requestBody"]["content"]["application/json"]["schema"]
            ref = ref.get("$ref") or next(a["$ref"] for a in ref["anyOf"] if "$ref" in a)
            body = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]
            members = {p.name for p in signatures.of_kind(verb, "body")}
            assert set(body["properties"]) == members, verb.name


def test_sdk_calls_bind_as_python_would() -> None:
    # signatures.bind has a fast path; for every verb and many call shapes (too few, too
    # many, unknown or doubled keywords) it gives what inspect gives, or the same TypeError.
    def bound(how: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return how(*args, **kwargs)
        except TypeError:
            return TypeError

    def by_inspect(verb: Verb[..., Any], args: Any, kwargs: Any) -> Any:
        call = verb.sdk_signature().bind(*args, **kwargs)
        call.apply_defaults()
        return dict(call.arguments)

    for verb in all_verbs():
        names = list(verb.sdk_signature().parameters)
        shapes = [{}, {"nope": 1}, *({name: "k"} for name in names)]
        for count in range(len(names) + 2):
            args = tuple(f"a{i}" for i in range(count))
            for kwargs in shapes:
                expected = bound(by_inspect, verb, args, kwargs)
                assert bound(signatures.bind, verb, args, kwargs) == expected, (verb.name, args)


def test_the_route_index_finds_the_route_the_flat_list_would() -> None:
    # Every verb's path, filled with a sample id (and a literal word, as /v1/contacts/top
    # would be), resolves through the index to the route Starlette's ordered list picks.
    from starlette.routing import Match

    from rapport.api.app import create_app
    from rapport.api.route_index import RouteIndex

    routes = create_app(supervise=False).router.routes
    [index] = [r for r in routes if isinstance(r, RouteIndex)]
    flat = [r for r in routes if r is not index]
    samples = ["0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e", "top", "bulk"]
    for verb in all_verbs():
        for sample in samples:
            path = re.sub(r"\{[^}]+\}", sample, verb.path)
            scope = {"type": "http", "method": verb.method, "path": path, "root_path": ""}
            expected = next((r for r in flat if r.matches(scope)[0] is Match.FULL), None)
            match, child = index.matches(scope)
            found = child.get("route") if match is Match.FULL else None
            assert found is expected, (verb.method, path)


def test_schema_has_examples_problems_and_security(server: ServerThread) -> None:
    document = schema(server)
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    append = document["paths"]["/v1/conversations/{id}/messages"]["post"]
    assert append["security"] == [{"apiKey": []}]
    assert {"201", "200", "404", "422"} <= set(append["responses"])
    body = document["components"]["schemas"]["MessageIn"]
    assert body["examples"][0]["external_id"].startswith("wamid.")
    assert "security" not in document["paths"]["/healthz"]["get"]
    route = document["components"]["schemas"]["RouteRequest"]
    assert route["examples"] == [{"dry_run": False}]
    assert "operator" in document["paths"]["/v1/conversations/{id}/stage"]["post"]["description"]


def test_schema_says_what_the_api_accepts_and_answers(server: ServerThread) -> None:
    document = schema(server)
    models = document["components"]["schemas"]
    assert "HTTPValidationError" not in models
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if int(status) >= 400 and not (method == "head" and status == "404"):
                    assert "application/problem+json" in response["content"], (path, status)
            if method == "head":
                assert "content" not in operation["responses"]["200"], path
            if path.startswith("/v1/"):
                assert "Retry-After" in operation["responses"]["503"]["headers"], path
    listing = document["paths"]["/v1/contacts"]["get"]["parameters"]
    by_name = {parameter["name"]: parameter for parameter in listing}
    reference = by_name["filter"]["content"]["application/json"]["schema"]["$ref"]
    assert reference == "#/components/schemas/ContactFilter"
    contact_filter = models["ContactFilter"]
    assert contact_filter["additionalProperties"] is False
    assert "$gte" in contact_filter["properties"]["created_at"]["anyOf"][1]["properties"]
    assert re.fullmatch(by_name["order_by"]["schema"]["pattern"], "-updated_at, name")
    assert not re.fullmatch(by_name["order_by"]["schema"]["pattern"], "null")
    bulk = models["ContactBulkUpdate"]["properties"]
    assert bulk["set"]["minProperties"] == 1
    # text PostgreSQL can store; int4 integers; moments PostgreSQL can read back
    assert models["ContactCreate"]["properties"]["name"]["anyOf"][0]["pattern"] == "^[^\\u0000]*$"
    summary = models["InteractionSummaryCreate"]["properties"]
    assert summary["total_messages"]["maximum"] == 2**31 - 1
    moment = models["FollowUpCreate"]["properties"]["due_at"]["pattern"]
    assert re.fullmatch(moment, "2025-01-15T09:30:00+14:00")
    assert not re.fullmatch(moment, "2025-01-15T09:30:00+21:35")
    assert not re.fullmatch(moment, "0001-01-01T00:00:00+14:00")


BROWSER = shutil.which("chromium-headless-shell")


@pytest.mark.skipif(
    BROWSER is None and not os.environ.get("RAPPORT_REQUIRE_BROWSER"),
    reason="needs Debian's chromium-headless-shell (.ci/run installs it)",
)
def test_docs_page_renders_offline_in_a_headless_browser(
    server: ServerThread, tmp_path: Path
) -> None:
    """/docs is Swagger UI from assets this machine serves: in a browser that can reach no
    host but this one, it renders every operation of the schema."""
    assert BROWSER is not None, "chromium-headless-shell is not installed"
    page = httpx.get(f"{server.url}/docs")
    assert page.status_code == 200
    assert "cdn." not in page.text
    rendered = subprocess.run(
        [BROWSER, "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         f"--user-data-dir={tmp_path}", "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
         "--virtual-time-budget=30000", "--dump-dom", f"{server.url}/docs"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    operations = sum(len(ops) for ops in schema(server)["paths"].values())
    assert rendered.count('class="opblock opblock-') == operations
    assert "/v1/conversations/{id}/route" in rendered
    assert httpx.get(f"{server.url}/redoc").status_code == 200

"""The API describes itself: OpenAPI with examples and the bearer scheme, and every route the
SDK's HTTP transport uses exists in it."""

from __future__ import annotations

import re
from typing import Any

import httpx

from rapport.resources.catalog import RESOURCES
from rapport.sdk.transport import HTTP_VERBS, LOCAL_VERBS, RUNTIME_VERBS
from tests.conftest import ServerThread


def schema(server: ServerThread) -> dict[str, Any]:
    response = httpx.get(f"{server.url}/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_every_sdk_route_is_in_the_api(server: ServerThread) -> None:
    paths = {re.sub(r"\{\w+\}", "{id}", p): ops for p, ops in schema(server)["paths"].items()}
    assert set(HTTP_VERBS) == set(LOCAL_VERBS) | set(RUNTIME_VERBS)
    for name, route in HTTP_VERBS.items():
        template = re.sub(r"\{\w+\}", "{id}", route.path)
        assert template in paths, name
        assert route.method.lower() in paths[template], name
    for resource in RESOURCES:
        for path, verbs in (
            (f"/v1/{resource}", {"get", "post"}),
            (f"/v1/{resource}/{{id}}", {"get", "patch", "delete", "head"}),
            (f"/v1/{resource}/count", {"get"}),
            (f"/v1/{resource}/bulk", {"post", "patch"}),
        ):
            assert verbs <= set(paths[path]), path


def test_schema_has_examples_problems_and_security(server: ServerThread) -> None:
    document = schema(server)
    assert document["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    append = document["paths"]["/v1/conversations/{id}/messages"]["post"]
    assert append["security"] == [{"apiKey": []}]
    assert {"201", "200", "404", "422"} <= set(append["responses"])
    body = document["components"]["schemas"]["MessageIn"]
    assert body["examples"][0]["external_id"].startswith("wamid.")
    assert "security" not in document["paths"]["/healthz"]["get"]


def test_docs_page_is_served(server: ServerThread) -> None:
    page = httpx.get(f"{server.url}/docs")
    assert page.status_code == 200
    assert "swagger" in page.text.lower()

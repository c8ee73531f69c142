"""The OpenAPI schema, finished so that it says exactly what the API accepts and answers.

FastAPI derives the schema from the verbs' models (``rapport.api.verb_routes``). What those
models cannot say is added here, once for every operation, so that a client generated from
the schema (or a fuzzer such as schemathesis, which ``tests/test_schemathesis.py`` runs)
sends only what the API takes and expects only what it answers:

- **Problems.** Every error is an RFC 9457 ``application/problem+json`` document
  (``Problem``); FastAPI would document 422 as its own ``HTTPValidationError``, which Rapport
  never sends; a 400 may also be uvicorn's plain text, for a request it cannot parse.
  Every /v1 operation can answer 503 with ``Retry-After`` while the database restarts.
- **HEAD** answers carry no body.
- **Filters are JSON, over named fields.** A ``filter`` query parameter is
  ``application/json`` content; the records a verb filters (``Verb.over``) give it a schema,
  ``{Model}Filter``, listing the fields, operators and value types ``FilterCompiler``
  accepts (``rapport.resources.filters.json_schema``); ``order_by`` is a pattern of the
  sortable fields.
- **What PostgreSQL can store.** Text holds no NUL character, integer columns are int4, and
  free-form objects are JSON whose strings hold no NUL (``JsonValue``). These rules are
  enforced by PostgreSQL itself (``rapport.db.failures`` turns its refusals into 422), so
  the schema states them rather than the models repeating them.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from rapport.resources import filters
from rapport.resources.params import FILTER_HELP, ORDER_HELP
from rapport.resources.registry import all_verbs
from rapport.resources.verbs import Verb

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
# A request the HTTP server cannot parse (a request line over uvicorn's 16 KiB, say) is
# refused before it reaches Rapport, as plain text.
UNREADABLE = {**PROBLEM, "text/plain": {"schema": {"type": "string"}}}
UNAVAILABLE = {
    "description": "The database is restarting: retry after `Retry-After` seconds",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds"}},
    "content": PROBLEM,
}
SECURITY = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key: `rapport keys create --org NAME` prints one.",
    }
}
_FASTAPI_ONLY = ("HTTPValidationError", "ValidationError")  # never sent by Rapport


def schema_of(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI schema, built once and finished (see the module docstring)."""
    if app.openapi_schema is None:
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        app.openapi_schema = finish(schema)
    return app.openapi_schema


def finish(schema: dict[str, Any]) -> dict[str, Any]:
    """FastAPI's ``schema``, finished in place (see the module docstring)."""
    components = schema.setdefault("components", {})
    components["securitySchemes"] = SECURITY
    models: dict[str, Any] = components.setdefault("schemas", {})
    models["JsonValue"] = copy.deepcopy(filters.JSON_VALUE)
    verbs = {verb.name: verb for verb in all_verbs()}
    for path, method, operation in _operations(schema):
        if path.startswith("/v1/"):
            operation["security"] = [{"apiKey": []}]
            operation["responses"]["503"] = UNAVAILABLE
        _problems(operation, head=method == "head")
        verb = verbs.get(operation.get("operationId", ""))
        if verb is not None and verb.over is not None:
            _filtered(operation, verb, models)
        for parameter in operation.get("parameters", []):
            if "schema" in parameter:
                parameter["schema"] = storable(parameter["schema"])
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body is not None:
            body["schema"] = storable(body["schema"])
    for name in _FASTAPI_ONLY:
        models.pop(name, None)
    for name in _requested(schema, models):
        models[name] = storable(models[name])
    return schema


def _operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _problems(operation: dict[str, Any], head: bool) -> None:
    """Error answers are problem documents; a HEAD answer has no body."""
    for status, response in operation["responses"].items():
        if head and status in ("200", "404"):
            response.pop("content", None)
        elif status == "400":
            response["content"] = UNREADABLE
        elif int(status) >= 400:
            response["content"] = PROBLEM
            if status == "422":
                response["description"] = "A field's value is invalid"


def _filtered(operation: dict[str, Any], verb: Verb[..., Any], models: dict[str, Any]) -> None:
    """``filter`` and ``order_by`` of a verb over a resource, as exactly what it accepts."""
    resource = verb.over
    name = f"{resource.model.__name__}Filter"
    if name not in models:  # one component per resource, however many verbs filter it
        models[name] = copy.deepcopy(filters.json_schema(resource.fields, name))
    ref = {"$ref": f"#/components/schemas/{name}"}
    for parameter in operation.get("parameters", []):
        if parameter["name"] == "filter":
            parameter.pop("schema", None)
            parameter["content"] = {"application/json": {"schema": ref}}
            parameter["description"] = FILTER_HELP
        elif parameter["name"] == "order_by":
            sortable = sorted(n for n, f in resource.fields.items() if f.sortable)
            parameter["schema"] = {"type": "string", "pattern": order_pattern(sortable),
                                   "description": ORDER_HELP}  # fmt: skip
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    target = body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1]
    properties = models.get(target, {}).get("properties", {})
    if "filter" in properties:  # a bulk update: {"filter": ..., "set": ...}
        properties["filter"] = {**ref, "description": FILTER_HELP + " Use {} for every row."}
        properties["set"] = {"allOf": [properties["set"]], "minProperties": 1,
                             "description": "The fields to change: at least one"}  # fmt: skip


def order_pattern(sortable: list[str]) -> str:
    """``-updated_at,name``: sortable fields, each optionally signed, comma-separated (an
    empty part is skipped; nothing at all is the default order)."""
    part = rf" *(?:[+-]*(?:{'|'.join(map(re.escape, sortable))}) *)?"
    return rf"^{part}(?:,{part})*$"


def _requested(schema: dict[str, Any], models: dict[str, Any]) -> list[str]:
    """The component schemas a request can carry (through parameters or bodies)."""
    found: list[str] = []
    pending = [
        operation.get(part) for _, _, operation in _operations(schema)
        for part in ("parameters", "requestBody")
    ]  # fmt: skip
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[-1]
                if name not in found and name in models:
                    found.append(name)
                    pending.append(models[name])
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


_NESTED = ("anyOf", "oneOf", "allOf", "prefixItems")


def storable(schema: Any) -> Any:
    """``schema`` narrowed to what PostgreSQL can store: NUL-free text, int4 integers,
    JSON (``JsonValue``) where anything goes. Named schemas (``$ref``) are finished once,
    by the caller."""
    if not isinstance(schema, dict):
        return schema
    if not schema or set(schema) <= {"title", "description", "examples"}:  # Any
        return {"$ref": "#/components/schemas/JsonValue", **schema}
    if "$ref" in schema:
        return schema
    kind = schema.get("type")
    if kind == "string" and not {"pattern", "format", "enum", "const"} & set(schema):
        schema["pattern"] = filters.NO_NUL
    elif kind == "integer":
        schema.setdefault("minimum", filters.INT4["minimum"])
        schema.setdefault("maximum", filters.INT4["maximum"])
    elif kind == "object":
        extra = schema.get("additionalProperties", True)
        if "properties" not in schema or extra is not False:
            schema["propertyNames"] = {"pattern": filters.NO_NUL}
        if extra is True or extra == {}:
            if "properties" not in schema:
                schema["additionalProperties"] = {"$ref": "#/components/schemas/JsonValue"}
        elif isinstance(extra, dict):
            schema["additionalProperties"] = storable(extra)
    elif kind == "array" and "items" in schema:
        schema["items"] = storable(schema["items"])
    for key in _NESTED:
        if key in schema:
            schema[key] = [storable(item) for item in schema[key]]
    if "properties" in schema:
        schema["properties"] = {n: storable(p) for n, p in schema["properties"].items()}
    return schema

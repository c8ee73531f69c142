"""The SDK's HTTP transport: a verb call becomes the request its declaration describes.

Path parameters fill the path, query parameters travel under their aliases (JSON objects
such as ``filter`` JSON-encoded, moments as ISO 8601), the body is the model body or the
object of ``body="*"`` parameters. A problem document comes back as the same
``RapportError`` the in-process SDK raises.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any

import httpx
import orjson
from pydantic import BaseModel

from rapport import errors
from rapport.resources import signatures
from rapport.resources.dispatch import service_arguments
from rapport.resources.verbs import Verb

_PATH_PARAMETER = re.compile(r"\{(\w+)(?::\w+)?\}")


def plain(value: Any) -> Any:
    """A value as it should travel in JSON."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value


def _query_value(value: Any) -> Any:
    if isinstance(value, Mapping):
        return orjson.dumps(plain(value)).decode()
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return [_query_value(v) for v in value]
    return value


def fill(path: str, values: Mapping[str, Any]) -> str:
    """``/v1/conversations/{id}/route`` with its parameters, each quoted for a URL."""
    return _PATH_PARAMETER.sub(lambda m: urllib.parse.quote(str(values[m.group(1)]), safe=""), path)


class HttpTransport:
    """Talks to a Rapport server over HTTP with an API key."""

    def __init__(self, url: str, api_key: str, timeout: float = 30.0) -> None:
        self.http = httpx.Client(
            base_url=url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "rapport-python"},
            timeout=timeout,
        )

    def send(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        content = None if json is None else orjson.dumps(plain(json))
        query = {k: _query_value(v) for k, v in (params or {}).items() if v is not None}
        try:
            response = self.http.request(
                method,
                path,
                content=content,
                params=query,
                headers={"Content-Type": "application/json"} if content is not None else None,
            )
        except httpx.TransportError as error:
            raise errors.Unavailable(
                f"cannot reach Rapport at {self.http.base_url}: {error}"
            ) from error
        if response.status_code >= 400 and method != "HEAD":
            try:
                problem = response.json()
            except ValueError:
                problem = {"status": response.status_code, "detail": response.text}
            raise errors.RapportError.from_problem(problem)
        return response

    def call(self, verb: Verb[..., Any], arguments: dict[str, Any]) -> Any:
        given = service_arguments(verb, arguments)
        path_values: dict[str, Any] = {}
        query: dict[str, Any] = {}
        body: Any = None
        flat: dict[str, Any] = {}
        for parameter in signatures.parameters(verb):
            value = given.get(parameter.name)
            if parameter.kind == "path":
                path_values[parameter.name] = value
            elif parameter.kind == "query":
                if isinstance(value, list) and signatures.is_joined_query(parameter):
                    value = ",".join(value)
                query[parameter.alias] = value
            elif parameter.kind == "body" and verb.body == "*":
                if value is not None or parameter.required:
                    flat[parameter.name] = value
            elif parameter.kind == "body":
                body = value
        if verb.body == "*":
            body = flat
        response = self.send(verb.method, fill(verb.path, path_values), json=body, params=query)
        if verb.answer == "exists":
            if response.status_code in (401, 403):
                raise errors.Unauthorized("the API key was refused")
            return response.status_code == 200
        if response.status_code == 204:
            return None
        if not response.headers.get("content-type", "").startswith("application/json"):
            return response.text  # a file (a Download: a CSV export)
        found = response.json()
        return found[verb.wrap] if verb.wrap else found

    def close(self) -> None:
        self.http.close()

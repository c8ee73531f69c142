"""How the SDK reaches Rapport: in-process over the services, or over HTTP.

Both transports offer the nine generic operations and ``verb(name, **arguments)`` for
capability verbs, and return the same JSON-shaped values (ids and timestamps as strings),
so code written against one runs unchanged against the other. The verb tables below are the
one place that says which service operation and which REST route each SDK method uses; a test
checks that every route named here exists in the API.
"""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx
import orjson
from pydantic import BaseModel

from rapport import errors
from rapport.conversations import analytics, contacts, conversations, documents, messages
from rapport.db.database import Database
from rapport.memory import enrichment, memories
from rapport.memory.enricher import Runtime
from rapport.pipeline import follow_ups, views
from rapport.resources.catalog import OPERATIONS
from rapport.retrieval import search
from rapport.sdk import call_verbs, sales_verbs
from rapport.sdk.route import PAGE as _PAGE
from rapport.sdk.route import Route
from rapport.tenancy import api_keys, orgs
from rapport.tenancy.principal import Principal
from rapport.validation import validate


class Transport(Protocol):
    def create(self, resource: str, data: Any) -> dict[str, Any]: ...
    def get(self, resource: str, id: Any) -> dict[str, Any]: ...
    def update(self, resource: str, id: Any, data: Any) -> dict[str, Any]: ...
    def delete(self, resource: str, id: Any) -> None: ...
    def exists(self, resource: str, id: Any) -> bool: ...
    def list(
        self, resource: str, filter: Any, order_by: Any, limit: int | None, cursor: str | None
    ) -> dict[str, Any]: ...
    def count(self, resource: str, filter: Any) -> int: ...
    def bulk_create(self, resource: str, items: builtins.list[Any]) -> builtins.list[str]: ...
    def bulk_update(self, resource: str, filter: Any, set: Any) -> int: ...
    def verb(self, name: str, /, **arguments: Any) -> Any: ...
    def close(self) -> None: ...


LocalVerb = Callable[..., Any]

# name -> function(database, principal, **arguments) returning the SDK's result
LOCAL_VERBS: dict[str, LocalVerb] = {
    "conversations.append_message": lambda db, p, id, message: db.run(
        messages.append(p, id, message)
    )[0],
    "conversations.append_messages": lambda db, p, id, items: db.run(
        messages.append_many(p, id, items)
    ),
    "conversations.history": lambda db, p, id, role, limit, cursor: db.run(
        messages.history(p, id, role, limit, cursor)
    ),
    "conversations.document": lambda db, p, id: db.run(documents.document(p, id)),
    "contacts.latest_conversation": lambda db, p, id: db.run(
        conversations.latest_for_contact(p, id)
    ),
    "contacts.sessions": lambda db, p, id, start, end, limit, cursor: db.run(
        conversations.sessions(p, id, start, end, limit, cursor)
    ),
    "contacts.top": lambda db, p, min_conversations, limit, cursor: db.run(
        contacts.top(p, min_conversations, limit, cursor)
    ),
    "messages.search": lambda db, p, q, filter, limit: db.run(messages.search(p, q, filter, limit)),
    "messages.by_intent": lambda db, p, intent, min_confidence, limit, cursor: db.run(
        messages.by_intent(p, intent, min_confidence, limit, cursor)
    ),
    "pipeline.counts": lambda db, p, filter: db.run(views.counts(p, filter)),
    "pipeline.follow_ups_due": lambda db, p, start, end, overdue, agent, tz, limit, cursor: db.run(
        follow_ups.due(p, start, end, overdue, agent, tz, limit, cursor)
    ),
    "pipeline.workload": lambda db, p, status: db.run(views.workload(p, status)),
    "analytics.interactions": lambda db, p, filter: db.run(analytics.interactions(p, filter)),
    "org.get": lambda db, p: {**db.run(orgs.get_org(p)), "role": p.role},
    "keys.create": lambda db, p, role, name: _with_secret(
        *db.run(api_keys.create_key_as(p, role, name))
    ),
    "keys.list": lambda db, p: {"items": db.run(api_keys.list_keys(p))},
    "keys.revoke": lambda db, p, id: db.run(api_keys.revoke_key(p, id)),
    "memories.recall": lambda db, p, filter, as_of, all_versions, order_by, limit, cursor: db.run(
        memories.recall(p, filter, as_of, all_versions, order_by, limit, cursor)
    ),
    "memories.history": lambda db, p, id: db.run(memories.history(p, id)),
    "enrichment.pending": lambda db, p: db.run(enrichment.pending(p.org_id)),
}


def _search(database: Database, principal: Principal, runtime: Runtime, request: Any) -> Any:
    checked = validate(search.SearchRequest, request)
    vector = None if checked.mode == "keyword" else runtime.embed_query(checked.query)
    return database.run(search.search(principal, checked, vector))


# Verbs that need the process's enrichment runtime (its embedder) as well.
RUNTIME_VERBS: dict[str, Callable[..., Any]] = {
    "search": _search,
    "enrichment.flush": lambda db, p, runtime: runtime.flush(p.org_id).as_dict(),
}
# Writes after which the in-process SDK enriches (inline mode) before returning.
ENRICHED_RESOURCES = frozenset({"messages", "memories", "knowledge"})
ENRICHED_VERBS = frozenset({"conversations.append_message", "conversations.append_messages"})


def _with_secret(record: dict[str, Any], secret: str) -> dict[str, Any]:
    return {**record, "key": secret}


HTTP_VERBS: dict[str, Route] = {
    "conversations.append_message": Route("POST", "/v1/conversations/{id}/messages", "message"),
    "conversations.append_messages": Route(
        "POST", "/v1/conversations/{id}/messages/bulk", "items", result="ids"
    ),
    "conversations.history": Route(
        "GET", "/v1/conversations/{id}/messages", query={"role": "role", **_PAGE}
    ),
    "conversations.document": Route("GET", "/v1/conversations/{id}/document"),
    "contacts.latest_conversation": Route("GET", "/v1/contacts/{id}/conversations/latest"),
    "contacts.sessions": Route(
        "GET", "/v1/contacts/{id}/sessions", query={"start": "from", "end": "to", **_PAGE}
    ),
    "contacts.top": Route(
        "GET", "/v1/contacts/top", query={"min_conversations": "min_conversations", **_PAGE}
    ),
    "messages.search": Route(
        "GET", "/v1/messages/search", query={"q": "q", "filter": "filter", "limit": "limit"}
    ),
    "messages.by_intent": Route(
        "GET",
        "/v1/messages/by-intent",
        query={"intent": "intent", "min_confidence": "min_confidence", **_PAGE},
    ),
    "pipeline.counts": Route("GET", "/v1/pipeline", query={"filter": "filter"}),
    "pipeline.follow_ups_due": Route(
        "GET",
        "/v1/follow-ups/due",
        query={
            "start": "from",
            "end": "to",
            "overdue": "overdue",
            "agent": "agent",
            "tz": "tz",
            **_PAGE,
        },
    ),
    "pipeline.workload": Route("GET", "/v1/agents/workload", query={"status": "status"}),
    "analytics.interactions": Route(
        "GET", "/v1/analytics/interactions", query={"filter": "filter"}
    ),
    "org.get": Route("GET", "/v1/org"),
    "keys.create": Route("POST", "/v1/keys", query=None, body="*"),
    "keys.list": Route("GET", "/v1/keys"),
    "keys.revoke": Route("DELETE", "/v1/keys/{id}"),
    "memories.recall": Route(
        "GET",
        "/v1/memories",
        query={
            "filter": "filter",
            "as_of": "as_of",
            "all_versions": "all_versions",
            "order_by": "order_by",
            **_PAGE,
        },
    ),
    "memories.history": Route("GET", "/v1/memories/{id}/history"),
    "search": Route("POST", "/v1/search", body="request"),
    "enrichment.pending": Route("GET", "/v1/enrichment"),
    "enrichment.flush": Route("POST", "/v1/enrichment/flush"),
}
for _verbs in (sales_verbs, call_verbs):
    LOCAL_VERBS.update(_verbs.LOCAL)
    HTTP_VERBS.update(_verbs.HTTP)
ENRICHED_VERBS = ENRICHED_VERBS | call_verbs.ENRICHED


class LocalTransport:
    """Runs operations in this process, on a synchronous pool."""

    def __init__(
        self,
        database: Database,
        principal: Principal,
        owns_database: bool,
        enrichment: Runtime | None = None,
    ) -> None:
        self.database = database
        self.principal = principal
        self._owns_database = owns_database
        self.enrichment = enrichment or Runtime(database, "inline")

    def _written(self, resource: str) -> None:
        if resource in ENRICHED_RESOURCES:
            self.enrichment.written(self.principal.org_id)

    def create(self, resource: str, data: Any) -> dict[str, Any]:
        doc: dict[str, Any]
        doc, _ = self.database.run(OPERATIONS[resource].create(self.principal, data))
        self._written(resource)
        if resource == "messages" and self.enrichment.mode == "inline":
            return self.get(resource, doc["id"])  # with what extraction wrote
        return doc

    def get(self, resource: str, id: Any) -> dict[str, Any]:
        doc: dict[str, Any] = self.database.run(OPERATIONS[resource].get(self.principal, id))
        return doc

    def update(self, resource: str, id: Any, data: Any) -> dict[str, Any]:
        doc: dict[str, Any] = self.database.run(
            OPERATIONS[resource].update(self.principal, id, data)
        )
        self._written(resource)
        return doc

    def delete(self, resource: str, id: Any) -> None:
        self.database.run(OPERATIONS[resource].delete(self.principal, id))

    def exists(self, resource: str, id: Any) -> bool:
        return bool(self.database.run(OPERATIONS[resource].exists(self.principal, id)))

    def list(
        self, resource: str, filter: Any, order_by: Any, limit: int | None, cursor: str | None
    ) -> dict[str, Any]:
        page: dict[str, Any] = self.database.run(
            OPERATIONS[resource].list_page(self.principal, filter, order_by, limit, cursor)
        )
        return page

    def count(self, resource: str, filter: Any) -> int:
        return int(self.database.run(OPERATIONS[resource].count(self.principal, filter)))

    def bulk_create(self, resource: str, items: builtins.list[Any]) -> builtins.list[str]:
        ids: list[str] = self.database.run(OPERATIONS[resource].bulk_create(self.principal, items))
        self._written(resource)
        return ids

    def bulk_update(self, resource: str, filter: Any, set: Any) -> int:
        changed = self.database.run(OPERATIONS[resource].bulk_update(self.principal, filter, set))
        return int(changed)

    def verb(self, name: str, /, **arguments: Any) -> Any:
        if name in RUNTIME_VERBS:
            return RUNTIME_VERBS[name](self.database, self.principal, self.enrichment, **arguments)
        found = LOCAL_VERBS[name](self.database, self.principal, **arguments)
        if name in ENRICHED_VERBS and self.enrichment.mode == "inline":
            self.enrichment.written(self.principal.org_id)
            if name == "conversations.append_message":  # return it with what was extracted
                found = self.database.run(OPERATIONS["messages"].get(self.principal, found["id"]))
        return found

    def close(self) -> None:
        self.enrichment.close()
        if self._owns_database:
            self.database.close()


def _plain(value: Any) -> Any:
    """A value as it should travel in JSON."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_unset=True)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _query_value(value: Any) -> Any:
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


class HttpTransport:
    """Talks to a Rapport server over HTTP with an API key."""

    def __init__(self, url: str, api_key: str, timeout: float = 30.0) -> None:
        self.http = httpx.Client(
            base_url=url.rstrip("/"),
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": "rapport-python"},
            timeout=timeout,
        )

    def _send(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> httpx.Response:
        content = None if json is None else orjson.dumps(_plain(json))
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

    def create(self, resource: str, data: Any) -> dict[str, Any]:
        return self._send("POST", f"/v1/{resource}", json=data).json()  # type: ignore[no-any-return]

    def get(self, resource: str, id: Any) -> dict[str, Any]:
        return self._send("GET", f"/v1/{resource}/{id}").json()  # type: ignore[no-any-return]

    def update(self, resource: str, id: Any, data: Any) -> dict[str, Any]:
        return self._send("PATCH", f"/v1/{resource}/{id}", json=data).json()  # type: ignore[no-any-return]

    def delete(self, resource: str, id: Any) -> None:
        self._send("DELETE", f"/v1/{resource}/{id}")

    def exists(self, resource: str, id: Any) -> bool:
        response = self._send("HEAD", f"/v1/{resource}/{id}")
        if response.status_code in (401, 403):
            raise errors.Unauthorized("the API key was refused")
        return response.status_code == 200

    def list(
        self, resource: str, filter: Any, order_by: Any, limit: int | None, cursor: str | None
    ) -> dict[str, Any]:
        if isinstance(order_by, list):
            order_by = ",".join(order_by)
        params = {"filter": filter, "order_by": order_by, "limit": limit, "cursor": cursor}
        return self._send("GET", f"/v1/{resource}", params=params).json()  # type: ignore[no-any-return]

    def count(self, resource: str, filter: Any) -> int:
        return int(
            self._send("GET", f"/v1/{resource}/count", params={"filter": filter}).json()["count"]
        )

    def bulk_create(self, resource: str, items: builtins.list[Any]) -> builtins.list[str]:
        response = self._send("POST", f"/v1/{resource}/bulk", json={"items": items})
        return list(response.json()["ids"])

    def bulk_update(self, resource: str, filter: Any, set: Any) -> int:
        response = self._send("PATCH", f"/v1/{resource}/bulk", json={"filter": filter, "set": set})
        return int(response.json()["updated"])

    def verb(self, name: str, /, **arguments: Any) -> Any:
        route = HTTP_VERBS[name]
        path = route.path.format(**arguments)
        body: Any = None
        if route.body == "*":
            body = {k: v for k, v in arguments.items() if v is not None}
        elif route.body == "items":
            body = {"items": arguments["items"]}
        elif route.body:
            body = arguments[route.body]
        params = {q: arguments.get(arg) for arg, q in (route.query or {}).items()}
        response = self._send(route.method, path, json=body, params=params)
        if response.status_code == 204:
            return None
        found = response.json()
        return found[route.result] if route.result else found

    def close(self) -> None:
        self.http.close()

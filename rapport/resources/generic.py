"""The nine operations of every resource, as verbs (seed 003's pattern).

    POST   /v1/{resource}            create (201; 200 with the stored row on a retry)
    GET    /v1/{resource}/{id}       get
    PATCH  /v1/{resource}/{id}       update (nested objects merge, RFC 7396)
    DELETE /v1/{resource}/{id}       delete (204)
    HEAD   /v1/{resource}/{id}       exists (200 or 404)
    GET    /v1/{resource}            list: ?filter=JSON&order_by=-updated_at&limit=50&cursor=C
    GET    /v1/{resource}/count      count: ?filter=JSON
    POST   /v1/{resource}/bulk       bulk create, all or nothing: {"items": [...]} -> {"ids"}
    PATCH  /v1/{resource}/bulk       bulk update: {"filter": {...}, "set": {...}} -> {"updated"}

Each is a ``Verb`` like any capability's, made here for each resource of the catalog from
its models, so REST, OpenAPI and both SDK transports treat them alike. The services are the
catalog's (``rapport.resources.catalog``): the generic ones of ``crud``, or a resource's own.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Generator, Mapping
from typing import Annotated, Any

from pydantic import Field

from rapport.db.operation import Operation
from rapport.resources.catalog import OPERATIONS, Operations
from rapport.resources.crud import MAX_BULK
from rapport.resources.params import (
    FILTER_HELP,
    Count,
    Cursor,
    Filter,
    Ids,
    Limit,
    OrderBy,
    Page,
    Updated,
)
from rapport.resources.verbs import Verb, Written, verb, writing
from rapport.tenancy.principal import Principal


def _written(op: Operation[tuple[Any, bool]]) -> Operation[Written[Any]]:
    def steps() -> Generator[Any, Any, Written[Any]]:
        value, created = yield from op.steps
        return Written(value, created)

    return Operation(steps(), atomic=op.atomic, org=op.org)


def _typed(function: Callable[..., Any], annotations: dict[str, Any]) -> Callable[..., Any]:
    """``function`` with the resource's models as its annotations (what REST reads)."""
    function.__annotations__ = {"principal": Principal, **annotations}
    return function


@functools.cache
def verbs_of(name: str) -> dict[str, Verb[..., Any]]:
    """The nine verbs of the resource called ``name``."""
    ops: Operations = OPERATIONS[name]
    resource = ops.resource
    base = f"/v1/{name}"
    item = f"{base}/{{id}}"
    singular = resource.singular
    Create: Any = resource.create_model
    Patch: Any = resource.patch_model
    Out: Any = resource.model
    title = Out.__name__
    body_of = Create | Mapping[str, Any] | None
    patch_of = Patch | Mapping[str, Any] | None
    enriches = resource.enriched

    def create(principal: Any, data: Any = None, /, **fields: Any) -> Operation[Any]:
        return _written(ops.create(principal, data))

    def get(principal: Any, id: Any) -> Operation[Any]:
        return ops.get(principal, id)

    def update(principal: Any, id: Any, data: Any = None, /, **fields: Any) -> Operation[Any]:
        return ops.update(principal, id, data)

    def delete(principal: Any, id: Any) -> Operation[Any]:
        return ops.delete(principal, id)

    def exists(principal: Any, id: Any) -> Operation[Any]:
        return ops.exists(principal, id)

    def list_(
        principal: Any, filter: Any = None, order_by: Any = None, limit: Any = None,
        cursor: Any = None,
    ) -> Operation[Any]:  # fmt: skip
        return ops.list_page(principal, filter, order_by, limit, cursor)

    def count(principal: Any, filter: Any = None) -> Operation[Any]:
        return ops.count(principal, filter)

    def bulk_create(principal: Any, items: Any) -> Operation[Any]:
        return ops.bulk_create(principal, items)

    def bulk_update(principal: Any, filter: Any, set: Any) -> Operation[Any]:
        return ops.bulk_update(principal, filter, set)

    create.__doc__ = (
        f"Create a {singular}. With an ``external_id`` (or the resource's other idempotency "
        "key) already stored, 200 and the stored record: a retry is safe.\n\n"
        f"{resource.description}"
    )
    get.__doc__ = f"Get a {singular}."
    update.__doc__ = (
        f"Update a {singular}: the fields you send change (nested objects merge, RFC 7396, "
        "``null`` clears); returns the stored record."
    )
    delete.__doc__ = f"Delete a {singular}."
    exists.__doc__ = f"Does this {singular} exist? 200 or 404, no body."
    list_.__doc__ = f"List {name}: one keyset page, filtered and ordered."
    count.__doc__ = f"Count {name} matching the filter."
    bulk_create.__doc__ = f"Create many {name}, all or none; their ids in the order sent."
    bulk_update.__doc__ = f"Update many {name}: one patch for every row the filter matches."

    items = Annotated[list[Create], Field(max_length=MAX_BULK)]
    where = Annotated[dict[str, Any], Field(description=FILTER_HELP + " Use {} for every row.")]
    listing = ops.overrides.get("list_page")
    verbs: dict[str, Verb[..., Any]] = {
        "create": writing(
            _typed(create, {"data": body_of, "fields": Any}), "POST", base, response=Out,
            role=resource.write_role, enriches=enriches, body="data",
            summary=f"Create a {singular}", reread=resource if enriches else None,
        ),
        "get": verb(_typed(get, {"id": str}), "GET", item, response=Out,
                    summary=f"Get a {singular}"),
        "update": verb(
            _typed(update, {"id": str, "data": patch_of, "fields": Any}), "PATCH", item,
            response=Out, role=resource.write_role, enriches=enriches, body="data",
            summary=f"Update a {singular}",
        ),
        "delete": verb(_typed(delete, {"id": str}), "DELETE", item, role=resource.write_role,
                       empty=True, summary=f"Delete a {singular}"),
        "exists": verb(_typed(exists, {"id": str}), "HEAD", item,
                       summary=f"Does this {singular} exist?"),
        "list": verb(
            listing if listing is not None else _typed(list_, {
                "filter": Filter, "order_by": OrderBy, "limit": Limit, "cursor": Cursor}),
            "GET", base, response=Page, summary=f"List {name}", over=resource,
        ),
        "count": verb(
            ops.overrides.get("count") or _typed(count, {"filter": Filter}), "GET",
            f"{base}/count", response=Count, wrap="count", summary=f"Count {name}",
            over=resource,
        ),
        "bulk_create": verb(
            _typed(bulk_create, {"items": items}), "POST", f"{base}/bulk", response=Ids,
            role=resource.write_role, enriches=enriches, body="*", wrap="ids", status=201,
            body_name=f"{title}BulkCreate", summary=f"Create many {name}",
        ),
        "bulk_update": verb(
            _typed(bulk_update, {"filter": where, "set": resource.bulk_patch_model}), "PATCH",
            f"{base}/bulk",
            response=Updated, role=resource.write_role, body="*", wrap="updated",
            body_name=f"{title}BulkUpdate", summary=f"Update many {name}", over=resource,
        ),
    }  # fmt: skip
    verbs["list"].settles = verbs["count"].settles = ops.settles
    verbs["update"].reread = resource if enriches else None  # inline: the row as enriched
    for kind, made in verbs.items():
        made.name = f"{name.replace('-', '_')}.{kind}"
        made.tag = name
        made.answer = "exists" if kind == "exists" else made.answer
    return verbs


def all_generic() -> list[Verb[..., Any]]:
    return [v for name in OPERATIONS for v in verbs_of(name).values()]

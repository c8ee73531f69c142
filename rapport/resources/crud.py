"""The nine operations, defined once for every resource (seed 003's pattern).

create, get, update, delete, exists, list, count, bulk_create, bulk_update: each is a
service operation (see ``rapport.db.operation``) over any ``Resource``. Every statement is
scoped to the principal's organization, so an id from another organization is not found.

Creates are idempotent on the resource's idempotency key (``external_id``): a retried create
returns what the first one stored and writes nothing. A bulk create is one statement, so it
stores all of its items or none.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

import uuid_utils
from pydantic import BaseModel, TypeAdapter

from rapport import errors
from rapport.db.operation import Operation, Query, Steps, operation
from rapport.db.sql import Fragment
from rapport.resources import paging
from rapport.resources.filters import FilterCompiler
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Principal
from rapport.validation import json_text, models_text, validate, validate_many

MAX_BULK = 10_000
M = TypeVar("M", bound=BaseModel)


def new_id() -> str:
    """A time-ordered UUID (version 7)."""
    return str(uuid_utils.uuid7())


def check_id(resource: Resource, value: Any) -> str:
    """``value`` as a canonical UUID string; a malformed id cannot exist, so it is a 404."""
    try:
        return str(uuid.UUID(str(value)))
    except ValueError:
        raise errors.NotFound(
            f"no {resource.singular} with id {value!r} (not a valid id)", field="id"
        ) from None


def _not_found(resource: Resource, id_value: str) -> errors.NotFound:
    return errors.NotFound(f"no {resource.singular} with id {id_value}", field="id")


def columns_of(resource: Resource, document: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """A (possibly nested) patch document as ``{column: value}``."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        name = prefix + key
        field = resource.fields.get(name)
        if field is not None:
            flat[field.column] = value
        elif isinstance(value, dict):
            flat.update(columns_of(resource, value, name + "."))
        else:
            raise TypeError(f"{name} is not a field of {resource.name}")
    return flat


def _row_ids(resource: Resource, items: list[BaseModel]) -> list[str]:
    """The id each item will get: new time-ordered ids, or the id the item names."""
    if resource.id_column == "id":
        return [new_id() for _ in items]
    return [str(getattr(item, resource.id_column)) for item in items]


def insert(
    resource: Resource,
    principal: Principal,
    items: list[BaseModel],
    prefix: str = "items",
    *,
    documents: bool = True,
) -> Steps[list[tuple[Any, bool]]]:
    """Store ``items``; for each, the stored document (or id) and whether it is new.

    Items whose idempotency key already exists come back as the stored document, unchanged.
    A missing parent (e.g. a message for a conversation not in this org) fails all of them.
    """
    if resource.before_insert is not None:
        items = yield from resource.before_insert(principal, items)
    ids = _row_ids(resource, items)
    orphans, inserted = yield Query(
        resource.sql["insert_docs" if documents else "insert_ids"],
        {"org": principal.org_id, "rows": models_text(resource.rows, items), "ids": ids},
    )
    if orphans:
        raise _missing_parent(resource, items, ids, set(orphans), prefix)
    stored = {doc["id"]: doc for doc in inserted} if documents else dict.fromkeys(inserted, None)
    return (yield from _with_existing(resource, principal, items, ids, stored, documents))


def insert_each(
    resource: Resource, principal: Principal, items: list[BaseModel]
) -> Steps[list[tuple[dict[str, Any], bool] | errors.NotFound]]:
    """Store independent items in one statement: each stored (document, is new), or, for an
    item whose parent is missing, a NotFound that concerns that item alone."""
    if resource.before_insert is not None:
        items = yield from resource.before_insert(principal, items)
    ids = _row_ids(resource, items)
    orphans, inserted = yield Query(
        resource.sql["insert_docs_lenient"],
        {"org": principal.org_id, "rows": models_text(resource.rows, items), "ids": ids},
    )
    missing = set(orphans or ())
    kept = [key not in missing for key in ids]
    stored = {doc["id"]: doc for doc in inserted}
    outcomes = yield from _with_existing(
        resource,
        principal,
        [item for item, keep in zip(items, kept, strict=True) if keep],
        [key for key, keep in zip(ids, kept, strict=True) if keep],
        stored,
        True,
    )
    found = iter(outcomes)
    return [
        _missing_parent(resource, [item], [key], missing, "") if key in missing else next(found)
        for item, key in zip(items, ids, strict=True)
    ]


def _with_existing(
    resource: Resource,
    principal: Principal,
    items: list[BaseModel],
    ids: list[str],
    stored: dict[str, Any],
    documents: bool,
) -> Steps[list[tuple[Any, bool]]]:
    """Each item's stored row: the one just inserted, or the one its idempotency key names."""
    skipped = [item for item, key in zip(items, ids, strict=True) if key not in stored]
    existing = (yield from _existing(resource, principal, skipped, documents)) if skipped else {}
    results: list[tuple[Any, bool]] = []
    for item, key in zip(items, ids, strict=True):
        if key in stored:
            results.append((stored[key] if documents else key, True))
        else:
            results.append((existing[_conflict_key(resource, item)], False))
    return results


def _conflict_key(resource: Resource, item: BaseModel) -> tuple[str, ...]:
    return tuple(str(getattr(item, c)) for c in resource.conflict_columns or ())


def _existing(
    resource: Resource, principal: Principal, items: list[BaseModel], documents: bool
) -> Steps[dict[tuple[str, ...], Any]]:
    """What is stored for items skipped on their idempotency key, by that key."""
    columns = resource.conflict_columns or ()
    if not columns:  # only an idempotency key makes the insert skip rows
        raise RuntimeError(f"{resource.name}: rows skipped without an idempotency key")
    keys = [[str(getattr(item, c)) for c in columns] for item in items]
    types = {f.column: f.sql_type for f in resource.fields.values()}
    stored = ", ".join(f"t.{c}" for c in columns)
    wanted = ", ".join(f"(x.k ->> {i})::{types[c]}" for i, c in enumerate(columns))
    as_text = ", ".join(f"t.{c}::text" for c in columns)
    shown = resource.json_sql if documents else f"t.{resource.id_column}::text"
    # Typed on both sides, so the unique index behind the idempotency key answers it.
    found = yield Query(
        resource.statement("existing", shown=shown, as_text=as_text, stored=stored, wanted=wanted),
        {"org": principal.org_id, "keys": json_text(keys)},
        fetch="all",
    )
    return {tuple(row[1:]): row[0] for row in found}


def _missing_parent(
    resource: Resource, items: list[BaseModel], ids: list[str], orphans: set[str], prefix: str
) -> errors.NotFound:
    """The NotFound naming the first item whose parent is not in the caller's org."""
    parent = resource.parent
    assert parent is not None  # only a parent lookup leaves rows without one
    index = next(i for i, key in enumerate(ids) if key in orphans)
    where = f"{prefix}[{index}].{parent.key}" if len(items) > 1 else parent.key
    named = getattr(items[index], parent.key)
    return errors.NotFound(f"{where}: no {parent.singular} with id {named}", field=where)


def create(resource: Resource, principal: Principal, data: Any) -> Operation[tuple[Any, bool]]:
    """Store one item; returns (document, created). A retry returns the first, created=False.
    With a ``prepare`` step the checks and the insert share a transaction."""
    return Operation(
        _create(resource, principal, data),
        atomic=resource.prepare is not None,
        org=principal.org_id,
    )


def _create(resource: Resource, principal: Principal, data: Any) -> Steps[tuple[Any, bool]]:
    principal.require(resource.write_role, f"create {resource.name}")
    items = [validate(resource.create_model, data)]
    _authorize(resource, principal, items)
    if resource.prepare is not None:
        items = yield from resource.prepare(principal, items, lambda i: "")
    [(doc, created)] = yield from insert(resource, principal, items)
    return doc, created


def _authorize(resource: Resource, principal: Principal, items: list[Any]) -> None:
    if resource.authorize is not None:
        for item in items:
            resource.authorize(principal, item.model_dump())


def bulk_items(
    model: type[M], items: Any, adapter: TypeAdapter[list[Any]] | None = None
) -> list[M]:
    """A bulk request's items, each validated, once the batch is known not to be too big."""
    if isinstance(items, list) and len(items) > MAX_BULK:
        raise errors.BadRequest(
            f"items: at most {MAX_BULK} per request; split the batch", field="items"
        )
    return validate_many(model, items, adapter=adapter)


def bulk_create(resource: Resource, principal: Principal, items: Any) -> Operation[list[str]]:
    """Store every item or none; returns their ids in order (existing ones for retries)."""
    return Operation(
        _bulk_create(resource, principal, items),
        atomic=resource.prepare is not None,
        org=principal.org_id,
    )


def _bulk_create(resource: Resource, principal: Principal, items: Any) -> Steps[list[str]]:
    principal.require(resource.write_role, f"create {resource.name}")
    valid: list[Any] = bulk_items(resource.create_model, items, adapter=resource.rows)
    if not valid:
        return []
    _authorize(resource, principal, valid)
    if resource.prepare is not None:
        valid = yield from resource.prepare(principal, valid, lambda i: f"items[{i}].")
    stored = yield from insert(resource, principal, valid, documents=False)
    return [key for key, _ in stored]


@operation
def get(resource: Resource, principal: Principal, id_value: Any) -> Steps[dict[str, Any]]:
    key = check_id(resource, id_value)
    doc = yield Query(resource.sql["get"], {"org": principal.org_id, "id": key}, fetch="scalar")
    if doc is None:
        raise _not_found(resource, key)
    return dict(doc)


@operation
def exists(resource: Resource, principal: Principal, id_value: Any) -> Steps[bool]:
    try:
        key = check_id(resource, id_value)
    except errors.NotFound:
        return False
    found = yield Query(
        resource.sql["exists"], {"org": principal.org_id, "id": key}, fetch="scalar"
    )
    return bool(found)


@operation
def delete(resource: Resource, principal: Principal, id_value: Any) -> Steps[None]:
    principal.require(resource.write_role, f"delete {resource.name}")
    key = check_id(resource, id_value)
    count = yield Query(
        resource.sql["delete"], {"org": principal.org_id, "id": key}, fetch="rowcount"
    )
    if not count:
        raise _not_found(resource, key)


def set_clause(resource: Resource, patch: dict[str, Any], out: Fragment) -> str:
    """``SET ...`` for a validated patch: JSON objects merge (RFC 7396), the rest replace."""
    assignments = []
    by_column = {f.column: f for f in resource.fields.values()}
    for column, value in columns_of(resource, patch).items():
        field = by_column[column]
        if value is None:
            assignments.append(f"{column} = NULL")
        elif field.json_shape == "object":
            placeholder = out.param(json_text(value), "jsonb")
            assignments.append(f"{column} = rapport_merge_patch(t.{column}, {placeholder})")
        elif field.is_json:
            assignments.append(f"{column} = {out.param(json_text(value), 'jsonb')}")
        else:
            assignments.append(f"{column} = {out.param(value, field.sql_type)}")
    if resource.has_updated_at:
        assignments.append("updated_at = now()")
    return ", ".join(assignments)


def patch_of(resource: Resource, data: Any, field: str = "", bulk: bool = False) -> dict[str, Any]:
    assert resource.patch_model is not None
    model = validate(resource.bulk_patch_model if bulk else resource.patch_model, data,
                     prefix=field)  # fmt: skip
    return model.model_dump(mode="json", exclude_unset=True)


@operation
def update(
    resource: Resource, principal: Principal, id_value: Any, data: Any
) -> Steps[dict[str, Any]]:
    """Change the fields ``data`` names and return the stored document."""
    principal.require(resource.write_role, f"update {resource.name}")
    key = check_id(resource, id_value)
    patch = patch_of(resource, data)
    if not patch:
        return (yield from get(resource, principal, key).steps)
    if resource.authorize is not None:
        resource.authorize(principal, patch)
    out = Fragment()
    assignments = set_clause(resource, patch, out)
    doc = yield Query(
        resource.statement(
            "update", assignments=assignments, id=resource.id_column, json=resource.json_sql
        ),
        {**out.params, "org": principal.org_id, "id": key},
        fetch="scalar",
    )
    if doc is None:
        raise _not_found(resource, key)
    return dict(doc)


@operation
def bulk_update(
    resource: Resource, principal: Principal, filter_spec: Any, data: Any
) -> Steps[int]:
    """Apply one patch to every row the filter matches; returns how many changed."""
    principal.require(resource.write_role, f"update {resource.name}")
    if filter_spec is None:
        raise errors.BadRequest(
            "filter: required; pass {} to update every row on purpose", field="filter"
        )
    patch = patch_of(resource, data, field="set", bulk=True)
    if not patch:
        raise errors.BadRequest("set: name at least one field to change", field="set")
    if resource.authorize is not None:
        resource.authorize(principal, patch)
    out = Fragment()
    assignments = set_clause(resource, patch, out)
    condition = FilterCompiler(resource.fields, resource.name).compile(filter_spec, out)
    count = yield Query(
        resource.statement("bulk_update", assignments=assignments, condition=condition),
        {**out.params, "org": principal.org_id},
        fetch="rowcount",
    )
    return int(count)


@operation
def count(resource: Resource, principal: Principal, filter_spec: Any = None) -> Steps[int]:
    out = Fragment()
    condition = FilterCompiler(resource.fields, resource.name).compile(filter_spec, out)
    total = yield Query(
        resource.statement("count", condition=condition),
        {**out.params, "org": principal.org_id},
        fetch="scalar",
    )
    return int(total)


@operation
def list_page(
    resource: Resource,
    principal: Principal,
    filter_spec: Any = None,
    order_by: str | list[str] | None = None,
    limit: int | None = None,
    cursor: str | None = None,
) -> Steps[dict[str, Any]]:
    """One page of matching rows: ``{"items": [...], "next_cursor": str | None}``."""
    size = paging.check_limit(limit)
    keys = paging.parse_order_by(
        order_by, resource.fields, resource.default_order, resource.id_field
    )
    out = Fragment()
    condition = FilterCompiler(resource.fields, resource.name).compile(filter_spec, out)
    if cursor:
        condition += " AND " + paging.keyset_sql(keys, paging.decode_cursor(cursor, keys), out)
    docs = yield Query(
        resource.statement(
            "list", json=resource.json_sql, condition=condition, order=paging.order_sql(keys)
        ),
        {**out.params, "org": principal.org_id, "limit": size + 1},
        fetch="scalars",
    )
    items = list(docs[:size])
    next_cursor = paging.encode_cursor(keys, items[-1]) if len(docs) > size else None
    return {"items": items, "next_cursor": next_cursor}

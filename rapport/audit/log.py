"""Audit events: recording them, and reading them back (admins)."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from rapport.audit import QUERIES
from rapport.db.operation import Operation, Query, Steps, operation
from rapport.resources import crud
from rapport.resources.params import Cursor, Filter, Limit, OrderBy
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Principal
from rapport.validation import json_text

# Arguments whose values an event keeps: what an admin decided, never personal data.
KEPT_VALUES = frozenset(
    {"role", "scopes", "expires_at", "overlap_seconds", "visibility", "settings", "status",
     "trigger", "reason"}
)  # fmt: skip


class AuditEvent(BaseModel):
    """One admin action."""

    id: uuid.UUID
    at: datetime.datetime
    actor: str
    action: str
    target: str | None
    details: dict[str, Any]


class _NoCreate(BaseModel):
    """Audit events are written by Rapport, never through the API."""


AUDIT = Resource(
    name="audit",
    table="audit_events",
    singular="audit event",
    model=AuditEvent,
    create_model=_NoCreate,
    default_order="-at",
    conflict_columns=None,
    write_role="owner",
    description="Admin actions: who, when, on what (read-only).",
)


def details_of(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """What an event keeps of a call's arguments: the names of every field it was given (a
    body's fields by their own names), and the values of the decisions in ``KEPT_VALUES``."""
    given: dict[str, Any] = {}
    for name, argument in arguments.items():
        if argument is None or name in ("id", "runtime"):
            continue
        value = (
            argument.model_dump(mode="json", exclude_unset=True)
            if isinstance(argument, BaseModel)
            else argument
        )
        if isinstance(argument, BaseModel) or (name == "data" and isinstance(value, Mapping)):
            for key, inner in value.items():
                if inner is not None:
                    given[key] = inner
        else:
            given[name] = value
    details: dict[str, Any] = {"fields": sorted(given)}
    for name in sorted(KEPT_VALUES & set(given)):
        details[name] = given[name]
    return details


@operation
def record(
    principal: Principal, action: str, target: str | None, details: Mapping[str, Any]
) -> Steps[None]:
    """One event in the principal's org, by the principal."""
    yield Query(
        QUERIES["record"],
        {"org": principal.org_id, "actor": principal.actor, "action": action,
         "target": target, "details": json_text(dict(details))},
        fetch="rowcount",
    )  # fmt: skip


def audited(
    op: Operation[Any], principal: Principal, action: str, arguments: Mapping[str, Any]
) -> Operation[Any]:
    """``op``, then its audit event on the same connection (in its transaction if it has
    one): the target is the call's ``id``, else the id of what it returned."""

    def steps() -> Steps[Any]:
        result = yield from op.steps
        target = arguments.get("id")
        stored = getattr(result, "value", result)
        if target is None and isinstance(stored, Mapping):
            target = stored.get("id")
        yield from record(principal, action, None if target is None else str(target),
                          details_of(arguments)).steps  # fmt: skip
        return result

    return Operation(steps(), atomic=op.atomic, org=op.org)


@operation
def events(
    principal: Principal,
    filter: Filter = None,
    order_by: OrderBy = None,
    limit: Limit = None,
    cursor: Cursor = None,
) -> Steps[dict[str, Any]]:
    """The audit log (admins): every admin action, newest first; filter by ``action``,
    ``actor``, ``target`` or ``at``. It cannot be changed through the API."""
    principal.require("admin", "read the audit log")
    return (yield from crud.list_page(AUDIT, principal, filter, order_by, limit, cursor).steps)


def is_audited(method: str, role: str) -> bool:
    """Which verbs the dispatcher audits: every write that needs an admin or an owner."""
    return method != "GET" and role in ("admin", "owner")

"""Organizations and operator users synced from Clerk's webhooks (seed 004).

``POST /v1/identity/webhooks/clerk`` takes Clerk's events as Svix delivers them, signed with
the Standard Webhooks scheme: HMAC-SHA256 over ``id.timestamp.body`` with the endpoint's
``whsec_`` secret, in ``svix-id`` / ``svix-timestamp`` / ``svix-signature`` (or the same
``webhook-*`` headers), within 5 minutes of now. The ``standardwebhooks`` package checks
all of that; a bad signature is a 401 and stores nothing.

Each event id is remembered once its effects are written, so a redelivery is answered 200
and writes nothing. The effects are upserts, so a delivery that fails half-way and is
retried ends the same as one that went through.

- ``organization.created`` / ``.updated``: the org with that Clerk id, made (or an org of
  the same name not yet linked, adopted); ``organization.deleted``: disabled, so its tokens
  are refused (its data stays until erased).
- ``organizationMembership.created`` / ``.updated``: the user in that org, with the role
  the membership's maps to (``rapport.tenancy.tokens``); ``.deleted``: deactivated.
- ``user.updated``: their email and name in every org they belong to; ``user.deleted``:
  deactivated everywhere; ``user.created``: nothing yet (a user joins orgs by membership).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from standardwebhooks import Webhook, WebhookVerificationError

from rapport import errors
from rapport.db.operation import Operation, Query, Steps, atomic_operation, operation
from rapport.tenancy import QUERIES
from rapport.tenancy.tokens import provider_role

_SVIX = {"svix-id": "webhook-id", "svix-timestamp": "webhook-timestamp",
         "svix-signature": "webhook-signature"}  # fmt: skip


def verify(secret: str, body: bytes, headers: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """The event's id and the event, if its signature holds; Unauthorized otherwise."""
    given = {name.lower(): value for name, value in headers.items()}
    for svix, standard in _SVIX.items():
        if svix in given and standard not in given:
            given[standard] = given[svix]
    try:
        event = Webhook(secret).verify(body, given)
    except (WebhookVerificationError, ValueError) as error:  # ValueError: malformed base64
        raise errors.Unauthorized(
            f"the webhook's signature does not verify ({error}); check the endpoint's "
            "signing secret (RAPPORT_CLERK_WEBHOOK_SECRET)"
        ) from None
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
        raise errors.BadRequest("the webhook's body is not a Clerk event: no data object")
    return given["webhook-id"], event


@operation
def seen(event_id: str) -> Steps[bool]:
    return bool((yield Query(QUERIES["identity_event_seen"], {"id": event_id}, fetch="scalar")))


@operation
def done(event_id: str, kind: str) -> Steps[None]:
    yield Query(QUERIES["identity_event_done"], {"id": event_id, "type": kind}, fetch="rowcount")


@operation
def sync_org(external_id: str, name: str) -> Steps[str]:
    found = yield Query(
        QUERIES["org_sync"], {"external_id": external_id, "name": name}, fetch="scalar"
    )
    return str(found)


@operation
def disable_org(external_id: str) -> Steps[str | None]:
    found = yield Query(QUERIES["org_disable"], {"external_id": external_id}, fetch="scalar")
    return None if found is None else str(found)


@operation
def user_orgs(external_id: str) -> Steps[list[str]]:
    found = yield Query(QUERIES["user_orgs"], {"external_id": external_id}, fetch="scalars")
    return [str(org) for org in found]


@atomic_operation
def sync_user(
    org_id: str, external_id: str, email: str, name: str | None, role: str | None
) -> Steps[None]:
    user = {"org": org_id, "external_id": external_id, "email": email, "name": name,
            "role": role}  # fmt: skip
    yield Query(QUERIES["user_link"], user, fetch="rowcount")
    yield Query(QUERIES["user_sync"], user, fetch="scalar")


@operation
def update_user(org_id: str, external_id: str, email: str | None, name: str | None) -> Steps[None]:
    yield Query(
        QUERIES["user_profile"],
        {"org": org_id, "external_id": external_id, "email": email, "name": name},
        fetch="rowcount",
    )


@operation
def deactivate_user(org_id: str, external_id: str) -> Steps[None]:
    yield Query(
        QUERIES["user_deactivate"], {"org": org_id, "external_id": external_id}, fetch="rowcount"
    )


def _name(first: Any, last: Any) -> str | None:
    return " ".join(str(part) for part in (first, last) if part) or None


def _primary_email(data: Mapping[str, Any]) -> str | None:
    addresses = data.get("email_addresses") or []
    primary = data.get("primary_email_address_id")
    for address in addresses:
        if isinstance(address, dict) and (primary is None or address.get("id") == primary):
            return address.get("email_address")
    return None


Run = Callable[[Operation[Any]], Awaitable[Any]]


async def apply(run: Run, event: Mapping[str, Any], roles: Mapping[str, str]) -> str:
    """Write what the event says, with ``run`` (the server's database); what was done."""
    kind, data = str(event.get("type", "")), event["data"]
    if kind in ("organization.created", "organization.updated"):
        org = _required(data, "id", kind)
        await run(sync_org(org, str(data.get("slug") or data.get("name") or org)))
        return f"organization {org} synced"
    if kind == "organization.deleted":
        org = _required(data, "id", kind)
        await run(disable_org(org))
        return f"organization {org} disabled"
    if kind.startswith("organizationMembership."):
        organization = data.get("organization") or {}
        person = data.get("public_user_data") or {}
        org = _required(organization, "id", f"{kind}: organization")
        user = _required(person, "user_id", f"{kind}: public_user_data")
        org_id = await run(
            sync_org(org, str(organization.get("slug") or organization.get("name") or org))
        )
        if kind == "organizationMembership.deleted":
            await run(deactivate_user(org_id, user))
            return f"user {user} left organization {org}"
        email = str(person.get("identifier") or f"{user}@users.clerk")
        name = _name(person.get("first_name"), person.get("last_name"))
        await run(sync_user(org_id, user, email, name, provider_role(data.get("role"), roles)))
        return f"user {user} synced in organization {org}"
    if kind in ("user.updated", "user.deleted"):
        user = _required(data, "id", kind)
        address, name = _primary_email(data), _name(data.get("first_name"), data.get("last_name"))
        for member_of in await run(user_orgs(user)):
            if kind == "user.deleted":
                await run(deactivate_user(member_of, user))
            else:
                await run(update_user(member_of, user, address, name))
        return f"user {user} {'deactivated' if kind == 'user.deleted' else 'updated'}"
    return f"{kind or 'an event without a type'}: nothing to do"  # user.created, and others


def _required(data: Any, key: str, where: str) -> str:
    value = data.get(key) if isinstance(data, Mapping) else None
    if not isinstance(value, str) or not value:
        raise errors.BadRequest(f"{where}: the event has no {key}", field=f"data.{key}")
    return value

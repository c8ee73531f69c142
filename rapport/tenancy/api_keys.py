"""API keys: random 32-byte secrets shown once at creation; only their SHA-256 is stored
(the secret has full entropy, so a slow password hash would add latency and no safety).

A key has a role and scopes (``rapport.tenancy.principal``), may expire, and may be rotated:
a new secret, with the old one still accepted for an overlap window. Every request checks
its key against the database (one indexed read), so a revocation takes effect at once on
every server.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from typing import Annotated, Any

from pydantic import AwareDatetime, Field

from rapport import errors
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.privacy import policy
from rapport.tenancy import QUERIES
from rapport.tenancy.principal import (
    SCOPES,
    Principal,
    Role,
    Scope,
    article,
    check_role,
    check_scopes,
    role_for_scopes,
    role_scopes,
)

KEY_PREFIX = "rk_"


def hash_key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


_KEY = (
    "json_build_object('id', k.id, 'name', k.name, 'role', k.role, 'scopes', k.scopes, "
    "'prefix', k.prefix, 'user_id', k.user_id, 'created_at', k.created_at, "
    "'last_used_at', k.last_used_at, 'expires_at', k.expires_at, 'revoked_at', k.revoked_at, "
    "'replaced_by', k.replaced_by)"
)
_INSERT = sql.fill(QUERIES["key_insert"], key=_KEY)
_LIST = sql.fill(QUERIES["keys"], key=_KEY)
_REVOKE = sql.fill(QUERIES["key_revoke"], key=_KEY)
_REPLACED = sql.fill(QUERIES["key_replaced"], key=_KEY)
DEFAULT_OVERLAP = 24 * 3600  # seconds a rotated key keeps working


def key_terms(
    role: str | None, scopes: Any = None, expires_at: datetime.datetime | None = None
) -> tuple[Role, frozenset[Scope], datetime.datetime | None]:
    """A new key's role, scopes and expiry, checked: the scopes default to all the role may
    do, the role to the weakest that the scopes need (to operator with neither)."""
    if role is None:
        role = "operator" if scopes is None else role_for_scopes(frozenset(scopes or ()))
    checked = check_role(role)
    granted = role_scopes(checked) if scopes is None else check_scopes(scopes, checked)
    if expires_at is not None and expires_at <= datetime.datetime.now(datetime.UTC):
        raise errors.ValidationFailed("expires_at: must be in the future", field="expires_at")
    return checked, granted, expires_at


@operation
def create_key(
    org_id: str,
    role: str | None,
    name: str | None = None,
    user_id: str | None = None,
    scopes: Any = None,
    expires_at: datetime.datetime | None = None,
) -> Steps[tuple[dict[str, Any], str]]:
    """A new API key for the organization: its record, and the secret (shown only now)."""
    checked, granted, expires_at = key_terms(role, scopes, expires_at)
    secret = new_secret()
    record = yield Query(
        _INSERT,
        {"org": org_id, "name": name, "role": checked, "prefix": secret[:11],
         "hash": hash_key(secret), "user": user_id,
         "scopes": [s for s in SCOPES if s in granted], "expires_at": expires_at},
        fetch="scalar",
    )  # fmt: skip
    return dict(record), secret


def _no_stronger(principal: Principal, role: Role, scopes: frozenset[Scope]) -> None:
    if not principal.can(role):
        raise errors.Forbidden(f"{article(principal.role)} key cannot create {article(role)} key")
    beyond = sorted(scopes - principal.scopes)
    if beyond:
        raise errors.Forbidden(
            f"a key with scopes {', '.join(sorted(principal.scopes))} cannot give another "
            f"the {', '.join(beyond)} scope"
        )


@operation
def create_key_as(
    principal: Principal,
    role: str | None,
    name: str | None = None,
    scopes: Any = None,
    expires_at: datetime.datetime | None = None,
) -> Steps[tuple[dict[str, Any], str]]:
    """``create_key`` on behalf of an admin, who cannot mint a key stronger than their own."""
    principal.require("admin", "create API keys")
    checked, granted, expires_at = key_terms(role, scopes, expires_at)
    _no_stronger(principal, checked, granted)
    return (
        yield from create_key(
            principal.org_id, checked, name, scopes=granted, expires_at=expires_at
        ).steps
    )


ScopeList = Annotated[
    list[Scope] | None,
    Field(
        min_length=1,
        description="What the key may do: read, write, admin (default: all its role allows)",
        examples=[["read"]],
    ),
]
Expiry = Annotated[
    AwareDatetime | None,
    Field(
        description="When the key stops working (default: never)", examples=["2027-06-30T00:00:00Z"]
    ),
]


@operation
def issue(
    principal: Principal,
    role: Annotated[
        Role | None, Field(description="Default: operator, or the weakest the scopes need")
    ] = None,
    name: Annotated[str | None, Field(max_length=200, description="A label to know it by")] = None,
    scopes: ScopeList = None,
    expires_at: Expiry = None,
) -> Steps[dict[str, Any]]:
    """Create an API key (admins; no stronger than your own). The response carries the
    secret ``key``; it is never shown again."""
    record, secret = yield from create_key_as(principal, role, name, scopes, expires_at).steps
    return {**record, "key": secret}


@atomic_operation
def rotate(
    principal: Principal,
    id: str,
    overlap_seconds: Annotated[
        int,
        Field(ge=0, le=90 * 24 * 3600, description="How long the old secret keeps working"),
    ] = DEFAULT_OVERLAP,
    expires_at: Expiry = None,
) -> Steps[dict[str, Any]]:
    """Rotate an API key (admins): a new secret with the same name, role and scopes; the old
    one keeps working for ``overlap_seconds`` (default a day), then stops. The response is
    the new key, with its secret ``key`` (shown only now) and the old key as ``replaces``."""
    principal.require("admin", "rotate API keys")
    key_id = _key_id(id)
    row = yield Query(QUERIES["key_to_rotate"], {"org": principal.org_id, "id": key_id})
    if row is None:
        raise errors.NotFound(f"no API key with id {key_id}", field="id")
    name, role, user_id, scopes, revoked_at, old_expiry, expired = row
    if revoked_at is not None or expired:
        what = f"was revoked at {revoked_at}" if revoked_at else f"expired at {old_expiry}"
        raise errors.Conflict(
            f"API key {key_id} {what}; it cannot be rotated, create a new one (POST /v1/keys)"
        )
    _no_stronger(principal, role, frozenset(scopes))  # an admin cannot renew an owner's key
    record, secret = yield from create_key(
        principal.org_id, role, name, user_id, scopes, expires_at
    ).steps
    replaced = yield Query(
        _REPLACED,
        {"org": principal.org_id, "id": key_id, "overlap": overlap_seconds,
         "successor": record["id"]},
        fetch="scalar",
    )  # fmt: skip
    return {**record, "key": secret, "replaces": dict(replaced)}


def _key_id(key_id: Any) -> str:
    try:
        return str(uuid.UUID(str(key_id)))
    except ValueError:  # a malformed id cannot exist
        raise errors.NotFound(f"no API key with id {key_id!r}", field="id") from None


@operation
def list_keys(principal: Principal) -> Steps[list[dict[str, Any]]]:
    """Your organization's API keys (admins), never their secrets."""
    principal.require("admin", "list API keys")
    rows = yield Query(_LIST, {"org": principal.org_id}, fetch="scalars")
    return list(rows)


@operation
def revoke_key(principal: Principal, id: str) -> Steps[dict[str, Any]]:
    """Revoke an API key (admins); every server refuses it from the next request on."""
    principal.require("admin", "revoke API keys")
    key_id = _key_id(id)
    record = yield Query(_REVOKE, {"org": principal.org_id, "id": key_id}, fetch="scalar")
    if record is None:
        raise errors.NotFound(f"no API key with id {key_id}", field="id")
    return dict(record)


@operation
def authenticate(secret: str) -> Steps[Principal]:
    """The principal an API key stands for; Unauthorized if unknown or revoked."""
    if not secret.startswith(KEY_PREFIX):
        raise errors.Unauthorized("that is not a Rapport API key (they start with rk_)")
    row = yield Query(QUERIES["key_authenticate"], {"hash": hash_key(secret)})
    if row is None:
        raise errors.Unauthorized("unknown API key (check that it was copied whole)")
    org_id, role, key_id, scopes, expires_at, revoked_at, expired, disabled_at, *rule = row
    policy.remember(org_id, *rule)  # the request appends under its org's policy as it is now
    if disabled_at is not None:
        raise errors.Unauthorized(
            f"this API key's organization was deleted at its identity provider at "
            f"{disabled_at.isoformat()}; its keys no longer work"
        )
    if revoked_at is not None:
        raise errors.Unauthorized(
            f"this API key ({secret[:11]}...) was revoked at {revoked_at.isoformat()}; "
            "ask an admin for a new one"
        )
    if expired:
        raise errors.Unauthorized(
            f"this API key ({secret[:11]}...) expired at {expires_at.isoformat()}; "
            "rotate it before it expires (POST /v1/keys/{id}/rotate) or create a new one"
        )
    return Principal(org_id=org_id, role=role, key_id=key_id, scopes=frozenset(scopes))

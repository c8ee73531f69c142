"""API keys: random 32-byte secrets shown once at creation; only their SHA-256 is stored
(the secret has full entropy, so a slow password hash would add latency and no safety)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Annotated, Any

from pydantic import Field

from rapport import errors
from rapport.db import sql
from rapport.db.operation import Query, Steps, operation
from rapport.tenancy import QUERIES
from rapport.tenancy.principal import Principal, Role, article, check_role

KEY_PREFIX = "rk_"


def hash_key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


_KEY = (
    "json_build_object('id', k.id, 'name', k.name, 'role', k.role, 'prefix', k.prefix, "
    "'user_id', k.user_id, 'created_at', k.created_at, 'last_used_at', k.last_used_at, "
    "'revoked_at', k.revoked_at)"
)
_INSERT = sql.fill(QUERIES["key_insert"], key=_KEY)
_LIST = sql.fill(QUERIES["keys"], key=_KEY)
_REVOKE = sql.fill(QUERIES["key_revoke"], key=_KEY)


@operation
def create_key(
    org_id: str, role: str, name: str | None = None, user_id: str | None = None
) -> Steps[tuple[dict[str, Any], str]]:
    """A new API key for the organization: its record, and the secret (shown only now)."""
    check_role(role)
    secret = new_secret()
    record = yield Query(
        _INSERT,
        {"org": org_id, "name": name, "role": role, "prefix": secret[:11],
         "hash": hash_key(secret), "user": user_id},
        fetch="scalar",
    )  # fmt: skip
    return dict(record), secret


@operation
def create_key_as(
    principal: Principal, role: str, name: str | None = None
) -> Steps[tuple[dict[str, Any], str]]:
    """``create_key`` on behalf of an admin, who cannot mint a key stronger than their own."""
    principal.require("admin", "create API keys")
    if not principal.can(check_role(role)):
        raise errors.Forbidden(f"{article(principal.role)} key cannot create {article(role)} key")
    return (yield from create_key(principal.org_id, role, name).steps)


@operation
def issue(
    principal: Principal,
    role: Role = "operator",
    name: Annotated[str | None, Field(max_length=200, description="A label to know it by")] = None,
) -> Steps[dict[str, Any]]:
    """Create an API key (admins; no stronger than your own). The response carries the
    secret ``key``; it is never shown again."""
    record, secret = yield from create_key_as(principal, role, name).steps
    return {**record, "key": secret}


@operation
def list_keys(principal: Principal) -> Steps[list[dict[str, Any]]]:
    """Your organization's API keys (admins), never their secrets."""
    principal.require("admin", "list API keys")
    rows = yield Query(_LIST, {"org": principal.org_id}, fetch="scalars")
    return list(rows)


@operation
def revoke_key(principal: Principal, id: str) -> Steps[dict[str, Any]]:
    """Revoke an API key (admins); servers stop accepting it within
    RAPPORT_KEY_CACHE_SECONDS (this one at once)."""
    key_id = id
    principal.require("admin", "revoke API keys")
    try:
        key_id = str(uuid.UUID(str(key_id)))
    except ValueError:  # a malformed id cannot exist
        raise errors.NotFound(f"no API key with id {key_id!r}", field="id") from None
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
        raise errors.Unauthorized("unknown or revoked API key")
    return Principal(org_id=row[0], role=row[1], key_id=row[2])

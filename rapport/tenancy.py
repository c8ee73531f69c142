"""Organizations, roles and API keys: who is asking, and for which tenant.

Every service operation takes a ``Principal``: the organization it acts for and the role it
acts with. Every query a service runs is scoped by ``org_id``, so one organization's ids are
simply not found from another's. Roles are ordered: a viewer reads, an operator also writes
conversation data, an admin also manages users, agents' access and keys, an owner everything.

API keys are random 32-byte secrets shown once at creation; only their SHA-256 is stored
(the secret has full entropy, so a slow password hash would add latency and no safety).

DESIGN.md names row-level security for tenant isolation. It is not switched on yet, for two
reasons: the embedded server connects as a superuser, which PostgreSQL exempts from every
policy, so RLS would protect nothing by default; and it needs the org set per transaction
(``SET LOCAL``), an extra round trip on paths whose budget is 0.3 ms. Isolation rests instead
on every statement being built by Rapport with ``org_id`` bound (the resource SQL, filters and
verbs all lead with it), which the tenancy tests check for every resource and verb. Policies
for deployments that connect as a non-superuser role are a planned, additive migration.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any, Literal, get_args

from rapport import errors
from rapport.db.operation import Query, Steps, operation

Role = Literal["owner", "admin", "operator", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
_RANK = {role: rank for rank, role in enumerate(reversed(ROLES))}

KEY_PREFIX = "rk_"


@dataclass(frozen=True, slots=True)
class Principal:
    """The organization a request acts for, and with which role."""

    org_id: str
    role: Role
    key_id: str | None = None

    @property
    def actor(self) -> str:
        """Who is writing, as recorded in histories: ``key:<id>``, or the in-process role."""
        return f"key:{self.key_id}" if self.key_id else f"sdk:{self.role}"

    def can(self, role: Role) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def require(self, role: Role, action: str) -> None:
        """Raise Forbidden unless this principal holds ``role`` or a stronger one."""
        if not self.can(role):
            raise errors.Forbidden(
                f"{_a(self.role)} key cannot {action}; it needs the {role} role or higher"
            )


def _a(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise errors.ValidationFailed(
            f"role: {role!r} is not one of {', '.join(ROLES)}", field="role"
        )
    return role


def hash_key(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def new_secret() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@operation
def ensure_org(name: str) -> Steps[dict[str, Any]]:
    """The organization called ``name``, created if it does not exist yet."""
    if not name or not name.strip():
        raise errors.ValidationFailed("name: an organization needs a name", field="name")
    row = yield Query(
        "INSERT INTO orgs (name) VALUES (%s) ON CONFLICT (name) DO UPDATE SET name = excluded.name"
        " RETURNING json_build_object('id', org_id, 'name', name, 'created_at', created_at),"
        " (xmax = 0)",
        [name.strip()],
    )
    org: dict[str, Any] = row[0]
    org["created"] = bool(row[1])
    return org


@operation
def find_org(name: str) -> Steps[dict[str, Any]]:
    org = yield Query(
        "SELECT json_build_object('id', org_id, 'name', name, 'created_at', created_at)"
        " FROM orgs WHERE name = %s",
        [name],
        fetch="scalar",
    )
    if org is None:
        raise errors.NotFound(f"no organization is called {name!r}", field="org")
    return dict(org)


@operation
def get_org(principal: Principal) -> Steps[dict[str, Any]]:
    org = yield Query(
        "SELECT json_build_object('id', org_id, 'name', name, 'settings', settings,"
        " 'created_at', created_at) FROM orgs WHERE org_id = %s",
        [principal.org_id],
        fetch="scalar",
    )
    if org is None:
        raise errors.NotFound("this organization no longer exists")
    return dict(org)


@operation
def count_orgs() -> Steps[int]:
    count = yield Query("SELECT count(*) FROM orgs", fetch="scalar")
    return int(count)


_KEY_JSON = (
    "json_build_object('id', id, 'name', name, 'role', role, 'prefix', prefix, "
    "'user_id', user_id, 'created_at', created_at, 'last_used_at', last_used_at, "
    "'revoked_at', revoked_at)"
)


@operation
def create_key(
    org_id: str, role: str, name: str | None = None, user_id: str | None = None
) -> Steps[tuple[dict[str, Any], str]]:
    """A new API key for the organization: its record, and the secret (shown only now)."""
    check_role(role)
    secret = new_secret()
    record = yield Query(
        "INSERT INTO api_keys (org_id, name, role, prefix, secret_hash, user_id)"
        f" VALUES (%s, %s, %s, %s, %s, %s) RETURNING {_KEY_JSON}",
        [org_id, name, role, secret[:11], hash_key(secret), user_id],
        fetch="scalar",
    )
    return dict(record), secret


@operation
def create_key_as(
    principal: Principal, role: str, name: str | None = None
) -> Steps[tuple[dict[str, Any], str]]:
    """``create_key`` on behalf of an admin, who cannot mint a key stronger than their own."""
    principal.require("admin", "create API keys")
    if not principal.can(check_role(role)):
        raise errors.Forbidden(f"{_a(principal.role)} key cannot create {_a(role)} key")
    return (yield from create_key(principal.org_id, role, name).steps)


@operation
def list_keys(principal: Principal) -> Steps[list[dict[str, Any]]]:
    principal.require("admin", "list API keys")
    rows = yield Query(
        f"SELECT {_KEY_JSON} FROM api_keys WHERE org_id = %s ORDER BY created_at",
        [principal.org_id],
        fetch="scalars",
    )
    return list(rows)


@operation
def revoke_key(principal: Principal, key_id: str) -> Steps[dict[str, Any]]:
    principal.require("admin", "revoke API keys")
    try:
        key_id = str(uuid.UUID(str(key_id)))
    except ValueError:  # a malformed id cannot exist
        raise errors.NotFound(f"no API key with id {key_id!r}", field="id") from None
    record = yield Query(
        "UPDATE api_keys SET revoked_at = coalesce(revoked_at, now())"
        f" WHERE org_id = %s AND id = %s::uuid RETURNING {_KEY_JSON}",
        [principal.org_id, key_id],
        fetch="scalar",
    )
    if record is None:
        raise errors.NotFound(f"no API key with id {key_id}", field="id")
    return dict(record)


@operation
def authenticate(secret: str) -> Steps[Principal]:
    """The principal an API key stands for; Unauthorized if unknown or revoked."""
    if not secret.startswith(KEY_PREFIX):
        raise errors.Unauthorized("that is not a Rapport API key (they start with rk_)")
    row = yield Query(
        "UPDATE api_keys SET last_used_at = now() WHERE secret_hash = %s AND revoked_at IS NULL"
        " RETURNING org_id::text, role, id::text",
        [hash_key(secret)],
    )
    if row is None:
        raise errors.Unauthorized("unknown or revoked API key")
    return Principal(org_id=row[0], role=row[1], key_id=row[2])

"""Who is asking: the organization a request acts for, the role it acts with, and the scopes
its key carries.

Every service operation takes a ``Principal``, and acts for its org: PostgreSQL's row-level
security shows the operation that org's rows only (``rapport.db.isolation``), and every
statement also leads with ``org_id`` (so one organization's ids are simply not found from
another's). Roles are ordered: a viewer reads, an operator also writes conversation data, an
admin also manages users, agents' access and keys, an owner everything. A key's **scopes**
narrow its role: ``read`` (what a viewer may do), ``write`` (an operator's writes), ``admin``
(an admin's and owner's); a verb needs both the role and the scope that goes with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from rapport import errors

Role = Literal["owner", "admin", "operator", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
_RANK = {role: rank for rank, role in enumerate(reversed(ROLES))}
Scope = Literal["read", "write", "admin"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
SCOPE_OF: dict[Role, Scope] = {
    "viewer": "read", "operator": "write", "admin": "admin", "owner": "admin"
}  # fmt: skip
EVERY_SCOPE = frozenset(SCOPES)


def role_scopes(role: Role) -> frozenset[Scope]:
    """Every scope a role's work needs: its own and those of the roles below it."""
    return frozenset(SCOPE_OF[r] for r in ROLES if _RANK[r] <= _RANK[role])


def role_for_scopes(scopes: frozenset[str]) -> Role:
    """The weakest role whose work the scopes cover (``read`` alone: a viewer)."""
    return next(r for r in reversed(ROLES) if role_scopes(r) >= scopes)


@dataclass(frozen=True, slots=True)
class Principal:
    """The organization a request acts for, with which role and scopes."""

    org_id: str
    role: Role
    key_id: str | None = None
    scopes: frozenset[str] = EVERY_SCOPE
    subject: str | None = None  # the identity provider's user, for a token's principal
    system: str | None = None  # Rapport itself acting: "worker", "cli"

    @property
    def actor(self) -> str:
        """Who is writing, as recorded in histories and the audit log: ``key:<id>``,
        ``user:<provider id>`` for an identity provider's token, ``worker`` or ``cli`` for
        Rapport's own, or the in-process role."""
        if self.key_id:
            return f"key:{self.key_id}"
        if self.subject:
            return f"user:{self.subject}"
        return self.system or f"sdk:{self.role}"

    def can(self, role: Role) -> bool:
        return _RANK[self.role] >= _RANK[role] and SCOPE_OF[role] in self.scopes

    def require(self, role: Role, action: str) -> None:
        """Raise Forbidden unless this principal holds ``role`` (or a stronger one) and the
        scope that goes with it."""
        if _RANK[self.role] < _RANK[role]:
            raise errors.Forbidden(
                f"{article(self.role)} key cannot {action}; it needs the {role} role or higher"
            )
        if SCOPE_OF[role] not in self.scopes:
            raise errors.Forbidden(
                f"this key's scopes ({', '.join(sorted(self.scopes))}) do not let it {action}; "
                f"that needs the {SCOPE_OF[role]} scope"
            )


def article(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


def check_scopes(scopes: object, role: Role) -> frozenset[Scope]:
    """The scopes asked for, each known and within what ``role`` may do."""
    if not isinstance(scopes, list | tuple | set | frozenset) or not scopes:
        raise errors.ValidationFailed(
            f"scopes: give one or more of {', '.join(SCOPES)}", field="scopes"
        )
    for scope in scopes:
        if scope not in SCOPES:
            raise errors.ValidationFailed(
                f"scopes: {scope!r} is not one of {', '.join(SCOPES)}", field="scopes"
            )
    allowed = role_scopes(role)
    beyond = sorted(set(scopes) - allowed)
    if beyond:
        raise errors.ValidationFailed(
            f"scopes: {article(role)} key cannot have {', '.join(beyond)} "
            f"(it may have {', '.join(s for s in SCOPES if s in allowed)})",
            field="scopes",
        )
    return frozenset(scopes)


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise errors.ValidationFailed(
            f"role: {role!r} is not one of {', '.join(ROLES)}", field="role"
        )
    return role

"""Who is asking: the organization a request acts for, and the role it acts with.

Every service operation takes a ``Principal``. Every query a service runs is scoped by its
``org_id``, so one organization's ids are simply not found from another's. Roles are ordered:
a viewer reads, an operator also writes conversation data, an admin also manages users,
agents' access and keys, an owner everything.

DESIGN.md names row-level security for tenant isolation. It is not switched on yet, for two
reasons: the embedded server connects as a superuser, which PostgreSQL exempts from every
policy, so RLS would protect nothing by default; and it needs the org set per transaction
(``SET LOCAL``), an extra round trip on paths whose budget is 0.3 ms. Isolation rests instead
on every statement being built by Rapport with ``org_id`` bound (the resource SQL, filters and
verbs all lead with it), which the tenancy tests check for every resource and verb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from rapport import errors

Role = Literal["owner", "admin", "operator", "viewer"]
ROLES: tuple[Role, ...] = get_args(Role)
_RANK = {role: rank for rank, role in enumerate(reversed(ROLES))}


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
                f"{article(self.role)} key cannot {action}; it needs the {role} role or higher"
            )


def article(role: str) -> str:
    return f"an {role}" if role[0] in "aeiou" else f"a {role}"


def check_role(role: str) -> Role:
    if role not in ROLES:
        raise errors.ValidationFailed(
            f"role: {role!r} is not one of {', '.join(ROLES)}", field="role"
        )
    return role

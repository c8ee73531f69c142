"""Organizations: the tenants. Each has a unique name and its own settings."""

from __future__ import annotations

from typing import Any

from rapport import errors
from rapport.db.operation import Query, Steps, operation
from rapport.tenancy import QUERIES
from rapport.tenancy.principal import Principal


@operation
def ensure_org(name: str) -> Steps[dict[str, Any]]:
    """The organization called ``name``, created if it does not exist yet."""
    if not name or not name.strip():
        raise errors.ValidationFailed("name: an organization needs a name", field="name")
    row = yield Query(QUERIES["org_ensure"], {"name": name.strip()})
    org: dict[str, Any] = row[0]
    org["created"] = bool(row[1])
    return org


@operation
def find_org(name: str) -> Steps[dict[str, Any]]:
    org = yield Query(QUERIES["org_by_name"], {"name": name}, fetch="scalar")
    if org is None:
        raise errors.NotFound(f"no organization is called {name!r}", field="org")
    return dict(org)


@operation
def get_org(principal: Principal) -> Steps[dict[str, Any]]:
    org = yield Query(QUERIES["org"], {"org": principal.org_id}, fetch="scalar")
    if org is None:
        raise errors.NotFound("this organization no longer exists")
    return dict(org)


@operation
def describe(principal: Principal) -> Steps[dict[str, Any]]:
    """Your organization (id, name, settings) and the role your key has in it."""
    org = yield from get_org(principal).steps
    return {**org, "role": principal.role}


@operation
def count_orgs() -> Steps[int]:
    count = yield Query(QUERIES["org_count"], fetch="scalar")
    return int(count)


@operation
def org_ids() -> Steps[list[str]]:
    """Every org's id (not deleted at its identity provider), for jobs over all of them."""
    found = yield Query(QUERIES["org_ids"], fetch="scalars")
    return [str(org) for org in found]

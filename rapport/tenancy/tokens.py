"""Bearer tokens from an identity provider (seed 004 uses Clerk): RS256 JWTs verified against
the provider's JWKS, their org and role read from its claims.

The JWKS is a URL (fetched once, cached, and fetched again when a token names a key id the
cache lacks: that is how a provider's key rotation reaches us; at most once per
``refresh_seconds``, so made-up key ids cannot flood the provider) or a file, for machines
with no way out. The issuer must match, and the audience too when one is configured
(Clerk's session tokens carry none unless asked to). The org comes from Clerk's v2 claim
``o: {id, rol, slg}`` or the v1 ``org_id`` / ``org_role``; it must be an org Rapport knows by
that id (synced from the provider's webhooks: ``rapport.tenancy.clerk``), else the token is
refused. The role maps through ``RAPPORT_JWT_ROLES`` (Clerk's ``org:admin`` is an admin,
``org:member`` an operator); a role it does not name reads only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from rapport import errors
from rapport.db.operation import Query, Steps, operation
from rapport.privacy import policy
from rapport.tenancy import QUERIES
from rapport.tenancy.principal import ROLES, Principal, Role, role_scopes

DEFAULT_ROLES: dict[str, Role] = {
    "org:admin": "admin", "admin": "admin", "org:member": "operator",
    "basic_member": "operator", "member": "operator",
}  # fmt: skip


def role_mapping(extra: Mapping[str, str]) -> dict[str, str]:
    """Provider roles to Rapport's: the defaults, with the deployment's (RAPPORT_JWT_ROLES)
    over them; every value must be a role."""
    roles = {**DEFAULT_ROLES, **extra}
    for name, role in roles.items():
        if role not in ROLES:
            raise ValueError(f"RAPPORT_JWT_ROLES: {name!r} maps to {role!r}, not a role")
    return roles


def looks_like_jwt(credential: str) -> bool:
    return credential.count(".") == 2 and credential.startswith("ey")


@dataclass(frozen=True)
class Claims:
    """What a verified token says: who, in which provider org, with which provider role."""

    subject: str
    org: str | None
    role: str | None


class TokenVerifier:
    """Verifies RS256 tokens against a JWKS URL or file, for one issuer (and audience)."""

    def __init__(
        self,
        issuer: str,
        *,
        jwks_url: str | None = None,
        jwks_file: Path | None = None,
        audience: str | None = None,
        roles: dict[str, str] | None = None,
        leeway: float = 30.0,
        refresh_seconds: float = 30.0,
    ) -> None:
        if (jwks_url is None) == (jwks_file is None):
            raise ValueError("give a JWKS URL or a JWKS file, not both or neither")
        self.issuer = issuer
        self.audience = audience
        self.leeway = leeway
        self.roles = role_mapping(roles or {})
        self._client = (
            jwt.PyJWKClient(jwks_url, cache_keys=True, cooldown_duration=refresh_seconds)
            if jwks_url
            else None
        )
        self._keys = jwt.PyJWKSet.from_json(jwks_file.read_text()) if jwks_file else None

    def _key(self, token: str) -> Any:
        try:
            kid = str(jwt.get_unverified_header(token).get("kid") or "")
        except jwt.DecodeError:
            raise errors.Unauthorized("the bearer token is not a well-formed JWT") from None
        if self._client is not None:
            try:  # refetches the JWKS once when the kid is new (the provider rotated keys)
                return self._client.get_signing_key(kid).key
            except jwt.PyJWKClientConnectionError:
                raise errors.Unavailable(
                    "the identity provider's JWKS could not be fetched; retry shortly",
                    retry_after=5,
                ) from None
            except jwt.PyJWKClientError:
                raise errors.Unauthorized(
                    f"the token's signing key {kid!r} is not in the identity provider's JWKS"
                ) from None
        assert self._keys is not None
        for key in self._keys.keys:
            if key.key_id == kid:
                return key.key
        raise errors.Unauthorized(f"the token's signing key {kid!r} is not in the JWKS file")

    def verify(self, token: str) -> Claims:
        """The token's claims, if its signature, issuer, audience and times are good."""
        key = self._key(token)
        try:
            claims = jwt.decode(
                token, key, algorithms=["RS256"], issuer=self.issuer, audience=self.audience,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "sub"], "verify_aud": self.audience is not None},
            )  # fmt: skip
        except jwt.ExpiredSignatureError:
            raise errors.Unauthorized("the bearer token has expired; get a fresh one") from None
        except jwt.InvalidIssuerError:
            raise errors.Unauthorized(f"the bearer token's issuer is not {self.issuer}") from None
        except jwt.InvalidAudienceError:
            raise errors.Unauthorized(
                f"the bearer token is not meant for this audience ({self.audience})"
            ) from None
        except jwt.InvalidTokenError as error:
            raise errors.Unauthorized(f"the bearer token is not valid: {error}") from None
        found = claims.get("o")
        organization: dict[str, Any] = found if isinstance(found, dict) else {}
        org = organization.get("id") or claims.get("org_id")
        role = organization.get("rol") or claims.get("org_role")
        return Claims(subject=str(claims["sub"]), org=org, role=role)

    def role_of(self, role: str | None) -> Role:
        return provider_role(role, self.roles) or "viewer"


def provider_role(role: Any, roles: Mapping[str, str]) -> Role | None:
    """Rapport's role for an identity provider's (v2 tokens drop the ``org:`` prefix); None
    for one the mapping does not name."""
    if not isinstance(role, str):
        return None
    found = roles.get(role) or roles.get(f"org:{role}")
    return next((r for r in ROLES if r == found), None)


@operation
def principal_for(claims: Claims, role: Role) -> Steps[Principal]:
    """The principal a verified token stands for: the Rapport org synced from its provider
    org (refused when there is none, or it was deleted at the provider)."""
    if not claims.org:
        raise errors.Unauthorized(
            "the bearer token names no organization; sign in to an organization first"
        )
    row = yield Query(QUERIES["org_by_external_id"], {"external_id": claims.org})
    if row is None:
        raise errors.Unauthorized(
            f"the token's organization {claims.org} is not known to Rapport; its identity "
            "provider's webhooks create it (POST /v1/identity/webhooks/clerk)"
        )
    org_id, disabled, pii, region = row
    policy.remember(str(org_id), pii, region)  # the request appends under its org's policy now
    if disabled:
        raise errors.Unauthorized(f"the token's organization {claims.org} was deleted")
    return Principal(
        org_id=str(org_id), role=role, scopes=role_scopes(role), subject=claims.subject
    )

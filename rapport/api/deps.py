"""What every route needs: the database, and the principal its credential stands for: an
API key (``rk_...``), or, when ``RAPPORT_JWT_ISSUER`` is set, an identity provider's token
(``rapport.tenancy.tokens``).

Every request's API key is checked against the database (one indexed read through a
SECURITY DEFINER function; ``last_used_at`` moves at most once a minute), so a key revoked
on any server is refused by every server from the next request on. There is no cache of
verified keys to go stale.

Failed authentications are limited per client address and per key prefix
(``RAPPORT_AUTH_FAILURES_PER_MINUTE``, in each server process): past the limit a client gets
429 with ``Retry-After`` before its key is even looked up, so guessing keys costs the
database nothing.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from rapport import errors
from rapport.api.batching import AppendBatcher
from rapport.db.database import AsyncDatabase
from rapport.db.operation import Operation
from rapport.memory.enricher import Runtime
from rapport.tenancy import api_keys, tokens
from rapport.tenancy.principal import Principal
from rapport.tenancy.tokens import TokenVerifier

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Context:
    """Who is asking (the key's principal) and the database to answer with."""

    principal: Principal
    database: AsyncDatabase
    appender: AppendBatcher
    enrichment: Runtime

    async def run(self, op: Operation[T]) -> T:
        return await self.database.run(op)


UNAUTHORIZED = (
    "send your API key as 'Authorization: Bearer rk_...' "
    "(create one with `rapport keys create --org NAME`)"
)


class FailedLogins:
    """Failed authentications in the last minute, per client address and per key prefix."""

    def __init__(self, per_minute: int) -> None:
        self.item = RateLimitItemPerMinute(per_minute)
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, client: str, prefix: str) -> None:
        """429 if either has failed too often lately."""
        for kind, who in (("client", client), ("key", prefix)):
            if not self.limiter.test(self.item, kind, who):
                reset = self.limiter.get_window_stats(self.item, kind, who).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                raise errors.TooManyRequests(
                    f"too many failed authentications from this {kind} in the last minute; "
                    f"retry in {wait} s with a valid API key",
                    retry_after=wait,
                )

    def failed(self, client: str, prefix: str) -> None:
        self.limiter.hit(self.item, "client", client)
        self.limiter.hit(self.item, "key", prefix)


def refused(detail: str, presented: bool) -> errors.Unauthorized:
    """A 401; ``presented``: a credential was sent (RFC 6750's invalid_token)."""
    error = errors.Unauthorized(detail)
    error.presented = presented
    return error


async def get_context(request: Request) -> Context:
    """The request's principal, from its bearer key (one dependency: each costs ~50 µs)."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise refused(UNAUTHORIZED, presented=False)
    state = request.app.state
    failures: FailedLogins = state.failed_logins
    client = request.client.host if request.client else "unknown"
    prefix = secret[:11]
    failures.check(client, prefix)
    try:
        principal = await _principal(state, secret)
    except errors.Unauthorized as error:
        failures.failed(client, prefix)
        raise refused(error.detail, presented=True) from None
    return Context(principal, state.database, state.appender, state.enrichment)


async def _principal(state: Any, credential: str) -> Principal:
    """An API key's principal, or an identity provider's token's (when tokens are set up)."""
    verifier: TokenVerifier | None = state.tokens
    database: AsyncDatabase = state.database
    if verifier is not None and tokens.looks_like_jwt(credential):
        # A JWKS fetch (first use, or a key the cache lacks) blocks: off the event loop.
        claims = await asyncio.to_thread(verifier.verify, credential)
        return await database.run(tokens.principal_for(claims, verifier.role_of(claims.role)))
    return await database.run(api_keys.authenticate(credential))


Ctx = Annotated[Context, Depends(get_context)]

"""What every route needs: the database, and the principal its API key stands for.

Verified keys are remembered for ``RAPPORT_KEY_CACHE_SECONDS`` (default 30 s) so a request
costs no extra query; a revoked key therefore stops working within that time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Request

from rapport import errors
from rapport.api.batching import AppendBatcher
from rapport.db.database import AsyncDatabase
from rapport.db.operation import Operation
from rapport.memory.enricher import Runtime
from rapport.tenancy import api_keys
from rapport.tenancy.principal import Principal

_CACHE_LIMIT = 10_000
T = TypeVar("T")


class KeyCache:
    """Recently verified API keys (by hash), each with when to check it again."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.entries: dict[bytes, tuple[Principal, float]] = {}

    def get(self, digest: bytes) -> Principal | None:
        entry = self.entries.get(digest)
        if entry is None or entry[1] < time.monotonic():
            return None
        return entry[0]

    def put(self, digest: bytes, principal: Principal) -> None:
        if len(self.entries) >= _CACHE_LIMIT:
            self.entries.clear()
        self.entries[digest] = (principal, time.monotonic() + self.seconds)

    def forget_key(self, key_id: str) -> None:
        for digest, (principal, _) in list(self.entries.items()):
            if principal.key_id == key_id:
                del self.entries[digest]


@dataclass(frozen=True, slots=True)
class Context:
    """Who is asking (the key's principal) and the database to answer with."""

    principal: Principal
    database: AsyncDatabase
    appender: AppendBatcher
    enrichment: Runtime
    key_cache: KeyCache

    async def run(self, op: Operation[T]) -> T:
        return await self.database.run(op)


UNAUTHORIZED = (
    "send your API key as 'Authorization: Bearer rk_...' "
    "(create one with `rapport keys create --org NAME`)"
)


async def get_context(request: Request) -> Context:
    """The request's principal, from its bearer key (one dependency: each costs ~50 µs)."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    secret = secret.strip()
    if scheme.lower() != "bearer" or not secret:
        raise errors.Unauthorized(UNAUTHORIZED)
    database: AsyncDatabase = request.app.state.database
    cache: KeyCache = request.app.state.key_cache
    digest = api_keys.hash_key(secret)
    principal = cache.get(digest)
    if principal is None:
        principal = await database.run(api_keys.authenticate(secret))
        cache.put(digest, principal)
    state = request.app.state
    return Context(principal, database, state.appender, state.enrichment, cache)


Ctx = Annotated[Context, Depends(get_context)]

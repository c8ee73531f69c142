"""What every route needs: the database, and the principal its API key stands for.

Verified keys are remembered for ``RAPPORT_KEY_CACHE_SECONDS`` (default 30 s) so a request
costs no extra query; a revoked key therefore stops working within that time.
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from rapport import errors, tenancy
from rapport.db.database import AsyncDatabase
from rapport.tenancy import Principal

_bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer rk_...")
_CACHE_LIMIT = 10_000


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

    def forget_org_keys(self, key_id: str) -> None:
        for digest, (principal, _) in list(self.entries.items()):
            if principal.key_id == key_id:
                del self.entries[digest]


def get_database(request: Request) -> AsyncDatabase:
    database: AsyncDatabase = request.app.state.database
    return database


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise errors.Unauthorized(
            "send your API key as 'Authorization: Bearer rk_...' "
            "(create one with `rapport keys create --org NAME`)"
        )
    secret = credentials.credentials.strip()
    cache: KeyCache = request.app.state.key_cache
    digest = tenancy.hash_key(secret)
    principal = cache.get(digest)
    if principal is None:
        principal = await get_database(request).run(tenancy.authenticate(secret))
        cache.put(digest, principal)
    return principal


Auth = Annotated[Principal, Depends(get_principal)]
DB = Annotated[AsyncDatabase, Depends(get_database)]

"""The FastAPI application: routes, error handling, body limits, and the async pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

from rapport import __version__, runtime
from rapport.api import problems
from rapport.api.crud_routes import resource_router
from rapport.api.deps import KeyCache
from rapport.api.limits import BodyLimit
from rapport.api.responses import json_response
from rapport.api.routes import contacts, conversations, messages, pipeline, tenancy
from rapport.catalog import RESOURCES
from rapport.config import Settings, get_settings
from rapport.db.database import AsyncDatabase
from rapport.db.operation import Query, Steps, operation

DESCRIPTION = """
Rapport keeps every conversation your agents have, remembers what each person said, and
moves each lead through the sales pipeline.

Authenticate with `Authorization: Bearer rk_...` (create a key with
`rapport keys create --org NAME`). Each key sees only its organization.

Every resource has the same nine operations: create, get, update, delete, exists (HEAD),
list (filter, order_by, limit, cursor), count, bulk create and bulk update. Errors are
RFC 9457 problem documents that name the offending field.
"""


@operation
def _ping() -> Steps[object]:
    return (yield Query("SELECT 1", fetch="scalar"))


def create_app(settings: Settings | None = None, database_url: str | None = None) -> FastAPI:
    """The API over ``database_url`` (default: the configured or embedded database)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        url = database_url or runtime.prepare(settings)
        database = AsyncDatabase(url, min_size=settings.pool_min, max_size=settings.pool_max)
        await database.open()
        app.state.database = database
        try:
            yield
        finally:
            await database.close()

    app = FastAPI(
        title="Rapport",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.key_cache = KeyCache(settings.key_cache_seconds)
    problems.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)

    @app.get("/healthz", tags=["health"], summary="200 when the database answers")
    async def healthz(request: Request) -> Response:
        await request.app.state.database.run(_ping())
        return json_response({"status": "ok"})

    for router in (
        tenancy.router,
        contacts.router,
        conversations.router,
        messages.router,
        pipeline.router,
    ):
        app.include_router(router)
    for resource in RESOURCES.values():
        app.include_router(resource_router(resource))
    return app

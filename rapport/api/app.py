"""The FastAPI application: routes, error handling, body limits, and the async pool."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request, Response
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import BaseRoute

from rapport import __version__, runtime
from rapport.api import docs, identity, openapi, overrides, problems
from rapport.api.batching import AppendBatcher
from rapport.api.deps import FailedLogins
from rapport.api.limits import BodyLimit
from rapport.api.responses import json_response
from rapport.api.route_index import RouteIndex
from rapport.api.verb_routes import route as verb_route
from rapport.changes import stream as changes_stream
from rapport.config import Settings, get_settings
from rapport.dashboard import page
from rapport.db.database import AsyncDatabase, Database
from rapport.db.health import Health
from rapport.db.operation import Query, Steps, operation
from rapport.jobs import worker
from rapport.memory.enricher import Runtime
from rapport.privacy import keys
from rapport.resources.registry import all_verbs

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


def _order(path: str) -> tuple[int, ...]:
    """Literal segments sort before parameters at the first place paths differ, so
    ``/v1/contacts/top`` is matched before ``/v1/contacts/{id}``."""
    return tuple(1 if part.startswith("{") else 0 for part in path.split("/"))


@functools.cache
def _routes() -> tuple[BaseRoute, ...]:
    """Every /v1 route, one per verb, built once per process (an app is cheap after that)."""
    made = [verb_route(v, overrides.OVERRIDES.get(v.name)) for v in all_verbs()]
    return tuple(sorted(made, key=lambda r: _order(getattr(r, "path", ""))))


def create_app(
    settings: Settings | None = None, database_url: str | None = None, *, supervise: bool = True
) -> FastAPI:
    """The API over ``database_url`` (default: the configured or embedded database)."""
    settings = settings or get_settings()
    keys.configure(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = runtime.start(settings, url=database_url, supervise=supervise)
        url, health = engine.url, engine.health
        database = AsyncDatabase(
            url, min_size=settings.pool_min, max_size=settings.pool_max, health=health
        )
        await database.open()
        app.state.database = database
        app.state.database_url = url
        app.state.health = health
        app.state.appender = AppendBatcher(database)
        mode = "background" if settings.enrich == "auto" else settings.enrich
        # Enrichment runs model code in threads, on a small pool of its own.
        enrichment_db = Database(url, min_size=1, max_size=2, health=health)
        app.state.enrichment = Runtime(enrichment_db, mode, settle_seconds=settings.settle_seconds)
        jobs = contextlib.AsyncExitStack()
        if _runs_worker(settings, database_url):
            app.state.jobs = await jobs.enter_async_context(worker.running(settings, url, health))
        try:
            yield
        finally:
            await jobs.aclose()
            if getattr(app.state, "changes", None) is not None:
                await app.state.changes.close()
            app.state.enrichment.close()
            enrichment_db.close()
            await database.close()
            engine.close()

    app = RapportAPI(
        title="Rapport",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served from local assets instead (rapport.api.docs)
        redoc_url=None,
    )
    app.state.failed_logins = FailedLogins(settings.auth_failures_per_minute)
    app.state.settings = settings
    app.state.tokens = identity.verifier(settings)
    problems.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:  # off unless a deployment names the browser apps it serves
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
            expose_headers=["Retry-After", "WWW-Authenticate", "Location"],
            max_age=600,
        )

    @app.get("/healthz", tags=["health"], summary="200 when the database answers")
    async def healthz(request: Request) -> Response:
        """503 at once (with ``Retry-After``) while the database is down or restarting."""
        health: Health = request.app.state.health
        await request.app.state.database.run(_ping())
        restarts = {"database_restarts": health.restarts} if health.restarts else {}
        return json_response({"status": "ok", **restarts})

    docs.install(app)
    page.install(app)
    app.include_router(identity.router)
    app.include_router(changes_stream.router)
    # Added flat rather than with include_router: FastAPI 0.16x matches included routers
    # one level at a time, which costs a tenth of a simple request's time.
    # The index first: it finds a request's verb route without trying the others.
    app.router.routes.extend([RouteIndex(_routes()), *_routes()])
    return app


def _runs_worker(settings: Settings, database_url: str | None) -> bool:
    """The job worker runs in the server's loop when asked, or by default on the embedded
    database, so that `rapport serve` alone runs every job."""
    if settings.worker == "auto":
        return database_url is None and settings.embedded
    return settings.worker == "inprocess"


class RapportAPI(FastAPI):
    def openapi(self) -> dict[str, Any]:
        return openapi.schema_of(self)

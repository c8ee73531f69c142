"""The procrastinate app over Rapport's database, and the workers that run its jobs.

``rapport worker`` runs one as its own process (what a deployment runs beside its API
servers); ``rapport serve`` on the embedded database runs one in its event loop by default
(``RAPPORT_WORKER=auto``), so the one-command start still runs every job. Both connect as
the application (``rapport_app``), like the API.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import orjson
import procrastinate

from rapport.config import Settings
from rapport.db import isolation
from rapport.db.database import Database
from rapport.db.health import Health
from rapport.jobs.tasks import BACKOFF, register
from rapport.privacy import keys

QUEUES = ("retention", "default")


def make_app(url: str, sweeps: bool = True) -> procrastinate.App:
    """An app with Rapport's tasks (and their periodic sweeps, unless ``sweeps`` is off),
    over the database at ``url``."""

    async def configure(conn: Any) -> None:  # the queue's connections act as the app too
        await isolation.become_app_async(conn)
        await conn.commit()  # procrastinate's connections are not in autocommit

    connector = procrastinate.PsycopgConnector(
        conninfo=url,
        min_size=1,
        max_size=4,
        kwargs={"options": "-c TimeZone=UTC"},
        configure=configure,
        json_dumps=lambda value: orjson.dumps(value).decode(),
        json_loads=orjson.loads,
    )
    app = procrastinate.App(connector=connector)
    register(app, sweeps)
    return app


def _prepared(
    settings: Settings, url: str, health: Health | None = None
) -> tuple[procrastinate.App, Database, dict[str, Any]]:
    """The app, the worker's own pool for its jobs' operations, and the options both
    workers share."""
    keys.configure(settings)  # the vault's key, for scrubbing with tokens
    BACKOFF.attempts = settings.job_attempts
    BACKOFF.base = settings.job_backoff
    database = Database(url, min_size=1, max_size=2, health=health)
    options = {"queues": list(QUEUES), "additional_context": {"database": database},
               "delete_jobs": "successful", "fetch_job_polling_interval": 1.0}  # fmt: skip
    return make_app(url, settings.job_sweeps), database, options


@contextlib.asynccontextmanager
async def running(
    settings: Settings, url: str, health: Health | None = None
) -> AsyncIterator[procrastinate.App]:
    """A worker running in this event loop until the block ends (then it stops after the
    jobs in hand, within 10 seconds)."""
    app, database, options = _prepared(settings, url, health)
    await app.open_async()
    worker = asyncio.create_task(
        app.run_worker_async(
            name="rapport", concurrency=2, install_signal_handlers=False,
            shutdown_graceful_timeout=10, **options,
        ),
        name="rapport-worker",
    )  # fmt: skip
    try:
        yield app
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        await app.close_async()
        database.close()


async def run_forever(settings: Settings, url: str) -> None:
    """``rapport worker``: run jobs until SIGINT or SIGTERM, then finish the jobs in hand."""
    app, database, options = _prepared(settings, url)
    async with app.open_async():
        try:
            await app.run_worker_async(
                name="rapport-worker", concurrency=settings.job_concurrency,
                install_signal_handlers=True, shutdown_graceful_timeout=30, **options,
            )  # fmt: skip
        finally:
            database.close()

"""The procrastinate app over Rapport's database, and the workers that run its jobs.

``rapport worker`` runs one as its own process (what a deployment runs beside its API
servers); ``rapport serve`` on the embedded database runs one in its event loop by default
(``RAPPORT_WORKER=auto``), so the one-command start still runs every job. Both connect as
the application (``rapport_app``), like the API.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
import procrastinate

from rapport.config import Settings
from rapport.db.database import Database
from rapport.db.health import Health
from rapport.db.isolation import APP_ROLE
from rapport.jobs.tasks import BACKOFF, register

log = logging.getLogger("rapport.jobs")
QUEUES = ("retention", "default")


def make_app(url: str) -> procrastinate.App:
    """An app with Rapport's tasks, over the database at ``url``."""

    async def configure(conn: Any) -> None:  # the queue's connections act as the app too
        if conn.info.parameter_status("session_authorization") != APP_ROLE:
            await conn.execute(f"SET ROLE {APP_ROLE}")
            await conn.commit()

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
    register(app)
    return app


def configure_retries(settings: Settings) -> None:
    BACKOFF.attempts = settings.job_attempts
    BACKOFF.base = settings.job_backoff


@contextlib.asynccontextmanager
async def running(
    settings: Settings, url: str, health: Health | None = None, *, name: str = "rapport"
) -> AsyncIterator[procrastinate.App]:
    """A worker running in this event loop until the block ends (then it stops after the
    jobs in hand, within ``shutdown`` seconds)."""
    configure_retries(settings)
    app = make_app(url)
    database = Database(url, min_size=1, max_size=2, health=health)
    await app.open_async()
    worker = asyncio.create_task(
        app.run_worker_async(
            name=name, queues=list(QUEUES), concurrency=2, wait=True,
            fetch_job_polling_interval=1.0,
            install_signal_handlers=False, shutdown_graceful_timeout=10,
            additional_context={"database": database}, delete_jobs="successful",
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
    configure_retries(settings)
    app = make_app(url)
    database = Database(url, min_size=1, max_size=2)
    async with app.open_async():
        try:
            await app.run_worker_async(
                name="rapport-worker", queues=list(QUEUES), concurrency=settings.job_concurrency,
                install_signal_handlers=True, shutdown_graceful_timeout=30,
                additional_context={"database": database}, delete_jobs="successful",
            )  # fmt: skip
        finally:
            database.close()

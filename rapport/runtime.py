"""Getting from settings to a ready database: embedded or configured, migrated, watched.

Every front end (server, CLI, in-process SDK) starts here, so they agree on which database
they use and on its schema. ``start`` also returns the process's ``Health`` of that database
and, when asked to supervise, a thread that notices at once when it stops answering and
restarts the embedded server (``rapport.db.health``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from rapport.config import Settings
from rapport.db import embedded, migrate
from rapport.db.health import Health, Supervisor, connection_probe

log = logging.getLogger(__name__)


@dataclass
class Engine:
    """The database a process uses: its URL, its health, and who watches it."""

    url: str
    health: Health = field(default_factory=Health)
    supervisor: Supervisor | None = None

    def close(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()


def database_url(settings: Settings) -> str:
    """The configured PostgreSQL, or the embedded one under ``settings.home`` (started now)."""
    if settings.database_url:
        return settings.database_url
    return embedded.server_url(settings.home)


def prepare(settings: Settings, *, apply_migrations: bool = True) -> str:
    """The URL the application connects with, once the schema is brought up to date (as its
    owner, with the configured or embedded URL) unless told otherwise."""
    url = database_url(settings)
    if apply_migrations:
        migrate.upgrade(url)
    return app_url(settings, url)


def app_url(settings: Settings, owner_url: str) -> str:
    """How the application logs in: as ``rapport_app`` on the embedded server, with
    ``RAPPORT_APP_DATABASE_URL`` when it is set, else with the owner's URL (each connection
    then acts as ``rapport_app`` with ``SET ROLE``: rapport.db.isolation)."""
    if settings.app_database_url:
        return settings.app_database_url
    if settings.embedded:
        return embedded.app_url(owner_url)
    return owner_url


def start(settings: Settings, *, url: str | None = None, supervise: bool = True) -> Engine:
    """The migrated database (``url``, else the configured or embedded one), watched.

    The embedded server is restarted when it dies; a configured one is only probed, so
    requests fail fast while it is away and flow again when it is back."""
    engine = Engine(url or prepare(settings))
    if not supervise:
        return engine
    if url is None and settings.embedded:
        server = embedded.server(settings.home)
        engine.supervisor = Supervisor(engine.health, server.running, server.restart)
    else:
        engine.supervisor = Supervisor(engine.health, connection_probe(engine.url), interval=1.0)
    engine.supervisor.start()
    return engine

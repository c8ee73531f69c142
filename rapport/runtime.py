"""Getting from settings to a ready database: embedded or configured, migrated.

Every front end (server, CLI, in-process SDK) starts here, so they agree on which database
they use and on its schema.
"""

from __future__ import annotations

import logging

from rapport.config import Settings
from rapport.db import embedded, migrate

log = logging.getLogger(__name__)


def database_url(settings: Settings) -> str:
    """The configured PostgreSQL, or the embedded one under ``settings.home`` (started now)."""
    if settings.database_url:
        return settings.database_url
    return embedded.server_url(settings.home)


def prepare(settings: Settings, *, apply_migrations: bool = True) -> str:
    """The database URL, with the schema brought up to date unless told otherwise."""
    url = database_url(settings)
    if apply_migrations:
        migrate.upgrade(url)
    return url

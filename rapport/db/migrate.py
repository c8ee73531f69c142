"""Applying Rapport's Alembic migrations from code (``rapport migrate``, ``rapport serve``)."""

from __future__ import annotations

import logging
from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine

from rapport.db import isolation

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).parent / "migrations"


def engine(url: str) -> Engine:
    """A SQLAlchemy engine (psycopg 3) for any libpq URL or ``key=value`` connection string."""
    return create_engine("postgresql+psycopg://", creator=lambda: psycopg.connect(url))


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection_url"] = url
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply every migration up to ``revision`` (a no-op when the schema is current), then
    let the search operators use their indexes under row security, where this role may."""
    command.upgrade(alembic_config(url), revision)
    mark_leakproof(url)


def mark_leakproof(url: str) -> bool:
    """Apply ``isolation.LEAKPROOF`` if the role of ``url`` is a superuser; whether it did.
    Without it, search still answers, from the org's rows instead of the index."""
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        found = row.fetchone()
        if not found or not found[0]:
            log.warning(
                "rapport: not a superuser, so full-text search and tag filters cannot use "
                "their indexes under row-level security; run `rapport db leakproof` as one"
            )
            return False
        for statement in isolation.LEAKPROOF:
            conn.execute(statement)
    return True


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str) -> str | None:
    """The revision the database is at, or None for an empty database."""
    bound = engine(url)
    try:
        with bound.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        bound.dispose()


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config("")).get_current_head()

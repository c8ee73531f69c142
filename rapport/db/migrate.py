"""Applying Rapport's Alembic migrations from code (``rapport migrate``, ``rapport serve``)."""

from __future__ import annotations

from pathlib import Path

import psycopg
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine

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
    """Apply every migration up to ``revision``; a no-op when the schema is current."""
    command.upgrade(alembic_config(url), revision)


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

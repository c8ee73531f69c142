"""Alembic environment: runs Rapport's migrations on the URL ``rapport.db.migrations`` gives.

Migrations take a transaction-scoped advisory lock first, so two processes starting at once
(``rapport serve`` twice, or serve plus ``rapport migrate``) apply each migration once.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from rapport.db.migrate import engine as make_engine

MIGRATION_LOCK = 7_270_861_120  # arbitrary, constant: "rapport" migrations


def run_migrations_online() -> None:
    engine = make_engine(context.config.attributes["connection_url"])
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=False)
        with context.begin_transaction():
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": MIGRATION_LOCK}
            )
            context.run_migrations()
    engine.dispose()


run_migrations_online()

"""The embedded PostgreSQL 16 + pgvector that Rapport runs when no URL is configured.

The ``pgserver`` package ships the server binaries; its data folder lives under
``RAPPORT_HOME/pgdata``. Several processes may share one data folder: pgserver starts the
server once and stops it when the last process using it exits. The server listens on a
Unix socket only, so nothing outside this machine can reach it.
"""

from __future__ import annotations

import contextlib
import logging
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

from rapport import errors

DATABASE_NAME = "rapport"

log = logging.getLogger(__name__)


def server_url(home: Path, database: str = DATABASE_NAME) -> str:
    """Start (or join) the embedded server under ``home`` and return a URL for ``database``.

    The database is created on first use.
    """
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

        home = home.expanduser().resolve()
        home.mkdir(parents=True, exist_ok=True)
        try:
            server = get_server(home / "pgdata", cleanup_mode="stop")
        except Exception as error:  # pgserver raises bare subprocess/OS errors
            raise errors.Unavailable(
                f"could not start the embedded PostgreSQL under {home / 'pgdata'}: {error}; "
                f"see {home / 'pgdata' / 'log'}"
            ) from error
    admin_url: str = server.get_uri()
    ensure_database(admin_url, database)
    url: str = server.get_uri(database)
    return url


def ensure_database(admin_url: str, database: str) -> None:
    """Create ``database`` on the server behind ``admin_url`` unless it exists."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if exists.fetchone() is None:
            log.info("creating database %s", database)
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # another process won
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))

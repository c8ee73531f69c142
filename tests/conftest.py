"""Test fixtures: a real PostgreSQL, a real server, and the SDK both ways.

The database is the embedded one (pgserver) in a temporary folder, or the server named by
``RAPPORT_TEST_DATABASE_URL`` (any PostgreSQL >= 15 with pgvector; the suite creates and
drops its own databases there). A template database is migrated once per session and the
session's database is cloned from it.

Tests isolate by organization: each test gets a fresh org, and every query Rapport runs is
scoped to an org, so tests share one database without seeing each other's rows.

``sdk`` runs a test twice: in-process (``rapport.Rapport``) and over HTTP against a real
uvicorn server (``rapport.Client``); both must behave the same.
"""

from __future__ import annotations

import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import uvicorn
from psycopg import sql

import rapport
from rapport import tenancy
from rapport.api.app import create_app
from rapport.config import Settings
from rapport.db import embedded, migrate
from rapport.db.database import Database
from rapport.retrieval.embeddings import default_embedder

TEMPLATE = "rapport_test_template"


def _admin_url(tmp_root: Path) -> str:
    configured = os.environ.get("RAPPORT_TEST_DATABASE_URL")
    if configured:
        return configured
    return embedded.server_url(tmp_root / "home", database="postgres")


def _with_database(url: str, name: str) -> str:
    return psycopg.conninfo.make_conninfo(url, dbname=name)


def create_database(admin_url: str, name: str, template: str | None = None) -> str:
    """A new, empty (or template-cloned) database on the test server; returns its URL."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        conn.execute(statement)
    return _with_database(admin_url, name)


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@pytest.fixture(scope="session")
def admin_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return _admin_url(tmp_path_factory.mktemp("pg"))


@pytest.fixture(scope="session")
def template_url(admin_url: str) -> str:
    url = create_database(admin_url, TEMPLATE)
    migrate.upgrade(url)
    # A template must have no open connections when it is cloned.
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            [TEMPLATE],
        )
    return url


@pytest.fixture(scope="session")
def database_url(admin_url: str, template_url: str) -> Iterator[str]:
    name = f"rapport_test_{os.getpid()}"
    url = create_database(admin_url, name, template=TEMPLATE)
    yield url
    drop_database(admin_url, name)


@pytest.fixture(scope="session")
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url, min_size=1, max_size=8)
    yield db
    db.close()


class ServerThread(threading.Thread):
    """A real uvicorn server on a free port, in this process."""

    def __init__(self, app: Any) -> None:
        super().__init__(daemon=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)

    def run(self) -> None:
        self.server.run()

    def __enter__(self) -> ServerThread:
        self.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def test_settings() -> Settings:
    return Settings(max_body_bytes=1024 * 1024, key_cache_seconds=0)


@pytest.fixture(scope="session")
def server(database_url: str, test_settings: Settings) -> Iterator[ServerThread]:
    default_embedder()  # load the model once, before clients with short timeouts call
    with ServerThread(create_app(test_settings, database_url)) as running:
        yield running


class Tenant:
    """A fresh organization for one test, with keys for each role."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.name = f"test-{uuid.uuid4().hex[:12]}"
        self.org = database.run(tenancy.ensure_org(self.name))
        self.id: str = self.org["id"]
        self._keys: dict[str, str] = {}

    def key(self, role: str = "admin") -> str:
        if role not in self._keys:
            _, secret = self.database.run(tenancy.create_key(self.id, role, f"test {role}"))
            self._keys[role] = secret
        return self._keys[role]

    def local(self, role: str | None = None) -> rapport.Rapport:
        if role is None:
            return rapport.Rapport(org=self.name, database=self.database)
        return rapport.Rapport(api_key=self.key(role), database=self.database)


@pytest.fixture
def tenant(database: Database) -> Tenant:
    return Tenant(database)


@pytest.fixture
def other_tenant(database: Database) -> Tenant:
    return Tenant(database)


@pytest.fixture(params=["local", "http"])
def sdk(request: pytest.FixtureRequest, tenant: Tenant) -> Iterator[Any]:
    """The SDK for a fresh org with an owner's rights: in-process, then over HTTP."""
    if request.param == "local":
        client: Any = tenant.local()
    else:
        server: ServerThread = request.getfixturevalue("server")
        client = rapport.Client(server.url, tenant.key("owner"))
    with client:
        yield client


@pytest.fixture
def http(server: ServerThread, tenant: Tenant) -> Iterator[Any]:
    """A raw HTTP client (httpx) for the tenant's admin key, for status-level checks."""
    import httpx

    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {tenant.key('admin')}"}
    ) as client:
        yield client

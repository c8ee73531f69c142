"""Test fixtures: a real PostgreSQL, a real server, and the SDK both ways.

The database is the embedded one (PostgreSQL 18) in a temporary folder, or the server named
by ``RAPPORT_TEST_DATABASE_URL`` (any PostgreSQL >= 15 with pgvector; the suite creates and
drops its own databases there). A template database is migrated once per session.

Every test gets its own database, cloned from the template (``CREATE DATABASE ... TEMPLATE``,
a few tens of milliseconds), so nothing one test writes (a public agent, a tally, an org's
settings) can be seen by another, whatever the order they run in. A module may share one
database (``module_store``) among checks that write nothing. A real HTTP server over a
test's database starts on demand (``server``).

``sdk`` runs a test twice: in-process (``rapport.Rapport``) and over HTTP against a real
uvicorn server (``rapport.Client``); both must behave the same.
"""

from __future__ import annotations

import itertools
import os
import queue
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
from rapport.api.app import create_app
from rapport.config import Settings
from rapport.db import embedded, migrate
from rapport.db.database import Database
from rapport.retrieval.embeddings import default_embedder
from rapport.tenancy import api_keys, orgs

TEMPLATE = "rapport_test_template"
# The server secret (PII vault, erasure receipts), fixed so every process of a run shares it.
os.environ.setdefault("RAPPORT_SECRET_KEY", "rapport-tests-secret-key-0123456789abcdef")


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


class Dropper:
    """Stops finished tests' servers and drops their databases in a thread, so the next
    test need not wait for either."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.done: queue.Queue[Store | None] = queue.Queue()
        self.thread = threading.Thread(target=self._run, name="test-db-dropper", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (store := self.done.get()) is not None:
            store.shut()
            drop_database(self.admin_url, store.name)

    def close(self) -> None:
        self.done.put(None)
        self.thread.join()


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
def dropper(admin_url: str) -> Iterator[Dropper]:
    running = Dropper(admin_url)
    yield running
    running.close()


_NUMBERS = itertools.count()


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
            time.sleep(0.005)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.join(timeout=10)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture(scope="session")
def test_settings() -> Settings:
    # Every test client is 127.0.0.1: the failed-login limit is tested with its own app.
    return Settings(max_body_bytes=1024 * 1024, auth_failures_per_minute=100_000)


@pytest.fixture(scope="session")
def model() -> None:
    """The embedding model, loaded once, before clients with short timeouts call."""
    default_embedder()


class Store:
    """One test's database, cloned from the template, and a server over it on demand."""

    def __init__(self, admin_url: str, settings: Settings, dropper: Dropper) -> None:
        self.name = f"rapport_test_{os.getpid()}_{next(_NUMBERS)}"
        self.url = create_database(admin_url, self.name, template=TEMPLATE)
        self.database = Database(self.url, min_size=1, max_size=8)
        self.settings = settings
        self.dropper = dropper
        self._server: ServerThread | None = None

    def server(self) -> ServerThread:
        if self._server is None:
            app = create_app(self.settings, self.url, supervise=False)
            self._server = ServerThread(app).__enter__()
        return self._server

    def close(self) -> None:
        """Let go of the database now; the server's shutdown and the drop finish behind."""
        if self._server is not None:
            self._server.server.should_exit = True
        self.database.close()
        self.dropper.done.put(self)

    def shut(self) -> None:
        if self._server is not None:
            self._server.__exit__()


@pytest.fixture
def store(
    admin_url: str, template_url: str, test_settings: Settings, dropper: Dropper
) -> Iterator[Store]:
    made = Store(admin_url, test_settings, dropper)
    yield made
    made.close()


@pytest.fixture(scope="module")
def module_store(
    admin_url: str, template_url: str, test_settings: Settings, dropper: Dropper
) -> Iterator[Store]:
    """One database for a module's checks that write nothing (each proves it)."""
    made = Store(admin_url, test_settings, dropper)
    yield made
    made.close()


@pytest.fixture
def database_url(store: Store) -> str:
    return store.url


@pytest.fixture
def database(store: Store) -> Database:
    return store.database


@pytest.fixture
def server(store: Store, model: None) -> ServerThread:
    return store.server()


class Tenant:
    """A fresh organization for one test, with keys for each role."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.name = f"test-{uuid.uuid4().hex[:12]}"
        self.org = database.run(orgs.ensure_org(self.name))
        self.id: str = self.org["id"]
        self._keys: dict[str, str] = {}

    def key(self, role: str = "admin") -> str:
        if role not in self._keys:
            _, secret = self.database.run(api_keys.create_key(self.id, role, f"test {role}"))
            self._keys[role] = secret
        return self._keys[role]

    def local(self, role: str | None = None) -> rapport.Rapport:
        if role is None:
            return rapport.Rapport(org=self.name, database=self.database)
        return rapport.Rapport(api_key=self.key(role), database=self.database)


@pytest.fixture
def worker_server(store: Store, model: None) -> Iterator[ServerThread]:
    """A server whose in-process worker runs queued jobs (two attempts, no backoff), and no
    periodic sweeps: only the jobs a test queues."""
    settings = store.settings.model_copy(
        update={"worker": "inprocess", "job_attempts": 2, "job_backoff": 0, "job_sweeps": False}
    )
    with ServerThread(create_app(settings, store.url, supervise=False)) as running:
        yield running


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

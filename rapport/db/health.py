"""Knowing at once that the database is down, and bringing the embedded one back.

Without this, a request that arrives after PostgreSQL died waits for the pool's timeout (30 s)
and then fails, and the embedded server stays dead until someone restarts Rapport. Instead a
``Supervisor`` thread probes the database twice a second; while it is down, every operation
fails at once with a 503 and ``Retry-After`` (``Health.check``), ``/healthz`` says so, and the
embedded server is started again. Once it answers, the pools drop their broken connections
and requests flow again.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Callable

import psycopg

from rapport import errors

log = logging.getLogger(__name__)

RETRY_AFTER = 2  # seconds a client should wait before retrying while the database restarts


class Health:
    """Whether this process knows its database to be down (shared by all of its pools)."""

    def __init__(self) -> None:
        self.down_since: float | None = None
        self.reason = ""
        self.restarts = 0
        self._on_up: list[Callable[[], None]] = []

    @property
    def up(self) -> bool:
        return self.down_since is None

    def check(self) -> None:
        """Raise Unavailable (503, Retry-After) while the database is known to be down."""
        if self.down_since is not None:
            raise errors.Unavailable(
                f"the database is unavailable ({self.reason}) and is being restarted; "
                f"retry in {RETRY_AFTER} seconds",
                retry_after=RETRY_AFTER,
            )

    def mark_down(self, reason: str) -> None:
        if self.down_since is None:
            log.error("the database is down: %s", reason)
            self.down_since = time.monotonic()
        self.reason = reason

    def mark_up(self) -> None:
        if self.down_since is not None:
            log.warning("the database is back after %.1f s", time.monotonic() - self.down_since)
            self.down_since = None
            for callback in list(self._on_up):
                try:
                    callback()
                except Exception:  # one pool's refresh must not stop the others'
                    log.exception("refreshing a pool after a restart failed")

    def on_up(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` each time the database comes back (pools refresh there)."""
        self._on_up.append(callback)


def connection_probe(url: str, timeout: float = 2.0) -> Callable[[], bool]:
    """A probe for a database Rapport does not run: one kept connection, ``SELECT 1``."""
    held: list[psycopg.Connection[object]] = []

    def probe() -> bool:
        try:
            if not held:
                held.append(psycopg.connect(url, autocommit=True, connect_timeout=int(timeout)))
            held[0].execute("SELECT 1")
            return True
        except psycopg.Error:
            for conn in held:
                conn.close()
            held.clear()
            return False

    return probe


class Supervisor:
    """A daemon thread: probe, and on failure mark the database down and restart it."""

    def __init__(
        self,
        health: Health,
        probe: Callable[[], bool],
        restart: Callable[[], None] | None = None,
        interval: float = 0.5,
    ) -> None:
        self.health = health
        self.probe = probe
        self.restart = restart
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rapport-supervisor", daemon=True)

    def start(self) -> Supervisor:
        # Stopped first at exit: the embedded server's own exit hook, registered before
        # this one (atexit runs last-in first-out), stops PostgreSQL, which a still-running
        # supervisor would take for a crash and start again, leaving a server behind.
        atexit.register(self.stop)
        self._thread.start()
        return self

    def stop(self) -> None:
        atexit.unregister(self.stop)
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self.probe():
                self.health.mark_up()
                continue
            self.health.mark_down("PostgreSQL stopped answering")
            if self.restart is not None and not self._stop.is_set():
                try:
                    self.restart()
                    self.health.restarts += 1
                except Exception as error:
                    log.exception("restarting the embedded PostgreSQL failed")
                    self.health.mark_down(f"restarting it failed: {error}")
            if self.probe():
                self.health.mark_up()

"""One LISTEN connection per server process: each commit that wrote an org's tracked rows
notifies ``rapport_changes`` with the org's id, and every reader of that org wakes and
reads the outbox. A dropped connection is opened again; meanwhile readers fall back to
reading every second, so nothing is missed (the outbox, not the notification, is the
truth)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

import psycopg

CHANNEL = "rapport_changes"
log = logging.getLogger("rapport.changes")


class Listener:
    """Wakes the readers of an org when its changes commit."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._readers: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    def subscribe(self, org_id: str) -> asyncio.Event:
        """An event set whenever the org's changes commit (the caller clears it)."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="rapport-changes-listener")
        wake = asyncio.Event()
        self._readers[org_id].add(wake)
        return wake

    def unsubscribe(self, org_id: str, wake: asyncio.Event) -> None:
        readers = self._readers.get(org_id)
        if readers is not None:
            readers.discard(wake)
            if not readers:
                del self._readers[org_id]

    async def _run(self) -> None:
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True
                ) as connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self.connected.set()
                    self._wake_all()  # anything committed while we were away
                    async for notice in connection.notifies():
                        for wake in self._readers.get(notice.payload, ()):
                            wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # the database went away: readers poll meanwhile
                log.warning("change listener lost its connection (%r); reconnecting", error)
            self.connected.clear()
            await asyncio.sleep(1.0)

    def _wake_all(self) -> None:
        for readers in self._readers.values():
            for wake in readers:
                wake.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

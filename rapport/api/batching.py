"""Opportunistic batching of concurrent message appends.

Webhooks arrive concurrently, and each append is a full transaction: a message, its
conversation's counters, its contact and its summary, then a commit. While one append
statement is in flight, appends that arrive for the same organization wait, and the next
statement takes them all at once: one statement and one commit for many messages. A lone
append goes straight through, so nothing waits when the server is quiet; under load the
database does a fraction of the work per message.

Each request still gets its own answer: its message (201), the message already stored under
its ``external_id`` (200), or 404 when its conversation does not exist, which affects no one
else. If a batch fails as a whole (a deadlock, say), its messages are retried one by one so
that each caller sees the error that is its own.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from rapport import errors
from rapport.conversations import messages
from rapport.conversations.messages import MessageCreate
from rapport.db.database import AsyncDatabase
from rapport.tenancy.principal import Principal

log = logging.getLogger(__name__)

MAX_BATCH = 500
IN_FLIGHT = 1  # measured: a second statement in flight lowered throughput (smaller batches)

Outcome = tuple[dict[str, Any], bool]


@dataclass
class _Waiting:
    item: MessageCreate
    answer: asyncio.Future[Outcome] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class AppendBatcher:
    """Per organization: at most ``IN_FLIGHT`` append statements at once, the rest gathered."""

    def __init__(self, database: AsyncDatabase) -> None:
        self.database = database
        self.waiting: dict[str, list[_Waiting]] = {}
        self.running: dict[str, int] = {}

    async def append(self, principal: Principal, item: MessageCreate) -> Outcome:
        """Store ``item`` (already validated) with whatever else is waiting; its outcome."""
        waiter = _Waiting(item)
        org = principal.org_id
        self.waiting.setdefault(org, []).append(waiter)
        if self.running.get(org, 0) < IN_FLIGHT:
            self.running[org] = self.running.get(org, 0) + 1
            asyncio.get_running_loop().create_task(self._drain(principal))
        return await waiter.answer

    async def _drain(self, principal: Principal) -> None:
        """Run statements for the principal's org until nothing is waiting."""
        org = principal.org_id
        try:
            while queue := self.waiting.get(org):
                batch, self.waiting[org] = queue[:MAX_BATCH], queue[MAX_BATCH:]
                await self._store(principal, batch)
        finally:
            self.running[org] -= 1
            if not self.running[org]:
                del self.running[org]
                self.waiting.pop(org, None)

    async def _store(self, principal: Principal, batch: list[_Waiting]) -> None:
        """Answer every waiter of ``batch``; never raises, so the drain loop carries on."""
        try:
            outcomes = await self.database.run(
                messages.append_independently(principal, [w.item for w in batch])
            )
        except errors.RapportError as error:
            if len(batch) == 1:
                _answer(batch[0], error)
                return
            log.warning(
                "a batch of %d appends failed (%s); storing them one by one",
                len(batch),
                error.detail,
            )
            for waiter in batch:
                await self._store(principal, [waiter])
            return
        except Exception as error:
            log.exception("appending a batch of %d messages failed", len(batch))
            for waiter in batch:
                _answer(waiter, error)
            return
        for waiter, outcome in zip(batch, outcomes, strict=True):
            _answer(waiter, outcome)


def _answer(waiter: _Waiting, outcome: Outcome | BaseException) -> None:
    if waiter.answer.done():  # the caller went away
        return
    if isinstance(outcome, BaseException):
        waiter.answer.set_exception(outcome)
    else:
        waiter.answer.set_result(outcome)

"""Running enrichment: in the caller's thread (SDK, CLI) or in a background thread (server).

``Enricher.flush`` enriches until nothing of the org is pending, so a caller that needs
extraction and embeddings written (a test, a script, the in-process SDK after an append)
can wait for exactly that. ``Background`` wakes on every append the server stores and
drains the backlog in batches, so embedding many messages costs one model call per batch.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from rapport import errors
from rapport.db.database import Database
from rapport.db.operation import Compute, Steps, operation
from rapport.extraction import learned
from rapport.extraction.base import Extractor
from rapport.extraction.rules import RulesExtractor
from rapport.memory import enrichment
from rapport.retrieval.embeddings import Embedder, Recent, default_embedder
from rapport.tenancy.principal import Principal

log = logging.getLogger("rapport.enrichment")


class Enricher:
    """Enriches pending rows with one embedder and one extractor."""

    def __init__(
        self,
        database: Database,
        embedder: Embedder | None = None,
        extractor: Extractor | None = None,
        batch: int = enrichment.BATCH,
    ) -> None:
        self.database = database
        self._embedder = embedder
        self._extractor = extractor
        self.batch = batch
        self._memory_vectors = Recent(self._embed)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = default_embedder()
        return self._embedder

    @property
    def extractor(self) -> Extractor:
        """The one given, or the rules with the learned classifiers on top; those read the
        embedding of all-MiniLM-L6-v2, so with another embedder the rules alone."""
        if self._extractor is None:
            if self.embedder.name == learned.EMBEDDER:
                self._extractor = learned.LearnedExtractor(self.embedder)
            else:
                self._extractor = RulesExtractor()
        return self._extractor

    def _one_at_a_time(self, org_id: str) -> enrichment.Done:
        """After a batch failed: its messages alone; one that fails alone too is set aside
        (stored unread, with the reason), so no message can stall the queue behind it."""
        total = enrichment.Done()
        for _ in range(self.batch):
            try:
                done = self.database.run(
                    enrichment.enrich_messages(org_id, self._embed, self.extractor, 1)
                )
            except errors.Unavailable:
                raise
            except Exception as error:
                found = self.database.run(enrichment.set_aside_next(org_id, repr(error)))
                log.error("enrichment failed on message %s alone; set aside: %r", found, error)
                if found is None:
                    break
                continue
            if not done.messages:
                break
            self.database.run(enrichment.after_commit(org_id, done))
            total.add(done)  # its counters; its own writes are done
        return total

    def _embed(self, texts: Sequence[str]) -> list[list[float]]:
        return self.embedder.embed(texts)  # the model loads on the first batch, not at init

    def step(self, org_id: str) -> enrichment.Done:
        """One batch of the org's messages, then of its memories and knowledge chunks."""
        started = time.perf_counter()
        try:
            done = self.database.run(
                enrichment.enrich_messages(org_id, self._embed, self.extractor, self.batch)
            )
        except errors.Unavailable:
            raise
        except Exception:
            log.exception("an enrichment batch failed; reading its messages one at a time")
            done = self._one_at_a_time(org_id)
        self.database.run(enrichment.after_commit(org_id, done))
        done.memories = self.database.run(
            enrichment.embed_pending("memories", org_id, self._memory_vectors, self.batch)
        )
        done.chunks = self.database.run(
            enrichment.embed_pending("knowledge_chunks", org_id, self._embed, self.batch)
        )
        done.patterns = self.database.run(
            enrichment.embed_pending("patterns", org_id, self._embed, self.batch)
        )
        done.seconds = time.perf_counter() - started
        return done

    def step_every_org(self) -> int:
        """One batch of each org with enrichment to do, in turn (so a tenant's backlog
        cannot starve the others); the rows done."""
        return sum(self.step(org_id).rows for org_id in self.orgs_pending())

    def orgs_pending(self) -> list[str]:
        return self.database.run(enrichment.orgs_pending())

    def flush(
        self,
        org_id: str,
        progress: Callable[[enrichment.Done], None] | None = None,
        timeout: float = 600.0,
    ) -> enrichment.Done:
        """Enrich until nothing of the org is pending; rows another enricher holds are
        waited for."""
        total = enrichment.Done()
        deadline = time.monotonic() + timeout
        while True:
            done = self.step(org_id)
            total.add(done)
            if progress is not None and done.rows:
                progress(done)
            if done.rows:
                continue
            if not any(self.database.run(enrichment.pending(org_id)).values()) and not (
                self.database.run(enrichment.inflight(org_id))
            ):
                return total
            if time.monotonic() > deadline:
                raise TimeoutError("enrichment: rows stayed locked by another enricher")
            # another enricher holds the rest, or has yet to write what follows from them
            time.sleep(0.02)

    def settle(self, org_id: str, scope: enrichment.Scope, timeout: float) -> None:
        """Enrich the scope's pending messages now, or wait for the enricher that holds
        them, so that a reader sees what they imply (read-your-writes). Unavailable (503,
        retry) if they are still held after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        waiting, in_flight = self.database.run(enrichment.pending_in(org_id, scope))
        if not waiting and not in_flight:
            return
        while True:
            done = self.database.run(
                enrichment.enrich_messages(org_id, self._embed, self.extractor, self.batch, scope)
            )
            self.database.run(enrichment.after_commit(org_id, done))
            if done.messages:
                continue
            # Nothing left to read here: done, once no other worker holds some of it or has
            # yet to write what follows from what it read (its after-commit writes).
            if not any(self.database.run(enrichment.pending_in(org_id, scope))):
                break
            if time.monotonic() > deadline:
                raise errors.Unavailable(
                    f"the messages of {scope[0]} {scope[1]} are still being enriched by "
                    f"another worker after {timeout:g} s; retry shortly",
                    retry_after=1,
                )
            time.sleep(0.01)  # another enricher holds them; it commits within a batch
        if scope[0] == "conversation" and waiting:  # its qualification, written after commit
            self.database.run(enrichment.requalify(org_id, scope[1], waiting))
        # The memories those messages left, embedded, so a search finds them by meaning too.
        while self.database.run(
            enrichment.embed_pending("memories", org_id, self._memory_vectors, self.batch, scope)
        ):
            pass


class Background:
    """A daemon thread that drains the backlog whenever ``wake`` is called."""

    def __init__(self, enricher: Enricher, idle_seconds: float = 0.5) -> None:
        self.enricher = enricher
        self.idle_seconds = idle_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rapport-enricher", daemon=True)

    def start(self) -> None:
        self._wake.set()  # pick up whatever was left pending before this start
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the batch in hand. A thread still busy (loading the model, say) after
        ``timeout`` is left to die with the process: its batch's transaction rolls back and
        those rows stay pending for the next enricher."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        self.enricher.embedder  # load the model now, not on the first request  # noqa: B018
        while not self._stop.is_set():
            self._wake.wait(self.idle_seconds)
            self._wake.clear()
            try:
                while not self._stop.is_set() and self.enricher.step_every_org():
                    pass
            except errors.Unavailable:  # the database restarts; the supervisor says so
                self._stop.wait(1.0)
            except Exception:  # keep the server's enrichment alive; the rows stay pending
                log.exception("enrichment batch failed; its rows stay pending for a retry")
                time.sleep(1.0)


class Runtime:
    """Enrichment as one process runs it: inline after each write, in a background thread,
    or not at all (``RAPPORT_ENRICH``: inline | background | off)."""

    def __init__(
        self,
        database: Database,
        mode: str,
        embedder: Embedder | None = None,
        extractor: Extractor | None = None,
        settle_seconds: float = 10.0,
    ) -> None:
        if mode not in ("inline", "background", "off"):
            raise ValueError(f"RAPPORT_ENRICH: {mode!r} is not inline, background or off")
        self.mode = mode
        self.settle_seconds = settle_seconds
        self.enricher = Enricher(database, embedder, extractor)
        self.background = Background(self.enricher) if mode == "background" else None
        if self.background is not None:
            self.background.start()

    def written(self, org_id: str) -> None:
        """Rows of ``org_id`` were stored that may need enrichment."""
        if self.background is not None:
            self.background.wake()
        elif self.mode == "inline":
            self.enricher.flush(org_id)

    def flush(self, org_id: str) -> enrichment.Done:
        return self.enricher.flush(org_id)

    def settle(self, org_id: str, kind: enrichment.Kind, target: str) -> None:
        """Read-your-writes for one conversation, contact or the whole org (see
        ``Enricher.settle``)."""
        self.enricher.settle(org_id, (kind, target), self.settle_seconds)

    def embed_query(self, text: str) -> list[float]:
        return self.enricher.embedder.embed([text])[0]

    def close(self) -> None:
        if self.background is not None:
            self.background.stop()


@operation
def flush(principal: Principal, *, runtime: Runtime | None = None) -> Steps[dict[str, Any]]:
    """Enrich everything pending: returns once every message, memory and knowledge chunk of
    your organization stored before the call has its extraction and embedding (what a
    script or test waits for)."""
    assert runtime is not None  # the dispatcher supplies it
    done: enrichment.Done = yield Compute(runtime.flush, (principal.org_id,))
    return done.as_dict()

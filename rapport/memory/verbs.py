"""Memory's verbs, by SDK section: ``r.memories``, ``r.knowledge``, ``r.enrichment``."""

from __future__ import annotations

from typing import Any, cast

from rapport.memory import enricher, enrichment, memories
from rapport.resources.params import Filter, When
from rapport.resources.sections import ResourceSection
from rapport.resources.verbs import Section, verb


class Memories(ResourceSection):
    """Memories: ``create`` supersedes the key's current value, ``update`` writes a new
    version, ``delete`` ends validity; ``list`` shows what is valid now (or ``as_of``)."""

    section = resource = "memories"

    history = verb(
        memories.history, "GET", "/v1/memories/{id}/history", response=dict[str, Any],
        summary="Every change to a memory",
    )  # fmt: skip

    def recall(
        self,
        filter: Filter = None,
        as_of: When = None,
        all_versions: bool = False,
        order_by: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Memories valid at ``as_of`` (default now), or every version with ``all_versions``:
        ``list`` with the moment first."""
        page = self._verb("list").call(
            self._transport, filter=filter, order_by=order_by, limit=limit, cursor=cursor,
            as_of=as_of, all_versions=all_versions,
        )  # fmt: skip
        return cast(dict[str, Any], page)

    def count(self, filter: Filter = None, as_of: When = None, all_versions: bool = False) -> int:
        """How many memories match, valid at ``as_of`` (default now) or in every version."""
        found = self._verb("count").call(
            self._transport, filter=filter, as_of=as_of, all_versions=all_versions
        )
        return int(found)


class Knowledge(ResourceSection):
    section = resource = "knowledge"

    def add(self, title: str, text: str, **fields: Any) -> dict[str, Any]:
        """Add a document (chunked and embedded); the same document again is stored once."""
        return self.create({"title": title, "text": text, **fields})


class Enrichment(Section):
    section = "enrichment"

    pending = verb(
        enrichment.waiting, "GET", "/v1/enrichment", response=dict[str, int],
        summary="Rows waiting for enrichment",
    )  # fmt: skip
    flush = verb(
        enricher.flush, "POST", "/v1/enrichment/flush", response=dict[str, Any],
        role="operator", summary="Enrich everything pending",
    )  # fmt: skip

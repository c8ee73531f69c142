"""The SDK's surface: one client per resource, each with the nine operations and its verbs."""

from __future__ import annotations

import builtins
import datetime
from collections.abc import Iterator, Mapping
from typing import Any

from rapport.sdk.transport import Transport

When = datetime.datetime | str | None
Filter = Mapping[str, Any] | None


def data_of(data: Any, fields: dict[str, Any]) -> Any:
    """A body given as a mapping (or model) or as keyword fields, not both."""
    if data is not None and fields:
        raise TypeError("pass either a mapping (or model) or keyword fields, not both")
    return data if data is not None else fields


class ResourceClient:
    """The nine operations on one resource.

    >>> r.conversations.create(contact_id=c["id"], channel="instagram_dm")
    >>> r.conversations.list(filter={"status": "active"}, order_by="-updated_at", limit=20)
    """

    def __init__(self, transport: Transport, resource: str) -> None:
        self._t = transport
        self._resource = resource

    def create(self, data: Any = None, /, **fields: Any) -> dict[str, Any]:
        """Store one record; with an existing ``external_id`` returns the stored one."""
        return self._t.create(self._resource, data_of(data, fields))

    def get(self, id: Any) -> dict[str, Any]:
        return self._t.get(self._resource, id)

    def update(self, id: Any, data: Any = None, /, **fields: Any) -> dict[str, Any]:
        """Change the named fields (nested objects merge); returns the stored record."""
        return self._t.update(self._resource, id, data_of(data, fields))

    def delete(self, id: Any) -> None:
        self._t.delete(self._resource, id)

    def exists(self, id: Any) -> bool:
        return self._t.exists(self._resource, id)

    def list(
        self,
        filter: Filter = None,
        order_by: str | list[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """One page: ``{"items": [...], "next_cursor": str | None}``."""
        return self._t.list(self._resource, filter, order_by, limit, cursor)

    def iterate(
        self,
        filter: Filter = None,
        order_by: str | builtins.list[str] | None = None,
        page_size: int = 500,
    ) -> Iterator[dict[str, Any]]:
        """Every matching record, page after page."""
        cursor = None
        while True:
            page = self.list(filter, order_by, page_size, cursor)
            yield from page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def count(self, filter: Filter = None) -> int:
        return self._t.count(self._resource, filter)

    def bulk_create(self, items: builtins.list[Any]) -> builtins.list[str]:
        """Store all items or none; their ids, in order."""
        return self._t.bulk_create(self._resource, items)

    def bulk_update(self, filter: Mapping[str, Any], set: Any) -> int:
        """Apply ``set`` to every record matching ``filter``; how many changed."""
        return self._t.bulk_update(self._resource, filter, set)


class ContactsClient(ResourceClient):
    def latest_conversation(self, id: Any) -> dict[str, Any]:
        """The contact's most recently updated conversation."""
        return self._t.verb("contacts.latest_conversation", id=id)  # type: ignore[no-any-return]

    def sessions(
        self,
        id: Any,
        start: When = None,
        end: When = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """The contact's conversations started in [start, end), newest first."""
        return self._t.verb(  # type: ignore[no-any-return]
            "contacts.sessions", id=id, start=start, end=end, limit=limit, cursor=cursor
        )

    def top(
        self, min_conversations: int = 0, limit: int | None = None, cursor: str | None = None
    ) -> dict[str, Any]:
        """Interaction summaries with the most conversations first."""
        return self._t.verb(  # type: ignore[no-any-return]
            "contacts.top", min_conversations=min_conversations, limit=limit, cursor=cursor
        )


class ConversationsClient(ResourceClient):
    def append_message(self, id: Any, message: Any = None, /, **fields: Any) -> dict[str, Any]:
        """Append a message; a retry with the same ``external_id`` returns the first one."""
        return self._t.verb(  # type: ignore[no-any-return]
            "conversations.append_message", id=id, message=data_of(message, fields)
        )

    def append_messages(self, id: Any, items: list[Any]) -> list[str]:
        """Append a batch, all or nothing; ids in order."""
        return self._t.verb("conversations.append_messages", id=id, items=items)  # type: ignore[no-any-return]

    def history(
        self, id: Any, role: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> dict[str, Any]:
        """The conversation's messages in time order, optionally one role's only."""
        return self._t.verb(  # type: ignore[no-any-return]
            "conversations.history", id=id, role=role, limit=limit, cursor=cursor
        )

    def route(self, id: Any, dry_run: bool = False, reason: str | None = None) -> dict[str, Any]:
        """The supervisor's decision (stage, agent, reason), applied unless ``dry_run``."""
        request: dict[str, Any] = {"dry_run": dry_run}
        if reason is not None:
            request["reason"] = reason
        return self._t.verb("conversations.route", id=id, request=request)  # type: ignore[no-any-return]

    def move(
        self, id: Any, stage: str, reason: str | None = None, agent: str | None = None
    ) -> dict[str, Any]:
        """Move to an allowed stage; ``{"conversation", "transition"}``."""
        request = {"stage": stage, "reason": reason, "agent": agent}
        request = {k: v for k, v in request.items() if v is not None}
        return self._t.verb("conversations.move", id=id, request=request)  # type: ignore[no-any-return]

    def transitions(
        self, id: Any, limit: int | None = None, cursor: str | None = None
    ) -> dict[str, Any]:
        """Stage changes and hand-offs, oldest first, with ``stage`` and ``allowed_next``."""
        return self._t.verb(  # type: ignore[no-any-return]
            "conversations.transitions", id=id, limit=limit, cursor=cursor
        )

    def document(self, id: Any) -> dict[str, Any]:
        """Seed 000's whole conversation document."""
        return self._t.verb("conversations.document", id=id)  # type: ignore[no-any-return]


class MessagesClient(ResourceClient):
    def search(self, q: str, filter: Filter = None, limit: int | None = None) -> dict[str, Any]:
        """Full-text search, ranked; items carry ``rank`` and ``snippet``."""
        return self._t.verb("messages.search", q=q, filter=filter, limit=limit)  # type: ignore[no-any-return]

    def by_intent(
        self,
        intent: str,
        min_confidence: float = 0.0,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        return self._t.verb(  # type: ignore[no-any-return]
            "messages.by_intent",
            intent=intent,
            min_confidence=min_confidence,
            limit=limit,
            cursor=cursor,
        )


class MemoriesClient(ResourceClient):
    """Memories: ``create`` supersedes the key's current value, ``update`` writes a new
    version, ``delete`` ends validity; ``list`` shows what is valid now."""

    def recall(
        self,
        filter: Filter = None,
        as_of: When = None,
        all_versions: bool = False,
        order_by: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Memories valid at ``as_of`` (default now), or every version with ``all_versions``."""
        return self._t.verb(  # type: ignore[no-any-return]
            "memories.recall",
            filter=filter,
            as_of=as_of,
            all_versions=all_versions,
            order_by=order_by,
            limit=limit,
            cursor=cursor,
        )

    def history(self, id: Any) -> dict[str, Any]:
        """Every change to the memory: ADD, UPDATE per version, DELETE; with who and when."""
        return self._t.verb("memories.history", id=id)  # type: ignore[no-any-return]


class KnowledgeClient(ResourceClient):
    def add(self, title: str, text: str, **fields: Any) -> dict[str, Any]:
        """Add a document (chunked and embedded); the same document again is stored once."""
        return self.create({"title": title, "text": text, **fields})


class EnrichmentClient:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def pending(self) -> dict[str, int]:
        """Messages, memories and knowledge chunks still waiting for enrichment."""
        return self._t.verb("enrichment.pending")  # type: ignore[no-any-return]

    def flush(self) -> dict[str, Any]:
        """Wait until everything stored so far has its extraction and embeddings."""
        return self._t.verb("enrichment.flush")  # type: ignore[no-any-return]


class PipelineClient:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def counts(self, filter: Filter = None) -> dict[str, Any]:
        """Conversations by sales_stage x status."""
        return self._t.verb("pipeline.counts", filter=filter)  # type: ignore[no-any-return]

    def follow_ups_due(
        self,
        start: When = None,
        end: When = None,
        overdue: bool = False,
        agent: str | None = None,
        tz: str = "UTC",
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """Scheduled follow-ups due in [start, end) (default today in ``tz``), soonest first,
        each with its ``conversation``; ``overdue=True`` adds earlier ones still scheduled."""
        return self._t.verb(  # type: ignore[no-any-return]
            "pipeline.follow_ups_due",
            start=start,
            end=end,
            overdue=overdue,
            agent=agent,
            tz=tz,
            limit=limit,
            cursor=cursor,
        )

    def workload(self, status: str | list[str] = "active") -> dict[str, Any]:
        """Per agent: conversations held and the oldest updated_at."""
        statuses = [status] if isinstance(status, str) else status
        return self._t.verb("pipeline.workload", status=statuses)  # type: ignore[no-any-return]


class AnalyticsClient:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def interactions(self, filter: Filter = None) -> dict[str, Any]:
        """Totals, satisfaction, languages and top intents over contacts."""
        return self._t.verb("analytics.interactions", filter=filter)  # type: ignore[no-any-return]


class KeysClient:
    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def create(self, role: str = "operator", name: str | None = None) -> dict[str, Any]:
        """A new API key; ``result["key"]`` is the secret, shown only now."""
        return self._t.verb("keys.create", role=role, name=name)  # type: ignore[no-any-return]

    def list(self) -> builtins.list[dict[str, Any]]:
        return list(self._t.verb("keys.list")["items"])

    def revoke(self, id: Any) -> dict[str, Any]:
        return self._t.verb("keys.revoke", id=id)  # type: ignore[no-any-return]

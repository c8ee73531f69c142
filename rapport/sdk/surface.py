"""Everything the SDK offers, over one transport: ``r.contacts``, ``r.calls``, ``r.search``..."""

from __future__ import annotations

import builtins
from typing import Any

from rapport.sdk.call_clients import AvailabilityClient, CallsClient
from rapport.sdk.clients import (
    AnalyticsClient,
    ContactsClient,
    ConversationsClient,
    EnrichmentClient,
    Filter,
    KeysClient,
    KnowledgeClient,
    MemoriesClient,
    MessagesClient,
    PipelineClient,
    ResourceClient,
    When,
)
from rapport.sdk.sales_clients import AgentsClient, FollowUpsClient
from rapport.sdk.transport import Transport


class Surface:
    """Everything the SDK offers, over one transport."""

    def __init__(self, transport: Transport) -> None:
        self._transport = transport
        self.contacts = ContactsClient(transport, "contacts")
        self.conversations = ConversationsClient(transport, "conversations")
        self.messages = MessagesClient(transport, "messages")
        self.objections = ResourceClient(transport, "objections")
        self.agents = AgentsClient(transport, "agents")
        self.follow_ups = FollowUpsClient(transport, "follow-ups")
        self.calls = CallsClient(transport, "calls")
        self.availability = AvailabilityClient(transport)
        self.interaction_summaries = ResourceClient(transport, "interaction-summaries")
        self.users = ResourceClient(transport, "users")
        self.pipeline = PipelineClient(transport)
        self.analytics = AnalyticsClient(transport)
        self.keys = KeysClient(transport)
        self.memories = MemoriesClient(transport, "memories")
        self.knowledge = KnowledgeClient(transport, "knowledge")
        self.enrichment = EnrichmentClient(transport)

    def search(
        self,
        query: str,
        scope: builtins.list[str] | None = None,
        filter: Filter = None,
        k: int = 10,
        mode: str = "hybrid",
        as_of: When = None,
    ) -> dict[str, Any]:
        """Messages, memories and knowledge by meaning and words: ``{"results": [...]}``."""
        request: dict[str, Any] = {"query": query, "k": k, "mode": mode}
        if scope is not None:
            request["scope"] = scope
        if filter:
            request["filter"] = dict(filter)
        if as_of is not None:
            request["as_of"] = as_of if isinstance(as_of, str) else as_of.isoformat()
        return self._transport.verb("search", request=request)  # type: ignore[no-any-return]

    def org(self) -> dict[str, Any]:
        """The organization this client acts for, and its role there."""
        return self._transport.verb("org.get")  # type: ignore[no-any-return]

    def update_org(self, settings: dict[str, Any]) -> dict[str, Any]:
        """Merge ``settings`` into the org's (admins): pipeline, routing rules, transfer ..."""
        return self._transport.verb("org.update", body={"settings": settings})  # type: ignore[no-any-return]

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Surface:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

"""SDK clients for voice calls, leads and closer availability (seed 002)."""

from __future__ import annotations

import builtins
from typing import Any

from rapport.sdk.clients import ResourceClient, When, data_of
from rapport.sdk.transport import Transport


class CallsClient(ResourceClient):
    """Calls: the nine operations (``r.calls.list(filter=...)``) and the call verbs.

    >>> r.calls.learn(lead={...}, call={...}, transcript=[...], factors={...})
    >>> r.calls.lead_by_phone("(415) 555-0132")
    """

    def learn(self, data: Any = None, /, **fields: Any) -> dict[str, Any]:
        """Store a finished call (lead, call, transcript, factors, learning_patterns) in one
        transaction: ``{call, lead, conversation_id, messages, created}``. A retry with the
        same ``call.external_id`` returns the stored call with ``created`` false."""
        return self._t.verb("calls.learn", body=data_of(data, fields))  # type: ignore[no-any-return]

    def lead_by_phone(self, phone: str) -> dict[str, Any]:
        """The lead (contact) with this phone, in any formatting; NotFound if none."""
        return self._t.verb("calls.lead_by_phone", phone=phone)  # type: ignore[no-any-return]

    def transcript(
        self, id: Any, limit: int | None = None, cursor: str | None = None
    ) -> dict[str, Any]:
        """The call's messages in the order spoken: ``{"items", "next_cursor"}``."""
        return self._t.verb("calls.transcript", id=id, limit=limit, cursor=cursor)  # type: ignore[no-any-return]

    def transfer_decision(
        self,
        engagement_score: float,
        phase_reached: int,
        is_qualified: bool | None = None,
        conversation_id: Any = None,
        closer: str | None = None,
        at: When = None,
    ) -> dict[str, Any]:
        """Hand the lead to a closer now? ``{transfer, closer, available, reasons,
        next_available_at, until}``."""
        body = {
            "engagement_score": engagement_score,
            "phase_reached": phase_reached,
            "is_qualified": is_qualified,
            "conversation_id": None if conversation_id is None else str(conversation_id),
            "closer": closer,
            "at": at if at is None or isinstance(at, str) else at.isoformat(),
        }
        body = {k: v for k, v in body.items() if v is not None}
        return self._t.verb("calls.transfer_decision", body=body)  # type: ignore[no-any-return]


class AvailabilityClient:
    """Closers' schedules: weekly hours in a time zone, and overrides."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport

    def set(
        self,
        timezone: str,
        weekly: builtins.list[dict[str, Any]] | None = None,
        overrides: builtins.list[dict[str, Any]] | None = None,
        closer: str = "default",
    ) -> dict[str, Any]:
        """Replace the closer's schedule; returns it as stored."""
        body = {"closer": closer, "timezone": timezone, "weekly": weekly or [],
                "overrides": overrides or []}  # fmt: skip
        return self._t.verb("availability.set", body=body)  # type: ignore[no-any-return]

    def list(self, closer: str | None = None) -> dict[str, Any]:
        """``{"items": [...]}``: every closer's schedule, or the one named."""
        return self._t.verb("availability.list", closer=closer)  # type: ignore[no-any-return]

    def now(self, closer: str | None = None, at: When = None) -> dict[str, Any]:
        """``{closer, available, reason, until, next_available_at}`` at ``at`` (default now)."""
        return self._t.verb("availability.now", closer=closer, at=at)  # type: ignore[no-any-return]

"""SDK clients for agents and follow-ups."""

from __future__ import annotations

from typing import Any

from rapport.sdk.clients import PipelineClient, ResourceClient


class AgentsClient(ResourceClient):
    """Agents: the nine operations, plus state per subject and the agents you may use.

    >>> r.agents.create(name="closer", role="closer", persona={"instructions": "..."})
    >>> s = r.agents.put_state("closer", contact_id, {"step": "pricing"}, version=0)
    >>> r.agents.put_state("closer", contact_id, {"step": "demo"}, version=s["version"])
    """

    def available(self, role: str | None = None) -> dict[str, Any]:
        """Active agents your org may use: own, public, and shared with you."""
        return self._t.verb("agents.available", role=role)  # type: ignore[no-any-return]

    def put_state(
        self, agent_id: Any, subject_id: Any, state: dict[str, Any], version: int = 0
    ) -> dict[str, Any]:
        """Write the state based on ``version`` (the one you read; 0 for none).

        Raises ``rapport.errors.Conflict`` (``current_version`` in ``extra``) when stale."""
        return self._t.verb(  # type: ignore[no-any-return]
            "agents.put_state",
            agent_id=agent_id,
            subject_id=subject_id,
            body={"state": state, "version": version},
        )

    def get_state(self, agent_id: Any, subject_id: Any) -> dict[str, Any]:
        return self._t.verb(  # type: ignore[no-any-return]
            "agents.get_state", agent_id=agent_id, subject_id=subject_id
        )

    def delete_state(self, agent_id: Any, subject_id: Any) -> None:
        self._t.verb("agents.delete_state", agent_id=agent_id, subject_id=subject_id)

    def states(self, subject_id: Any) -> dict[str, Any]:
        """Every agent's state about one contact or user."""
        return self._t.verb("agents.states", subject_id=subject_id)  # type: ignore[no-any-return]


class FollowUpsClient(ResourceClient):
    """Follow-ups: the nine operations, plus due, done and cancel.

    >>> r.follow_ups.create(conversation_id=c["id"], due_at="2025-01-16T09:00:00Z",
    ...                     reason="send pricing")
    >>> r.follow_ups.due(overdue=True)
    """

    due = PipelineClient.follow_ups_due  # the same verb, under the resource's name

    def done(self, id: Any, reason: str | None = None, notes: str | None = None) -> dict[str, Any]:
        return self._t.verb("follow_ups.done", id=id, body=_close(reason, notes))  # type: ignore[no-any-return]

    def cancel(
        self, id: Any, reason: str | None = None, notes: str | None = None
    ) -> dict[str, Any]:
        return self._t.verb("follow_ups.cancel", id=id, body=_close(reason, notes))  # type: ignore[no-any-return]


def _close(reason: str | None, notes: str | None) -> dict[str, Any]:
    return {k: v for k, v in {"reason": reason, "notes": notes}.items() if v is not None}

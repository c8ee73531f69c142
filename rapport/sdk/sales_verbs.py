"""SDK verbs of agents, the pipeline and follow-ups: service call and REST route."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rapport.pipeline import agent_state, agents, follow_ups, routing, stages
from rapport.sdk.route import PAGE, Route
from rapport.tenancy import settings as org_settings

LOCAL: dict[str, Callable[..., Any]] = {
    "agents.available": lambda db, p, role: db.run(agents.available(p, role)),
    "agents.put_state": lambda db, p, agent_id, subject_id, body: db.run(
        agent_state.put(p, agent_id, subject_id, body)
    )[0],
    "agents.get_state": lambda db, p, agent_id, subject_id: db.run(
        agent_state.get(p, agent_id, subject_id)
    ),
    "agents.delete_state": lambda db, p, agent_id, subject_id: db.run(
        agent_state.delete(p, agent_id, subject_id)
    ),
    "agents.states": lambda db, p, subject_id: db.run(agent_state.for_subject(p, subject_id)),
    "conversations.route": lambda db, p, id, request: db.run(routing.route(p, id, request)),
    "conversations.move": lambda db, p, id, request: db.run(stages.move(p, id, request)),
    "conversations.transitions": lambda db, p, id, limit, cursor: db.run(
        stages.transitions(p, id, limit, cursor)
    ),
    "follow_ups.done": lambda db, p, id, body: db.run(follow_ups.close(p, id, "done", body)),
    "follow_ups.cancel": lambda db, p, id, body: db.run(follow_ups.close(p, id, "cancelled", body)),
    "org.update": lambda db, p, body: {**db.run(org_settings.update(p, body)), "role": p.role},
}

_STATE = "/v1/agents/{agent_id}/state/{subject_id}"
HTTP: dict[str, Route] = {
    "agents.available": Route("GET", "/v1/agents/available", query={"role": "role"}),
    "agents.put_state": Route("PUT", _STATE, "body"),
    "agents.get_state": Route("GET", _STATE),
    "agents.delete_state": Route("DELETE", _STATE),
    "agents.states": Route("GET", "/v1/agents/states/{subject_id}"),
    "conversations.route": Route("POST", "/v1/conversations/{id}/route", "request"),
    "conversations.move": Route("POST", "/v1/conversations/{id}/stage", "request"),
    "conversations.transitions": Route("GET", "/v1/conversations/{id}/transitions", query=PAGE),
    "follow_ups.done": Route("POST", "/v1/follow-ups/{id}/done", "body"),
    "follow_ups.cancel": Route("POST", "/v1/follow-ups/{id}/cancel", "body"),
    "org.update": Route("PATCH", "/v1/org", "body"),
}

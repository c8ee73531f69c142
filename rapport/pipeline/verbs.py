"""The pipeline's verbs, by SDK section: ``r.pipeline``, ``r.follow_ups``, ``r.agents``, and
the routing verbs of ``r.conversations`` (``ConversationPipeline``, joined to that section by
``rapport.sdk.surface``)."""

from __future__ import annotations

from typing import Any

from rapport.conversations.conversations import CONVERSATIONS
from rapport.pipeline import agent_state, agents, follow_ups, routing, stages, views
from rapport.pipeline.agent_state import AgentState
from rapport.resources.params import Items, Page
from rapport.resources.sections import ResourceSection
from rapport.resources.verbs import Section, Settle, verb, writing

_STATE = "/v1/agents/{agent_id}/state/{subject_id}"


class FollowUps(ResourceSection):
    section = "follow_ups"
    resource = "follow-ups"

    due = verb(
        follow_ups.due, "GET", "/v1/follow-ups/due", response=Page,
        query={"start": "from", "end": "to"}, summary="Follow-ups due",
    )  # fmt: skip
    done = verb(
        follow_ups.done, "POST", "/v1/follow-ups/{id}/done", response=dict[str, Any],
        role="operator", body="*", body_name="FollowUpDone", summary="Mark a follow-up done",
    )  # fmt: skip
    cancel = verb(
        follow_ups.cancel, "POST", "/v1/follow-ups/{id}/cancel", response=dict[str, Any],
        role="operator", body="*", body_name="FollowUpCancel", summary="Cancel a follow-up",
    )  # fmt: skip


class Pipeline(Section):
    section = "pipeline"

    counts = verb(
        views.counts, "GET", "/v1/pipeline", response=dict[str, Any],
        summary="Conversations by stage", over=CONVERSATIONS,
    )  # fmt: skip
    follow_ups_due = FollowUps.due  # the same verb, under the pipeline's name
    workload = verb(
        views.workload, "GET", "/v1/agents/workload", response=dict[str, Any],
        summary="Per-agent workload",
    )  # fmt: skip


class Agents(ResourceSection):
    section = resource = "agents"

    available = verb(
        agents.available, "GET", "/v1/agents/available", response=Items,
        summary="Agents your org may use",
    )  # fmt: skip
    put_state = writing(
        agent_state.put, "PUT", _STATE, response=AgentState, body="*", body_name="StateWrite",
        examples=[{"state": {"step": "pricing", "tone": "casual"}, "version": 3}],
        summary="Write an agent's state about a contact or user",
    )  # fmt: skip
    get_state = verb(
        agent_state.get, "GET", _STATE, response=AgentState, summary="Read an agent's state"
    )
    delete_state = verb(
        agent_state.delete, "DELETE", _STATE, role="operator", empty=True,
        summary="Forget an agent's state",
    )  # fmt: skip
    states = verb(
        agent_state.for_subject, "GET", "/v1/agents/states/{subject_id}", response=Items,
        summary="Every agent's state on one subject",
    )  # fmt: skip


class ConversationPipeline(Section):
    """The pipeline's verbs on one conversation (part of ``r.conversations``)."""

    section = "conversations"

    route = verb(
        routing.route, "POST", "/v1/conversations/{id}/route", response=dict[str, Any],
        body="*", body_name="RouteRequest", examples=[{"dry_run": False}],
        settles=Settle("conversation", "id"), summary="Route a conversation",
    )  # fmt: skip
    move = verb(
        stages.move, "POST", "/v1/conversations/{id}/stage", response=dict[str, Any],
        role="operator", body="*", body_name="Move",
        examples=[{"stage": "closing", "reason": "budget confirmed"}],
        summary="Move to a stage",
    )  # fmt: skip
    transitions = verb(
        stages.transitions, "GET", "/v1/conversations/{id}/transitions", response=Page,
        summary="Stage history",
    )  # fmt: skip

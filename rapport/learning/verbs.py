"""The learning loop's verbs, by SDK section: ``r.events``, ``r.feedback``,
``r.prompt_variants``, ``r.experiments``, ``r.triggers`` and ``r.learning``."""

from __future__ import annotations

from typing import Any

from rapport.learning import events, experiments, triggers
from rapport.learning import metrics as daily
from rapport.learning.events import EVENTS, Recorded
from rapport.learning.experiments import Assignment
from rapport.resources.params import Count, Page
from rapport.resources.sections import ResourceSection
from rapport.resources.verbs import Section, verb, writing

_EVENT_EXAMPLE = {
    "items": [
        {"type": "delivered", "at": "2025-01-15T09:30:05Z", "external_id": "wamid.HBgL:delivered",
         "message_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"},
        {"type": "read", "at": "2025-01-15T09:31:02Z", "external_id": "wamid.HBgL:read",
         "message_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"},
    ]
}  # fmt: skip


class Events(Section):
    section = "events"

    record = verb(
        events.record, "POST", "/v1/events/bulk", response=Recorded, role="operator",
        body="*", body_name="EventBatch", examples=[_EVENT_EXAMPLE],
        summary="Record engagement events",
    )  # fmt: skip
    list = verb(
        events.list_page, "GET", "/v1/events", response=Page, over=EVENTS, summary="List events"
    )
    count = verb(
        events.count, "GET", "/v1/events/count", response=Count, wrap="count", over=EVENTS,
        summary="Count events",
    )  # fmt: skip


class Feedback(ResourceSection):
    section = resource = "feedback"


class PromptVariants(ResourceSection):
    section = "prompt_variants"
    resource = "prompt-variants"


class Experiments(ResourceSection):
    section = resource = "experiments"

    assign = writing(
        experiments.assign, "POST", "/v1/experiments/{id}/assign", response=Assignment,
        body="*", body_name="AssignRequest",
        examples=[{"contact_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"}],
        summary="Assign a contact its variant",
    )  # fmt: skip
    results = verb(
        experiments.results, "GET", "/v1/experiments/{id}/results", response=dict[str, Any],
        summary="An experiment's results",
    )  # fmt: skip
    review = verb(
        experiments.review, "POST", "/v1/experiments/{id}/review", response=dict[str, Any],
        role="operator", summary="Apply the experiment's rule now",
    )  # fmt: skip


class Triggers(ResourceSection):
    section = resource = "triggers"

    run = verb(
        triggers.run, "POST", "/v1/triggers/run", response=dict[str, Any], role="admin",
        summary="Evaluate the triggers now",
    )  # fmt: skip


class Learning(Section):
    section = "learning"

    metrics = verb(
        daily.metrics, "GET", "/v1/learning/metrics", response=dict[str, Any],
        query={"start": "from", "end": "to"}, summary="Learning metrics per day or week",
    )  # fmt: skip
    refresh = verb(
        daily.refresh, "POST", "/v1/learning/refresh", response=dict[str, Any], role="admin",
        query={"start": "from", "end": "to"}, summary="Recount the daily learning metrics",
    )  # fmt: skip

"""The pattern graph's verbs: ``r.patterns`` (ranking, lead path, observations, best
practices)."""

from __future__ import annotations

from typing import Any

from rapport.patterns import graph, practices
from rapport.resources.verbs import Section, Settle, verb, writing

# What the graph holds of messages (questions asked, phases) and what best practices search
# (embeddings) come from enrichment: these reads settle it first, so a REST caller reads
# its own writes.
ORG = Settle("org")


class Patterns(Section):
    """What wins: patterns ranked for an outcome, a lead's path, best practices.

    >>> r.patterns.ranking(outcome="qualified")
    >>> r.patterns.lead_path(contact_id)
    >>> r.patterns.observe({"conversation_id": c, "name": "roi_reframe", "effectiveness": 8})
    >>> r.patterns.best_practices({"context": "too expensive for a team of five"})
    """

    section = "patterns"

    ranking = verb(
        graph.ranking, "GET", "/v1/patterns/ranking", response=graph.Ranking, settles=ORG,
        summary="Patterns ranked by effectiveness and frequency for an outcome",
    )  # fmt: skip
    list = verb(
        graph.patterns, "GET", "/v1/patterns", response=dict[str, Any], settles=ORG,
        summary="The org's patterns, most seen first",
    )  # fmt: skip
    lead_path = verb(
        graph.lead_path, "GET", "/v1/contacts/{id}/path", response=graph.Path,
        settles=Settle("contact", "id"),
        summary="A lead's path through patterns to its outcome",
    )  # fmt: skip
    observe = writing(
        graph.observe, "POST", "/v1/patterns/observations", response=graph.Observation,
        body="observation", summary="Record a pattern seen in a conversation",
    )  # fmt: skip
    best_practices = verb(
        practices.best_practices, "POST", "/v1/best-practices",
        response=practices.BestPractices, body="request", settles=ORG,
        summary="Similar successful conversations and the patterns that won in them",
    )  # fmt: skip

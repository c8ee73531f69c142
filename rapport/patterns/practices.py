"""Seed 002's findBestPractices: for what an agent faces now, the conversations most like it
that went well, and the patterns that won in them, as one ranked answer with its reasons.

1. Similar successful conversations: the context's embedding against the messages of
   conversations that ended well (qualified, transferred or won unless the filter names
   outcomes) and pass the filter (Mongo-style, over how each ended, its call and its lead:
   ``{"engagement_score": {"$gte": 7}, "industry": "SaaS"}``), each by its nearest message.
2. Their patterns, each scored by how much of the similar set showed it (weighted by
   similarity) times how much more often conversations with it end well than the org's
   edges do overall (its lift, from the tallies); a pattern whose description is close to
   the context in meaning gains up to half again.
3. The reasons say both in words, with the conversations that show it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from rapport.db import sql
from rapport.db.operation import Compute, Query, Steps, atomic_operation
from rapport.db.sql import Fragment
from rapport.memory.enricher import Runtime
from rapport.patterns import QUERIES
from rapport.patterns.graph import OUTCOMES, SUCCESS, PatternRef
from rapport.resources.fields import Field as Column
from rapport.resources.filters import FilterCompiler
from rapport.resources.params import Filter, Input
from rapport.retrieval import search
from rapport.retrieval.embeddings import vector_text
from rapport.tenancy.principal import Principal
from rapport.validation import json_text, validate

# What a best-practices filter may name: columns of ``similar``'s row ``t``.
FIELDS = {
    f.name: f
    for f in (
        Column("outcome", "outcome", "text", False, OUTCOMES),
        Column("engagement_score", "engagement_score", "double precision", True),
        Column("channel", "channel", "text", False),
        Column("sales_stage", "sales_stage", "text", False),
        Column("phase_reached", "phase_reached", "integer", True),
        Column("closer_available", "closer_available", "boolean", True),
        Column("transfer_successful", "transfer_successful", "boolean", True),
        Column("industry", "industry", "text", True),
        Column("company_size", "company_size", "text", True),
        Column("job_title", "job_title", "text", True),
        Column("contact_id", "contact_id", "uuid", False),
        Column("conversation_id", "conversation_id", "uuid", False),
    )
}
POOL = 400  # nearest messages read to find the similar conversations
RELEVANCE_WEIGHT = 0.5


class Similar(BaseModel):
    conversation_id: uuid.UUID
    contact_id: uuid.UUID
    channel: str
    outcome: str
    call_id: uuid.UUID | None
    engagement: float | None
    industry: str | None
    job_title: str | None
    similarity: float = Field(description="Cosine similarity of its nearest message")
    message_id: uuid.UUID
    excerpt: str


class Practice(BaseModel):
    pattern: PatternRef
    score: float
    reasons: list[str]
    examples: list[uuid.UUID] = Field(description="Similar conversations that showed it")
    in_similar: int
    rate: float | None = Field(description="Share of its conversations that ended well")
    lift: float | None
    avg_effectiveness: float | None


class BestPractices(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "context": "They say the price is too high for a team of five",
        "outcomes": ["qualified", "transferred", "won"],
        "practices": [{
            "pattern": {"id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e", "type": "technique",
                        "name": "roi_reframe", "description": None},
            "score": 1.62, "in_similar": 4, "rate": 0.71, "lift": 1.9,
            "avg_effectiveness": 8.2,
            "examples": ["0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6f"],
            "reasons": ["in 4 of the 5 most similar successful conversations",
                        "71% of conversations with it ended well, 1.9x the org's rate",
                        "average effectiveness 8.2/10 where it ended well"],
        }],
        "conversations": [],
    }]}}  # fmt: skip

    context: str
    outcomes: list[str] = Field(description="What counted as successful")
    practices: list[Practice] = Field(description="Best first")
    conversations: list[Similar] = Field(description="Most similar first")


class BestPracticesIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "context": "They say the price is too high for a team of five",
        "filter": {"engagement_score": {"$gte": 7}},
    }]})  # fmt: skip

    context: Annotated[str, Field(min_length=1, max_length=4000)]
    filter: Filter = None
    limit: Annotated[int, Field(ge=1, le=50, description="Similar conversations")] = 5
    practices: Annotated[int, Field(ge=1, le=50, description="Patterns in the answer")] = 10


def _outcomes(spec: Any) -> list[str]:
    """The outcomes that count as success: those the filter's ``outcome`` names (a value,
    ``$eq`` or ``$in``; any other condition on it narrows all of them), else SUCCESS."""
    if not isinstance(spec, dict) or "outcome" not in spec:
        return list(SUCCESS)
    named = spec["outcome"]
    if isinstance(named, dict) and set(named) == {"$eq"}:
        named = named["$eq"]
    elif isinstance(named, dict) and set(named) == {"$in"}:
        named = named["$in"]
    if isinstance(named, str):
        named = [named]
    if isinstance(named, list) and all(isinstance(o, str) and o in OUTCOMES for o in named):
        return list(named) or list(OUTCOMES)
    return list(OUTCOMES)


@atomic_operation  # one transaction: the search settings hold for the similar read
def best_practices(
    principal: Principal, request: Input[BestPracticesIn], *, runtime: Runtime | None = None
) -> Steps[dict[str, Any]]:
    """Similar successful conversations (semantic search filtered by outcome, engagement
    and the lead's facets) and the patterns that won in them, combined into one ranked
    answer with the reasons, e.g. ``r.patterns.best_practices({"context": "too expensive",
    "filter": {"engagement_score": {"$gte": 7}}})``."""
    request = validate(BestPracticesIn, request)
    out = Fragment()
    condition = FilterCompiler(FIELDS, "best practices").compile(request.filter, out)
    outcomes = _outcomes(request.filter)
    assert runtime is not None  # the dispatcher supplies it
    vector = vector_text((yield Compute(runtime.embed_query, (request.context,))))
    yield from search.settings(POOL)
    similar = yield Query(
        sql.fill(QUERIES["similar"], filter=condition),
        {**out.params, "org": principal.org_id, "vector": vector, "outcomes": outcomes,
         "pool": POOL, "limit": request.limit},
        fetch="scalars",
    )  # fmt: skip
    weights = [{"conversation_id": s["conversation_id"], "similarity": max(s["similarity"], 0)}
               for s in similar]  # fmt: skip
    found = []
    if similar:
        found = yield Query(
            QUERIES["practice_patterns"],
            {"org": principal.org_id, "weights": json_text(weights), "vector": vector,
             "outcomes": outcomes},
            fetch="scalars",
        )  # fmt: skip
    practices = sorted(
        (_practice(p, len(similar)) for p in found),
        key=lambda p: (-p["score"], p["pattern"]["name"]),
    )
    return {
        "context": request.context,
        "outcomes": outcomes,
        "practices": practices[: request.practices],
        "conversations": list(similar),
    }


def _practice(found: dict[str, Any], similar: int) -> dict[str, Any]:
    """One pattern's place in the answer: its score and the reasons for it."""
    share = found["weight"] / max(similar, 1)
    rate, base = found["rate"], found["base_rate"]
    lift = rate / base if rate is not None and base else None
    relevance = max(found["relevance"] or 0.0, 0.0)
    score = share * (lift if lift is not None else 1.0) * (1 + RELEVANCE_WEIGHT * relevance)
    reasons = [f"in {found['in_similar']} of the {similar} most similar successful conversations"]
    if rate is not None and lift is not None:
        reasons.append(
            f"{rate:.0%} of {found['conversations']} conversations with it ended well, "
            f"{lift:.1f}x the org's rate"
        )
    if found["avg_effectiveness"] is not None:
        reasons.append(
            f"average effectiveness {found['avg_effectiveness']:.1f}/10 where it ended well"
        )
    if relevance >= 0.3:
        reasons.append(f"close in meaning to the context ({relevance:.2f})")
    return {
        "pattern": found["pattern"], "score": round(score, 4), "reasons": reasons,
        "examples": found["examples"], "in_similar": found["in_similar"], "rate": rate,
        "lift": lift, "avg_effectiveness": found["avg_effectiveness"],
    }  # fmt: skip

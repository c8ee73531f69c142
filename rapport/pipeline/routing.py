"""The supervisor: which stage a conversation belongs in next, and which agent takes it.

``decide`` is a pure function over the facts of one conversation, so the rules read in one
place:

1. won, lost and not_qualified stay where they are (a person re-opens them);
2. the org's own rules (``settings.pipeline.rules``), first match wins;
3. open objections send a conversation in qualification or closing to objection handling;
4. in objection handling with every objection resolved: to closing if qualified, else back
   to qualification;
5. in qualification, a qualification score at the org's threshold (default 70) or an
   explicit ``is_qualified`` sends it to closing;
6. otherwise it stays.

``route`` applies the decision: the conversation keeps its agent if that agent is active and
has the stage's role, else it goes to the least-loaded active agent of that role (active
conversations held, from the tallies; ties by name). Routes of one org and role are
serialised by an advisory lock, so two concurrent routes see each other's assignment.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field

from rapport.conversations.conversations import CONVERSATIONS
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation
from rapport.pipeline import QUERIES, stages
from rapport.pipeline.agents import ROLE_FOR_STAGE
from rapport.resources import crud
from rapport.tenancy import settings as org_settings
from rapport.tenancy.principal import Principal

FINAL = ("won", "lost", "not_qualified")


@dataclass(frozen=True)
class Facts:
    stage: str
    score: float | None
    is_qualified: bool | None
    open_objections: list[str]
    allowed_next: tuple[str, ...]  # from the schema's rapport_next_stages
    matched_rule: int | None  # index of the first org rule the conversation matches
    threshold: float  # the schema's rapport_qualified_threshold: the org's, default 70


@dataclass(frozen=True)
class Decision:
    stage: str
    role: str | None
    reason: str
    rule: int | None = None


def decide(facts: Facts, settings: org_settings.OrgSettings) -> Decision:
    """The next stage and the role that should handle it."""
    stage = facts.stage
    if stage in FINAL:
        return Decision(stage, None, f"{stage} is an outcome; a person re-opens it")
    if facts.matched_rule is not None:
        rule = settings.pipeline.rules[facts.matched_rule]
        target = rule.stage or stage
        if target == stage or target in facts.allowed_next:
            reason = rule.reason or f"org rule {facts.matched_rule} matched"
            return Decision(
                target, rule.role or ROLE_FOR_STAGE.get(target), reason, facts.matched_rule
            )
    threshold = facts.threshold
    qualified = facts.is_qualified is True or (facts.score is not None and facts.score >= threshold)
    if facts.open_objections and stage in ("qualification", "closing"):
        kinds = ", ".join(sorted(set(facts.open_objections)))
        n = len(facts.open_objections)
        return Decision(
            "objection_handling", "objection_handler", f"{n} open objection(s): {kinds}"
        )
    if stage == "objection_handling" and not facts.open_objections:
        if qualified:
            return Decision("closing", "closer", "objections resolved and the lead is qualified")
        return Decision(
            "qualification", "qualifier", "objections resolved; qualification unfinished"
        )
    if stage == "qualification" and qualified:
        why = (
            f"qualification score {facts.score:g} reached the threshold {threshold:g}"
            if facts.score is not None and facts.score >= threshold
            else "the lead is marked qualified"
        )
        return Decision("closing", "closer", why)
    if stage == "qualification":
        shown = "unknown" if facts.score is None else f"{facts.score:g}"
        return Decision(stage, "qualifier", f"qualification score {shown} is below {threshold:g}")
    if stage == "objection_handling":
        return Decision(stage, "objection_handler", "objections are still open")
    return Decision(stage, "closer", "closing continues")


DryRun = Annotated[bool, Field(description="Decide, but change nothing")]
Reason = Annotated[
    str | None,
    Field(max_length=500, description="Recorded with the transition, after the supervisor's own"),
]


_FACTS = sql.fill(QUERIES["route_facts"], conversation=CONVERSATIONS.json_sql,
                  matches="{matches}", lock="{lock}")  # fmt: skip
_AGENT = sql.fill(QUERIES["route_agent"], agent_load=QUERIES["agent_load"])


def _facts_query(settings: org_settings.OrgSettings, lock: bool) -> sql.Fragment:
    """The facts statement, with each org rule evaluated in SQL as one boolean column; it
    locks the conversation when the decision is to be applied."""
    out = sql.Fragment()
    conditions = [f"({c})" for c in org_settings.rule_conditions(settings, out)]
    matches = f"ARRAY[{', '.join(conditions)}]::boolean[]" if conditions else "'{}'::boolean[]"
    out.sql = sql.fill(_FACTS, matches=matches, lock="FOR UPDATE" if lock else "")
    return out


@dataclass(frozen=True)
class _Request:
    dry_run: bool
    reason: str | None


@atomic_operation
def route(
    principal: Principal, id: str, dry_run: DryRun = False, reason: Reason = None
) -> Steps[dict[str, Any]]:
    """The supervisor's decision (next stage, role and agent, with the reason) from the
    stage, qualification score, open objections and the org's rules; applied unless
    ``dry_run``. What the conversation's messages imply is read first (its pending
    enrichment is done before deciding)."""
    request = _Request(dry_run, reason)
    if not request.dry_run:
        principal.require("operator", "route conversations")
    key = crud.check_id(CONVERSATIONS, id)
    settings = yield from org_settings.load(principal)
    facts_query = _facts_query(settings, lock=not request.dry_run)
    row = yield Query(facts_query.sql, {**facts_query.params, "org": principal.org_id, "id": key})
    if row is None:
        yield from crud.get(CONVERSATIONS, principal, key).steps  # raises the 404
    conversation, objections, allowed_next, matches, threshold = row
    matched = next((i for i, hit in enumerate(matches) if hit), None)
    facts = Facts(
        stage=conversation["sales_stage"],
        score=conversation["qualification"]["score"],
        is_qualified=conversation["is_qualified"],
        open_objections=list(objections),
        allowed_next=tuple(allowed_next),
        matched_rule=matched,
        threshold=float(threshold),
    )
    decision = decide(facts, settings)
    agent = conversation["current_agent"]
    staffed = True
    if decision.role is not None:
        if not request.dry_run:  # concurrent routes of one role see each other's choice
            lock = f"{principal.org_id}:{decision.role}"
            yield Query(QUERIES["route_lock"], {"key": lock})
        chosen = yield Query(
            _AGENT,
            {"org": principal.org_id, "statuses": ["active"], "role": decision.role,
             "current": agent},
            fetch="scalar",
        )  # fmt: skip
        staffed = chosen is not None
        agent = chosen or agent
    result: dict[str, Any] = {
        "conversation_id": key,
        "from_stage": facts.stage,
        "stage": decision.stage,
        "from_agent": conversation["current_agent"],
        "agent": agent,
        "role": decision.role,
        "reason": decision.reason,
        "rule": decision.rule,
        "score": facts.score,
        "threshold": facts.threshold,
        "is_qualified": facts.is_qualified,
        "open_objections": facts.open_objections,
        "dry_run": request.dry_run,
    }
    changed = decision.stage != facts.stage or agent != conversation["current_agent"]
    result["changed"] = changed
    if not staffed:
        result["warning"] = (
            f"no active agent has the role {decision.role}, so {agent or 'nobody'} keeps it;"
            " create one with POST /v1/agents"
        )
    if changed and not request.dry_run:
        patch: dict[str, Any] = {"sales_stage": decision.stage, "current_agent": agent}
        if decision.stage == "closing" and facts.is_qualified is None:
            patch["is_qualified"] = True
        reason = decision.reason + (f" ({request.reason})" if request.reason else "")
        yield stages.record_as(principal, actor=f"supervisor ({principal.actor})", reason=reason)
        conversation = yield from crud.update(CONVERSATIONS, principal, key, patch).steps
    result["conversation"] = conversation
    return result

"""Experiments: an agent's prompt variants competing for its leads on a real outcome.

An experiment names an agent, two or more of its variants, the control, how contacts are
split (``strategy``) and what counts as winning (``metric``: the lead replied, qualified or
was won). ``assign`` gives a contact its variant and keeps it: a lead keeps hearing the same
voice, and the agent's messages to them carry the variant (``messages.variant_id``, filled
by the messages' insert). How a new contact's variant is chosen, among active variants:

- ``sticky``: GrowthBook's hash of (experiment, contact) against the variants' weights, so
  the same contact lands on the same variant wherever it is computed;
- ``round_robin``: in turn, by the experiment's count of assignments;
- ``thompson``: drawn by the bandit's weights (``stats.bandit_weights``: equal until every
  arm has ``min_sample`` exposures, then each arm's chance to be best, with a 1 % floor),
  which the worker's review keeps current.

``results`` reads the funnel and the outcomes per variant; ``review`` (the worker, each
minute, or ``POST /v1/experiments/{id}/review``) pauses a variant whose chance to beat the
best falls below ``pause_below`` once it has ``min_sample`` exposures, records why, and
re-weights a bandit. A contact whose variant was paused gets a new one at its next assign.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from rapport import errors
from rapport.db import counts
from rapport.db.counts import Counts
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.learning import QUERIES, stats
from rapport.resources import crud
from rapport.resources.fields import ARRAY, JSONB
from rapport.resources.resource import Resource
from rapport.resources.verbs import Written
from rapport.tenancy.principal import Principal
from rapport.validation import json_text

Strategy = Literal["sticky", "round_robin", "thompson"]
Metric = Literal["replied", "qualified", "won"]
Status = Literal["running", "paused", "stopped"]
BANDIT_FLOOR = 0.01  # GrowthBook's default minimum weight per variation
# What converts an exposed contact, per metric: they replied to one of the variant's
# messages, or they qualified or were won (any conversation of theirs).
CONVERSIONS = {"replied": "replied_contacts", "qualified": "qualified", "won": "won"}


class Experiment(BaseModel):
    """Prompt variants of one agent, competing on one metric."""

    id: uuid.UUID
    name: str
    agent: str
    variants: Annotated[list[uuid.UUID], ARRAY]
    control: uuid.UUID
    strategy: Strategy
    metric: Metric
    min_sample: int = Field(description="Exposures a variant needs before the rule judges it")
    pause_below: float = Field(description="Pause a variant whose chance to beat the best is lower")
    status: Status
    assigned: int = Field(description="Assignments made so far")
    weights: Annotated[dict[str, float], JSONB] = Field(
        description="thompson: each variant's share of new contacts, as last reviewed"
    )
    decisions: Annotated[list[dict[str, Any]], JSONB] = Field(
        description="What the rule did, newest last: paused variants with the reason"
    )
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ExperimentCreate(BaseModel):
    """An experiment; ``name`` is its idempotency key."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "opening-question",
                    "agent": "qualifier",
                    "variants": [
                        "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                        "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6f",
                    ],
                    "control": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e",
                    "strategy": "sticky",
                    "metric": "replied",
                    "min_sample": 200,
                    "pause_below": 0.05,
                }
            ]
        },
    )

    name: Annotated[str, Field(min_length=1, max_length=200)]
    agent: Annotated[str, Field(min_length=1, max_length=100)]
    variants: Annotated[list[uuid.UUID], Field(min_length=2, max_length=20)]
    control: uuid.UUID
    strategy: Strategy = "sticky"
    metric: Metric = "replied"
    min_sample: int = Field(default=100, ge=1, le=10_000_000)
    pause_below: float = Field(default=0.05, ge=0, lt=1)
    status: Status = "running"

    @model_validator(mode="after")
    def _control_among_variants(self) -> ExperimentCreate:
        if len(set(self.variants)) != len(self.variants):
            raise ValueError("variants: each variant once")
        if self.control not in self.variants:
            raise ValueError("control: must be one of the variants")
        return self


def _prepare(
    principal: Principal, items: list[ExperimentCreate], at: Callable[[int], str]
) -> Steps[list[ExperimentCreate]]:
    """The variants exist and are the experiment's agent's (else 404 / 422 naming them)."""
    for i, item in enumerate(items):
        ids = [str(v) for v in item.variants]
        rows = yield Query(
            QUERIES["variants_of"], {"org": principal.org_id, "ids": ids}, fetch="all"
        )
        agents = {str(v): agent for v, agent, _status, _weight in rows}
        for j, variant in enumerate(ids):
            field = f"{at(i)}variants[{j}]"
            if variant not in agents:
                raise errors.NotFound(f"{field}: no prompt variant with id {variant}", field=field)
            if agents[variant] != item.agent:
                raise errors.ValidationFailed(
                    f"{field}: prompt variant {variant} belongs to agent {agents[variant]!r},"
                    f" not to this experiment's agent {item.agent!r}",
                    field=field,
                )
    return items


EXPERIMENTS = Resource(
    name="experiments",
    table="experiments",
    singular="experiment",
    model=Experiment,
    create_model=ExperimentCreate,
    immutable=("agent", "variants", "control"),
    conflict_columns=("name",),
    prepare=_prepare,
    description="Experiments: an agent's prompt variants, a strategy, a metric, a rule.",
)


class Assignment(BaseModel):
    experiment_id: uuid.UUID
    contact_id: uuid.UUID
    variant_id: uuid.UUID
    variant: dict[str, Any] = Field(description="The variant's name, template and status")
    strategy: Strategy
    assigned_at: datetime.datetime


@atomic_operation
def assign(principal: Principal, id: str, contact_id: uuid.UUID) -> Steps[Written[Any]]:
    """The contact's variant in this experiment: the one it has while that stays active,
    else a new one by the experiment's strategy (201 when new, 200 when kept).

    409 when the experiment is not running or none of its variants is active.
    """
    principal.require("operator", "assign variants")
    key = crud.check_id(EXPERIMENTS, id)
    params = {"org": principal.org_id, "id": key, "contact": str(contact_id)}
    facts = yield from _facts(key, params, contact_id)
    if facts["kept"] is None:  # a new assignment: one at a time, then look again
        yield Query(QUERIES["experiment_lock"], params, fetch="rowcount")
        facts = yield from _facts(key, params, contact_id)
    if facts["kept"] is not None:
        return Written((yield from _assignment(principal, key, contact_id)), False)
    active = facts["active"]
    if not active:
        raise errors.Conflict(
            f"experiment {key} has no active variant; activate one with PATCH"
            ' /v1/prompt-variants/{id} {"status": "active"}',
            field="variants",
        )
    turn = yield Query(QUERIES["assignment_turn"], params, fetch="scalar")
    chosen = _choose(facts["strategy"], active, facts["weights"], key, str(contact_id), int(turn))
    yield Query(
        QUERIES["assignment_store"], {**params, "variant": chosen, "seq": turn}, fetch="rowcount"
    )
    return Written((yield from _assignment(principal, key, contact_id)), True)


def _facts(key: str, params: dict[str, Any], contact: uuid.UUID) -> Steps[dict[str, Any]]:
    """What an assignment needs to know (404 / 409 when it cannot be made)."""
    row = yield Query(QUERIES["assignment_facts"], params, fetch="one")
    if row is None:
        raise errors.NotFound(f"no experiment with id {key}", field="id")
    status, strategy, active, weights, kept, contact_known = row
    if status != "running":
        raise errors.Conflict(
            f"experiment {key} is {status}; resume it with PATCH"
            ' {"status": "running"} to assign again',
            field="status",
        )
    if kept is None and not contact_known:
        raise errors.NotFound(f"contact_id: no contact with id {contact}", field="contact_id")
    return {"strategy": strategy, "active": active, "weights": weights, "kept": kept}


def _assignment(principal: Principal, key: str, contact: uuid.UUID) -> Steps[dict[str, Any]]:
    doc = yield Query(
        QUERIES["assignment_read"],
        {"org": principal.org_id, "id": key, "contact": str(contact)},
        fetch="scalar",
    )
    return dict(doc)


def _choose(
    strategy: str,
    active: list[list[Any]],
    weights: Mapping[str, float],
    experiment: str,
    contact: str,
    turn: int,
) -> str:
    """A new contact's variant among ``active`` ([id, weight] in the experiment's order)."""
    ids = [str(v) for v, _ in active]
    if strategy == "round_robin":
        return ids[(turn - 1) % len(ids)]
    if strategy == "thompson":
        shares = [float(weights.get(v, 0.0)) for v in ids]
        if sum(shares) <= 0:
            shares = [1.0] * len(ids)
        return random.choices(ids, weights=shares)[0]
    shares = [max(float(w), 0.0) for _, w in active]
    if sum(shares) <= 0:
        shares = [1.0] * len(ids)
    point = gb_hash(experiment, contact) * sum(shares)
    for variant, share in zip(ids, shares, strict=True):
        if point < share:
            return variant
        point -= share
    return ids[-1]


def gb_hash(seed: str, value: str) -> float:
    """GrowthBook's hash, version 2 (its SDKs' ``hash``): a stable number in [0, 1)."""
    return (_fnv1a32(str(_fnv1a32(seed + value))) % 10_000) / 10_000


def _fnv1a32(text: str) -> int:
    h = 0x811C9DC5
    for byte in text.encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


@operation
def results(principal: Principal, id: str) -> Steps[dict[str, Any]]:
    """Each variant's exposures, funnel (messages sent, delivered, read, replied), outcome
    rates, its chance to beat the control with a 95 % credible interval of the relative lift
    (gbstats' Bayesian test on the experiment's metric, per exposed contact), its chance to
    be the best, and the sample-ratio-mismatch p-value of the split."""
    key = crud.check_id(EXPERIMENTS, id)
    experiment = yield from crud.get(EXPERIMENTS, principal, key).steps
    rows = yield Query(QUERIES["experiment_results"], {"org": principal.org_id, "id": key},
                       fetch="all")  # fmt: skip
    return analyse(experiment, [dict(r) for (r,) in rows])


def analyse(experiment: Mapping[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The results document from the per-variant counts (pure: the tests feed it too)."""
    metric = experiment["metric"]
    converted = CONVERSIONS[metric]
    control_id = str(experiment["control"])
    arms = {r["variant_id"]: stats.Arm(r["exposures"], min(r[converted], r["exposures"]))
            for r in rows}  # fmt: skip
    control = arms.get(control_id)
    best = stats.best_arm_probabilities([_smoothed(a) for a in arms.values()]) if arms else []
    variants = []
    for row, chance_best in zip(rows, best, strict=True):
        arm = arms[row["variant_id"]]
        is_control = row["variant_id"] == control_id
        lift = None if is_control or control is None else stats.compare(control, arm)
        sent = row["sent"]
        variants.append({
            **row,
            "control": is_control,
            "conversions": arm.successes,
            "conversion_rate": _rate(arm.successes, arm.users),
            "reply_rate": _rate(row["replied"], sent),
            "qualified_rate": _rate(row["qualified"], row["exposures"]),
            "won_rate": _rate(row["won"], row["exposures"]),
            "chance_to_beat_control": None if lift is None else lift.chance_to_win,
            "expected_lift": None if lift is None else lift.expected,
            "ci": None if lift is None else list(lift.ci),
            "chance_to_be_best": chance_best,
        })  # fmt: skip
    srm = None
    if experiment["strategy"] != "thompson" and rows:
        weights = [r["weight"] if experiment["strategy"] == "sticky" else 1.0 for r in rows]
        srm = stats.srm_p_value([r["exposures"] for r in rows], weights)
    return {
        "experiment_id": str(experiment["id"]),
        "name": experiment["name"],
        "status": experiment["status"],
        "metric": metric,
        "strategy": experiment["strategy"],
        "min_sample": experiment["min_sample"],
        "pause_below": experiment["pause_below"],
        "variants": variants,
        "srm_p_value": srm,
        "decisions": experiment["decisions"],
    }


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _smoothed(arm: stats.Arm) -> stats.Arm:
    """The arm with one success and one failure more (a uniform prior on its rate): the
    rule and the bandit judge an arm that converted nobody as a loser, where gbstats'
    normal approximation, which has no variance to work with, would call it a coin toss."""
    return stats.Arm(arm.users + 2, arm.successes + 1)


@atomic_operation
def review(principal: Principal, id: str) -> Steps[dict[str, Any]]:
    """Apply the experiment's rule now: pause each active variant with ``min_sample``
    exposures whose chance to beat the best other active variant is below ``pause_below``
    (never the last active one), record why, and re-weight a Thompson experiment."""
    principal.require("operator", "review experiments")
    key = crud.check_id(EXPERIMENTS, id)
    # The results are read without a lock (they take a while at scale, and assignments
    # lock the experiment); a pause is recorded only by the review whose UPDATE made it, so
    # two reviews at once record each decision once.
    report = yield from results(principal, key).steps
    now = datetime.datetime.now(datetime.UTC).isoformat()
    proposed = rule(report)
    decisions = []
    for decision in proposed:
        paused = yield Query(
            QUERIES["variant_pause"],
            {"org": principal.org_id, "id": decision["variant_id"], "reason": decision["reason"]},
            fetch="rowcount",
        )
        if paused:
            decisions.append({**decision, "at": now})
    active = [v for v in report["variants"]
              if v["status"] == "active" and v["variant_id"] not in
              {d["variant_id"] for d in proposed}]  # fmt: skip
    weights: dict[str, float] = {}
    if report["strategy"] == "thompson" and active:
        arms = [_smoothed(stats.Arm(v["exposures"], v["conversions"])) for v in active]
        shares = stats.bandit_weights(arms, floor=BANDIT_FLOOR, min_sample=report["min_sample"])
        weights = {v["variant_id"]: w for v, w in zip(active, shares, strict=True)}
    yield Query(
        QUERIES["experiment_reviewed"],
        {"org": principal.org_id, "id": key, "weights": json_text(weights),
         "decisions": json_text(decisions)},
        fetch="rowcount",
    )  # fmt: skip
    return {"experiment_id": key, "paused": decisions, "weights": weights}


def rule(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Which active variants the rule pauses now, each with its reason (pure)."""
    active = [v for v in report["variants"] if v["status"] == "active"]
    arms = {v["variant_id"]: _smoothed(stats.Arm(v["exposures"], v["conversions"]))
            for v in active}  # fmt: skip
    decisions: list[dict[str, Any]] = []
    for variant in sorted(active, key=lambda v: arms[v["variant_id"]].rate):
        if len(active) - len(decisions) <= 1 or variant["exposures"] < report["min_sample"]:
            continue
        others = [v for v in active if v is not variant]
        best = max(others, key=lambda v: arms[v["variant_id"]].rate)
        chance = stats.compare(arms[best["variant_id"]], arms[variant["variant_id"]]).chance_to_win
        if chance < report["pause_below"]:
            decisions.append({
                "variant_id": variant["variant_id"],
                "action": "paused",
                "chance_to_beat_best": chance,
                "best": best["variant_id"],
                "reason": (
                    f"experiment {report['name']!r}: chance to beat {best['name']!r} on"
                    f" {report['metric']} is {chance:.3f}, below {report['pause_below']}"
                    f" after {variant['exposures']} exposures"
                ),
            })  # fmt: skip
    return decisions


@operation
def running(org_id: str) -> Steps[list[str]]:
    """The org's running experiments (what the worker reviews)."""
    return list((yield Query(QUERIES["experiments_running"], {"org": org_id}, fetch="scalars")))


FUNNEL = Counts("variant_funnel", ("variant_id", "status"), ("messages",))


@operation
def fold_funnel(org_id: str) -> Steps[int]:
    """The worker's: the org's funnel counts folded into one row per (variant, status), so
    results sum a few rows however many batches changed statuses; how many rows remain."""
    return int((yield from counts.fold(FUNNEL, org_id).steps))

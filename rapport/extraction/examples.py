"""What an org teaches its extractor: labelled examples, and the model trained from them.

``POST /v1/extraction/examples`` stores ``{text, labels: {intent, objection(s), authority,
resolves}}``; the same text again corrects its labels (a retry with the same labels stores
nothing). A correction of what the extractor read from a stored message is an example too
(``from_correction``: a memory or objection the org fixed, with the message's text). The
worker's sweep (``rapport.extraction.train_sweep``, every minute) finds the orgs whose
examples changed after their model was trained and trains each one (``train``): the base
training data plus the org's examples, weighted up (``learned.ORG_WEIGHT``). Enrichment
reads that org's messages with that model from then on; no other org's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from rapport import errors
from rapport.db.operation import Compute, Query, Steps, atomic_operation, operation
from rapport.extraction import QUERIES, learned
from rapport.extraction.base import ACTOR
from rapport.resources.params import Input
from rapport.resources.verbs import Written, data_of
from rapport.tenancy.principal import Principal
from rapport.validation import json_text

Objection = Literal["price", "timing", "trust", "competitor", "authority", "need"]
Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,47}$", examples=["pricing_inquiry"])]
LABELS = ("intent", "objections", "authority", "resolves")
Embed = Callable[[Sequence[str]], list[list[float]]]


class Authority(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision_maker: bool
    title: str | None = None


class Labels(BaseModel):
    """The labels an org says are right; a field left out says nothing either way."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"minProperties": 1, "not": {"required": ["objection", "objections"]}},
    )
    intent: Slug | None = Field(None, description="The message's main intent (your own too)")
    objection: Objection | None = Field(None, description="The one objection raised (null: none)")
    objections: list[Objection] | None = Field(None, description="Every objection raised")
    authority: Authority | bool | None = Field(
        None, description="Whether the writer decides (null: the message does not say)"
    )
    resolves: list[Objection] | None = Field(None, description="Objection types it settles")

    @model_validator(mode="after")
    def _something(self) -> Labels:
        if not self.model_fields_set:
            raise ValueError(
                "labels: name at least one of intent, objection, objections, authority, resolves"
            )
        if {"objection", "objections"} <= self.model_fields_set:
            raise ValueError("labels: give objection or objections, not both")
        return self

    def stored(self) -> dict[str, Any]:
        """The labels as stored: ``objection`` as ``objections``, authority as an object."""
        given = self.model_dump(exclude_unset=True)
        if "objection" in given:
            one = given.pop("objection")
            given["objections"] = [one] if one else []
        if isinstance(given.get("authority"), bool):
            given["authority"] = {"decision_maker": given["authority"], "title": None}
        return given


class ExampleRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [
            {"text": "honestly that's more than we hoped to put in",
             "labels": {"intent": "objection", "objection": "price"}},
            {"text": "can we do a tasting for 12 on the 14th?",
             "labels": {"intent": "book_tasting", "objections": []}},
        ]},
    )  # fmt: skip
    text: str = Field(min_length=1, max_length=4000, description="The message as the lead wrote it")
    labels: Labels


def _example(row: Sequence[Any]) -> dict[str, Any]:
    keys = ("id", "text", "labels", "source", "message_id", "actor", "created_at", "updated_at")
    found = dict(zip(keys, row[2:], strict=True))
    found["id"] = str(found["id"])
    found["message_id"] = None if found["message_id"] is None else str(found["message_id"])
    return found


def store(
    principal: Principal, text: str, labels: Mapping[str, Any], source: str = "api",
    message_id: str | None = None,
) -> Steps[Written[dict[str, Any]]]:  # fmt: skip
    """Upsert one example (``queries.sql``: example_upsert); steps to compose."""
    if not text.strip():
        raise errors.BadRequest("text: an example needs words", field="text")
    row = yield Query(
        QUERIES["example_upsert"],
        {"org": principal.org_id, "text": text, "labels": json_text(dict(labels)),
         "source": source, "message": message_id, "actor": principal.actor},
    )  # fmt: skip
    if row is None:  # the same labels again: a retry, answered from storage
        row = yield Query(QUERIES["example_get"], {"org": principal.org_id, "text": text})
    return Written(_example(row), bool(row[0]))


@atomic_operation
def teach(
    principal: Principal, request: Input[ExampleRequest] | None = None, /, **fields: Any
) -> Steps[Written[dict[str, Any]]]:
    """Teach the org's extractor one message: ``{text, labels}``. Labels name what is right
    for the text (``intent``, your org's own intents included; ``objection`` or
    ``objections``; ``authority``; ``resolves``); a field left out says nothing. The same
    text again corrects its labels (the fields given replace those stored; 201 the first
    time, 200 after). The worker retrains the org's classifier within about a minute; the
    org's messages are read with it from then on, no other org's. See
    ``GET /v1/extraction/model``."""
    principal.require("operator", "teach the extractor")
    given = ExampleRequest.model_validate(data_of(request, fields))
    return (yield from store(principal, given.text, given.labels.stored()))


def from_correction(
    principal: Principal, previous: Mapping[str, Any], value: Any, deleted: bool
) -> Steps[None]:  # fmt: skip
    """A person replaced or deleted a memory the extractor read from a stored message: that
    message, with what the correction says, is an example of the org's. Authority replaced
    says who decides; authority deleted says the message does not say; an objection
    deleted says the message raises no objection of that type."""
    by, message_id, key = previous["extracted_by"], previous["source_message_id"], previous["key"]
    if not str(by).startswith(ACTOR) or principal.actor.startswith(ACTOR):
        return
    labels: dict[str, Any] = {}
    if key == "authority" and deleted:
        labels = {"authority": None}
    elif key == "authority" and isinstance(value, Mapping) and "decision_maker" in value:
        decides = value["decision_maker"]
        labels = {"authority": None if decides is None else
                  {"decision_maker": bool(decides), "title": value.get("title")}}  # fmt: skip
    elif key.startswith("objection.") and deleted and key[10:] in learned.OBJECTIONS:
        labels = {key: False}
    if not labels or message_id is None:
        return
    text = yield Query(
        QUERIES["message_text"], {"org": principal.org_id, "id": str(message_id)}, fetch="scalar"
    )
    if text and text.strip():
        yield from store(principal, text, labels, "memory", str(message_id))


@operation
def model(principal: Principal) -> Steps[dict[str, Any]]:
    """The org's extraction model: whether it has its own (``trained``), when it was
    trained and on how many examples, how many examples changed since (``pending``: the
    worker trains it again within about a minute), and its figures."""
    row = yield Query(QUERIES["model_state"], {"org": principal.org_id})
    version, used, trained_at, _, figures, pending, total = row
    return {
        "trained": version is not None, "version": None if version is None else str(version),
        "examples": total, "trained_on": used, "trained_at": trained_at, "pending": pending,
        "figures": figures or {}, "base_examples": learned.load_base().examples,
    }  # fmt: skip


@atomic_operation
def train(org_id: str, embed: Embed, force: bool = False) -> Steps[dict[str, Any]]:
    """Train the org's model on the base data and its examples, if they changed since it
    was last trained (or ``force``); with no examples left, the org goes back to the base
    model. What was done: ``{"trained": n examples}``, ``{"dropped": true}`` or ``{}``."""
    row = yield Query(QUERIES["model_state"], {"org": org_id})
    version, pending = row[0], row[5]
    rows = yield Query(QUERIES["examples_all"], {"org": org_id}, fetch="all")
    if not rows:
        if version is None:
            return {}
        yield Query(QUERIES["model_drop"], {"org": org_id}, fetch="rowcount")
        return {"dropped": True}
    if version is not None and not pending and not force:
        return {}
    texts = [text for text, _, _ in rows]
    fitted = yield Compute(_fit, (embed, texts, [labels for _, labels, _ in rows]))
    through = max(changed for _, _, changed in rows)
    figures = {"examples": len(rows), "heads": sorted(h.name for h in fitted.heads)}
    yield Query(
        QUERIES["model_save"],
        {"org": org_id, "model": fitted.to_bytes(), "examples": len(rows), "through": through,
         "figures": json_text(figures)},
    )  # fmt: skip
    return {"trained": len(rows)}


def _fit(embed: Embed, texts: list[str], labels: list[dict[str, Any]]) -> learned.Model:
    """The base data and the org's examples, the org's weighed ``ORG_WEIGHT`` times."""
    base = learned.load_base()
    # the shipped model carries its training data
    assert base.grams is not None
    assert base.vectors is not None
    grams = learned.hashed(texts)
    vectors = np.asarray(embed(texts), dtype=np.float32)
    from scipy import sparse

    weights = [1.0] * len(base.labels) + [learned.ORG_WEIGHT] * len(texts)
    every = sparse.vstack([base.grams, grams], format="csr")
    vectors = np.vstack([base.vectors, vectors])
    labels = [*base.labels, *labels]
    # the org's own examples judge its thresholds; heads they say too little of keep the base's
    thresholds = learned.choose_thresholds(
        every, vectors, labels, texts, scored=range(len(base.labels), len(labels)),
        weights=weights, fallback={h.name: h.threshold for h in base.heads if h.sigmoid},
    )  # fmt: skip
    return learned.train(every, vectors, labels, weights, thresholds)


@operation
def orgs_due() -> Steps[list[str]]:
    """The orgs whose model is due (rapport_extraction_due), for the worker's sweep."""
    found = yield Query(QUERIES["orgs_due"], fetch="scalars")
    return [str(org) for org in found]

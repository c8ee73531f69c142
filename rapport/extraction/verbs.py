"""Extraction's verbs: ``r.extraction.teach(...)`` and ``r.extraction.model()``."""

from __future__ import annotations

from typing import Any

from rapport.extraction import examples
from rapport.resources.verbs import Section, verb, writing


class Extraction(Section):
    """What the org teaches its extractor, and the model the worker trains from it.

    >>> r.extraction.teach(text="that's more than we hoped to put in",
    ...                    labels={"intent": "objection", "objection": "price"})
    >>> r.extraction.model()["pending"]
    """

    section = "extraction"

    teach = writing(
        examples.teach, "POST", "/v1/extraction/examples", response=dict[str, Any],
        body="request", summary="Teach the org's extractor one labelled message",
    )  # fmt: skip
    model = verb(
        examples.model, "GET", "/v1/extraction/model", response=dict[str, Any],
        summary="The org's extraction model and what it is trained on",
    )  # fmt: skip

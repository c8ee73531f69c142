"""Retrieval's verb: ``r.search(...)`` (a method of the SDK's root)."""

from __future__ import annotations

from typing import Any

from rapport.memory.memories import contact_of
from rapport.resources.verbs import Section, Settle, verb
from rapport.retrieval import search


class Search(Section):
    tag = "search"

    search = verb(
        search.find, "POST", "/v1/search", response=dict[str, Any], body="*",
        body_name="SearchRequest", settles=Settle("contact", "filter", contact_of),
        examples=search.EXAMPLES,
        summary="Search by meaning and words",
    )  # fmt: skip

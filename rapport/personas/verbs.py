"""Personas' verbs: ``r.contacts.facets()``, ``GET /v1/contacts/facets``."""

from __future__ import annotations

from rapport.personas import facets
from rapport.resources.verbs import Section, Settle, verb


class ContactFacets(Section):
    """Personas (part of ``r.contacts``): contacts counted per facet under any filter.

    >>> r.contacts.facets(filter={"industry": "SaaS", "keyword": "scaling"})
    """

    section = "contacts"

    facets = verb(
        facets.facets, "GET", "/v1/contacts/facets", response=facets.Facets,
        settles=Settle("org"),  # the keyword facet is what enrichment read in the messages
        summary="Contacts counted per industry, size, title, stage, channel and keyword",
    )  # fmt: skip

"""Personas cut by any facet (seed 001): how many contacts have each value of a facet under
any filter, e.g. "VPs of Engineering in SaaS who mentioned scaling"::

    GET /v1/contacts/facets?filter={"job_title": "VP Engineering", "industry": "SaaS",
                                    "keyword": "scaling"}&facets=sales_stage,channel

The filter is the contacts' own (every field of a contact), with ``keyword`` and ``channel``
for one value of ``keywords`` and ``channels``. Facets: ``industry``, ``company_size``,
``job_title``, ``sales_stage`` (of the latest conversation), ``channel`` (any
conversation's) and ``keyword`` (said in any message); each lists its most common values
and how many contacts have none. All of them are counted in one statement over the
contacts table, where migration 0021 keeps stage, channels and keywords; without a filter,
from the counts per value 0021's triggers keep as contacts change (the worker folds them,
``fold``).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field

from rapport import errors
from rapport.conversations.contacts import CONTACTS
from rapport.db import counts, sql
from rapport.db.counts import Counts
from rapport.db.operation import Query, Steps, operation
from rapport.db.sql import Fragment
from rapport.personas import QUERIES
from rapport.resources.fields import Field as Column
from rapport.resources.filters import FilterCompiler
from rapport.resources.params import Filter
from rapport.tenancy.principal import Principal

# facet -> the column it counts, and whether that column is an array.
FACETS: dict[str, tuple[str, bool]] = {
    "industry": ("industry", False),
    "company_size": ("company_size", False),
    "job_title": ("job_title", False),
    "sales_stage": ("sales_stage", False),
    "channel": ("channels", True),
    "keyword": ("keywords", True),
}
FIELDS = {
    **CONTACTS.fields,
    "keyword": Column("keyword", "keywords", "text[]", False),
    "channel": Column("channel", "channels", "text[]", False),
}
_FILTER = FilterCompiler(FIELDS, "contacts")

FacetList = Annotated[
    str | list[str] | None,
    Field(description="Comma-separated, default all: " + ",".join(FACETS),
          examples=["industry,job_title,keyword"]),
]  # fmt: skip


class Count(BaseModel):
    value: str
    count: int


class Facet(BaseModel):
    values: list[Count] = Field(description="Most contacts first")
    missing: int = Field(description="Contacts with no value")


class Facets(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "total": 1840,
        "facets": {
            "sales_stage": {"values": [{"value": "qualification", "count": 1210},
                                       {"value": "closing", "count": 301}], "missing": 12},
            "keyword": {"values": [{"value": "scaling", "count": 420}], "missing": 610},
        },
    }]}}  # fmt: skip

    total: int = Field(description="Contacts that pass the filter")
    facets: dict[str, Facet]


def _names(facets: str | list[str] | None) -> list[str]:
    if facets is None:
        return list(FACETS)
    given = facets.split(",") if isinstance(facets, str) else list(facets)
    names = list(dict.fromkeys(name.strip() for name in given if name.strip()))
    unknown = [name for name in names if name not in FACETS]
    if unknown or not names:
        raise errors.BadRequest(
            f"facets: unknown facet {unknown[0]!r}; choose from {', '.join(FACETS)}"
            if unknown else f"facets: name at least one of {', '.join(FACETS)}",
            field="facets",
        )  # fmt: skip
    return names


def _counts(name: str) -> str:
    """The statement part that counts one facet's values over ``chosen``."""
    column, is_array = FACETS[name]
    if is_array:
        return (
            f"SELECT '{name}' AS facet, x AS value, count(*) AS n FROM chosen "
            f"CROSS JOIN LATERAL unnest(chosen.{column}) AS x GROUP BY x "
            f"UNION ALL SELECT '{name}', NULL, count(*) FROM chosen "
            f"WHERE cardinality(chosen.{column}) = 0"
        )
    return (
        f"SELECT '{name}' AS facet, {column} AS value, count(*) AS n FROM chosen GROUP BY {column}"
    )


@operation
def facets(
    principal: Principal,
    filter: Filter = None,
    facets: FacetList = None,
    size: Annotated[int, Field(ge=1, le=100, description="Values per facet")] = 10,
) -> Steps[dict[str, Any]]:
    """Contacts counted per value of each facet under any filter: personas, e.g.
    ``r.contacts.facets(filter={"industry": "SaaS", "keyword": "scaling"},
    facets="job_title,sales_stage")``."""
    names = _names(facets)
    out = Fragment()
    condition = _FILTER.compile(filter, out)
    if not filter:  # all the org's contacts: from the counts kept as they change
        counting = QUERIES["facets_kept"]
    else:
        counting = sql.fill(
            QUERIES["facets_scanned"],
            columns=", ".join(f"t.{column}" for column in sorted({FACETS[n][0] for n in names})),
            filter=condition,
            counts="\n  UNION ALL ".join(_counts(name) for name in names),
        )
    rows = yield Query(
        sql.fill(QUERIES["facets"], counting=counting),
        {**out.params, "org": principal.org_id, "facets": names, "size": size},
        fetch="all",
    )
    total = 0
    found: dict[str, dict[str, Any]] = {name: {"values": [], "missing": 0} for name in names}
    for facet, value, n, everyone in rows:
        total = int(everyone)
        if facet is None:
            continue
        if value is None:
            found[facet]["missing"] = int(n)
        else:
            found[facet]["values"].append({"value": value, "count": int(n)})
    return {"total": total, "facets": found}


def remember_keywords(org_id: str, messages: list[str]) -> Steps[int]:
    """Enrichment's, after each batch: the keywords of these inbound messages added to their
    contacts' (the ``keyword`` facet); the contacts that gained one."""
    if not messages:
        return 0
    return int(
        (yield Query(QUERIES["keywords_add"], {"org": org_id, "messages": sorted(messages)},
                     fetch="rowcount"))
    )  # fmt: skip


TALLIES = Counts("contact_facet_tallies", ("facet", "value"), ("contacts",))


@operation
def fold(org_id: str) -> Steps[int]:
    """The worker's: the org's facet counts folded into one row per (facet, value)."""
    return int((yield from counts.fold(TALLIES, org_id).steps))

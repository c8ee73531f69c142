"""Analytics over contacts' interaction summaries (seed 003's volume and business metrics).

One aggregation over the summaries table answers "how are our contacts interacting": how many,
how many conversations and messages, satisfaction, the languages they prefer and what they
ask for most. It reads summaries, not messages, so it stays fast as history grows.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from rapport.conversations import QUERIES
from rapport.conversations.summaries import SUMMARIES
from rapport.db import sql
from rapport.db.operation import Query, Steps, operation
from rapport.db.sql import Fragment
from rapport.resources.filters import FilterCompiler
from rapport.resources.params import Filter
from rapport.tenancy.principal import Principal


@operation
def interactions(
    principal: Principal,
    filter: Filter = None,
    top_intents: Annotated[int, Field(ge=1, le=100)] = 20,
) -> Steps[dict[str, Any]]:
    """Totals, satisfaction, languages and top intents over the interaction summaries of
    the contacts the filter matches."""
    filter_spec = filter
    out = Fragment()
    condition = FilterCompiler(SUMMARIES.fields, SUMMARIES.name).compile(filter_spec, out)
    result = yield Query(
        sql.fill(QUERIES["interactions"], condition=condition),
        {**out.params, "org": principal.org_id, "top": top_intents},
        fetch="scalar",
    )
    return dict(result)

"""Analytics over contacts' interaction summaries (seed 003's volume and business metrics).

One aggregation over the summaries table answers "how are our contacts interacting": how many,
how many conversations and messages, satisfaction, the languages they prefer and what they
ask for most. It reads summaries, not messages, so it stays fast as history grows.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from rapport.conversations.summaries import SUMMARIES
from rapport.db.operation import Query, Steps, operation
from rapport.resources.filters import Compiled, FilterCompiler
from rapport.resources.params import Filter
from rapport.tenancy.principal import Principal

_INTERACTIONS = """
WITH base AS (
  SELECT * FROM interaction_summaries AS t WHERE t.org_id = %s AND {condition}
)
SELECT json_build_object(
  'contacts', count(*),
  'conversations', coalesce(sum(total_conversations), 0),
  'messages', coalesce(sum(total_messages), 0),
  'avg_messages_per_contact', coalesce(avg(total_messages), 0),
  'avg_satisfaction',
    sum(avg_satisfaction * satisfaction_samples) / nullif(sum(satisfaction_samples), 0),
  'active_last_7_days', count(*) FILTER (WHERE last_interaction >= now() - interval '7 days'),
  'active_last_30_days', count(*) FILTER (WHERE last_interaction >= now() - interval '30 days'),
  'first_interaction', min(first_interaction),
  'last_interaction', max(last_interaction),
  'languages', (
    SELECT coalesce(json_object_agg(preferred_language, n ORDER BY n DESC), '{{}}')
    FROM (SELECT preferred_language, count(*) AS n FROM base
          WHERE preferred_language IS NOT NULL GROUP BY 1) AS l),
  'top_intents', (
    SELECT coalesce(json_object_agg(key, total ORDER BY total DESC), '{{}}')
    FROM (SELECT key, sum(value::numeric) AS total FROM base, jsonb_each_text(common_intents)
          GROUP BY key ORDER BY total DESC LIMIT %s) AS i)
)
FROM base
"""


@operation
def interactions(
    principal: Principal,
    filter: Filter = None,
    top_intents: Annotated[int, Field(ge=1, le=100)] = 20,
) -> Steps[dict[str, Any]]:
    """Totals, satisfaction, languages and top intents over the interaction summaries of
    the contacts the filter matches."""
    filter_spec = filter
    out = Compiled()
    condition = FilterCompiler(SUMMARIES.fields, SUMMARIES.name).compile(filter_spec, out)
    result = yield Query(
        _INTERACTIONS.format(condition=condition),
        [principal.org_id, *out.params, top_intents],
        fetch="scalar",
    )
    return dict(result)

"""Term statistics: in how many of an org's rows each word occurs, for the keyword ranker.

BM25 weighs a word by how rare it is in the collection, and the org-wide ranker uses the
same counts to bound its work: a rare word brings its matches as candidates, a common one
only scores them (``queries.sql``: keyword_sampled). Counting every word of a million
messages takes seconds, so it is not done per search but here, by the worker, for each org
whose statistics are due (``refresh``: never counted, counted a day ago, or the number of
rows moved by ``DRIFT`` since), in the table ``search_terms`` (migration 0014).
"""

from __future__ import annotations

import datetime
from typing import Any

from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation
from rapport.retrieval import QUERIES

TABLES = ("messages", "memories", "knowledge_chunks")
# Words in fewer rows are not kept. The ranker treats an unknown word as rare, fetches
# every one of its matches (up to bm25.PER_TERM, more than this) and counts it among
# them, so nothing is lost; and a name or an address said a few times is not copied.
MIN_DF = 20
DRIFT = 0.01  # recount once the rows moved by 1%: new words weigh right within the hour
MAX_AGE = datetime.timedelta(days=1)  # and daily, for edits that keep the count


def due(counted_at: datetime.datetime | None, counted: int | None, now_rows: int) -> bool:
    """Whether statistics counted at ``counted_at`` over ``counted`` rows are stale."""
    if counted_at is None or counted is None:
        return now_rows > 0
    if datetime.datetime.now(datetime.UTC) - counted_at > MAX_AGE:
        return True
    return abs(now_rows - counted) > DRIFT * max(counted, 1)


@atomic_operation
def refresh(org_id: str, force: bool = False) -> Steps[dict[str, Any]]:
    """Count the org's term statistics of each table that is due (every table if ``force``):
    ``{table: {"rows": n, "lexemes": n}}`` for those counted."""
    counted: dict[str, Any] = {}
    for table in TABLES:
        params = {"org": org_id, "min_df": MIN_DF}
        if not force:
            last = yield Query(sql.fill(QUERIES["terms_counted"], table=table), params)
            if not due(*last):
                continue
        rows, lexemes = yield Query(sql.fill(QUERIES["count_terms"], table=table), params)
        counted[table] = {"rows": rows, "lexemes": lexemes}
    return counted

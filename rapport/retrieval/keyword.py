"""Full-text search over messages (``GET /v1/messages/search``), ranked by the one keyword
ranker POST /v1/search uses too (``search.ranker``: BM25 over PostgreSQL's tsvectors).

The words match as web-search syntax: words, "quoted phrases", ``or``, ``-excluded``
(``websearch_to_tsquery``, English stemming). Within a contact or conversation every match
is ranked; org-wide, a bounded set of them (``bm25``: a rare word's matches, a common word's
recent ones), so a common word costs the same at 1,000 messages or 1M.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from rapport import errors
from rapport.conversations.messages import MESSAGES
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation
from rapport.db.sql import Fragment
from rapport.resources import paging
from rapport.resources.filters import FilterCompiler
from rapport.resources.params import Filter, Limit
from rapport.retrieval import QUERIES, bm25
from rapport.retrieval.search import SELECTIVE, settings
from rapport.tenancy.principal import Principal


@atomic_operation  # one transaction, so that search.settings hold for the ranker
def search(
    principal: Principal,
    q: Annotated[str, Field(min_length=1, description='Words, "phrases", or, -excluded')],
    filter: Filter = None,
    limit: Limit = None,
) -> Steps[dict[str, Any]]:
    """Full-text search over message content (PostgreSQL FTS, English stemming), ranked.

    ``q`` takes web-search syntax: words, "quoted phrases", ``or``, ``-excluded``.
    Each item is the message plus ``rank`` and a ``snippet`` with matches in <b></b>.
    """
    if not q or not q.strip():
        raise errors.BadRequest("q: give some words to search for", field="q")
    size = paging.check_limit(limit)
    tsquery, lexemes = yield Query(QUERIES["websearch_terms"], {"text": q})
    if not tsquery:  # only stop words
        return {"items": []}
    yield from settings()
    out = Fragment()
    condition = FilterCompiler(MESSAGES.fields, MESSAGES.name).compile(filter, out)
    exact = isinstance(filter, dict) and any(key in filter for key in SELECTIVE)
    statement = sql.fill(
        QUERIES["message_search"],
        ranker=bm25.ranker("messages", condition, exact),
        json=MESSAGES.json_sql,
    )
    rows = yield Query(
        statement,
        {**out.params, **bm25.params(exact, size), "org": principal.org_id,
         "tsquery": tsquery, "lexemes": list(lexemes)},
        fetch="all",
    )  # fmt: skip
    items = [{**doc, "rank": float(rank), "snippet": snippet} for doc, rank, snippet in rows]
    return {"items": items}

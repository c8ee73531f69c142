"""The one keyword ranker: BM25 over PostgreSQL's tsvectors, after one of two candidate sets.

``POST /v1/search`` (keyword and hybrid modes) and ``GET /v1/messages/search`` rank with it.
Which candidates it scores depends on the scope (``queries.sql`` has both):

- within one contact or conversation (``exact``): every match, up to ``EVERY_MATCH``, found
  through the filter's index; frequencies are counted among them;
- org-wide: a bounded set, so the cost does not grow with the number of matches. Each word
  in at most ``RARE`` of the org's rows (by its term statistics, ``terms``) brings up to
  ``PER_TERM`` of its matches through the GIN index; the commoner words, which match a large
  share of the org, bring their matches among the newest ``WINDOW`` rows and score every
  candidate. A search made only of common words therefore ranks recent matches; the
  semantic half of a hybrid search finds older ones by meaning.

At 1M messages (bench/memory.py's corpus, whose 375 words are all common there) the
statement took 2.6 ms p50 and 3.8 ms p95 with a window of 1,000 rows (about twice that with
2,000), whatever the words: README, "How fast".
"""

from __future__ import annotations

from typing import Any

from rapport.db import sql
from rapport.retrieval import QUERIES

EVERY_MATCH = 5000  # within one contact or conversation: every match, up to this
RARE = 2000  # a word in at most this many of the org's rows brings its matches
PER_TERM = 100  # ... up to this many of them (more than terms.MIN_DF: see there)
WINDOW = 1000  # the common words' matches come from the org's newest rows, this many


def ranker(table: str, condition: str, exact: bool) -> str:
    """The ranker's CTEs over ``table`` (the last one "keyword": id, rank)."""
    candidates = sql.fill(
        QUERIES["keyword_everything" if exact else "keyword_sampled"],
        table=table, condition=condition,
    )  # fmt: skip
    return sql.fill(QUERIES["keyword_ranker"], candidates=candidates)


def params(exact: bool, n: int) -> dict[str, Any]:
    """The ranker's bounds as statement parameters (besides the org, words and filter)."""
    if exact:
        return {"cap": max(EVERY_MATCH, n), "n": n}
    return {"rare": RARE, "per_term": max(PER_TERM, n), "window": max(WINDOW, n), "n": n}

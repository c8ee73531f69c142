"""Search over messages, memories and knowledge, by words, by meaning, or both.

Each scope is searched by one SQL statement that runs its retrievers and fuses them:
- keyword: PostgreSQL full-text search. The query's words are OR-ed (English stemming and
  stop words), so a question finds turns that share some of its words, ranked by BM25
  (``_BM25`` below: within a contact or conversation over every match, org-wide over the
  most recent 500);
- semantic: cosine distance to the query's all-MiniLM-L6-v2 embedding through the HNSW index,
  or exactly over the filtered rows when the filter names a contact or conversation (a few
  thousand rows at most, where exact is both faster and complete);
- hybrid: both, fused by reciprocal rank fusion (score = sum of 1 / (60 + rank)).

Filters apply inside each retriever's statement, so a filtered search returns k results when
k rows match. If the HNSW scan comes back short (the filter removed most of what the index
walked), the scope is searched again exactly. The filter is the Mongo-style language of the
nine operations over each scope's fields, plus: ``time`` (a message's timestamp, a memory's
valid_from, a document's created_at), ``agent`` (a message's agent_type, a memory's agent by
name), and for messages their conversation's ``channel``, ``status``, ``sales_stage``,
``current_agent`` and ``metadata.*``. A scope lacking a field the filter names cannot match
it and returns nothing; a field no requested scope has is a 400.
Memories are searched as they are now; ``as_of`` searches them as they were then.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.conversations.conversations import CONVERSATIONS
from rapport.conversations.messages import MESSAGES
from rapport.db.operation import Compute, Query, Steps, atomic_operation, operation
from rapport.memory import memories
from rapport.memory.enricher import Runtime
from rapport.memory.knowledge import KNOWLEDGE
from rapport.resources.filters import Compiled, FilterCompiler
from rapport.resources.params import Filter
from rapport.retrieval.embeddings import vector_text
from rapport.tenancy.principal import Principal

Scope = Literal["messages", "memories", "knowledge"]
Mode = Literal["hybrid", "semantic", "keyword"]
RRF_K = 60
SELECTIVE = ("contact_id", "conversation_id")
ALL_SCOPES: tuple[Scope, ...] = ("messages", "memories", "knowledge")


EXAMPLES: list[Any] = [
    {
        "query": "what budget did they mention?",
        "scope": ["messages", "memories"],
        "filter": {"contact_id": "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"},
        "k": 10,
        "mode": "hybrid",
    }
]


class SearchRequest(BaseModel):
    """What one search asks (``find`` builds it from the verb's arguments)."""

    model_config = ConfigDict(extra="forbid")

    query: Annotated[str, Field(min_length=1, max_length=2000)]
    scope: Annotated[list[Scope], Field(min_length=1)] = Field(
        default_factory=lambda: list(ALL_SCOPES)
    )
    filter: dict[str, Any] = Field(default_factory=dict)
    k: int = Field(default=10, ge=1, le=100)
    mode: Mode = "hybrid"
    as_of: str | None = Field(default=None, description="Memories as they were at this time.")


@dataclass(frozen=True)
class Target:
    """How one scope is stored and filtered."""

    type: str
    table: str
    json_sql: str
    condition: Callable[[dict[str, Any], Compiled, str], str | None]


_CONVERSATION_KEYS = ("channel", "status", "sales_stage", "current_agent", "metadata")


def _split(spec: dict[str, Any], own: set[str], renames: dict[str, str]) -> tuple[
    dict[str, Any], dict[str, Any], list[str]
]:  # fmt: skip
    """(this scope's own filter, filter on its parent, keys it does not have)."""
    mine: dict[str, Any] = {}
    parent: dict[str, Any] = {}
    missing = []
    for key, condition in spec.items():
        name = renames.get(key, key)
        head = name.split(".")[0]
        if key.startswith("$") or head in own:
            mine[name] = condition
        elif head in _CONVERSATION_KEYS and "conversation_id" in own:
            parent[name] = condition
        else:
            missing.append(key)
    return mine, parent, missing


def _messages(spec: dict[str, Any], out: Compiled, org: str) -> str | None:
    mine, parent, missing = _split(spec, set(MESSAGES.fields) | {"context"},
                                   {"time": "timestamp", "agent": "agent_type"})  # fmt: skip
    if missing:
        return None
    sql = FilterCompiler(MESSAGES.fields, "messages").compile(mine, out)
    if parent:
        out.params.append(org)
        inner = FilterCompiler(CONVERSATIONS.fields, "conversations").compile(parent, out)
        sql += (
            " AND t.conversation_id IN (SELECT t.id FROM conversations AS t"
            f" WHERE t.org_id = %s AND {inner})"
        )
    return sql


def _memories(spec: dict[str, Any], out: Compiled, org: str) -> str | None:
    agent = spec.get("agent")
    rest = {k: v for k, v in spec.items() if k != "agent"}
    mine, _parent, missing = _split(rest, set(memories.MEMORIES.fields), {"time": "valid_from"})
    if missing or _parent:
        return None
    sql = FilterCompiler(memories.MEMORIES.fields, "memories").compile(mine, out)
    if agent is not None:
        out.params.extend([org, agent])
        sql += " AND t.agent_id IN (SELECT id FROM agents WHERE org_id = %s AND name = %s)"
    return sql


def _knowledge(spec: dict[str, Any], out: Compiled, org: str) -> str | None:
    mine, _parent, missing = _split(spec, set(KNOWLEDGE.fields), {"time": "created_at"})
    if missing or _parent:
        return None
    if not mine:
        return "TRUE"
    out.params.append(org)
    inner = FilterCompiler(KNOWLEDGE.fields, "knowledge").compile(mine, out)
    return (
        "t.document_id IN (SELECT t.id FROM knowledge_documents AS t"
        f" WHERE t.org_id = %s AND {inner})"
    )


_CHUNK_JSON = """json_build_object('id', t.id, 'document_id', t.document_id,
  'position', t.position, 'text', t.text,
  'title', (SELECT d.title FROM knowledge_documents AS d
            WHERE d.org_id = t.org_id AND d.id = t.document_id),
  'source', (SELECT d.source FROM knowledge_documents AS d
             WHERE d.org_id = t.org_id AND d.id = t.document_id))"""

TARGETS: dict[str, Target] = {
    "messages": Target("message", "messages", MESSAGES.json_sql, _messages),
    "memories": Target("memory", "memories", memories.MEMORIES.json_sql, _memories),
    "knowledge": Target("knowledge", "knowledge_chunks", _CHUNK_JSON, _knowledge),
}
_TEXT = {"message": "content", "memory": "text", "knowledge": "text"}

_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)?", re.UNICODE)


def or_query(text: str) -> str:
    """``to_tsquery`` input that matches any of the words of ``text`` (at most 32)."""
    words = []
    for word in _WORD.findall(text.lower()):
        cleaned = word.replace("'", "")
        if cleaned and cleaned not in words:
            words.append(cleaned)
    return " | ".join(words[:32])


# BM25 (k1 = 1.2, b = 0.75) over PostgreSQL's own tsvectors: the query's lexemes (English
# stemming, stop words dropped) OR-ed; term frequencies read from each candidate's positions;
# document frequencies counted among the candidates, so a word in nearly every candidate
# (a speaker's name, the product's name) weighs almost nothing. Scoring reads every
# candidate's tsvector, so the candidates are bounded: within one contact or conversation,
# every match up to KEYWORD_CANDIDATES; org-wide, the ORG_WIDE_CANDIDATES most recent
# matches (an OR of a question's words matches ~10% of a large org's messages; ranking them
# all costs ~75 ms at 100k messages). Older history is still found by the semantic half.
_BM25 = """matching AS (
  SELECT t.id, t.search, length(t.search)::float8 AS dl
  FROM {table} AS t
  WHERE t.org_id = %s AND t.search @@ %s::tsquery AND {condition}
  {order} LIMIT %s),
term_hits AS (
  SELECT m.id, m.dl, u.lexeme, coalesce(cardinality(u.positions), 1)::float8 AS tf
  FROM matching AS m, unnest(m.search) AS u
  WHERE u.lexeme = ANY(%s::text[])),
collection AS (SELECT count(*)::float8 AS n, greatest(avg(dl), 1) AS avgdl FROM matching),
frequency AS (SELECT lexeme, count(*)::float8 AS df FROM term_hits GROUP BY lexeme),
keyword AS (
  SELECT h.id, row_number() OVER (ORDER BY sum(
           ln(1 + (c.n - f.df + 0.5) / (f.df + 0.5))
           * h.tf * 2.2 / (h.tf + 1.2 * (0.25 + 0.75 * h.dl / c.avgdl))) DESC, h.id) AS rank
  FROM term_hits AS h JOIN frequency AS f USING (lexeme), collection AS c
  GROUP BY h.id
  ORDER BY rank LIMIT %s)"""
KEYWORD_CANDIDATES = 5000

# The query's lexemes, read once per search and sent back as a constant, so the planner
# sees the tsquery and estimates how many rows match: for a common word it walks the newest
# rows and stops at the cap instead of collecting every match first.
_TERMS = """
SELECT coalesce(string_agg(quote_literal(lexeme), ' | '), ''), coalesce(array_agg(lexeme), '{}')
FROM unnest(to_tsvector('english', %s))
"""
ORG_WIDE_CANDIDATES = 500


def _statement(target: Target, condition: str, mode: Mode, exact: bool) -> str:
    """One scope's retrieval and fusion: (id, keyword rank, semantic rank, similarity,
    fused score, document) for its best ``n`` candidates, best first, top ``k`` only."""
    parts = []
    if mode in ("hybrid", "keyword"):
        order = "" if exact else "ORDER BY t.id DESC"  # ids are UUIDv7: newest first
        parts.append(_BM25.format(table=target.table, condition=condition, order=order))
    if mode in ("hybrid", "semantic"):
        order = "(t.embedding <=> %s::vector) + 0" if exact else "t.embedding <=> %s::vector"
        parts.append(f"""nearest AS (
  SELECT t.id, t.embedding <=> %s::vector AS distance FROM {target.table} AS t
  WHERE t.org_id = %s AND t.embedding IS NOT NULL AND {condition}
  ORDER BY {order} LIMIT %s),
semantic AS (
  SELECT id, distance, row_number() OVER (ORDER BY distance, id) AS rank FROM nearest)""")
    if mode == "hybrid":
        hits = """SELECT coalesce(k.id, s.id) AS id, k.rank AS keyword_rank,
    s.rank AS semantic_rank, 1 - s.distance AS similarity,
    coalesce(1.0 / (%s + k.rank), 0) + coalesce(1.0 / (%s + s.rank), 0) AS score
  FROM keyword AS k FULL JOIN semantic AS s ON k.id = s.id"""
        found = "(SELECT count(*) FROM semantic)"
    elif mode == "semantic":
        hits = """SELECT id, NULL::bigint AS keyword_rank, rank AS semantic_rank,
    1 - distance AS similarity, 1 - distance AS score FROM semantic"""
        found = "(SELECT count(*) FROM semantic)"
    else:
        hits = """SELECT id, rank AS keyword_rank, NULL::bigint AS semantic_rank,
    NULL::float8 AS similarity, 1.0 / rank AS score FROM keyword"""
        found = "NULL::bigint"
    return f"""WITH {",".join(parts)},
hits AS ({hits} ORDER BY score DESC, id LIMIT %s)
SELECT h.id, h.keyword_rank, h.semantic_rank, h.similarity, h.score, {found},
       {target.json_sql}
FROM hits AS h JOIN {target.table} AS t ON t.org_id = %s AND t.id = h.id
ORDER BY h.score DESC, h.id"""


def _params(
    mode: Mode,
    terms: tuple[str, list[str]],
    vector: str | None,
    org: str,
    condition: list[Any],
    n: int,
    k: int,
    exact: bool,
) -> list[Any]:
    params: list[Any] = []
    if mode in ("hybrid", "keyword"):
        cap = KEYWORD_CANDIDATES if exact else ORG_WIDE_CANDIDATES
        params += [org, terms[0], *condition, cap, terms[1], n]
    if mode in ("hybrid", "semantic"):
        params += [vector, org, *condition, vector, n]
    if mode == "hybrid":
        params += [RRF_K, RRF_K]
    return [*params, k, org]


def _candidates(k: int) -> int:
    return min(max(4 * k, 40), 400)


Query_ = Annotated[str, Field(min_length=1, max_length=2000, description="What to look for")]
Scopes = Annotated[
    list[Scope] | None, Field(min_length=1, description="Default: messages, memories, knowledge")
]
K = Annotated[int, Field(ge=1, le=100, description="How many results")]
Moment = Annotated[str | None, Field(description="Memories as they were at this time")]


@operation
def find(
    principal: Principal,
    query: Query_,
    scope: Scopes = None,
    filter: Filter = None,
    k: K = 10,
    mode: Mode = "hybrid",
    as_of: Moment = None,
    *,
    runtime: Runtime | None = None,
) -> Steps[dict[str, Any]]:
    """Search messages, memories and knowledge by meaning and words. Ranked ``results``:
    each has ``id`` (a message's id for messages), ``type``, ``score``,
    ``text``/``content``, the ``retrievers`` that found it and the whole record. A search
    within one contact first reads that contact's pending messages."""
    request = SearchRequest.model_construct(
        query=query, scope=list(scope or ALL_SCOPES), filter=dict(filter or {}), k=k,
        mode=mode, as_of=as_of,
    )  # fmt: skip
    vector = None
    if mode != "keyword":
        assert runtime is not None  # the dispatcher supplies it
        vector = yield Compute(runtime.embed_query, (query,))
    return (yield from search(principal, request, vector).steps)


@atomic_operation
def search(
    principal: Principal, request: SearchRequest, query_vector: list[float] | None
) -> Steps[dict[str, Any]]:
    """Ranked results across the requested scopes: ``{"results": [...]}``."""
    if request.mode != "keyword" and query_vector is None:
        raise errors.BadRequest("mode: semantic search needs the query's embedding")
    mode: Mode = request.mode
    if not _WORD.search(request.query):
        if mode == "keyword":
            raise errors.BadRequest("query: no words to search for", field="query")
        if mode == "hybrid":
            mode = "semantic"
    terms: tuple[str, list[str]] = ("", [])
    if mode != "semantic":
        tsquery_text, lexemes = yield Query(_TERMS, [request.query], fetch="one")
        terms = (tsquery_text, list(lexemes))
        if not lexemes:  # only stop words: nothing for full-text search to match
            if mode == "keyword":
                return {"results": [], "mode": mode}
            mode = "semantic"
    vector = vector_text(query_vector) if query_vector is not None else None
    n, k = _candidates(request.k), request.k
    if mode != "keyword":
        yield Query(f"SET LOCAL hnsw.ef_search = {max(n, 40)}", fetch="rowcount")
    exact = any(key in request.filter for key in SELECTIVE)
    found: list[tuple[float, dict[str, Any]]] = []
    unknown: set[str] | None = None
    for scope in dict.fromkeys(request.scope):
        target = TARGETS[scope]
        spec = request.filter
        out = Compiled()
        if scope == "memories" and _memories(spec, Compiled(), principal.org_id) is None:
            condition = None  # a field memories lack, seen before as_of wraps the filter
        else:
            if scope == "memories":
                spec = _memory_filter(spec, request.as_of)
            condition = target.condition(spec, out, principal.org_id)
        if condition is None:
            missing = _missing_keys(scope, request.filter)
            unknown = missing if unknown is None else unknown & missing
            continue
        unknown = set()
        rows = yield from _run(target, condition, mode, terms, vector, principal.org_id,
                               out.params, n, k, exact)  # fmt: skip
        found.extend(_result(target, mode, row) for row in rows)
    if unknown:
        name = sorted(unknown)[0]
        raise errors.BadRequest(
            f"filter: no scope in {list(request.scope)} has a field {name!r}", field=name
        )
    found.sort(key=lambda pair: -pair[0])
    return {"results": [result for _, result in found[:k]], "mode": mode}


def _memory_filter(spec: dict[str, Any], as_of: str | None) -> dict[str, Any]:
    """The filter narrowed to the memories valid now or at ``as_of``; ``agent`` stays at the
    top, where ``_memories`` reads it."""
    rest = {k: v for k, v in spec.items() if k != "agent"}
    scoped = memories.scoped(rest or None, as_of)
    agent = {"agent": spec["agent"]} if "agent" in spec else {}
    return {**agent, **scoped} if isinstance(scoped, dict) else agent


def _missing_keys(scope: str, spec: dict[str, Any]) -> set[str]:
    out = Compiled()
    missing = set()
    for key, condition in spec.items():
        if TARGETS[scope].condition({key: condition}, out, "") is None:
            missing.add(key)
    return missing


def _run(
    target: Target,
    condition: str,
    mode: Mode,
    terms: tuple[str, list[str]],
    vector: str | None,
    org: str,
    condition_params: list[Any],
    n: int,
    k: int,
    exact: bool,
) -> Steps[list[Any]]:
    params = _params(mode, terms, vector, org, condition_params, n, k, exact)
    rows: list[Any] = yield Query(_statement(target, condition, mode, exact), params, fetch="all")
    walked = rows[0][5] if rows else 0
    if mode != "keyword" and not exact and (walked or 0) < n:
        # The index walk came back short: filters removed what it found. Search exactly.
        params = _params(mode, terms, vector, org, condition_params, n, k, True)
        rows = yield Query(_statement(target, condition, mode, True), params, fetch="all")
    return rows


def _result(target: Target, mode: Mode, row: Any) -> tuple[float, dict[str, Any]]:
    key, keyword_rank, semantic_rank, similarity, score, _walked, doc = row
    retrievers = [name for name, rank in (("keyword", keyword_rank), ("semantic", semantic_rank))
                  if rank is not None]  # fmt: skip
    text = doc.get(_TEXT[target.type])
    result = {
        "id": str(key),
        "type": target.type,
        "score": float(score),
        "text": text,
        "content": text,
        "retrievers": retrievers,
        "ranks": {"keyword": keyword_rank, "semantic": semantic_rank},
        "similarity": similarity,
        target.type: doc,
    }
    return float(score), result

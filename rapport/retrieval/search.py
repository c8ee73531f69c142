"""Search over messages, memories and knowledge, by words, by meaning, or both.

Each scope is searched by one SQL statement that runs its retrievers and fuses them:
- keyword: PostgreSQL full-text search. The query's words are OR-ed (English stemming and
  stop words), so a question finds turns that share some of its words, ranked by BM25
  (``bm25``: within a contact or conversation over every match, org-wide over a bounded
  set: the rare words' matches and the common words' recent ones);
- semantic: cosine distance to the query's all-MiniLM-L6-v2 embedding through the HNSW index,
  or exactly over the filtered rows when the filter names a contact or conversation (a few
  thousand rows at most, where exact is both faster and complete);
- hybrid: both, fused by their scores (each list's min-max normalised, weighted 0.6 and
  0.4), then each of the best 2k results lifts the messages just before and after it in its
  conversation by half its score (``KEYWORD_WEIGHT`` and ``NEIGHBOUR_LIFT`` say why).

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
from rapport.db import sql
from rapport.db.operation import Compute, Query, Steps, atomic_operation
from rapport.db.sql import Fragment
from rapport.memory import memories
from rapport.memory.enricher import Runtime
from rapport.memory.knowledge import KNOWLEDGE
from rapport.resources.filters import FilterCompiler
from rapport.resources.params import Filter
from rapport.retrieval import QUERIES, bm25
from rapport.retrieval.embeddings import vector_text
from rapport.tenancy.principal import Principal

Scope = Literal["messages", "memories", "knowledge"]
Mode = Literal["hybrid", "semantic", "keyword"]
# Hybrid fusion, measured on LoCoMo's dev split (bench/retrieval.py; 997 questions,
# recall@10 of the evidence turns) and tuned on its first five conversations only, then
# checked on the other five (figures: tuning half / held-out half / all):
# - plain RRF (k 60, equal weights): 60.1 % overall, below keyword search alone (63.1 %):
#   the MiniLM dense list is the weaker one (47.3 %) and its misses pushed keyword hits out;
# - weighted RRF (k 5, weights 1 and 0.5), last session's: 65.6 / 67.1 / 66.6 %;
# - scores instead of ranks: each list min-max normalised (a strong BM25 match stays far
#   above a weak one, which ranks cannot say), keyword weighing 0.6: 69.1 % overall;
# - and a result's neighbours in its conversation lifted by half its score: 77.4 / 74.5 /
#   75.4 % (recall@5 64.9 %). In a conversation the answer is the turn after the question
#   ("what's your budget?" / "about 5k"), which shares neither its words nor its meaning;
#   LoCoMo's evidence is so too. Only the best 2k results lift (more adds nothing measured).
KEYWORD_WEIGHT = 0.6
SEMANTIC_WEIGHT = 0.4
NEIGHBOUR_LIFT = 0.5
LIFTERS = 2  # per result asked for: the best 2k lift their neighbours (0: none do)
# How far the HNSW walk looks (pgvector's default is 40). Recall@10 against an exact scan at
# 1M messages (bench/memory.py's templated corpus, 200 questions, 2026-12-07), the index as
# enrichment builds it (m 16, ef_construction 64): 0.705 at 40, 0.725 at 100, 0.765 at 200,
# 0.799 at 400, the walk 1.2 / 1.7 ms p50 / p95 at 100; at 100k 0.864 / 0.905 / 0.905 / 0.956.
# On the 100k distinct vectors alone, m 32 / ef_construction 256 reaches 0.947 at 400 (walk
# p95 4.5 ms): the graph, not the walk, is what is missing; see issue 11's closing note.
EF_SEARCH = 100
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
    condition: Callable[[dict[str, Any], Fragment, str], str | None]


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


def _messages(spec: dict[str, Any], out: Fragment, org: str) -> str | None:
    mine, parent, missing = _split(spec, set(MESSAGES.fields) | {"context"},
                                   {"time": "timestamp", "agent": "agent_type"})  # fmt: skip
    if missing:
        return None
    condition = FilterCompiler(MESSAGES.fields, "messages").compile(mine, out)
    if parent:
        inner = FilterCompiler(CONVERSATIONS.fields, "conversations").compile(parent, out)
        condition += (
            " AND t.conversation_id IN (SELECT t.id FROM conversations AS t"
            f" WHERE t.org_id = %(org)s AND {inner})"
        )
    return condition


def _memories(spec: dict[str, Any], out: Fragment, org: str) -> str | None:
    agent = spec.get("agent")
    rest = {k: v for k, v in spec.items() if k != "agent"}
    mine, _parent, missing = _split(rest, set(memories.MEMORIES.fields), {"time": "valid_from"})
    if missing or _parent:
        return None
    condition = FilterCompiler(memories.MEMORIES.fields, "memories").compile(mine, out)
    if agent is not None:
        name = out.param(agent)
        condition += (
            f" AND t.agent_id IN (SELECT id FROM agents WHERE org_id = %(org)s AND name = {name})"
        )
    return condition


def _knowledge(spec: dict[str, Any], out: Fragment, org: str) -> str | None:
    mine, _parent, missing = _split(spec, set(KNOWLEDGE.fields), {"time": "created_at"})
    if missing or _parent:
        return None
    if not mine:
        return "TRUE"
    inner = FilterCompiler(KNOWLEDGE.fields, "knowledge").compile(mine, out)
    return (
        "t.document_id IN (SELECT t.id FROM knowledge_documents AS t"
        f" WHERE t.org_id = %(org)s AND {inner})"
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


def _statement(target: Target, condition: str, mode: Mode, exact: bool) -> str:
    """One scope's retrieval and fusion: (id, keyword rank, semantic rank, similarity,
    fused score, the result it neighbours, index rows walked, document) for its best ``n``
    candidates, top ``k``."""
    parts = []
    if mode in ("hybrid", "keyword"):
        parts.append(bm25.ranker(target.table, condition, exact))
    if mode in ("hybrid", "semantic"):
        order = (
            "(t.embedding <=> %(vector)s::vector) + 0"
            if exact
            else "t.embedding <=> %(vector)s::vector"
        )
        parts.append(sql.fill(QUERIES["semantic_retriever"], table=target.table,
                              condition=condition, order=order))  # fmt: skip
    walked = "NULL::bigint" if mode == "keyword" else "(SELECT count(*) FROM semantic)"
    fusion = ""
    if mode == "hybrid":  # only messages have neighbours (the turns around one)
        neighbours = QUERIES["neighbours_none"]
        if target.table == "messages":
            neighbours = sql.fill(QUERIES["neighbours_messages"], condition=condition)
        fusion = sql.fill(QUERIES["fusion"], neighbours=neighbours)
    return sql.fill(
        QUERIES["fused"], retrievers=",".join(parts), fusion=fusion,
        hits=QUERIES[f"hits_{mode}"], walked=walked, json=target.json_sql, table=target.table,
    )  # fmt: skip


def _params(
    terms: tuple[str, list[str]],
    vector: str | None,
    org: str,
    condition: dict[str, Any],
    n: int,
    k: int,
    exact: bool,
) -> dict[str, Any]:
    return {
        **condition, **bm25.params(exact, n), "org": org, "tsquery": terms[0],
        "lexemes": terms[1], "vector": vector, "k": k, "wk": KEYWORD_WEIGHT,
        "ws": SEMANTIC_WEIGHT, "lift": LIFTERS * k, "beta": NEIGHBOUR_LIFT,
    }  # fmt: skip


def _candidates(k: int) -> int:
    return min(max(4 * k, 40), 400)


Query_ = Annotated[str, Field(min_length=1, max_length=2000, description="What to look for")]
Scopes = Annotated[
    list[Scope] | None, Field(min_length=1, description="Default: messages, memories, knowledge")
]
K = Annotated[int, Field(ge=1, le=100, description="How many results")]
Moment = Annotated[str | None, Field(description="Memories as they were at this time")]


@atomic_operation  # one transaction, so that search_settings hold for the search
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
    ``text``/``content``, the ``retrievers`` that found it, why it matched (``matched_terms``:
    the query's words it contains, stemmed; ``why``: those, its similarity in meaning, and
    the match it is the neighbour of) and the whole record. A search
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


def settings(n: int = 0) -> Steps[None]:
    """For the rest of the transaction: plans for this search's values, and the HNSW walk
    long enough for ``n`` candidates (at least EF_SEARCH). Outside a transaction they would
    end with their own statement, so the verbs that search are atomic."""
    yield Query(QUERIES["search_settings"], {"ef_search": str(max(n, EF_SEARCH))},
                fetch="rowcount")  # fmt: skip


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
        tsquery_text, lexemes = yield Query(QUERIES["search_terms"], {"text": request.query})
        terms = (tsquery_text, list(lexemes))
        if not lexemes:  # only stop words: nothing for full-text search to match
            if mode == "keyword":
                return {"results": [], "mode": mode}
            mode = "semantic"
    vector = vector_text(query_vector) if query_vector is not None else None
    n, k = _candidates(request.k), request.k
    yield from settings(n)
    exact = any(key in request.filter for key in SELECTIVE)
    found: list[tuple[float, dict[str, Any]]] = []
    unknown: set[str] | None = None
    for scope in dict.fromkeys(request.scope):
        target = TARGETS[scope]
        spec = request.filter
        out = Fragment()
        if scope == "memories" and _memories(spec, Fragment(), principal.org_id) is None:
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
    out = Fragment()
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
    condition_params: dict[str, Any],
    n: int,
    k: int,
    exact: bool,
) -> Steps[list[Any]]:
    params = _params(terms, vector, org, condition_params, n, k, exact)
    statement = _statement(target, condition, mode, exact)
    rows: list[Any] = yield Query(statement, params, fetch="all")
    walked = rows[0][6] if rows else 0
    if mode != "keyword" and not exact and (walked or 0) < n:
        # The index walk came back short: filters removed what it found. Search exactly.
        params = _params(terms, vector, org, condition_params, n, k, True)
        rows = yield Query(_statement(target, condition, mode, True), params, fetch="all")
    return rows


def _result(target: Target, mode: Mode, row: Any) -> tuple[float, dict[str, Any]]:
    key, keyword_rank, semantic_rank, similarity, score, context_of, _walked, words, doc = row
    retrievers = [name for name, rank in (("keyword", keyword_rank), ("semantic", semantic_rank))
                  if rank is not None]  # fmt: skip
    if context_of is not None:
        retrievers.append("context")
    text = doc.get(_TEXT[target.type])
    why = []
    if words:
        why.append("words " + ", ".join(words))
    if semantic_rank is not None and similarity is not None:
        why.append(f"meaning {similarity:.2f} similar")
    if context_of is not None:
        why.append(f"next to {context_of}, a match")
    result = {
        "id": str(key),
        "type": target.type,
        "score": float(score),
        "text": text,
        "content": text,
        "retrievers": retrievers,
        "ranks": {"keyword": keyword_rank, "semantic": semantic_rank},
        "similarity": similarity,
        "context_of": None if context_of is None else str(context_of),
        "matched_terms": list(words or []),
        "why": "; ".join(why),
        target.type: doc,
    }
    return float(score), result

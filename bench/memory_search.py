"""Section 2 of the memory bench: ``r.search`` latency at scale, beside raw pgvector and FTS.

On ``memory_corpus``'s organization, each case (a mode, org-wide or for one contact) asks
every question once, interleaved with the raw baseline on the same question and contact.
Both sides embed the question in-process with the same model; Rapport's figure is the whole
``r.search`` call.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from rich.console import Console

from baseline import MESSAGE
from memory_corpus import Built
from rapport.retrieval import bm25, embeddings, search
from report import Row, Section, Target
from timing import Summary, interleave

K, CANDIDATES = 10, 40  # what r.search(k=10) returns and how many each retriever fetches
AIM = {"p95": [Target("aim", 12.0)]}
RECALL_QUERIES = 200

_CONTACT = " AND contact_id = %(contact)s"
SEMANTIC = (
    f"SELECT {MESSAGE}, embedding <=> %(vector)s::vector AS distance FROM messages"
    " WHERE org_id = %(org)s{contact} ORDER BY distance LIMIT %(limit)s"
)
KEYWORD = (
    f"SELECT {MESSAGE}, ts_rank_cd(search, q, 1) AS rank"
    " FROM messages, to_tsquery('english', %(tsquery)s) AS q"
    " WHERE org_id = %(org)s AND search @@ q{contact} ORDER BY rank DESC, id LIMIT %(limit)s"
)
EXACT = (
    "SELECT embedding <=> %(vector)s::vector AS distance FROM messages"
    " WHERE org_id = %(org)s ORDER BY (embedding <=> %(vector)s::vector) + 0 LIMIT %(limit)s"
)


# --- the raw baseline ---------------------------------------------------------------------


def _vector(model: embeddings.Embedder, question: str) -> str:
    return str(model.embed([question])[0])  # pgvector reads a Python list's text form


def raw_search(
    conn: psycopg.Connection[Any],
    model: embeddings.Embedder,
    org_id: str,
    mode: str,
    question: str,
    contact: str | None,
) -> list[tuple[Any, ...]]:
    """The same top 10 with plain psycopg: pgvector, FTS, or both fused by RRF in Python."""
    where = _CONTACT if contact else ""
    params: dict[str, Any] = {"org": org_id, "contact": contact}
    if mode == "keyword":
        params |= {"tsquery": search.or_query(question), "limit": K}
        return conn.execute(KEYWORD.format(contact=where), params).fetchall()
    params |= {"vector": _vector(model, question)}
    if mode == "semantic":
        return conn.execute(SEMANTIC.format(contact=where), params | {"limit": K}).fetchall()
    params |= {"tsquery": search.or_query(question), "limit": CANDIDATES}
    nearest = conn.execute(SEMANTIC.format(contact=where), params).fetchall()
    matching = conn.execute(KEYWORD.format(contact=where), params).fetchall()
    return fuse(nearest, matching)


RRF_K = 60  # reciprocal rank fusion as its paper and most libraries set it


def fuse(nearest: list[tuple[Any, ...]], matching: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Reciprocal rank fusion of two ranked lists of rows (id first), best K: what a user
    fusing two result lists by hand would write."""
    score: dict[Any, float] = {}
    rows: dict[Any, tuple[Any, ...]] = {}
    for ranked in (nearest, matching):
        for rank, row in enumerate(ranked, 1):
            score[row[0]] = score.get(row[0], 0.0) + 1 / (RRF_K + rank)
            rows[row[0]] = row
    best = sorted(score, key=lambda key: (-score[key], key))[:K]
    return [rows[key] for key in best]


# --- measuring ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    mode: str
    by_contact: bool

    @property
    def label(self) -> str:
        return f"{self.mode}, {'one contact' if self.by_contact else 'org-wide'}"


CASES = [Case(mode, by) for mode in ("hybrid", "semantic", "keyword") for by in (False, True)]
CONTENT = MESSAGE.split(", ").index("content")


@dataclass
class Measured:
    summaries: dict[str, Summary]
    agreement: float  # mean share of raw's top texts that Rapport's top also holds
    returned: tuple[float, float]  # mean results per query: Rapport, raw


def measure(
    case: Case,
    built: Built,
    conn: psycopg.Connection[Any],
    questions: list[str],
    warmup: int,
    with_embedding: bool,
) -> Measured:
    model = embeddings.default_embedder()
    org_id = built.r.principal.org_id
    rng = random.Random(case.label)
    found: dict[str, dict[int, list[str]]] = {"ours": {}, "raw": {}}

    def draw(i: int) -> tuple[int, str, str | None]:
        return i, questions[i], rng.choice(built.contacts) if case.by_contact else None

    def ours(p: tuple[int, str, str | None]) -> None:
        spec = {"contact_id": p[2]} if p[2] else None
        answer = built.r.search(p[1], scope=["messages"], filter=spec, k=K, mode=case.mode)
        found["ours"][p[0]] = [result["text"] for result in answer["results"]]

    def raw(p: tuple[int, str, str | None]) -> None:
        rows = raw_search(conn, model, org_id, case.mode, p[1], p[2])
        found["raw"][p[0]] = [row[CONTENT] for row in rows]

    calls: dict[str, Callable[[Any], object]] = {"ours": ours, "raw": raw}
    if with_embedding:
        calls["embed"] = lambda p: model.embed([p[1]])
    summaries = interleave(len(questions) - warmup, calls, draw, warmup)
    return Measured(summaries, _agreement(found), _returned(found))


def _agreement(found: dict[str, dict[int, list[str]]]) -> float:
    shares = []
    for i, theirs in found["raw"].items():
        if theirs:
            common = Counter(found["ours"][i]) & Counter(theirs)
            shares.append(sum(common.values()) / len(theirs))
    return sum(shares) / len(shares) if shares else float("nan")


def _returned(found: dict[str, dict[int, list[str]]]) -> tuple[float, float]:
    def mean(side: dict[int, list[str]]) -> float:
        return sum(map(len, side.values())) / max(1, len(side))

    return mean(found["ours"]), mean(found["raw"])


def hnsw_recall(
    conn: psycopg.Connection[Any], org_id: str, questions: list[str], ef_search: int
) -> float:
    """Share of the exact top 10 (by distance, so equal texts tie) the HNSW walk finds with
    ``hnsw.ef_search`` at ``ef_search``."""
    model = embeddings.default_embedder()
    hits = total = 0
    conn.execute(f"SET hnsw.ef_search = {int(ef_search)}")
    for question in questions[:RECALL_QUERIES]:
        params = {"org": org_id, "vector": _vector(model, question), "limit": K}
        exact = [d for (d,) in conn.execute(EXACT, params).fetchall()]
        walked = conn.execute(SEMANTIC.format(contact=""), params).fetchall()
        cutoff = exact[-1] + 1e-6
        hits += min(K, sum(1 for row in walked if row[-1] <= cutoff))
        total += K
    conn.execute("RESET hnsw.ef_search")
    return hits / total


def plan_of(conn: psycopg.Connection[Any], sql: str, params: dict[str, Any]) -> str:
    """The scan nodes of a statement's plan, e.g. 'Index Scan messages_embedding_idx'."""
    row = conn.execute("EXPLAIN (FORMAT JSON) " + sql, params).fetchone()
    assert row is not None
    nodes: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if "Scan" in node["Node Type"]:
            nodes.append(f"{node['Node Type']} {node.get('Index Name') or node['Relation Name']}")
        for child in node.get("Plans", []):
            walk(child)

    walk(row[0][0]["Plan"])
    return " + ".join(nodes)


def search_latency(
    built: Built, conn: psycopg.Connection[Any], console: Console, questions: list[str], warmup: int
) -> Section:
    section = Section(
        f"2. Search latency at {built.messages:,} messages (k = 10, scope messages)",
        f"{len(questions) - warmup} distinct sales questions per row (after {warmup} warm-up "
        "ones), each once, interleaved with the raw baseline on the same question (and "
        "contact). Rapport: the whole in-process r.search call, query embedding included. "
        "Raw: the same model embeds the question in-process, then plain psycopg runs the SQL.",
    )
    results: dict[Case, Measured] = {}
    for case in CASES:
        with console.status(f"Searching: {case.label}…"):
            results[case] = measure(case, built, conn, questions, warmup, case == CASES[0])
        measured = results[case]
        section.latency(
            case.label,
            measured.summaries["ours"],
            measured.summaries["raw"],
            AIM if case.mode == "hybrid" else {},
        )
    embed = results[CASES[0]].summaries["embed"]
    section.rows.append(Row("query embedding alone p50", embed.p50, float("nan")))
    section.rows.append(Row("query embedding alone p95", embed.p95, float("nan")))
    with console.status("Checking HNSW recall against an exact scan…"):
        recall = {ef: hnsw_recall(conn, built.r.principal.org_id, questions, ef)
                  for ef in (40, search.EF_SEARCH)}  # fmt: skip
    section.notes += notes(built, conn, questions, results, recall)
    return section


def notes(
    built: Built,
    conn: psycopg.Connection[Any],
    questions: list[str],
    results: dict[Case, Measured],
    recall: dict[int, float],
) -> list[str]:
    s = built.seconds
    agreement = ", ".join(
        f"{case.label} {100 * m.agreement:.0f}%"
        + (f" ({m.returned[0]:.1f} vs {m.returned[1]:.1f} results)" if m.returned[1] < K else "")
        for case, m in results.items()
    )
    org_id = built.r.principal.org_id
    params = {"org": org_id, "contact": built.contacts[0], "limit": K,
              "vector": _vector(embeddings.default_embedder(), questions[0]),
              "tsquery": search.or_query(questions[0])}  # fmt: skip
    plans = "; ".join(
        f"{label}: {plan_of(conn, sql, params)}"
        for label, sql in (
            ("semantic org-wide", SEMANTIC.format(contact="")),
            ("semantic one contact", SEMANTIC.format(contact=_CONTACT)),
            ("keyword org-wide", KEYWORD.format(contact="")),
            ("keyword one contact", KEYWORD.format(contact=_CONTACT)),
        )
    )
    return [
        f"data: {built.messages:,} messages in {built.conversations:,} conversations of "
        f"{len(built.contacts):,} contacts (~{built.messages / len(built.contacts):.0f} messages "
        f"each); contacts and conversations by rapport.synthetic.populate ({s['populate']:.1f} s),"
        f' messages by r.messages.bulk_create with enrich="off" ({s["messages"]:.1f} s, '
        f"{built.messages / s['messages']:,.0f}/s).",
        f"texts: {built.distinct:,} distinct, composed by bench/memory_data.py (rapport.synthetic "
        "has 16 lines that differ by a number only: too few, too alike for an ANN test).",
        f"vectors: the model embedded the {built.distinct:,} distinct texts in {s['embed']:.1f} s "
        f"({built.distinct / s['embed']:,.0f}/s); COPY + UPDATE of embedding and enriched_at on "
        f"all {built.messages:,} messages (PostgreSQL maintaining HNSW and GIN) took "
        f"{s['write']:.1f} s ({built.messages / s['write']:,.0f} rows/s); VACUUM ANALYZE "
        f"{s['vacuum']:.1f} s; the worker's count of the org's term statistics "
        f"{s['terms']:.1f} s.",
        "raw: semantic is ORDER BY embedding <=> q LIMIT 10; keyword is FTS with the question's "
        "words OR-ed (rapport.retrieval.search.or_query), ts_rank_cd LIMIT 10; hybrid runs both "
        "with LIMIT 40 and fuses them by reciprocal rank (k = 60) in Python (two round trips, "
        "Rapport's one statement, which also lifts the neighbours of its best results). "
        "Rapport ranks keyword hits by BM25: within a contact over every "
        f"match, org-wide over a bounded set (words in at most {bm25.RARE:,} rows bring up to "
        f"{bm25.PER_TERM} matches each, commoner words their matches among the newest "
        f"{bm25.WINDOW:,} rows), so keyword (and hybrid) rankings differ from ts_rank_cd's by "
        "design: their agreement below is not a correctness check.",
        f"raw plans: {plans}.",
        f"agreement (share of raw's top 10 texts in Rapport's top 10): {agreement}.",
        f"HNSW recall@10 of the index walk against an exact scan, {RECALL_QUERIES} questions "
        "(ties by distance count), at ef_search "
        + ", ".join(f"{ef} {100 * share:.1f}%" for ef, share in recall.items())
        + f" (Rapport searches org-wide at {search.EF_SEARCH}).",
    ]

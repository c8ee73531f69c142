"""Section 2 of the memory bench: ``r.search`` latency at scale, beside raw pgvector and FTS.

On ``memory_corpus``'s organization, each case (a mode, org-wide or for one contact) asks
every question once, interleaved with the raw baseline on the same question and contact.
Both sides embed the question in-process with the same model; Rapport's figure is the whole
``r.search`` call.
"""

from __future__ import annotations

import random
import time
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
AIM_MS = {("hybrid", False): 12.0, ("hybrid", True): 8.0, ("keyword", False): 10.0}  # issue 11
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

    @property
    def aim(self) -> dict[str, list[Target]]:
        limit = AIM_MS.get((self.mode, self.by_contact))
        return {"p95": [Target("aim", limit)]} if limit else {}


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
    with_raw: bool = True,
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

    calls: dict[str, Callable[[Any], object]] = {"ours": ours}
    if with_raw:
        calls["raw"] = raw
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


RECALL_EF = (40, 100, 200, 400)  # the hnsw.ef_search settings the recall check walks at


@dataclass(frozen=True)
class Walk:
    recall: float  # share of the exact top 10 found
    p50: float  # ms, the index walk's statement alone
    p95: float


def hnsw_recall(
    conn: psycopg.Connection[Any], org_id: str, questions: list[str]
) -> dict[int, Walk]:
    """At each of RECALL_EF, the share of the exact top 10 (by distance, so equal texts tie)
    the HNSW walk finds, and the walk's latency; the exact scans run once."""
    model = embeddings.default_embedder()
    asked = [
        {"org": org_id, "vector": _vector(model, question), "limit": K}
        for question in questions[:RECALL_QUERIES]
    ]
    cutoffs = [conn.execute(EXACT, params).fetchall()[-1][0] + 1e-6 for params in asked]
    walks: dict[int, Walk] = {}
    for ef in RECALL_EF:
        conn.execute(f"SET hnsw.ef_search = {int(ef)}")
        hits, seconds = 0, []
        for params, cutoff in zip(asked, cutoffs, strict=True):
            began = time.perf_counter()
            walked = conn.execute(SEMANTIC.format(contact=""), params).fetchall()
            seconds.append(time.perf_counter() - began)
            hits += min(K, sum(1 for row in walked if row[-1] <= cutoff))
        timed = Summary.of(seconds)  # the bench's one percentile rule (nearest rank)
        walks[ef] = Walk(hits / (K * len(asked)), timed.p50, timed.p95)
    conn.execute("RESET hnsw.ef_search")
    return walks


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
    # As Rapport's searches do (search_settings): once psycopg prepares a statement, a
    # generic plan for all words sends one contact's keyword search through the GIN index.
    conn.execute("SET plan_cache_mode = force_custom_plan")
    results: dict[Case, Measured] = {}
    for case in CASES:
        with console.status(f"Searching: {case.label}…"):
            results[case] = measure(case, built, conn, questions, warmup, case == CASES[0])
        measured = results[case]
        section.latency(case.label, measured.summaries["ours"], measured.summaries["raw"], case.aim)
    embed = results[CASES[0]].summaries["embed"]
    section.rows.append(Row("query embedding alone p50", embed.p50, float("nan")))
    section.rows.append(Row("query embedding alone p95", embed.p95, float("nan")))
    for case in CASES[:2]:  # hybrid, without the raw baseline's load between the calls
        with console.status(f"Searching: {case.label}, not interleaved…"):
            alone = measure(case, built, conn, questions, warmup, True, with_raw=False)
        ours, embed = alone.summaries["ours"], alone.summaries["embed"]
        for name in ("p50", "p95"):
            label, value = f"{case.label}, alone {name}", getattr(ours, name)
            section.rows.append(Row(label, value, float("nan"), "ms", case.aim.get(name, ())))
        section.rows.append(Row("  its query embedding p95", embed.p95, float("nan")))
    with console.status("Checking HNSW recall against an exact scan…"):
        recall = hnsw_recall(conn, built.r.principal.org_id, questions)
    section.notes += notes(built, conn, questions, results, recall)
    section.notes.append(
        "alone: r.search timed beside the query embedding only, no raw call between. The "
        "raw org-wide hybrid and keyword searches keep both cores busy for ~0.5-1.5 s, and "
        "whatever runs right after is slower (measured: the query embedding's p95 goes from "
        "3.5 to 9 ms after one), so the interleaved rows above carry that load too."
    )
    return section


def notes(
    built: Built,
    conn: psycopg.Connection[Any],
    questions: list[str],
    results: dict[Case, Measured],
    recall: dict[int, Walk],
) -> list[str]:
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
        "each), " + _how_built(built),
        f"texts: {built.distinct:,} distinct, composed by bench/memory_data.py (rapport.synthetic "
        "has 16 lines that differ by a number only: too few, too alike for an ANN test). "
        "They are made from templates, so they form tight clusters of near-paraphrases: a hard "
        "case for HNSW, whose walk can settle in the wrong cluster (recall below).",
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
        "(ties by distance count), and the walk's own p50 / p95, at ef_search "
        + ", ".join(
            f"{ef}: {100 * w.recall:.1f}% in {w.p50:.2f} / {w.p95:.2f} ms"
            for ef, w in recall.items()
        )
        + f" (Rapport searches org-wide at {search.EF_SEARCH}; the index is pgvector's default "
        "m = 16, ef_construction = 64).",
    ]


def _how_built(built: Built) -> str:
    s, (mb, took) = built.seconds, built.warmed
    warm = (
        f"then CHECKPOINT, and pg_prewarm loaded messages, conversations, contacts and their "
        f"indexes ({mb:,} MB, {took:.0f} s) into shared buffers, as a server in use holds its "
        "hot pages (this machine keeps no OS page cache: a cold page costs a disk read, "
        "~0.2 ms, and a cold one-contact search ~11 ms of them)."
    )
    if not s:
        return "built by an earlier run under the same --home (--reuse), " + warm
    return (
        f"contacts and conversations by rapport.synthetic.populate ({s['populate']:.1f} s), "
        f'messages by r.messages.bulk_create with enrich="off" ({s["messages"]:.1f} s, '
        f"{built.messages / s['messages']:,.0f}/s); the model embedded the {built.distinct:,} "
        f"distinct texts in {s['embed']:.1f} s ({built.distinct / s['embed']:,.0f}/s); COPY + "
        f"UPDATE of embedding and enriched_at on all {built.messages:,} messages (PostgreSQL "
        f"maintaining HNSW and GIN) took {s['write']:.1f} s "
        f"({built.messages / s['write']:,.0f} rows/s); VACUUM ANALYZE {s['vacuum']:.1f} s; the "
        f"worker's count of the org's term statistics {s['terms']:.1f} s; " + warm
    )

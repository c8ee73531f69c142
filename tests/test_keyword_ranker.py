"""The keyword ranker org-wide: a rare word is found however old its rows, common words are
ranked among the newest rows, and the rows a search reads do not grow with the number of
matches; the term statistics behind it, as the worker counts them. On the real database,
with the ranker's bounds made small so that a few hundred messages cross them."""

from __future__ import annotations

import json
from typing import Any

import pytest

import rapport
from rapport.db.database import Database
from rapport.db.operation import Query, Steps, operation
from rapport.db.sql import Fragment
from rapport.retrieval import QUERIES, bm25, search, terms
from rapport.tenancy.principal import Principal

SMALL = {"RARE": 20, "PER_TERM": 10, "WINDOW": 50}  # a search's candidates: 40 a word (k=10)


@pytest.fixture
def small_bounds(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SMALL.items():
        monkeypatch.setattr(bm25, name, value)


@pytest.fixture
def r(tenant: Any) -> Any:
    """The tenant's in-process SDK without enrichment: keyword search needs none."""
    with rapport.Rapport(org=tenant.name, database=tenant.database, enrich="off") as client:
        yield client


def write(r: Any, texts: list[str]) -> list[str]:
    contact = r.contacts.create(name="Lead")
    chat = r.conversations.create(contact_id=contact["id"], channel="whatsapp")
    items = [{"role": "user", "content": text} for text in texts]
    ids: list[str] = r.conversations.append_messages(chat["id"], items)
    return ids


def pizza(n: int, start: int = 0) -> list[str]:
    return [f"pizza order number {i} for this week" for i in range(start, start + n)]


def keyword(r: Any, query: str, k: int = 10) -> list[str]:
    answer = r.search(query, scope=["messages"], mode="keyword", k=k)
    return [result["id"] for result in answer["results"]]


def rows_read(tenant: Any, query: str) -> int:
    """The rows of messages the org-wide keyword statement reads (EXPLAIN ANALYZE)."""
    Principal(org_id=tenant.id, role="owner")

    @operation
    def explain() -> Steps[Any]:
        text, lexemes = yield Query(QUERIES["search_terms"], {"text": query})
        out = Fragment()
        target = search.TARGETS["messages"]
        condition = target.condition({}, out, tenant.id)
        assert condition is not None
        statement = search._statement(target, condition, "keyword", False)
        params = search._params((text, list(lexemes)), None, tenant.id, out.params, 40, 10,
                                False)  # fmt: skip
        plan = yield Query("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, params, fetch="scalar")
        return plan

    plan = tenant.database.run(explain())
    plan = json.loads(plan) if isinstance(plan, str) else plan
    total = 0

    def walk(node: dict[str, Any]) -> None:
        nonlocal total
        if node.get("Relation Name") == "messages":
            loops = node.get("Actual Loops", 1)
            total += int(node["Actual Rows"] * loops)
            total += int(node.get("Rows Removed by Filter", 0) * loops)
            total += int(node.get("Rows Removed by Index Recheck", 0) * loops)
        for child in node.get("Plans", []):
            walk(child)

    walk(plan[0]["Plan"])
    return total


def test_a_rare_word_is_found_however_old_before_and_after_counting(
    r: Any, tenant: Any, small_bounds: None
) -> None:
    old = write(r, [f"Zanzibar Foods wants pizza boxes, quote {i}" for i in range(3)])
    write(r, pizza(300))
    assert set(keyword(r, "zanzibar pizza")[:3]) == set(old)  # no statistics yet: all rare
    counted = tenant.database.run(terms.refresh(tenant.id, force=True))
    assert counted["messages"] == {"rows": 303, "lexemes": counted["messages"]["lexemes"]}
    assert set(keyword(r, "zanzibar pizza")[:3]) == set(old)  # pizza is common now
    assert set(keyword(r, "who asked about Zanzibar?")) == set(old)


def test_common_words_rank_the_newest_rows_and_the_work_does_not_grow(
    r: Any, tenant: Any, small_bounds: None
) -> None:
    ids = write(r, pizza(300))
    tenant.database.run(terms.refresh(tenant.id, force=True))
    found = keyword(r, "pizza order")
    assert len(found) == 10
    window = max(bm25.WINDOW, 40)
    assert set(found) <= set(ids[-window:])  # the newest rows' matches
    before = rows_read(tenant, "pizza order")
    write(r, pizza(600, start=300))  # three times the matches
    tenant.database.run(terms.refresh(tenant.id, force=True))
    after = rows_read(tenant, "pizza order")
    assert after <= window + 10 + 5  # the window walk, the top k's documents, the statistics
    assert after == before
    # GET /v1/messages/search reads the same bounded set; phrases still apply to it.
    items = r.messages.search(q='"pizza order"', limit=20)["items"]
    assert len(items) == 20
    assert all("pizza order" in item["content"] for item in items)


def test_a_filtered_org_wide_keyword_search_still_returns_k(
    r: Any, tenant: Any, small_bounds: None
) -> None:
    """A filter the window would mostly miss: the rare word brings its matches through the
    index with the filter applied, however old they are."""
    contact = r.contacts.create(name="Old lead")
    chat = r.conversations.create(contact_id=contact["id"], channel="instagram")
    old = r.conversations.append_messages(
        chat["id"], [{"role": "user", "content": f"gelato cart rental {i}"} for i in range(12)]
    )
    write(r, pizza(300))
    tenant.database.run(terms.refresh(tenant.id, force=True))
    answer = r.search("gelato pizza", scope=["messages"], mode="keyword", k=10,
                      filter={"channel": "instagram"})  # fmt: skip
    assert len(answer["results"]) == 10
    assert {result["id"] for result in answer["results"]} <= set(old)


def test_term_statistics_keep_common_words_and_are_recounted_when_due(
    r: Any, tenant: Any, other_tenant: Any
) -> None:
    ids = write(r, [f"kraken ink order {i}" for i in range(30)] + ["a unique phrase here"])
    assert terms.TABLES == ("messages", "memories", "knowledge_chunks")
    counted = tenant.database.run(terms.refresh(tenant.id))
    assert counted["messages"]["rows"] == 31
    assert set(counted) == {"messages"}  # the empty tables have nothing to count
    assert tenant.database.run(terms.refresh(tenant.id)) == {}  # nothing is due
    frequencies = dict(stored(tenant))
    assert frequencies[""] == 31
    assert frequencies["kraken"] == 30
    assert frequencies["ink"] == 30
    assert "uniqu" not in frequencies  # under MIN_DF rows: not kept
    for message_id in ids[:15]:
        r.messages.update(message_id, content="squid ink order")
    tenant.database.run(terms.refresh(tenant.id, force=True))
    frequencies = dict(stored(tenant))
    assert "kraken" not in frequencies
    assert frequencies["ink"] == 30
    assert stored(other_tenant) == []  # row security: another org sees none of it
    write(r, ["one more kraken"])  # 32 rows: moved by more than DRIFT
    assert set(tenant.database.run(terms.refresh(tenant.id))) == {"messages"}


def stored(tenant: Any) -> list[tuple[str, int]]:
    @operation
    def read(org_id: str) -> Steps[list[tuple[str, int]]]:
        rows = yield Query(
            "SELECT lexeme, df FROM search_terms WHERE table_name = 'messages'", fetch="all"
        )
        return [(lexeme, int(df)) for lexeme, df in rows]

    result: list[tuple[str, int]] = tenant.database.run(read(tenant.id))
    return result


def test_statistics_are_due_when_never_counted_old_or_moved() -> None:
    import datetime

    now = datetime.datetime.now(datetime.UTC)
    assert terms.due(None, None, 5)
    assert not terms.due(None, None, 0)
    assert not terms.due(now, 1000, 1005)
    assert terms.due(now, 1000, 1011)
    assert terms.due(now, 1000, 980)
    assert terms.due(now - terms.MAX_AGE - datetime.timedelta(minutes=1), 1000, 1000)


@operation
def _prepared(principal: Principal) -> Steps[list[tuple[str, int, int]]]:
    plans: list[tuple[str, int, int]] = yield Query(
        "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements", fetch="all"
    )
    return plans


def test_searches_are_planned_for_their_own_words(tenant: Any) -> None:
    """psycopg prepares a statement it has run five times, and PostgreSQL would then keep one
    generic plan for every value; a search's best plan depends on its words (at 1M messages
    the generic one made a contact's keyword search 20x slower). Searches are still prepared
    (parsing a hybrid search costs ~1.5 ms) but planned for their words every time; other
    statements keep their generic plans, which cost less to run."""
    database = Database(tenant.database.url, min_size=1, max_size=1)  # one session to read
    try:
        with rapport.Rapport(org=tenant.name, database=database, enrich="off") as r:
            write(r, pizza(20))
            contact = r.contacts.create(name="Lead")["id"]
            for i in range(24):  # prepared after 5 runs; PostgreSQL tries 5 custom plans first
                only = {"contact_id": contact} if i % 2 else None
                r.search(f"pizza order {i}", scope=["messages"], mode="keyword", filter=only)
                r.messages.search(q=f"pizza week {i}")
                r.contacts.get(contact)
        plans = database.run(_prepared(Principal(org_id=tenant.id, role="owner")))
    finally:
        database.close()
    searches = [plan for plan in plans if "bm25" in plan[0]]
    assert len(searches) >= 2, plans  # r.search's and r.messages.search's, prepared
    assert all(generic == 0 and custom > 0 for _, generic, custom in searches), searches
    assert any(generic > 0 for text, generic, _ in plans if "bm25" not in text), plans

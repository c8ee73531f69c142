"""At 100k conversations, every query pattern is served by its index (EXPLAIN proves it).

The data set is written through the real bulk path (``rapport.synthetic``) into a database of
its own, then vacuumed and analysed so the planner decides as it would in production. Each
operation is run for real while every statement it sends is also EXPLAINed, so the test
checks the SQL Rapport actually runs, not a copy of it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from rapport.conversations import conversations, messages
from rapport.conversations.contacts import top
from rapport.db.database import Database, _configure, _result
from rapport.db.operation import Operation
from rapport.pipeline import follow_ups, views
from rapport.resources import crud
from rapport.resources.catalog import RESOURCES
from rapport.retrieval import keyword
from rapport.synthetic import populate
from rapport.tenancy import orgs
from rapport.tenancy.principal import Principal
from tests.conftest import TEMPLATE, create_database, drop_database

CONVERSATIONS = 100_000
CONTACTS = 20_000
NEIGHBOURS = 2  # other tenants of the same size: a shared database, as in production
pytestmark = pytest.mark.slow


def _copy_tenant(conn: psycopg.Connection[Any], org_id: str, name: str) -> None:
    """Another organization with the same contacts, conversations and summaries."""
    row = conn.execute("INSERT INTO orgs (name) VALUES (%s) RETURNING org_id", [name]).fetchone()
    assert row is not None
    for table in ("contacts", "conversations", "interaction_summaries"):
        columns = [
            c
            for (c,) in conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                " AND is_generated = 'NEVER' AND column_name <> 'org_id' ORDER BY ordinal_position",
                [table],
            )
        ]
        listed = ", ".join(columns)
        conn.execute(
            f"INSERT INTO {table} (org_id, {listed}) SELECT %s, {listed} FROM {table}"
            " WHERE org_id = %s",
            [row[0], org_id],
        )


@pytest.fixture(scope="module")
def large(admin_url: str, template_url: str) -> Iterator[tuple[Database, Principal, Any]]:
    name = "rapport_test_explain"
    url = create_database(admin_url, name, template=TEMPLATE)
    database = Database(url, min_size=1, max_size=2)
    org = database.run(orgs.ensure_org("explain"))
    principal = Principal(org["id"], "owner")
    population = populate(database, principal, CONTACTS, CONVERSATIONS, 2)
    with psycopg.connect(url, autocommit=True) as conn:
        for copy in range(NEIGHBOURS):
            _copy_tenant(conn, principal.org_id, f"neighbour-{copy}")
        conn.execute("VACUUM ANALYZE")
    try:
        yield database, principal, population
    finally:
        database.close()
        drop_database(admin_url, name)


LARGE_TABLES = {"conversations", "messages", "contacts", "interaction_summaries"}


def explained(database: Database, op: Operation[Any]) -> list[dict[str, Any]]:
    """Run ``op`` for real, returning the plan tree of each statement it sent, as EXPLAINed."""
    plans = []
    with psycopg.connect(database.url, autocommit=True, options="-c TimeZone=UTC") as conn:
        _configure(conn)  # as the application: rapport_app, under row security
        conn.execute("SELECT set_config('rapport.org', %s, false)", [op.org or ""])
        steps, send = op.steps, None
        while True:
            try:
                query = steps.send(send)
            except StopIteration:
                return plans
            plan = conn.execute("EXPLAIN (FORMAT JSON) " + query.sql, query.params).fetchone()
            assert plan is not None
            plans.append(plan[0][0]["Plan"])
            send = _result(conn.execute(query.sql, query.params), query)


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def nodes_of(database: Database, op: Operation[Any]) -> list[dict[str, Any]]:
    return [node for plan in explained(database, op) for node in nodes(plan)]


def uses(database: Database, op: Operation[Any], index: str) -> None:
    """Every statement of ``op`` avoids scanning a large table; one of them uses ``index``."""
    every = nodes_of(database, op)
    used = {node.get("Index Name") for node in every}
    scanned = {
        node["Relation Name"]
        for node in every
        if node["Node Type"] == "Seq Scan" and node.get("Relation Name") in LARGE_TABLES
    }
    assert index in used, f"{index} not used; plan used {used - {None}}"
    assert not scanned, f"sequential scan of {scanned}"


def test_the_data_set_is_large(large: Any) -> None:
    database, principal, population = large
    assert database.run(crud.count(RESOURCES["conversations"], principal)) == CONVERSATIONS
    assert population.messages == 2 * CONVERSATIONS


def test_lookup_by_id(large: Any) -> None:
    database, principal, population = large
    resource = RESOURCES["conversations"]
    uses(
        database,
        crud.get(resource, principal, population.conversation_ids[7]),
        "conversations_pkey",
    )


def test_latest_conversation_of_a_contact(large: Any) -> None:
    database, principal, population = large
    contact_id = population.contact_ids[11]
    uses(
        database,
        conversations.latest_for_contact(principal, contact_id),
        "conversations_contact_recent_idx",
    )


def test_pipeline_counts_and_rows(large: Any) -> None:
    database, principal, _ = large
    read = {n.get("Relation Name") for n in nodes_of(database, views.counts(principal))}
    assert read - {None} == {"conversation_tallies"}  # a few rows, whatever the tenant's size
    uses(
        database,
        views.counts(principal, {"sales_stage": "closing", "status": "active"}),
        "conversations_pipeline_idx",
    )
    uses(
        database,
        crud.list_page(
            RESOURCES["conversations"],
            principal,
            {"sales_stage": "closing", "status": "active"},
            "-updated_at",
            50,
        ),
        "conversations_pipeline_idx",
    )


def test_follow_ups_due(large: Any) -> None:
    database, principal, _ = large
    uses(database, follow_ups.due(principal), "follow_ups_due_idx")
    uses(database, follow_ups.due(principal, overdue=True), "follow_ups_due_idx")


def test_agent_workload(large: Any) -> None:
    database, principal, _ = large
    uses(database, views.workload(principal), "conversations_agent_workload_idx")
    # Each agent's probe seeks to that agent: its name is in the index condition, not a
    # filter over every active conversation (what row security made of it once).
    probes = [
        node
        for node in nodes_of(database, views.workload(principal))
        if node.get("Index Name") == "conversations_agent_workload_idx"
    ]
    assert probes
    assert all("current_agent" in node.get("Index Cond", "") for node in probes), probes


def test_channel_and_recent_conversations(large: Any) -> None:
    database, principal, _ = large
    resource = RESOURCES["conversations"]
    uses(
        database,
        crud.count(resource, principal, {"channel": "facebook_messenger"}),
        "conversations_channel_idx",
    )
    uses(
        database,
        crud.list_page(resource, principal, None, "-created_at", 50),
        "conversations_recent_idx",
    )


def test_sessions_of_a_contact_in_a_date_range(large: Any) -> None:
    database, principal, population = large
    now = datetime.datetime.now(datetime.UTC)
    uses(
        database,
        conversations.sessions(
            principal, population.contact_ids[3], now - datetime.timedelta(days=90), now
        ),
        "conversations_contact_start_idx",
    )


def test_messages_of_a_session_by_role(large: Any) -> None:
    database, principal, population = large
    uses(
        database,
        messages.history(principal, population.conversation_ids[5], role="user"),
        "messages_conversation_ts_idx",
    )


def test_top_contacts(large: Any) -> None:
    database, principal, _ = large
    uses(database, top(principal, 2, 100), "interaction_summaries_conversations_idx")


def test_messages_by_intent(large: Any) -> None:
    database, principal, _ = large
    uses(database, messages.by_intent(principal, "demo_request", 0.8), "messages_intent_idx")


def test_full_text_search(large: Any) -> None:
    database, principal, _ = large
    uses(database, keyword.search(principal, "invoice finance"), "messages_search_idx")

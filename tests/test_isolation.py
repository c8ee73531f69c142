"""Tenant isolation enforced by PostgreSQL: the row-level security proof, table by table.

Every table that holds tenant data (every table with an ``org_id``, found in the catalog, so
a table added later is checked too) must have row security enabled and forced, with a
policy. Then two orgs fill every one of them through the API, and a deliberately unfiltered
``SELECT`` per table, run as the application runs (the ``rapport_app`` role, one org set),
must return that org's rows only, and none at all with no org set; a write naming the other
org must be refused.
"""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import psycopg
import pytest

from rapport.db.database import Database
from rapport.db.isolation import APP_ROLE
from rapport.db.operation import Operation, Query, Steps
from rapport.extraction import examples
from rapport.retrieval import terms
from rapport.retrieval.embeddings import default_embedder
from tests.conftest import Store, Tenant
from tests.test_tenancy import World, client_for, ok

# Tables without org_id, each with the reason it holds no tenant data.
NOT_TENANT_DATA = {
    "alembic_version": "the schema's migration revision",
    "identity_events": "the identity provider's webhook event ids and types, for idempotency",
    # The job queue: task names and arguments (org ids, never personal data), and workers.
    "procrastinate_jobs": "queued jobs: a task name and its arguments (an org id)",
    "procrastinate_events": "the jobs' status changes",
    "procrastinate_periodic_defers": "when each periodic job was last queued",
    "procrastinate_workers": "the running workers and their heartbeats",
}

_TABLES = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
       EXISTS (SELECT FROM pg_attribute AS a
               WHERE a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped),
       (SELECT count(*) FROM pg_policy AS p WHERE p.polrelid = c.oid)
FROM pg_class AS c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
ORDER BY 1
"""


def tables(url: str) -> list[tuple[str, bool, bool, bool, int]]:
    with psycopg.connect(url) as conn:
        return conn.execute(_TABLES).fetchall()


def tenant_tables(url: str) -> list[str]:
    return [name for name, *_, has_org, _ in tables(url) if has_org]


def test_every_tenant_table_has_row_security_forced_with_a_policy(database_url: str) -> None:
    for name, enabled, forced, has_org, policies in tables(database_url):
        if not has_org:
            assert name in NOT_TENANT_DATA, (
                f"table {name} has no org_id: give it one and a policy, or say in "
                "NOT_TENANT_DATA why it holds no tenant data"
            )
            continue
        assert enabled, f"{name}: row-level security must be ENABLEd"
        assert forced, f"{name}: row-level security must be FORCEd (for the owner too)"
        assert policies >= 1, f"{name}: row-level security without a policy"


def test_the_application_role_owns_nothing_and_cannot_bypass(database: Database) -> None:
    def who() -> Steps[Any]:
        return (
            yield Query(
                "SELECT current_user, r.rolsuper, r.rolbypassrls, "
                "(SELECT count(*) FROM pg_class WHERE relowner = r.oid) "
                "FROM pg_roles AS r WHERE r.rolname = current_user",
                fetch="one",
            )
        )

    assert database.run(Operation(who())) == (APP_ROLE, False, False, 0)


def _unfiltered(table: str, org: str | None) -> Operation[list[str]]:
    def steps() -> Steps[list[str]]:
        found = yield Query(f"SELECT DISTINCT org_id::text FROM {table}", fetch="scalars")
        return list(found)

    return Operation(steps(), org=org)


@pytest.fixture
def two_orgs(store: Store, model: None) -> tuple[str, str]:
    """Two orgs with rows in every tenant table, made over HTTP (and, for the one table
    only a running enrichment batch fills, by hand; the term statistics and the extraction
    model by the worker's operations)."""
    server = store.server()
    made = []
    for flavour in ("a", "b"):
        tenant = Tenant(store.database)
        with client_for(server, tenant.key("admin")) as client:
            world = World(client, flavour)
            _fill_the_rest(client, world)
        made.append(tenant.id)
        store.database.run(terms.refresh(tenant.id, force=True))
        store.database.run(examples.train(tenant.id, default_embedder().embed))
    with psycopg.connect(store.url, autocommit=True) as conn:
        for org in made:
            conn.execute(
                "INSERT INTO enrich_inflight (batch, org_id, conversation_id, contact_id) "
                "SELECT gen_random_uuid(), org_id, id, contact_id FROM conversations "
                "WHERE org_id = %s",
                [org],
            )
    return made[0], made[1]


def _fill_the_rest(client: httpx.Client, world: World) -> None:
    """What the World leaves out: a closer's availability, an agent's state, a stage move,
    a retention run, a tokenised email in the vault, an erasure's receipt, an example for
    the extractor, an experiment's assignment, engagement events and a message's status (and
    its variant's funnel count), a trigger's firing, the daily learning metrics."""
    ok(client.post("/v1/availability", json={"timezone": "Europe/Paris", "closer": "kevin"}), 201)
    agent = world.ids["agents"]
    ok(client.put(f"/v1/agents/{agent}/state/{world.contact}", json={"state": {"step": 1}}), 201)
    stage = {"stage": "objection_handling", "reason": "asked about price"}
    ok(client.post(f"/v1/conversations/{world.conversation}/stage", json=stage))
    ok(client.post("/v1/retention/run"))  # a run record (the world is too young to expire)
    ok(client.patch("/v1/org", json={"settings": {"pii": {"when": "ingest", "mode": "tokenize"}}}))
    said = {"role": "user", "content": "write to jane@example.com"}
    ok(client.post(f"/v1/conversations/{world.conversation}/messages", json=said), 201)
    gone = ok(client.post("/v1/contacts", json={"name": "Erased"}), 201)
    ok(client.post(f"/v1/contacts/{gone['id']}/erase"), 201)
    taught = {"text": "too pricey for us", "labels": {"intent": "objection", "objection": "price"}}
    ok(client.post("/v1/extraction/examples", json=taught), 201)
    experiment = world.ids["experiments"]
    assigned = {"contact_id": world.contact}
    ok(client.post(f"/v1/experiments/{experiment}/assign", json=assigned), 201)
    quiet = ok(
        client.post("/v1/conversations", json={"contact_id": world.contact, "channel": "sms"}), 201
    )
    long_ago = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=26)
    sent = ok(
        client.post(
            f"/v1/conversations/{quiet['id']}/messages",
            json={
                "role": "agent",
                "content": "our prices",
                "timestamp": long_ago.isoformat(),
                "variant_id": "short-opening",
            },  # counted in its variant's funnel
        ),
        201,
    )
    read = {
        "type": "read",
        "at": (long_ago + datetime.timedelta(hours=1)).isoformat(),
        "external_id": "read-1",
        "message_id": sent["id"],
    }
    ok(client.post("/v1/events/bulk", json={"items": [read]}))
    assert ok(client.post("/v1/triggers/run"))["follow_ups"] == 1  # a firing
    ok(client.get("/v1/learning/metrics"))  # the daily rows


def test_an_unfiltered_query_sees_only_its_own_org(two_orgs: tuple[str, str], store: Store) -> None:
    a, b = two_orgs
    every = tenant_tables(store.url)
    with psycopg.connect(store.url) as conn:  # as the superuser: what is really there
        for table in every:
            present = {r[0] for r in conn.execute(f"SELECT DISTINCT org_id::text FROM {table}")}
            assert {a, b} <= present, f"{table}: the test must fill it for both orgs"
    for table in every:
        assert store.database.run(_unfiltered(table, a)) == [a], table
        assert store.database.run(_unfiltered(table, b)) == [b], table
        assert store.database.run(_unfiltered(table, None)) == [], table


def test_a_write_naming_another_org_is_refused(two_orgs: tuple[str, str], store: Store) -> None:
    a, b = two_orgs

    def steps() -> Steps[Any]:
        return (
            yield Query(
                "INSERT INTO contacts (org_id, name) VALUES (%(org)s, 'Mallory')",
                {"org": b},
                fetch="rowcount",
            )
        )

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        store.database.run(Operation(steps(), org=a))

    def move() -> Steps[Any]:  # nor can one move its rows to the other
        return (
            yield Query("UPDATE contacts SET org_id = %(other)s", {"other": b}, fetch="rowcount")
        )

    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
        store.database.run(Operation(move(), org=a))
    with psycopg.connect(store.url) as conn:
        assert conn.execute("SELECT count(*) FROM contacts WHERE name = 'Mallory'").fetchone() == (
            0,
        )

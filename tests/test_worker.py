"""The job worker on the real queue (procrastinate on the test database): the server's
in-process worker runs a queued retention job, a job is never queued twice for one org, and
a job that keeps failing is retried and then left failed, visibly, instead of looping."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import psycopg

from rapport.jobs import tasks, worker
from tests.conftest import ServerThread, Store, Tenant
from tests.test_tenancy import ok


def wait_for(check: Any, seconds: float = 45.0, seen: Any = None) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"still waiting after {seconds} s; {seen() if seen else ''}")


def _jobs(url: str, task: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(url) as conn:
        return conn.execute(
            "SELECT status::text, attempts, args->>'org_id' FROM procrastinate_jobs"
            " WHERE task_name = %s ORDER BY id",
            [task],
        ).fetchall()


def defer(url: str, org_id: str) -> int | None:
    """Queue an org's retention run from elsewhere (as the hourly sweep does)."""

    async def queue() -> int | None:
        app = worker.make_app(url)
        async with app.open_async():
            return await tasks.defer_retention(app, org_id)

    return asyncio.run(queue())


def test_an_orgs_retention_is_queued_once_at_most(store: Store, tenant: Tenant) -> None:
    first = defer(store.url, tenant.id)  # no worker runs: it stays queued
    assert first is not None
    assert defer(store.url, tenant.id) is None  # its queueing lock
    assert _jobs(store.url, tasks.ENFORCE) == [("todo", 0, tenant.id)]


def test_the_servers_worker_runs_queued_retention(
    worker_server: ServerThread, store: Store, tenant: Tenant
) -> None:
    assert defer(store.url, tenant.id) is not None

    def recorded() -> list[tuple[Any, ...]]:
        with psycopg.connect(store.url) as conn:
            return conn.execute(
                "SELECT trigger, error FROM retention_runs WHERE org_id = %s", [tenant.id]
            ).fetchall()

    assert wait_for(recorded) == [("schedule", None)]
    with httpx.Client(
        base_url=worker_server.url, headers={"Authorization": f"Bearer {tenant.key()}"}
    ) as client:
        assert ok(client.get("/v1/retention"))["last_run"]["trigger"] == "schedule"


def test_a_failing_job_is_retried_then_left_failed(
    worker_server: ServerThread, store: Store, tenant: Tenant
) -> None:
    with psycopg.connect(store.url, autocommit=True) as conn:  # settings no run can read
        conn.execute(
            'UPDATE orgs SET settings = \'{"retention": {"messages_days": "soon"}}\''
            " WHERE org_id = %s",
            [tenant.id],
        )
    assert defer(store.url, tenant.id) is not None

    def failed() -> list[tuple[Any, ...]]:
        found = _jobs(store.url, tasks.ENFORCE)
        return [row for row in found if row[0] == "failed"]

    jobs = lambda: _jobs(store.url, tasks.ENFORCE)  # noqa: E731 - what to show on a timeout
    assert wait_for(failed, seen=jobs) == [
        ("failed", 2, tenant.id)
    ]  # two runs (job_attempts), no more
    time.sleep(0.5)
    assert [row[0] for row in _jobs(store.url, tasks.ENFORCE)] == ["failed"]


def test_the_servers_worker_scrubs_what_was_stored_before_the_policy(
    worker_server: ServerThread, store: Store, tenant: Tenant
) -> None:
    with tenant.local() as r:
        person = r.contacts.create(name="Ana")
        chat = r.conversations.create(contact_id=person["id"], channel="sms")
        for n in range(3):
            r.conversations.append_message(chat["id"], role="user", content=f"ana{n}@example.com")
        r.enrichment.flush()
        r.update_org(settings={"pii": {"when": "within_24h", "mode": "redact"}})
        assert r.pii.status()["pending"] == 3

        async def queue() -> int | None:  # as the 15-minute sweep queues each scrubbing org
            app = worker.make_app(store.url)
            async with app.open_async():
                return await tasks.defer_scrub(app, tenant.id)

        assert asyncio.run(queue()) is not None
        assert wait_for(lambda: r.pii.status()["completion"] == 1.0)
        history = r.conversations.history(chat["id"])["items"]
        assert [m["content"] for m in history] == ["[EMAIL]"] * 3
    assert _jobs(store.url, tasks.SCRUB) in ([], [("succeeded", 1, tenant.id)])


def test_the_servers_worker_counts_an_orgs_terms(
    worker_server: ServerThread, store: Store, tenant: Tenant
) -> None:
    with tenant.local() as r:
        person = r.contacts.create(name="Ana")
        chat = r.conversations.create(contact_id=person["id"], channel="sms")
        items = [{"role": "user", "content": f"kraken ink order {n}"} for n in range(25)]
        r.conversations.append_messages(chat["id"], items)

        async def queue() -> int | None:  # as the hourly sweep queues every org
            app = worker.make_app(store.url)
            async with app.open_async():
                return await tasks.defer_count_terms(app, tenant.id)

        assert asyncio.run(queue()) is not None

    def counted() -> list[tuple[Any, ...]]:
        with psycopg.connect(store.url) as conn:  # the schema's owner: row security aside
            return conn.execute(
                "SELECT lexeme, df FROM search_terms WHERE org_id = %s"
                " AND table_name = 'messages' AND lexeme IN ('', 'kraken') ORDER BY lexeme",
                [tenant.id],
            ).fetchall()

    assert wait_for(counted, seen=lambda: _jobs(store.url, tasks.COUNT_TERMS)) == [
        ("", 25), ("kraken", 25)
    ]  # fmt: skip


def test_the_minutely_sweep_trains_an_org_that_taught_its_extractor(
    worker_server: ServerThread, store: Store, tenant: Tenant
) -> None:
    with tenant.local() as r:
        r.extraction.teach(
            text="that's more than we hoped to put in", labels={"objection": "price"}
        )
        assert r.extraction.model()["trained"] is False

        async def queue() -> int | None:  # as procrastinate's periodic deferrer does each minute
            app = worker.make_app(store.url)
            async with app.open_async():
                sweep = app.configure_task("rapport.extraction.train_sweep")
                return await sweep.defer_async(timestamp=int(time.time()))

        assert asyncio.run(queue()) is not None
        jobs = lambda: _jobs(store.url, tasks.TRAIN)  # noqa: E731 - what to show on a timeout
        model = wait_for(lambda: (state := r.extraction.model())["trained"] and state, seen=jobs)
        assert (model["trained_on"], model["pending"]) == (1, 0)

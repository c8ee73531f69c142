"""The jobs Rapport runs (hourly retention of every org, each org's run; scrubbing of the
orgs that scrub, every 15 minutes; each org's term statistics for the keyword ranker, hourly
where they are due; each org's extraction model, within a minute of its examples changing;
each minute, the triggers and experiments of the orgs that have them; every ten minutes,
each org's daily learning metrics; re-queuing jobs whose worker died), and how they are
retried.

Tasks run in the worker's event loop; their database work runs in a thread on the worker's
synchronous pool (``context.additional_context["database"]``), through the same operations
the API uses, so row-level security holds each job to the org it names.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import procrastinate
from procrastinate import RetryDecision
from procrastinate.jobs import Job

from rapport.audit import log as audit
from rapport.calls import correlation
from rapport.changes import feed
from rapport.db.database import Database
from rapport.extraction import examples
from rapport.learning import experiments, metrics, triggers
from rapport.patterns import graph
from rapport.personas import facets
from rapport.privacy import scrubbing
from rapport.retention import enforce
from rapport.retrieval import terms
from rapport.tenancy import orgs
from rapport.tenancy.principal import Principal

log = logging.getLogger("rapport.jobs")
ENFORCE = "rapport.retention.enforce"
SCRUB = "rapport.privacy.scrub"
COUNT_TERMS = "rapport.retrieval.count_terms"
TRAIN = "rapport.extraction.train"
LEARN = "rapport.learning.learn"
METRICS = "rapport.learning.metrics"
# Batches one scrubbing job does before it makes way for other jobs (the next sweep goes on).
SCRUB_BATCHES = 200


class Backoff(procrastinate.BaseRetryStrategy):
    """Retry up to ``attempts`` times in all, waiting ``base ** attempt`` seconds (set from
    the settings when the worker starts), then leave the job failed."""

    attempts = 5
    base = 5

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if job.attempts + 1 >= self.attempts:
            return None
        return RetryDecision(retry_in={"seconds": self.base ** (job.attempts + 1)})


BACKOFF = Backoff()


def _database(context: procrastinate.JobContext) -> Database:
    database: Database = context.additional_context["database"]
    return database


async def enforce_org(context: procrastinate.JobContext, org_id: str) -> dict[str, Any]:
    """One org's retention run (recorded with trigger ``schedule``)."""
    database = _database(context)
    worker = Principal(org_id, "owner", system="worker")
    record = await asyncio.to_thread(
        database.run,
        audit.audited(
            enforce.run(worker, "schedule"), worker, "retention.run", {"trigger": "schedule"}
        ),
    )
    return {"run": record["id"], "removed": record["removed"]}


async def _defer_once(app: procrastinate.App, task: str, lock: str, org_id: str) -> int | None:
    """Queue ``task`` for an org unless it is queued already (its queueing lock); it never
    runs beside another of the same org (its lock). The job's id, or None."""
    try:
        return await app.configure_task(
            task, lock=f"{lock}:{org_id}", queueing_lock=f"{lock}:{org_id}"
        ).defer_async(org_id=org_id)
    except procrastinate.exceptions.AlreadyEnqueued:
        return None


async def defer_retention(app: procrastinate.App, org_id: str) -> int | None:
    """Queue an org's retention run, once."""
    return await _defer_once(app, ENFORCE, "retention", org_id)


async def _every_org(context: procrastinate.JobContext, task: str, lock: str) -> int:
    """``task`` queued once for every org; how many orgs."""
    found = await asyncio.to_thread(_database(context).run, orgs.org_ids())
    for org_id in found:
        await _defer_once(context.app, task, lock, org_id)
    return len(found)


async def sweep(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every hour: each org's retention run, queued."""
    return await _every_org(context, ENFORCE, "retention")


async def scrub_org(context: procrastinate.JobContext, org_id: str) -> dict[str, int]:
    """One org's messages not yet scrubbed, in batches (rapport.privacy.scrubbing.sweep)."""
    database = _database(context)
    total = {"messages": 0, "changed": 0, "derived": 0}
    for _ in range(SCRUB_BATCHES):
        done = await asyncio.to_thread(database.run, scrubbing.sweep(org_id))
        for key, value in done.items():
            total[key] += value
        if done["messages"] < scrubbing.BATCH:
            break
    return total


async def defer_scrub(app: procrastinate.App, org_id: str) -> int | None:
    """Queue an org's scrubbing, once."""
    return await _defer_once(app, SCRUB, "pii", org_id)


async def scrub_sweep(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every 15 minutes: scrubbing queued for each org that scrubs, so no message of one
    stays unscrubbed for long, whatever enrichment is doing (settings.pii within_24h)."""
    found = await asyncio.to_thread(_database(context).run, scrubbing.scrubbing_orgs())
    for org_id in found:
        await defer_scrub(context.app, org_id)
    return len(found)


async def count_terms(context: procrastinate.JobContext, org_id: str) -> dict[str, Any]:
    """One org's term statistics, counted afresh where they are due (rapport.retrieval.terms)."""
    counted: dict[str, Any] = await asyncio.to_thread(_database(context).run, terms.refresh(org_id))
    return counted


async def defer_count_terms(app: procrastinate.App, org_id: str) -> int | None:
    """Queue an org's term counting, once."""
    return await _defer_once(app, COUNT_TERMS, "terms", org_id)


async def terms_sweep(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every hour: each org's term counting queued (a job finds quickly that nothing is due)."""
    return await _every_org(context, COUNT_TERMS, "terms")


async def changes_sweep(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every hour: changes older than a day pruned from the change stream's outbox."""
    return int(await asyncio.to_thread(_database(context).run, feed.prune()))


async def train_org(context: procrastinate.JobContext, org_id: str) -> dict[str, Any]:
    """One org's extraction model, trained again on its examples if they changed."""
    from rapport.retrieval.embeddings import default_embedder

    embed = default_embedder().embed
    done: dict[str, Any] = await asyncio.to_thread(
        _database(context).run, examples.train(org_id, embed)
    )
    return done


async def defer_training(app: procrastinate.App, org_id: str) -> int | None:
    """Queue an org's training, once."""
    return await _defer_once(app, TRAIN, "extraction", org_id)


async def train_sweep(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every minute: training queued for each org whose examples changed after its model."""
    found = await asyncio.to_thread(_database(context).run, examples.orgs_due())
    for org_id in found:
        await defer_training(context.app, org_id)
    return len(found)


async def learn_org(context: procrastinate.JobContext, org_id: str) -> dict[str, Any]:
    """One org's triggers evaluated (each cause fires once, whoever runs it; a trigger with
    more than a run fires queues the next pass) and its running experiments reviewed (their
    rule, a bandit's weights)."""
    database = _database(context)
    fired = await asyncio.to_thread(database.run, triggers.evaluate(org_id))
    if fired["more"]:  # a backlog larger than one run fires: the next pass, now
        await defer_learning(context.app, org_id)
    worker = Principal(org_id, "owner", system="worker")
    reviewed = []
    for experiment in await asyncio.to_thread(database.run, experiments.running(org_id)):
        reviewed.append(
            await asyncio.to_thread(database.run, experiments.review(worker, experiment))
        )
    return {"follow_ups": fired["follow_ups"], "experiments": len(reviewed),
            "paused": sum(len(r["paused"]) for r in reviewed)}  # fmt: skip


async def defer_learning(app: procrastinate.App, org_id: str) -> int | None:
    """Queue an org's learning pass, once."""
    return await _defer_once(app, LEARN, "learning", org_id)


async def learn_sweep(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every minute: the learning pass queued for each org with an active trigger or a
    running experiment."""
    found = await asyncio.to_thread(_database(context).run, triggers.orgs_due())
    for org_id in found:
        await defer_learning(context.app, org_id)
    return len(found)


async def metrics_org(context: procrastinate.JobContext, org_id: str) -> int:
    """One org's last days of learning metrics recounted from the data, and its experiments'
    funnel counts, pattern tallies, facet and call counts folded (each batch of writes
    appends a few)."""
    database = _database(context)
    await asyncio.to_thread(database.run, experiments.fold_funnel(org_id))
    await asyncio.to_thread(database.run, graph.fold(org_id))
    await asyncio.to_thread(database.run, facets.fold(org_id))
    await asyncio.to_thread(database.run, correlation.fold(org_id))
    return int(await asyncio.to_thread(database.run, metrics.recount_trailing(org_id)))


async def defer_metrics(app: procrastinate.App, org_id: str) -> int | None:
    """Queue an org's recount of its learning metrics, once."""
    return await _defer_once(app, METRICS, "metrics", org_id)


async def metrics_sweep(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every ten minutes: each org's daily learning metrics recounted."""
    return await _every_org(context, METRICS, "metrics")


async def requeue_stalled(context: procrastinate.JobContext, timestamp: int) -> int:
    """Every 5 minutes: jobs whose worker stopped sending heartbeats, queued again."""
    manager = context.app.job_manager
    stalled = list(await manager.get_stalled_jobs())
    for job in stalled:
        log.warning("job %s (%s) lost its worker; queued again", job.id, job.task_name)
        await manager.retry_job(job)
    return len(stalled)


def register(app: procrastinate.App, sweeps: bool = True) -> None:
    """Rapport's tasks on ``app`` (each app its own, so apps over several databases in one
    process, as in the tests, do not share task objects), and the periodic sweeps that queue
    them unless ``sweeps`` is off (a worker that runs only what it is given: at its start
    procrastinate queues any sweep due in the last 10 minutes, beside a test's own job)."""
    app.task(name=ENFORCE, pass_context=True, retry=BACKOFF, queue="retention")(enforce_org)
    app.task(name=SCRUB, pass_context=True, retry=BACKOFF)(scrub_org)
    app.task(name=COUNT_TERMS, pass_context=True, retry=BACKOFF)(count_terms)
    app.task(name=TRAIN, pass_context=True, retry=BACKOFF)(train_org)
    app.task(name=LEARN, pass_context=True, retry=BACKOFF)(learn_org)
    app.task(name=METRICS, pass_context=True, retry=BACKOFF)(metrics_org)
    sweep_tasks = (
        ("17 * * * *", "retention", "rapport.retention.sweep", sweep, "retention"),
        ("*/15 * * * *", "pii", "rapport.privacy.sweep", scrub_sweep, "default"),
        ("41 * * * *", "terms", "rapport.retrieval.terms_sweep", terms_sweep, "default"),
        ("* * * * *", "extraction", "rapport.extraction.train_sweep", train_sweep, "default"),
        ("* * * * *", "learning", "rapport.learning.sweep", learn_sweep, "default"),
        ("*/10 * * * *", "metrics", "rapport.learning.metrics_sweep", metrics_sweep, "default"),
        ("*/5 * * * *", "stalled", "rapport.jobs.requeue_stalled", requeue_stalled, "default"),
        ("23 * * * *", "changes", "rapport.changes.sweep", changes_sweep, "default"),
    )
    for cron, periodic_id, name, function, queue in sweep_tasks:
        task = app.task(name=name, pass_context=True, queue=queue)(function)
        if sweeps:
            app.periodic(cron=cron, periodic_id=periodic_id)(task)

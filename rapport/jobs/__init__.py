"""The job worker: scheduled and queued jobs from a PostgreSQL queue (procrastinate).

- ``tasks``: the jobs Rapport runs (retention of each org, every hour; scrubbing of each org
  that scrubs personal data, every 15 minutes; re-queuing jobs whose worker died) and their
  retry policy.
- ``worker``: the procrastinate app over Rapport's database, ``rapport worker`` (a process
  of its own) and the worker ``rapport serve`` runs in-process on the embedded database.

Jobs live in ``procrastinate_jobs`` (migration 0010), so they survive restarts. A job that
fails is retried with exponential backoff (``RAPPORT_JOB_ATTEMPTS``, ``RAPPORT_JOB_BACKOFF``)
and ends ``failed``, visible in the table, instead of looping; a job whose worker died
(no heartbeat) is queued again. Each org's retention and scrubbing jobs carry a lock, so
neither runs twice at once, and a queueing lock, so neither is queued twice.

The message enrichment queue stays where it is (``rapport.memory.enricher``): it is not a
queue of jobs but the ``enriched_at IS NULL`` rows themselves, claimed in batches of up to
64 with ``SKIP LOCKED``, so one model call embeds many messages and a reader can wait for
exactly the messages it needs (read-your-writes). A job per message would add a write and a
round trip to every append and lose the batching; a job per batch would duplicate what the
claim already does.
"""

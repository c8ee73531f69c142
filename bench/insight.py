"""Rapport's insight benchmark (issue 13): what wins, measured at scale beside raw psycopg.

    .venv/bin/python bench/insight.py [--quick] [--calls N] [--home DIR] [--only 1]

Sections:

1. Closer availability over 1,000,000 calls: ``r.calls.closer_availability`` (three groups,
   calls, transfers tried and made, success rate, engagement of all and of the successful,
   the lift), over all calls and over the last 30 days, against the raw psycopg query of
   seed 002's correlation (successful transfers and their engagement by availability).
   Aim < 50 ms (the issue's for graph queries; the seed's < 500 ms).

Later sections (the pattern graph, facets, best practices, the change stream) join this file
as they land. It runs on its own embedded PostgreSQL under a temporary RAPPORT_HOME (or
``--home``).
"""

from __future__ import annotations

import argparse
import datetime
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console

import dataset
import embedded
from rapport.db.database import Database
from report import Section, Target
from timing import interleave

UTC = datetime.UTC


@dataclass(frozen=True)
class Sizes:
    calls: int = 1_000_000
    rounds: int = 20


QUICK = Sizes(calls=100_000, rounds=10)

# Setup, untimed: a year of calls, as the dialer would have recorded them.
FILL_CALLS = """
INSERT INTO calls (org_id, contact_id, start_time, transfer_attempted, transfer_successful,
                   engagement_score, closer_available, closer)
SELECT %(org)s, (%(contacts)s::uuid[])[1 + n %% cardinality(%(contacts)s::uuid[])],
       now() - (n %% 365) * interval '1 day' - (n %% 1440) * interval '1 minute',
       n %% 3 <> 0, n %% 3 <> 0 AND n %% 5 < (CASE WHEN n %% 4 = 0 THEN 2 ELSE 3 END),
       (n %% 101) / 10.0, CASE n %% 10 WHEN 0 THEN NULL ELSE n %% 4 <> 0 END,
       CASE WHEN n %% 7 = 0 THEN 'maria' ELSE 'kevin' END
FROM generate_series(%(first)s, %(last)s) AS n
"""

# Seed 002's "Kevin availability success correlation", as a user would write it in SQL.
RAW = """
SELECT closer_available, count(*) AS successful_transfers, avg(engagement_score)
FROM calls WHERE org_id = %s AND transfer_successful AND start_time >= %s
GROUP BY closer_available
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the sizes")
    parser.add_argument("--calls", type=int, help="section 1: calls (default 1,000,000)")
    parser.add_argument("--home", type=Path, help="RAPPORT_HOME to use (default: a temp dir)")
    parser.add_argument("--only", help="sections to run, e.g. 1")
    return parser.parse_args()


def section_1(database: Database, conn: psycopg.Connection[Any], sizes: Sizes) -> Section:
    org = dataset.open_org(database, f"bench-insight-{uuid.uuid4().hex[:8]}")
    contacts = org.r.contacts.bulk_create([{"name": f"lead {i}"} for i in range(1000)])
    console = Console()
    step = 100_000
    with console.status(f"Writing {sizes.calls:,} calls…"):
        for first in range(0, sizes.calls, step):
            conn.execute(
                FILL_CALLS,
                {"org": org.org_id, "contacts": contacts, "first": first,
                 "last": min(first + step, sizes.calls) - 1},
            )  # fmt: skip
        conn.execute("ANALYZE calls")
    month = (datetime.datetime.now(UTC) - datetime.timedelta(days=30)).isoformat()
    times = {
        span: interleave(
            sizes.rounds,
            {
                "ours": lambda _, s=since: org.r.calls.closer_availability(start=s),
                "raw": lambda _, s=since: conn.execute(
                    RAW, [org.org_id, s or "-infinity"]
                ).fetchall(),
            },
            lambda i: None,
            warmup=3,
        )
        for span, since in (("all calls", None), ("last 30 days", month))
    }
    section = Section(
        "1. Closer availability",
        f"{sizes.calls:,} calls over a year, 1,000 leads, two closers; raw runs seed 002's "
        "correlation query (successful transfers and their engagement only)",
    )
    for span, found in times.items():
        section.latency(span, found["ours"], found["raw"], {"p95": [Target("aim", 50)]})
    return section


SECTIONS = {1: section_1}


def main() -> None:
    args = parse_args()
    sizes = QUICK if args.quick else Sizes()
    if args.calls:
        sizes = Sizes(calls=args.calls, rounds=sizes.rounds)
    embedded.run(
        "Rapport insight benchmark",
        args.home,
        embedded.chosen(args.only, SECTIONS),
        lambda engine, number: SECTIONS[number](engine.database, engine.conn, sizes),
    )


if __name__ == "__main__":
    main()

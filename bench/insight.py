"""Rapport's insight benchmark (issue 13): what wins, measured at scale beside raw psycopg.

    .venv/bin/python bench/insight.py [--quick] [--calls N] [--home DIR] [--only 1]

Sections:

1. Closer availability over 1,000,000 calls: ``r.calls.closer_availability`` (three groups,
   calls, transfers tried and made, success rate, engagement of all and of the successful,
   the lift), over all calls and over the last 30 days, against the raw psycopg query of
   seed 002's correlation (successful transfers and their engagement by availability).
   Aim < 50 ms (the issue's for graph queries; the seed's < 500 ms).

2. The pattern graph at 1,000,000 edges (200,000 conversations, 300 patterns):
   ``r.patterns.ranking(outcome="qualified")`` (from the tallies the edges' triggers keep)
   against the raw query a user would write over the edges (seed 002's "which patterns win
   in qualified calls": average effectiveness and count per pattern), and a lead's path
   ``r.patterns.lead_path`` against the raw join of its conversations, edges and patterns.
   Aim < 50 ms (the seed's < 500 ms).
3. Facets at 1,000,000 contacts: ``r.contacts.facets()`` over all contacts (from the counts
   kept per value), a tenth of them (industry SaaS) and "VPs of Engineering in SaaS who
   mentioned scaling" (six facets in one statement over the contacts selected), against
   six raw GROUP BY queries. Aim < 200 ms.
4. Best practices over 20,000 conversations and 100,000 embedded messages (random unit
   vectors; the context embedded by the real model): ``r.patterns.best_practices`` against
   the raw pgvector query for the nearest messages of successful conversations.
5. The change stream: from a write through the API to its server-sent event at a reader
   (p95; aim < 100 ms), against raw NOTIFY -> LISTEN between two psycopg connections.

It runs on its own embedded PostgreSQL under a temporary RAPPORT_HOME (or ``--home``).
"""

from __future__ import annotations

import argparse
import datetime
import json
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from rich.console import Console

import dataset
import embedded
from rapport.calls import correlation
from rapport.db.database import Database
from rapport.patterns import graph
from rapport.retrieval.embeddings import default_embedder, vector_text
from rapport.tenancy import api_keys
from report import Section, Target
from timing import interleave

UTC = datetime.UTC


@dataclass(frozen=True)
class Sizes:
    calls: int = 1_000_000
    edges: int = 1_000_000
    contacts: int = 1_000_000
    rounds: int = 20
    talks: int = 20_000


QUICK = Sizes(calls=100_000, edges=100_000, contacts=100_000, rounds=10, talks=4_000)

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


# Section 2's graph, written as the triggers would leave it (untimed).
FILL_GRAPH = [
    """INSERT INTO contacts (org_id, name, industry)
       SELECT %(org)s, 'lead ' || n, (ARRAY['SaaS','Retail','Health','Finance'])[1 + n %% 4]
       FROM generate_series(1, %(contacts)s) AS n""",
    """INSERT INTO conversations (org_id, contact_id, channel, sales_stage, is_qualified,
                                  start_time)
       SELECT %(org)s, c.id, (ARRAY['instagram_dm','whatsapp','voice'])[1 + g %% 3],
              (ARRAY['qualification','closing','won','lost','not_qualified'])[1 + g %% 5],
              CASE WHEN g %% 5 IN (1, 2) THEN true WHEN g %% 5 = 4 THEN false END,
              now() - (g %% 300) * interval '1 day'
       FROM contacts AS c CROSS JOIN generate_series(1, %(per)s) AS g
       WHERE c.org_id = %(org)s""",
    """INSERT INTO patterns (org_id, type, name)
       SELECT %(org)s, (ARRAY['objection_handled','question_asked','phase_reached',
                               'technique','hand_off','follow_up_kept'])[1 + n %% 6],
              'pattern ' || n
       FROM generate_series(1, %(patterns)s) AS n""",
]
FILL_EDGES = """
INSERT INTO pattern_edges (org_id, conversation_id, pattern_id, contact_id, outcome,
                           effectiveness, source, at)
SELECT %(org)s, c.id, p.id, c.contact_id,
       rapport_outcome(c.sales_stage, c.is_qualified, NULL),
       (abs(hashtext(c.id::text || p.id::text)) %% 101) / 10.0, 'derived', c.start_time
FROM (SELECT id, contact_id, sales_stage, is_qualified, start_time,
             row_number() OVER (ORDER BY id) AS k
      FROM conversations WHERE org_id = %(org)s ORDER BY id OFFSET %(skip)s LIMIT %(take)s) AS c
CROSS JOIN LATERAL (
  SELECT id FROM patterns
  WHERE org_id = %(org)s AND abs(hashtext(name)) %% 97 IN (
    c.k %% 97, (c.k * 7) %% 97, (c.k * 13) %% 97, (c.k * 31) %% 97, (c.k * 53) %% 97)
  LIMIT 5) AS p
"""
# Seed 002's "which patterns win in qualified calls", over the edges, as a user writes it.
RAW_RANKING = """
SELECT p.type, p.name, avg(e.effectiveness) AS avg_effectiveness, count(*) AS frequency
FROM pattern_edges AS e JOIN patterns AS p ON p.org_id = e.org_id AND p.id = e.pattern_id
WHERE e.org_id = %s AND e.outcome = 'qualified'
GROUP BY p.type, p.name ORDER BY avg_effectiveness DESC, frequency DESC LIMIT 20
"""
RAW_PATH = """
SELECT c.id, c.start_time, e.outcome, p.type, p.name, e.at
FROM conversations AS c
LEFT JOIN pattern_edges AS e ON e.org_id = c.org_id AND e.conversation_id = c.id
LEFT JOIN patterns AS p ON p.org_id = e.org_id AND p.id = e.pattern_id
WHERE c.org_id = %s AND c.contact_id = %s ORDER BY c.start_time, e.at
"""

# Section 3's contacts, with the facets the triggers and enrichment keep (untimed).
FILL_PEOPLE = """
INSERT INTO contacts (org_id, name, industry, company_size, job_title, sales_stage, channels,
                      keywords)
SELECT %(org)s, 'person ' || n,
       (ARRAY['SaaS','Retail','Health','Finance','Logistics','Media','Education','Energy',
              'Travel','Gaming'])[1 + n %% 10],
       (ARRAY['1-10','11-50','51-200','201-1000','1000+'])[1 + (n / 7) %% 5],
       CASE n %% 13 WHEN 0 THEN 'VP Engineering' WHEN 1 THEN 'CTO' WHEN 2 THEN 'Founder'
                    ELSE 'Title ' || (n %% 40) END,
       (ARRAY['qualification','objection_handling','closing','won','lost'])[1 + (n / 3) %% 5],
       CASE n %% 3 WHEN 0 THEN ARRAY['instagram_dm'] WHEN 1 THEN ARRAY['whatsapp']
                   ELSE ARRAY['instagram_dm','voice'] END,
       ARRAY(SELECT 'keyword ' || ((n * k) %% 200) FROM generate_series(1, n %% 5) AS k)
         || CASE WHEN n %% 11 = 0 THEN ARRAY['scaling'] ELSE '{}' END
FROM generate_series(%(first)s, %(last)s) AS n
"""
RAW_FACETS = [
    f"SELECT {column}, count(*) FROM contacts WHERE org_id = %s {{where}} GROUP BY 1"
    for column in ("industry", "company_size", "job_title", "sales_stage")
] + [
    f"SELECT x, count(*) FROM contacts, unnest({column}) AS x WHERE org_id = %s {{where}} "
    "GROUP BY 1"
    for column in ("channels", "keywords")
]
VPS = "AND job_title = 'VP Engineering' AND industry = 'SaaS' AND keywords @> '{scaling}'"


# Section 4's conversations and their messages, with random unit vectors for embeddings
# (the HNSW index's work is the same; only the context is embedded by the model).
FILL_TALKS = [
    """INSERT INTO contacts (org_id, name, industry)
       SELECT %(org)s, 'lead ' || n, (ARRAY['SaaS','Retail','Health'])[1 + n %% 3]
       FROM generate_series(1, %(people)s) AS n""",
    """INSERT INTO conversations (org_id, contact_id, channel, sales_stage, is_qualified)
       SELECT %(org)s, c.id, 'whatsapp',
              (ARRAY['qualification','won','lost','closing'])[1 + g %% 4], g %% 2 = 0
       FROM contacts AS c CROSS JOIN generate_series(1, 4) AS g WHERE c.org_id = %(org)s""",
    """INSERT INTO patterns (org_id, type, name)
       SELECT %(org)s, 'technique', 'technique ' || n FROM generate_series(1, 100) AS n""",
    """INSERT INTO pattern_edges (org_id, conversation_id, pattern_id, contact_id, outcome,
                                  effectiveness, source, at)
       SELECT %(org)s, c.id, p.id, c.contact_id,
              rapport_outcome(c.sales_stage, c.is_qualified, NULL), 7, 'derived', now()
       FROM conversations AS c CROSS JOIN LATERAL (
         SELECT id FROM patterns WHERE org_id = %(org)s
         ORDER BY abs(hashtext(c.id::text || name)) LIMIT 3) AS p
       WHERE c.org_id = %(org)s""",
    """INSERT INTO messages (org_id, conversation_id, contact_id, role, content, embedding,
                             enriched_at)
       SELECT %(org)s, c.id, c.contact_id, CASE WHEN g %% 2 = 0 THEN 'user' ELSE 'agent' END,
              'message ' || g || ' of ' || c.id,
              (SELECT array_agg(random() - 0.5) FROM generate_series(1, 384 + g * 0))::vector,
              now()
       FROM conversations AS c CROSS JOIN generate_series(1, 5) AS g
       WHERE c.org_id = %(org)s""",
]
RAW_SIMILAR = """
SELECT m.conversation_id, m.content, m.embedding <=> %(v)s::vector AS distance
FROM messages AS m
WHERE m.org_id = %(org)s AND m.conversation_id IN (
  SELECT conversation_id FROM pattern_edges
  WHERE org_id = %(org)s AND outcome IN ('qualified', 'won'))
ORDER BY m.embedding <=> %(v)s::vector LIMIT 50
"""
CONTEXTS = [
    "they think it is too expensive",
    "we need it before the launch in March",
    "my boss has to sign off",
    "we already use a competitor",
    "can you do a demo",
]


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
        conn.execute("SELECT set_config('rapport.org', %s, false)", [org.org_id])
        conn.execute(correlation.TALLIES.folding, {"org": org.org_id})  # as the worker does
        conn.execute("ANALYZE calls, call_tallies")
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


def section_2(database: Database, conn: psycopg.Connection[Any], sizes: Sizes) -> Section:
    org = dataset.open_org(database, f"bench-graph-{uuid.uuid4().hex[:8]}")
    people, per = sizes.edges // 20, 4  # 5 edges per conversation, 4 conversations each
    console = Console()
    with console.status(f"Writing {sizes.edges:,} edges…"):
        params = {"org": org.org_id, "contacts": people, "per": per, "patterns": 300}
        for statement in FILL_GRAPH:
            conn.execute(statement, params)
        step = 20_000
        for skip in range(0, people * per, step):
            conn.execute(FILL_EDGES, {"org": org.org_id, "skip": skip, "take": step})
        conn.execute("SELECT set_config('rapport.org', %s, false)", [org.org_id])
        conn.execute(graph.TALLIES.folding, {"org": org.org_id})
        conn.execute("ANALYZE contacts, conversations, patterns, pattern_edges, pattern_tallies")
        edges = conn.execute(
            "SELECT count(*) FROM pattern_edges WHERE org_id = %s", [org.org_id]
        ).fetchone()
        leads = [str(r[0]) for r in conn.execute(
            "SELECT id FROM contacts WHERE org_id = %s LIMIT 1000", [org.org_id])]  # fmt: skip
    ranking = interleave(
        sizes.rounds,
        {"ours": lambda _: org.r.patterns.ranking(outcome="qualified"),
         "raw": lambda _: conn.execute(RAW_RANKING, [org.org_id]).fetchall()},
        lambda i: None, warmup=3,
    )  # fmt: skip
    path = interleave(
        sizes.rounds * 5,
        {"ours": org.r.patterns.lead_path,
         "raw": lambda lead: conn.execute(RAW_PATH, [org.org_id, lead]).fetchall()},
        lambda i: leads[(i * 37) % len(leads)], warmup=3,
    )  # fmt: skip
    section = Section(
        "2. The pattern graph",
        f"{edges[0] if edges else 0:,} edges over {people * per:,} conversations of "
        f"{people:,} leads, 300 patterns; raw runs seed 002's ranking over the edges and the "
        "path as one join",
    )
    section.latency("ranking (qualified)", ranking["ours"], ranking["raw"],
                    {"p95": [Target("aim", 50), Target("seed", 500)]})  # fmt: skip
    section.latency("a lead's path", path["ours"], path["raw"],
                    {"p95": [Target("aim", 50), Target("seed", 500)]})  # fmt: skip
    return section


def section_3(database: Database, conn: psycopg.Connection[Any], sizes: Sizes) -> Section:
    org = dataset.open_org(database, f"bench-facets-{uuid.uuid4().hex[:8]}")
    console = Console()
    step = 100_000
    with console.status(f"Writing {sizes.contacts:,} contacts…"):
        for first in range(0, sizes.contacts, step):
            conn.execute(
                FILL_PEOPLE,
                {"org": org.org_id, "first": first, "last": min(first + step, sizes.contacts) - 1},
            )
        conn.execute("VACUUM ANALYZE contacts")
    wanted = {"job_title": "VP Engineering", "industry": "SaaS", "keyword": "scaling"}

    def raw(where: str) -> None:
        for statement in RAW_FACETS:
            conn.execute(statement.format(where=where), [org.org_id]).fetchall()

    cuts = (
        ("all contacts", None, ""),
        ("SaaS (a tenth)", {"industry": "SaaS"}, "AND industry = 'SaaS'"),
        ("VPs in SaaS, scaling", wanted, VPS),
    )
    times = {}
    for label, spec, where in cuts:
        times[label] = interleave(
            sizes.rounds,
            {"ours": lambda _, f=spec: org.r.contacts.facets(filter=f),
             "raw": lambda _, w=where: raw(w)},
            lambda i: None, warmup=2,
        )  # fmt: skip
    section = Section(
        "3. Facets",
        f"{sizes.contacts:,} contacts; six facets (industry, size, title, stage, channel, "
        "keyword); raw runs six GROUP BY queries",
    )
    for label, found in times.items():
        section.latency(label, found["ours"], found["raw"], {"p95": [Target("aim", 200)]})
    return section


def section_4(database: Database, conn: psycopg.Connection[Any], sizes: Sizes) -> Section:
    org = dataset.open_org(database, f"bench-practices-{uuid.uuid4().hex[:8]}")
    console = Console()
    with console.status(f"Writing {sizes.talks:,} conversations and their messages…"):
        for statement in FILL_TALKS:
            conn.execute(statement, {"org": org.org_id, "people": sizes.talks // 4})
        conn.execute("SELECT set_config('rapport.org', %s, false)", [org.org_id])
        conn.execute(graph.TALLIES.folding, {"org": org.org_id})
        conn.execute("ANALYZE contacts, conversations, messages, pattern_edges, pattern_tallies")
    model = default_embedder()
    vectors = [vector_text(v) for v in model.embed(CONTEXTS)]
    conn.execute("SET hnsw.iterative_scan = relaxed_order")
    times = interleave(
        sizes.rounds * 2,
        {"ours": lambda i: org.r.patterns.best_practices({"context": CONTEXTS[i]}),
         "raw": lambda i: conn.execute(RAW_SIMILAR, {"org": org.org_id,
                                                      "v": vectors[i]}).fetchall()},
        lambda i: i % len(CONTEXTS), warmup=3,
    )  # fmt: skip
    section = Section(
        "4. Best practices",
        f"{sizes.talks:,} conversations, {sizes.talks * 5:,} messages with vectors, 100 "
        "patterns; ours embeds the context with the real model, then finds similar "
        "successful conversations and ranks their patterns; raw is the pgvector query alone",
    )
    section.latency("best practices", times["ours"], times["raw"], {"p95": [Target("aim", 200)]})
    return section


def section_5(engine: embedded.Engine, sizes: Sizes) -> Section:
    """From a write through the API to its event on a reader of the stream."""
    from server import serve

    org = dataset.open_org(engine.database, f"bench-changes-{uuid.uuid4().hex[:8]}")
    _, key = engine.database.run(api_keys.create_key(org.org_id, "admin", "bench"))
    arrived: dict[str, float] = {}
    ready = threading.Condition()

    def read(url: str) -> None:
        with httpx.stream(
            "GET",
            f"{url}/v1/changes/stream",
            params={"seconds": 600},
            headers={"Authorization": f"Bearer {key}"},
            timeout=None,
        ) as events:
            for line in events.iter_lines():
                if line.startswith("data:"):
                    change = json.loads(line[5:])
                    with ready:
                        for found in change["ids"]:
                            arrived[found] = time.perf_counter()
                        ready.notify_all()

    def wait_for(name: str) -> None:
        with ready:
            if not ready.wait_for(lambda: name in arrived, timeout=10):
                raise TimeoutError(f"no event for {name}")

    listener = psycopg.connect(engine.owner_url, autocommit=True)
    listener.execute("LISTEN bench_raw")
    notifier = psycopg.connect(engine.owner_url, autocommit=True)

    def raw(i: int) -> None:
        notifier.execute("SELECT pg_notify('bench_raw', %s)", [str(i)])
        for _ in listener.notifies(timeout=10, stop_after=1):
            pass

    with tempfile.TemporaryDirectory() as home, serve(engine.owner_url, Path(home), key) as up:
        url = f"http://127.0.0.1:{up.port}"
        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"})
        threading.Thread(target=read, args=(url,), daemon=True).start()
        time.sleep(1.0)

        def ours(i: int) -> None:
            made = client.post("/v1/contacts", json={"name": f"stream {i}"}).json()
            wait_for(made["id"])

        times = interleave(sizes.rounds * 10, {"ours": ours, "raw": raw}, lambda i: i, warmup=5)
        client.close()
    listener.close()
    notifier.close()
    section = Section(
        "5. The change stream",
        "a contact created through the API (a real `rapport serve`) until its event reaches "
        "a reader of GET /v1/changes/stream; raw: NOTIFY on one psycopg connection until "
        "LISTEN on another hears it (no write, no HTTP)",
    )
    section.latency("write -> event", times["ours"], times["raw"], {"p95": [Target("aim", 100)]})
    return section


SECTIONS = {1: section_1, 2: section_2, 3: section_3, 4: section_4, 5: section_5}


def main() -> None:
    args = parse_args()
    sizes = QUICK if args.quick else Sizes()
    if args.calls:
        sizes = Sizes(args.calls, sizes.edges, sizes.contacts, sizes.rounds, sizes.talks)
    embedded.run(
        "Rapport insight benchmark",
        args.home,
        embedded.chosen(args.only, SECTIONS),
        lambda engine, number: (
            section_5(engine, sizes)
            if number == 5
            else SECTIONS[number](engine.database, engine.conn, sizes)  # type: ignore[operator]
        ),
    )


if __name__ == "__main__":
    main()

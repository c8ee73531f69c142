"""Rapport's store benchmark: every figure beside raw psycopg's, measured in the same run.

    .venv/bin/python bench/store.py [--quick] [--conversations N]
        [--messages-per-conversation K] [--home DIR] [--only 1,3,7]

It runs on its own embedded PostgreSQL under a temporary RAPPORT_HOME (or ``--home``), never
on a user's data, in fresh organizations named after the run. Sections (see README.md):
bulk insert, lookup in-process and over REST, 100-message history, analytics, sustained
appends over REST with idempotency keys, query patterns at scale, and optionally Kailash
DataFlow. Each prints a table as soon as it is measured.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console

import baseline
import dataflow_bench
import dataset
import inprocess
import rest
import scale
from dataset import Org
from plan import QUICK, Plan
from rapport import __version__, runtime
from rapport.config import Settings
from rapport.db.database import Database
from rapport.tenancy import api_keys
from report import Section, render, render_header, render_verdict


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, ~2-3 minutes")
    parser.add_argument("--conversations", type=int, help="section 7: conversations")
    parser.add_argument(
        "--messages-per-conversation", type=int, help="section 7: messages per conversation"
    )
    parser.add_argument("--home", type=Path, help="RAPPORT_HOME to use (default: a temp dir)")
    parser.add_argument("--only", help="comma-separated section numbers, e.g. 1,2,7")
    parser.add_argument("--connections", type=int, help="section 6: concurrent connections")
    parser.add_argument("--seconds", type=float, help="section 6: measured seconds per run")
    parser.add_argument(
        "--dataflow-python",
        type=Path,
        help="section 8: a Python that has kailash-dataflow (default: this one, if it has)",
    )
    return parser.parse_args()


def make_plan(args: argparse.Namespace) -> Plan:
    plan = QUICK if args.quick else Plan()
    overrides = {
        "conversations": args.conversations,
        "messages_per_conversation": args.messages_per_conversation,
        "connections": args.connections,
        "load_seconds": args.seconds,
    }
    return replace(plan, **{k: v for k, v in overrides.items() if v is not None})


def bench_home(requested: Path | None) -> Path:
    """``--home``, or a temp dir removed at exit, after the embedded server has stopped.

    atexit runs handlers last-in first-out: registering the removal before the embedded
    server starts (pgserver registers its stop then) makes it run after the stop.
    """
    if requested is not None:
        requested.mkdir(parents=True, exist_ok=True)
        return requested.resolve()
    home = Path(tempfile.mkdtemp(prefix="rapport-bench-"))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    return home


def machine_facts(conn: psycopg.Connection[Any], plan: Plan, home: Path) -> list[tuple[str, str]]:
    def setting(name: str) -> str:
        row = conn.execute(f"SHOW {name}").fetchone()
        return str(row[0]) if row else "?"

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        ("machine", f"{os.cpu_count()} cores ({_cpu_model()}), load average {load}"),
        ("python", f"{platform.python_implementation()} {platform.python_version()}"),
        (
            "postgresql",
            f"{setting('server_version')} (embedded), shared_buffers {setting('shared_buffers')}"
            f", synchronous_commit {setting('synchronous_commit')}",
        ),
        ("libraries", f"rapport {__version__}, psycopg {psycopg.__version__}"),
        ("RAPPORT_HOME", str(home)),
        (
            "sizes",
            f"sections 1-6: {plan.bench_contacts:,} contacts, {plan.bench_conversations:,} "
            f"conversations; 5: {plan.analytics_contacts:,} contacts; 6: "
            f"{plan.connections} connections × {plan.load_seconds:g} s; 7: "
            f"{plan.conversations * plan.messages_per_conversation:,} messages in "
            f"{plan.conversations:,} conversations",
        ),
    ]


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


@dataclass
class Bench:
    """Everything the sections share: the database, the baseline connection, the orgs."""

    plan: Plan
    console: Console
    home: Path
    database: Database
    conn: psycopg.Connection[Any]
    args: argparse.Namespace
    run_id: str
    rng: random.Random
    long_ids: list[str] = field(default_factory=list)
    _main: Org | None = None
    _api: rest.Rest | None = None

    def org(self, suffix: str) -> Org:
        return dataset.open_org(self.database, f"bench-{self.run_id}-{suffix}")

    @property
    def main(self) -> Org:
        """The organization sections 1-6 share, built on first use (with ``long_ids``)."""
        if self._main is None:
            with self.console.status("Writing the bench organization…"):
                org = self.org("main")
                dataset.populate(org, self.plan.bench_contacts, self.plan.bench_conversations, 0)
                dataset.load_contacts(org, self.conn)
                self.long_ids = dataset.add_long_histories(
                    org, self.plan.long_conversations, self.rng
                )
            self._main = org
        return self._main

    @property
    def api(self) -> rest.Rest:
        """An admin key for the bench organization, for the REST sections."""
        if self._api is None:
            _, key = self.database.run(api_keys.create_key(self.main.org_id, "admin", "bench"))
            self._api = rest.Rest(self.conn.info.dsn, self.home, key)  # the owner migrates
        return self._api


def section_1(b: Bench) -> Section:
    return inprocess.bulk_insert(b.main, b.conn, b.plan.bulk_runs, b.rng)


def section_2(b: Bench) -> Section:
    main = b.main
    dataset.analyze(b.conn)
    return inprocess.lookups(main, b.conn, b.plan.lookups, b.rng)


def section_3(b: Bench) -> Section:
    main, api = b.main, b.api
    dataset.analyze(b.conn)
    return rest.rest_lookup(main, b.conn, api, b.plan.rest_lookups, b.rng)


def section_4(b: Bench) -> Section:
    main = b.main
    dataset.analyze(b.conn)
    return inprocess.history(main, b.conn, b.long_ids, b.plan.history_rounds, b.rng)


def section_5(b: Bench) -> Section:
    org = b.org("analytics")
    contacts = b.plan.analytics_contacts
    with b.console.status(f"Writing {contacts:,} contacts with conversations and messages…"):
        dataset.populate(org, contacts, contacts * 4, 4)
    dataset.analyze(b.conn)
    return inprocess.analytics(org, b.conn, b.plan.analytics_rounds)


def section_6(b: Bench) -> Section:
    return rest.sustained_appends(b.main, b.conn, b.api, b.plan)


def section_7(b: Bench) -> Section:
    return scale.query_patterns(b.org("scale"), b.conn, b.console, b.plan, b.rng)


def section_8(b: Bench) -> Section:
    return dataflow_bench.dataflow(b.conn, b.args.dataflow_python, b.console, b.args.quick)


SECTIONS: dict[int, Callable[[Bench], Section]] = {
    1: section_1,
    2: section_2,
    3: section_3,
    4: section_4,
    5: section_5,
    6: section_6,
    7: section_7,
    8: section_8,
}


def chosen(only: str | None) -> list[int]:
    if not only:
        return list(SECTIONS)
    numbers = [part.strip() for part in only.split(",") if part.strip()]
    unknown = [n for n in numbers if not n.isdigit() or int(n) not in SECTIONS]
    if unknown:
        raise SystemExit(f"--only: no section {', '.join(unknown)}; sections are 1-8")
    return [int(n) for n in numbers]


def main() -> None:
    args = parse_args()
    plan = make_plan(args)
    # A terminal sets the width; piped into a file, 120 columns keep the tables on one line.
    console = Console(width=None if sys.stdout.isatty() else 120)
    home = bench_home(args.home)
    settings = Settings(home=home, database_url=None)  # never a configured, real database
    with console.status(f"Starting the embedded PostgreSQL under {home}…"):
        url = runtime.prepare(settings)
    database = Database(url, min_size=1, max_size=4)
    # Raw psycopg as a user would write it: the schema's owner, no row-level security.
    conn = baseline.connect(runtime.database_url(settings))
    started = time.perf_counter()
    try:
        render_header(console, machine_facts(conn, plan, home))
        bench = Bench(
            plan, console, home, database, conn, args, uuid.uuid4().hex[:8], random.Random(3)
        )
        done = []
        for number in chosen(args.only):
            section = SECTIONS[number](bench)
            render(console, section)
            done.append(section)
        render_verdict(console, done)
        console.print(f"[dim]Finished in {time.perf_counter() - started:.0f} s.[/dim]")
    finally:
        conn.close()
        database.close()


if __name__ == "__main__":
    main()

"""What the capability benches (learning, governance, insight) share around their sections:
the sections chosen by ``--only``, an embedded PostgreSQL under its own RAPPORT_HOME, the
header, each section's table as soon as it is measured, and the verdict."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console

import baseline
from plan import QUICK as STORE_PLAN
from rapport import runtime
from rapport.config import Settings
from rapport.db.database import Database
from report import Section, render, render_header, render_verdict
from store import bench_home, machine_facts


@dataclass
class Engine:
    console: Console
    database: Database  # Rapport's pool, as the application role
    conn: psycopg.Connection[Any]  # the owner, as raw psycopg is
    owner_url: str


def chosen(only: str | None, sections: Mapping[int, Any]) -> list[int]:
    """``--only 1,3`` as section numbers, every section without it; unknown ones exit."""
    numbers = [int(n) for n in only.split(",")] if only else list(sections)
    unknown = [n for n in numbers if n not in sections]
    if unknown:
        raise SystemExit(f"--only: no section {unknown}; sections are 1-{len(sections)}")
    return numbers


def run(
    title: str, home: Path | None, numbers: list[int], section: Callable[[Engine, int], Section]
) -> None:
    """Start the embedded server (never a configured, real database), print the header, run
    ``section(engine, n)`` for each number and render it, then the verdict."""
    console = Console(width=None if sys.stdout.isatty() else 120)
    where = bench_home(home)
    settings = Settings(home=where, database_url=None)
    with console.status(f"Starting the embedded PostgreSQL under {where}…"):
        url = runtime.prepare(settings)
    owner_url = runtime.database_url(settings)
    engine = Engine(console, Database(url, min_size=1, max_size=4), baseline.connect(owner_url),
                    owner_url)  # fmt: skip
    started = time.perf_counter()
    try:
        # the machine's facts without the store bench's sizes
        render_header(console, machine_facts(engine.conn, STORE_PLAN, where)[:5], title)
        done = []
        for number in numbers:
            done.append(section(engine, number))
            render(console, done[-1])
        render_verdict(console, done)
        console.print(f"[dim]Finished in {time.perf_counter() - started:.0f} s.[/dim]")
    finally:
        engine.database.close()
        engine.conn.close()

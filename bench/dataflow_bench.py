"""Section 8 (optional): Kailash DataFlow, seed 003's own framework, on the same server.

DataFlow is never a dependency of Rapport or of this bench. The section runs only when an
interpreter with ``kailash-dataflow`` is found (``--dataflow-python``, the
``RAPPORT_BENCH_DATAFLOW_PYTHON`` environment variable, or this interpreter); otherwise, or
if DataFlow fails, it says why and the bench goes on. DataFlow gets its own database on
the bench's PostgreSQL server; the raw psycopg baseline then runs the same operations on
DataFlow's table, right after it (a separate interpreter cannot be interleaved call by call).
"""

from __future__ import annotations

import datetime
import importlib.metadata
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import psycopg
from psycopg import sql
from rich.console import Console

from report import Section
from timing import Summary

HERE = Path(__file__).resolve().parent
DATABASE = "bench_dataflow"
COLUMNS = 'id, session_id, role, content, language, intent, confidence, pii_scrubbed, "timestamp"'
INSERT = f"INSERT INTO conversation_messages ({COLUMNS}) VALUES ({', '.join(['%s'] * 9)})"
READ = f"SELECT {COLUMNS} FROM conversation_messages WHERE id = %s"
CHECK = "import importlib.metadata as m; print(m.version('kailash-dataflow'))"


def find_python(requested: Path | None) -> tuple[str | None, str]:
    """An interpreter that has kailash-dataflow, and its version (or why there is none)."""
    named = requested or os.environ.get("RAPPORT_BENCH_DATAFLOW_PYTHON")
    if named:
        if not Path(named).exists():
            return None, f"{named} does not exist"
        done = subprocess.run(
            [str(named), "-c", CHECK], capture_output=True, text=True, check=False
        )
        if done.returncode == 0:
            return str(named), done.stdout.strip()
        return None, f"{named} cannot import kailash-dataflow: {done.stderr.strip()[-300:]}"
    try:
        return sys.executable, importlib.metadata.version("kailash-dataflow")
    except importlib.metadata.PackageNotFoundError:
        return None, (
            "kailash-dataflow is not installed (see bench/README.md to run this section "
            "from a separate venv with --dataflow-python)"
        )


def fresh_database(conn: psycopg.Connection[Any]) -> str:
    """Drop and create DataFlow's database; its URL as DataFlow reads one."""
    admin = psycopg.conninfo.make_conninfo(conn.info.dsn, dbname="postgres")
    with psycopg.connect(admin, autocommit=True) as server:
        name = sql.Identifier(DATABASE)
        server.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        server.execute(sql.SQL("CREATE DATABASE {}").format(name))
    socket_dir = quote(conn.info.host, safe="")
    return f"postgresql://{conn.info.user}@{socket_dir}:{conn.info.port}/{DATABASE}"


def run_dataflow(python: str, spec: dict[str, Any]) -> dict[str, Any]:
    """Run the runner in a scratch directory: DataFlow writes a migrations/ folder there."""
    with tempfile.TemporaryDirectory() as scratch:
        spec = {**spec, "out": str(Path(scratch) / "result.json")}
        done = subprocess.run(
            [python, str(HERE / "dataflow_runner.py")],
            input=orjson.dumps(spec),
            cwd=scratch,
            capture_output=True,
            timeout=spec["bulk_runs"] * 20 + spec["reads"] + 300,
            check=False,
        )
        if done.returncode != 0:
            lines = done.stderr.decode(errors="replace").strip().splitlines()
            raise RuntimeError(" / ".join(lines[-2:])[-600:])
        return dict(orjson.loads(Path(spec["out"]).read_bytes()))


def raw_baseline(conn: psycopg.Connection[Any], runs: int, reads: int) -> dict[str, list[float]]:
    """The same bulk insert and read by id, with raw psycopg, on DataFlow's own table."""
    dsn = psycopg.conninfo.make_conninfo(conn.info.dsn, dbname=DATABASE)
    with psycopg.connect(dsn, autocommit=True) as raw:
        bulk = []
        for _ in range(runs):
            rows = _rows(1000)
            started = time.perf_counter()
            with raw.transaction(), raw.cursor() as cursor:
                cursor.executemany(INSERT, rows)
            bulk.append(time.perf_counter() - started)
        ids = [r[0] for r in raw.execute("SELECT id FROM conversation_messages").fetchall()]
        rng = random.Random(5)
        lookups = []
        for _ in range(reads):
            key = rng.choice(ids)
            started = time.perf_counter()
            raw.execute(READ, [key]).fetchone()
            lookups.append(time.perf_counter() - started)
    return {"bulk": bulk, "reads": lookups}


def _rows(count: int) -> list[tuple[Any, ...]]:
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)  # DataFlow's TIMESTAMP
    content = "Hi, we need 400 boxes for 10 inch pizzas delivered every week"
    return [
        (
            str(uuid.uuid4()),
            "bench-session",
            "user" if i % 2 == 0 else "assistant",
            content,
            "en",
            "order_placement",
            0.95,
            False,
            now,
        )
        for i in range(count)
    ]


def dataflow(
    conn: psycopg.Connection[Any], requested: Path | None, console: Console, quick: bool
) -> Section:
    section = Section(
        "8. Kailash DataFlow (optional)",
        "DataFlow: db.express.bulk_create of 1,000 seed-003 ConversationMessages and "
        "db.express.read by random id (query cache off), in its own database on the same "
        "server. Baseline: raw psycopg executemany / SELECT on DataFlow's table, run right "
        "after (not interleaved: DataFlow runs in its own interpreter).",
        subject="Kailash DataFlow",
    )
    python, version = find_python(requested)
    if python is None:
        section.notes.append(f"skipped: {version}")
        return section
    runs, reads = (5, 300) if quick else (10, 1000)
    spec = {
        "url": fresh_database(conn),
        "socket_dir": conn.info.host,
        "warmup": 1,
        "bulk_runs": runs,
        "reads": reads,
    }
    try:
        with console.status(f"Running Kailash DataFlow {version}…"):
            ours = run_dataflow(python, spec)
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        section.notes.append(f"skipped: DataFlow {version} failed here: {error}")
        return section
    raw = raw_baseline(conn, runs, reads)
    section.latency("bulk_create 1,000", Summary.of(ours["bulk"]), Summary.of(raw["bulk"]), {})
    section.latency("read by id", Summary.of(ours["reads"]), Summary.of(raw["reads"]), {})
    section.notes.append(f"kailash-dataflow {version} ({python}); {runs} bulk runs, {reads} reads")
    return section

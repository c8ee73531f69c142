"""The real REST server, run as a subprocess exactly as a user runs it (`rapport serve`).

The server joins the bench's database through ``RAPPORT_DATABASE_URL`` rather than starting
the embedded PostgreSQL itself: the bench process then holds the only handle on the
embedded server, so stopping (or killing) the API server never leaves the database running.
Its output goes to a log file beside the database, shown if it fails to start.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from wire import HttpConnection

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _command() -> list[str]:
    script = Path(sys.executable).with_name("rapport")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from rapport.cli import main; main()"]


@dataclass
class Server:
    port: int
    workers: int
    process: subprocess.Popen[bytes]
    log: Path

    def wait_ready(self, key: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            with contextlib.suppress(OSError):
                connection = HttpConnection(HOST, self.port, key)
                try:
                    if connection.request("GET", "/healthz")[0] == 200:
                        return
                finally:
                    connection.close()
            time.sleep(0.1)
        tail = self.log.read_text(errors="replace")[-3000:]
        raise RuntimeError(f"rapport serve did not come up on port {self.port}:\n{tail}")

    def stop(self) -> None:
        """SIGTERM (uvicorn shuts down gracefully), then SIGKILL to the group if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


@contextlib.contextmanager
def serve(database_url: str, home: Path, key: str, workers: int = 1) -> Iterator[Server]:
    """`rapport serve --workers N` on a free port, ready when the block starts."""
    port = free_port()
    env = {
        **os.environ,
        "RAPPORT_HOME": str(home),
        "RAPPORT_DATABASE_URL": database_url,
        "RAPPORT_ENRICH": "off",
    }  # the store alone; bench/memory.py measures enrichment
    log = home / f"bench-server-{workers}w.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [*_command(), "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a hung worker can be killed
        )
    server = Server(port, workers, process, log)
    try:
        server.wait_ready(key)
        yield server
    finally:
        server.stop()

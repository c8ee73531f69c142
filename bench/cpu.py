"""CPU seconds each party of a load run spends: API server, PostgreSQL, load generator.

Throughput on a 2-core machine is bounded by CPU per operation, whatever else runs there;
CPU seconds per append are also what a busy machine (another engineer's tests) disturbs
least. PostgreSQL's figure includes backends that exited during the run (the postmaster
collects their times when it reaps them); the load generator's comes from this process's
reaped-children usage, as it is a child that exits at the end of the run.
"""

from __future__ import annotations

import contextlib
import os
import resource
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Cpu:
    server: float = 0.0
    postgres: float = 0.0
    client: float = 0.0

    @property
    def total(self) -> float:
        return self.server + self.postgres + self.client

    def __sub__(self, other: Cpu) -> Cpu:
        return Cpu(
            self.server - other.server,
            self.postgres - other.postgres,
            self.client - other.client,
        )


def _own(process: psutil.Process) -> float:
    with contextlib.suppress(psutil.Error):
        times = process.cpu_times()
        return float(times.user + times.system)
    return 0.0


def _reaped(process: psutil.Process) -> float:
    with contextlib.suppress(psutil.Error):
        times = process.cpu_times()
        return float(times.children_user + times.children_system)
    return 0.0


def tree(pid: int) -> float:
    """CPU seconds of a process and its live descendants (a server and its workers)."""
    root = psutil.Process(pid)
    return _own(root) + sum(_own(child) for child in root.children(recursive=True))


def postgres(postmaster: int) -> float:
    """CPU seconds of the whole PostgreSQL server: postmaster, live and exited backends."""
    root = psutil.Process(postmaster)
    return _own(root) + _reaped(root) + sum(_own(child) for child in root.children())


def reaped_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def postmaster_of(backend_pid: int) -> int:
    """The postmaster's pid, from any backend's (``conn.info.backend_pid``)."""
    return int(psutil.Process(backend_pid).ppid())


def snapshot(postmaster: int, server: int | None) -> Cpu:
    return Cpu(
        server=tree(server) if server is not None else 0.0,
        postgres=postgres(postmaster),
        client=reaped_children(),
    )


def cores() -> int:
    return os.cpu_count() or 1

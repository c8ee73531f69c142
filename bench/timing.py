"""Samples, percentiles and the loops that take them.

Every comparison in the bench times Rapport and its baseline *interleaved* (one call of each
per round, the order swapped every round, with the same random parameters), so background
noise, cache warmth and table growth hit both sides alike. Percentiles are nearest-rank on
the sorted samples: no interpolation, so a reported p95 is a latency that really happened.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

Call = Callable[[Any], object]


def percentile(ordered: Sequence[float], q: float) -> float:
    """The nearest-rank ``q`` percentile (0 < q <= 100) of already sorted samples."""
    if not ordered:
        return math.nan
    rank = math.ceil(q / 100 * len(ordered))
    return ordered[min(len(ordered), max(rank, 1)) - 1]


@dataclass(frozen=True)
class Summary:
    """Latency percentiles of one series, in milliseconds."""

    n: int
    p50: float
    p95: float
    p99: float
    mean: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Summary:
        ordered = sorted(seconds)
        ms = [s * 1000 for s in ordered]
        mean = sum(ms) / len(ms) if ms else math.nan
        return cls(len(ms), percentile(ms, 50), percentile(ms, 95), percentile(ms, 99), mean)


def interleave(
    rounds: int, calls: dict[str, Call], params: Callable[[int], Any], warmup: int = 20
) -> dict[str, Summary]:
    """Time each call once per round on the same parameters, alternating which goes first.

    ``params(i)`` draws round i's parameters (e.g. a random id); the first ``warmup`` rounds
    run but are not recorded, so prepared statements and pools are warm for both sides.
    """
    names = list(calls)
    samples: dict[str, list[float]] = {name: [] for name in names}
    clock = time.perf_counter
    for i in range(warmup + rounds):
        argument = params(i)
        order = names if i % 2 == 0 else names[::-1]
        for name in order:
            started = clock()
            calls[name](argument)
            elapsed = clock() - started
            if i >= warmup:
                samples[name].append(elapsed)
    return {name: Summary.of(values) for name, values in samples.items()}

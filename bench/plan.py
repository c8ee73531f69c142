"""How much of everything the bench runs: the full sizes, and ``--quick``'s."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Plan:
    """How much of everything to run; ``--quick`` shrinks it to a couple of minutes."""

    conversations: int = 100_000  # section 7's data set
    messages_per_conversation: int = 10
    bench_contacts: int = 500  # sections 1-6 share one organization of this size
    bench_conversations: int = 1_000
    long_conversations: int = 50
    analytics_contacts: int = 1_000
    bulk_runs: int = 20
    lookups: int = 5_000
    rest_lookups: int = 5_000
    history_rounds: int = 1_000
    analytics_rounds: int = 200
    connections: int = 16
    warmup_seconds: float = 2.0
    load_seconds: float = 15.0
    replays: int = 200
    pattern_runs: int = 200


QUICK = Plan(
    conversations=10_000,
    long_conversations=20,
    lookups=2_000,
    rest_lookups=2_000,
    history_rounds=300,
    analytics_rounds=100,
    warmup_seconds=1.0,
    load_seconds=5.0,
    replays=100,
    pattern_runs=100,
)

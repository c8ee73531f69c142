"""``rapport demo``: a whole sales team on simulated leads, to explore what Rapport keeps."""

from __future__ import annotations

import importlib
import random
from typing import Any, cast

from rich.console import Console
from rich.table import Table

from rapport.demo import team
from rapport.demo.simulation import run


def load_replies(spec: str | None, seed: int) -> team.Replies:
    """The reply plug-in: ``module:Class`` (built with the random generator) or the rules."""
    rng = random.Random(seed)
    if not spec:
        return team.RuleBasedReplies(rng)
    module, _, name = spec.partition(":")
    factory: Any = getattr(importlib.import_module(module), name)
    return cast(team.Replies, factory(rng))


def main(r: Any, leads: int, seed: int, replies: str | None, console: Console) -> None:
    outcomes, loop = run(r, leads, seed, load_replies(replies, seed))
    r.enrichment.flush()
    table = Table(title=f"{leads} simulated leads")
    table.add_column("channel")
    table.add_column("outcome")
    table.add_column("leads", justify="right")
    for key, count in sorted(outcomes.items()):
        channel, _, outcome = key.partition(":")
        table.add_row(channel, outcome, str(count))
    console.print(table)
    pipeline = r.pipeline.counts()
    console.print(
        "pipeline: "
        + ", ".join(f"{stage} {bucket['total']}" for stage, bucket in pipeline["stages"].items())
    )
    console.print(
        f"follow-ups due today {len(r.follow_ups.due(limit=1000)['items'])}, "
        f"overdue or today {len(r.follow_ups.due(overdue=True, limit=1000)['items'])}; "
        f"calls {r.calls.count()}"
    )
    loop.finish(console)

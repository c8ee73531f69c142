"""The demo's learning loop: two opening lines for the qualifier in an experiment, what
happens to each agent message (sent, delivered, read, through ``r.events.record``), and
triggers that turn silence into follow-ups, so the data is there to look at."""

from __future__ import annotations

import contextlib
import datetime
import random
from typing import Any

from rich.console import Console
from rich.table import Table

from rapport import errors

# How often a lead reads the agent's message, per opening line (the demo's "truth").
READ_RATE = {"warm-opening": 0.9, "direct-opening": 0.7}
TRIGGERS = [
    {"name": "nudge-readers", "when": "read_no_reply", "after": "24h"},
    {"name": "silent-leads", "when": "no_inbound", "after": "3d"},
    {"name": "stalled-qualified", "when": "qualified_no_closing", "after": "48h"},
]


class Loop:
    def __init__(self, r: Any, rng: random.Random) -> None:
        self.r = r
        self.rng = rng
        variants = [
            r.prompt_variants.create(agent="qualifier", name=name, template=template)
            for name, template in (
                ("warm-opening", "Hi {first_name}! Love what you do. What budget do you have?"),
                ("direct-opening", "{first_name}, what budget do you have in mind per month?"),
            )
        ]
        self.names = {v["id"]: v["name"] for v in variants}
        self.experiment = r.experiments.create(
            name="qualifier-opening", agent="qualifier", variants=list(self.names),
            control=variants[0]["id"], strategy="sticky", metric="replied", min_sample=100,
        )  # fmt: skip
        for trigger in TRIGGERS:
            r.triggers.create(trigger)

    def assign(self, contact_id: str) -> None:
        """The lead's opening line (none once the experiment is paused or stopped)."""
        with contextlib.suppress(errors.Conflict):
            self.r.experiments.assign(self.experiment["id"], contact_id=contact_id)

    def engage(self, message: dict[str, Any], at: datetime.datetime) -> None:
        """The channel's reports on an agent's message: sent, delivered, often read."""
        variant = message.get("variant_id")
        read_rate = READ_RATE.get(self.names.get(variant or "", ""), 0.8)
        events = [("sent", 2), ("delivered", 9)]
        if self.rng.random() < read_rate:
            events.append(("read", self.rng.randint(30, 900)))
        self.r.events.record(items=[
            {"type": kind, "at": (at + datetime.timedelta(seconds=s)).isoformat(),
             "external_id": f"{message['id']}:{kind}", "message_id": message["id"],
             "channel": "demo"}
            for kind, s in events
        ])  # fmt: skip

    def finish(self, console: Console) -> None:
        """Run the triggers once, as the worker would each minute, and print the
        experiment's results and what the triggers created."""
        fired = self.r.triggers.run()
        results = self.r.experiments.results(self.experiment["id"])
        table = Table(title=f"experiment {results['name']!r} (metric {results['metric']})")
        for column in ("variant", "status", "exposures", "sent", "read", "replied",
                       "reply rate", "chance to beat control"):  # fmt: skip
            table.add_column(column, justify="left" if column in ("variant", "status") else "right")
        for v in results["variants"]:
            chance = v["chance_to_beat_control"]
            table.add_row(
                v["name"], v["status"], str(v["exposures"]), str(v["sent"]), str(v["read"]),
                str(v["replied"]), _percent(v["reply_rate"]),
                "control" if chance is None else _percent(chance),
            )  # fmt: skip
        console.print(table)
        srm = results["srm_p_value"]
        console.print(
            f"triggers: {fired['follow_ups']} follow-ups created ("
            + ", ".join(f"{name} {len(ids)}" for name, ids in fired["fired"].items())
            + ")"
            + ("" if srm is None else f"; SRM p-value {srm:.2f}")
        )


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"

"""``rapport demo`` leaves a realistic pipeline behind, written through the SDK alone."""

from __future__ import annotations

from typing import Any

from rapport.demo.simulation import run


def test_demo_fills_every_part_of_the_pipeline(tenant: Any) -> None:
    with tenant.local() as r:
        outcomes, _ = run(r, leads=40, seed=11)
        assert sum(outcomes.values()) == 40
        channels = {key.partition(":")[0] for key in outcomes}
        assert channels == {"instagram_dm", "whatsapp", "voice"}
        stages = r.pipeline.counts()["stages"]
        assert {"won", "lost", "not_qualified", "objection_handling"} <= set(stages)
        assert r.objections.count({"resolved": True}) > 0
        assert r.objections.count({"resolved": False}) > 0
        assert r.follow_ups.count({"status": "scheduled"}) > 0
        calls = r.calls.list(limit=100)["items"]
        assert calls
        assert all(c["analysis"] for c in calls)
        won = r.conversations.list({"sales_stage": "won"}, limit=1)["items"][0]
        moves = r.conversations.transitions(won["id"])["items"]
        assert moves[-1]["to_stage"] == "won"
        assert any(m["actor"].startswith("supervisor") for m in moves)
        states = r.agents.states(won["contact_id"])["items"]
        assert states
        assert all(s["version"] >= 1 for s in states)


def test_demo_runs_an_experiment_and_reports_what_each_message_did(tenant: Any) -> None:
    with tenant.local() as r:
        _, loop = run(r, leads=40, seed=11)
        results = r.experiments.results(loop.experiment["id"])
        exposures = [v["exposures"] for v in results["variants"]]
        assert all(exposures)
        assert sum(exposures) == r.experiments.get(loop.experiment["id"])["assigned"]
        assert all(
            v["sent"] > 0 and v["read"] > 0 and v["replied"] > 0 for v in results["variants"]
        )
        assert r.events.count({"type": "delivered"}) == r.events.count({"type": "sent"}) > 0
        assert r.events.count({"type": "replied"}) > 0
        fired = r.triggers.run()
        assert fired["triggers"] == 3
        assert len(fired["fired"]["silent-leads"]) > 0
        assert r.follow_ups.count({"created_by": "trigger:silent-leads"}) == len(
            fired["fired"]["silent-leads"]
        )
        assert r.triggers.run()["follow_ups"] == 0

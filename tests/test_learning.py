"""The learning loop on the real database: engagement events and each message's status,
feedback, prompt variants and experiments (assignment, results, the pause rule), triggers
that turn silence into follow-ups, and the daily learning metrics."""

from __future__ import annotations

import asyncio
import datetime
import threading
from typing import Any

import httpx
import psycopg
import pytest

from rapport import errors
from rapport.jobs import tasks, worker
from rapport.learning import stats, triggers
from tests.test_worker import wait_for

UTC = datetime.UTC
NOW = datetime.datetime.now(UTC)


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def ago(**delta: float) -> str:
    return iso(datetime.datetime.now(UTC) - datetime.timedelta(**delta))


def conversation(sdk: Any, channel: str = "whatsapp", **fields: Any) -> dict[str, Any]:
    person = sdk.contacts.create(name="Ana")
    return sdk.conversations.create(  # type: ignore[no-any-return]
        contact_id=person["id"], channel=channel, current_agent="qualifier", **fields
    )


def say(sdk: Any, talk: dict[str, Any], role: str, text: str, **fields: Any) -> dict[str, Any]:
    return sdk.conversations.append_message(  # type: ignore[no-any-return]
        talk["id"], {"role": role, "content": text, **fields}
    )


# ---------------------------------------------------------------- events


def test_events_link_to_their_message_and_move_its_status(sdk: Any) -> None:
    talk = conversation(sdk)
    sent = say(
        sdk,
        talk,
        "agent",
        "Hi Ana! How many boxes a week?",
        agent_type="qualifier",
        variant_id="v-short",
    )
    mid = sent["id"]
    batch = [  # out of order: read before delivered
        {"type": "read", "at": ago(minutes=1), "external_id": "wamid.1:read", "message_id": mid},
        {
            "type": "delivered",
            "at": ago(minutes=2),
            "external_id": "wamid.1:delivered",
            "message_id": mid,
        },
        {"type": "sent", "at": ago(minutes=3), "external_id": "wamid.1:sent", "message_id": mid},
    ]
    first = sdk.events.record(items=batch)
    assert first["created"] == 3
    assert len(set(first["ids"])) == 3
    again = sdk.events.record(items=batch)  # a retried webhook
    assert again == {"ids": first["ids"], "created": 0}
    assert sdk.events.count({"message_id": mid}) == 3

    page = sdk.events.list({"message_id": mid, "type": "read"})
    [read] = page["items"]
    assert read["conversation_id"] == talk["id"]
    assert read["contact_id"] == talk["contact_id"]
    assert read["agent"] == "qualifier"
    assert read["variant_id"] == "v-short"
    assert read["channel"] == "whatsapp"
    assert sdk.messages.get(mid)["status"] == "read"  # the late delivered did not undo it

    say(sdk, talk, "user", "About 400 a week")  # the lead's reply records replied
    assert sdk.messages.get(mid)["status"] == "replied"
    [replied] = sdk.events.list({"message_id": mid, "type": "replied"})["items"]
    assert replied["variant_id"] == "v-short"
    say(sdk, talk, "user", "and 10 inch")  # a second reply to the same message: still one
    assert sdk.events.count({"type": "replied"}) == 1
    history = sdk.conversations.history(talk["id"])["items"]
    assert [m["status"] for m in history] == ["replied", None, None]


def test_an_event_for_an_unknown_message_or_a_malformed_one_stores_nothing(sdk: Any) -> None:
    talk = conversation(sdk)
    mid = say(sdk, talk, "agent", "Hello")["id"]
    missing = "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"
    good = {"type": "delivered", "at": ago(seconds=5), "external_id": "d1", "message_id": mid}
    with pytest.raises(errors.NotFound) as unknown:
        sdk.events.record(items=[good, {**good, "external_id": "d2", "message_id": missing}])
    assert unknown.value.field == "items[1].message_id"
    assert missing in unknown.value.detail
    with pytest.raises(errors.ValidationFailed) as malformed:
        sdk.events.record(items=[good, good, {**good, "external_id": "d3", "type": "opened"}])
    assert "items[2].type" in str(malformed.value.errors)
    with pytest.raises(errors.ValidationFailed):  # an event must name what it is about
        sdk.events.record(items=[{"type": "read", "at": ago(seconds=1), "external_id": "x"}])
    assert sdk.events.count() == 0
    assert sdk.messages.get(mid)["status"] is None


def test_events_land_in_monthly_partitions_and_other_orgs_see_none(
    tenant: Any, other_tenant: Any, database_url: str
) -> None:
    with tenant.local() as mine, other_tenant.local() as theirs:
        talk = conversation(mine)
        old = [
            {
                "type": "clicked",
                "at": "2024-03-09T10:00:00Z",
                "external_id": f"c{i}",
                "conversation_id": talk["id"],
                "data": {"url": "https://example.com/p"},
            }
            for i in range(3)
        ]
        assert mine.events.record(items=old)["created"] == 3
        assert theirs.events.count() == 0
        with pytest.raises(errors.NotFound):  # nor can they attach events to my conversation
            theirs.events.record(items=[{**old[0], "external_id": "t1"}])
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT c.relname, c.relforcerowsecurity FROM pg_inherits AS i"
            " JOIN pg_class AS c ON c.oid = i.inhrelid WHERE i.inhparent = 'events'::regclass"
        ).fetchall()
        assert ("events_2024_03", True) in rows
        assert conn.execute("SELECT count(*) FROM events_2024_03").fetchone() == (3,)


def test_a_batch_across_a_month_end_lands_in_each_months_partition(
    tenant: Any, database_url: str
) -> None:
    """The months come from the batch's earliest and latest moments, in UTC: 23:30 at -02:00
    on 31 January is February; a batch with and without offsets is read event by event."""
    with tenant.local() as sdk:
        talk = conversation(sdk)
        batches = [
            ["2031-01-15T10:00:00Z", "2031-01-31T23:30:00-02:00"],  # January and February
            ["2031-01-16T10:00:00Z", "2031-03-02T08:00:00"],  # one without an offset
        ]
        for n, batch in enumerate(batches):
            sdk.events.record(
                items=[
                    {"type": "clicked", "at": moment, "external_id": f"m{n}-{i}",
                     "conversation_id": talk["id"]}
                    for i, moment in enumerate(batch)
                ]
            )  # fmt: skip
    with psycopg.connect(database_url) as conn:
        counts = [
            conn.execute(f"SELECT count(*) FROM events_2031_{month:02d}").fetchone()
            for month in (1, 2, 3)
        ]
    assert counts == [(2,), (1,), (1,)]


def test_events_bulk_answers_200_on_a_retry_and_names_problems(http: httpx.Client) -> None:
    person = http.post("/v1/contacts", json={"name": "Bo"}).json()
    talk = http.post(
        "/v1/conversations", json={"contact_id": person["id"], "channel": "instagram_dm"}
    ).json()
    body = {
        "items": [
            {
                "type": "delivered",
                "at": ago(seconds=3),
                "external_id": "mid.1",
                "conversation_id": talk["id"],
            }
        ]
    }
    first = http.post("/v1/events/bulk", json=body)
    second = http.post("/v1/events/bulk", json=body)
    assert first.status_code == second.status_code == 200
    assert second.json() == {"ids": first.json()["ids"], "created": 0}
    bad = http.post("/v1/events/bulk", json={"items": [{"type": "read"}]})
    assert bad.status_code == 422
    listed = http.get("/v1/events", params={"filter": '{"type": "delivered"}'}).json()
    assert [e["external_id"] for e in listed["items"]] == ["mid.1"]


# ---------------------------------------------------------------- feedback


def test_feedback_is_a_resource_and_finds_its_conversation(sdk: Any) -> None:
    talk = conversation(sdk)
    mid = say(sdk, talk, "agent", "Shall I send the deck?")["id"]
    rated = sdk.feedback.create(message_id=mid, kind="csat", score=4, external_id="csat-1")
    assert rated["conversation_id"] == talk["id"]
    assert rated["contact_id"] == talk["contact_id"]
    assert sdk.feedback.create(message_id=mid, kind="csat", score=4, external_id="csat-1") == rated
    sdk.feedback.create(conversation_id=talk["id"], kind="text", text="too pushy")
    assert sdk.feedback.count({"kind": "csat"}) == 1
    assert len(sdk.feedback.list({"conversation_id": talk["id"]})["items"]) == 2
    with pytest.raises(errors.ValidationFailed):
        sdk.feedback.create(kind="text", text="about nothing")
    with pytest.raises(errors.ValidationFailed):
        sdk.feedback.create(conversation_id=talk["id"], kind="rating")  # a rating needs a score
    with pytest.raises(errors.NotFound) as unknown:
        sdk.feedback.create(message_id="0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e", kind="reply")
    assert unknown.value.field == "message_id"


# ---------------------------------------------------------------- experiments


def variants(sdk: Any, agent: str = "qualifier", n: int = 2) -> list[dict[str, Any]]:
    return [
        sdk.prompt_variants.create(agent=agent, name=f"v{i}", template=f"Opening number {i}")
        for i in range(n)
    ]


def test_an_experiment_takes_only_its_agents_variants(sdk: Any) -> None:
    a, b = variants(sdk)
    [closer] = variants(sdk, agent="closer", n=1)
    assert sdk.prompt_variants.create(agent="qualifier", name="v0", template="x") == a  # retry
    with pytest.raises(errors.ValidationFailed) as other_agent:
        sdk.experiments.create(
            name="e", agent="qualifier", variants=[a["id"], closer["id"]], control=a["id"]
        )
    assert other_agent.value.field == "variants[1]"
    assert "closer" in other_agent.value.detail
    with pytest.raises(errors.ValidationFailed):  # the control is one of the variants
        sdk.experiments.create(
            name="e", agent="qualifier", variants=[a["id"], b["id"]], control=closer["id"]
        )
    with pytest.raises(errors.NotFound) as unknown:
        sdk.experiments.create(
            name="e",
            agent="qualifier",
            variants=[a["id"], "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e"],
            control=a["id"],
        )
    assert unknown.value.field == "variants[1]"
    assert sdk.experiments.count() == 0


def test_sticky_assignment_keeps_a_contact_and_marks_the_agents_messages(sdk: Any) -> None:
    a, b = variants(sdk)
    experiment = sdk.experiments.create(
        name="opening", agent="qualifier", variants=[a["id"], b["id"]], control=a["id"]
    )
    talks = [conversation(sdk) for _ in range(12)]
    first = {
        t["id"]: sdk.experiments.assign(experiment["id"], contact_id=t["contact_id"]) for t in talks
    }
    for talk in talks:
        again = sdk.experiments.assign(experiment["id"], contact_id=talk["contact_id"])
        assert again["variant_id"] == first[talk["id"]]["variant_id"]
    assert {f["variant_id"] for f in first.values()} == {a["id"], b["id"]}
    talk = talks[0]
    chosen = first[talk["id"]]
    assert chosen["variant"]["template"].startswith("Opening")
    spoken = say(sdk, talk, "agent", "Hi!", agent_type="qualifier")
    assert spoken["variant_id"] == chosen["variant_id"]
    assert say(sdk, talk, "user", "hey")["variant_id"] is None  # leads carry no variant
    assert say(sdk, talk, "agent", "Hi", agent_type="closer")["variant_id"] is None

    sdk.experiments.update(experiment["id"], status="paused")
    with pytest.raises(errors.Conflict) as paused:
        sdk.experiments.assign(experiment["id"], contact_id=talk["contact_id"])
    assert "paused" in paused.value.detail
    with pytest.raises(errors.NotFound):
        sdk.experiments.assign(
            "0193a0c4-5b7e-7cc1-9d2a-3f1e2b4c5d6e", contact_id=talk["contact_id"]
        )


def test_assign_answers_201_then_200_and_409_when_paused(http: httpx.Client) -> None:
    ids = [
        http.post("/v1/prompt-variants", json={"agent": "q", "name": n, "template": n}).json()["id"]
        for n in ("a", "b")
    ]
    experiment = http.post(
        "/v1/experiments",
        json={
            "name": "rr",
            "agent": "q",
            "variants": ids,
            "control": ids[0],
            "strategy": "round_robin",
        },
    ).json()
    people = [http.post("/v1/contacts", json={"name": f"p{i}"}).json()["id"] for i in range(4)]
    url = f"/v1/experiments/{experiment['id']}/assign"
    made = [http.post(url, json={"contact_id": p}) for p in people]
    assert [m.status_code for m in made] == [201] * 4
    assert [m.json()["variant_id"] for m in made] == [ids[0], ids[1], ids[0], ids[1]]
    assert http.post(url, json={"contact_id": people[0]}).status_code == 200
    http.patch(f"/v1/experiments/{experiment['id']}", json={"status": "paused"})
    refused = http.post(url, json={"contact_id": people[0]})
    assert refused.status_code == 409


def test_a_paused_variant_hands_its_contacts_to_the_others(sdk: Any) -> None:
    a, b = variants(sdk)
    experiment = sdk.experiments.create(
        name="e", agent="qualifier", variants=[a["id"], b["id"]], control=a["id"]
    )
    people = [sdk.contacts.create(name=f"p{i}")["id"] for i in range(10)]
    on_b = [
        p
        for p in people
        if sdk.experiments.assign(experiment["id"], contact_id=p)["variant_id"] == b["id"]
    ]
    assert on_b
    sdk.prompt_variants.update(b["id"], status="paused", paused_reason="operator: off-brand")
    for person in people:
        assert sdk.experiments.assign(experiment["id"], contact_id=person)["variant_id"] == a["id"]
    sdk.prompt_variants.update(a["id"], status="paused")
    with pytest.raises(errors.Conflict) as none_left:
        sdk.experiments.assign(experiment["id"], contact_id=people[0])
    assert "no active variant" in none_left.value.detail


def test_concurrent_first_assignments_of_one_contact_agree(tenant: Any) -> None:
    with tenant.local() as sdk:
        a, b = variants(sdk)
        experiment = sdk.experiments.create(
            name="bandit",
            agent="qualifier",
            variants=[a["id"], b["id"]],
            control=a["id"],
            strategy="thompson",
        )
        people = [sdk.contacts.create(name=f"p{i}")["id"] for i in range(8)]
    got: dict[str, set[str]] = {p: set() for p in people}

    def assign_all() -> None:
        with tenant.local() as mine:
            for person in people:
                got[person].add(
                    mine.experiments.assign(experiment["id"], contact_id=person)["variant_id"]
                )

    threads = [threading.Thread(target=assign_all) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(v) == 1 for v in got.values())
    with tenant.local() as sdk:
        assert sdk.experiments.get(experiment["id"])["assigned"] == len(people)


# ------------------------------------------------ the statistics, simulated


def test_the_statistics_behave_as_they_should_over_many_simulated_experiments() -> None:
    """Pure simulations of the results and the rule: the 95 % interval covers the true
    lift about 95 % of the time, an A/A test's chance to win is about uniform, and the
    rule pauses a clearly worse variant almost always and an equal one rarely."""
    import numpy as np

    from rapport.learning.experiments import analyse, rule

    rng = np.random.default_rng(7)

    def simulate(p_a: float, p_b: float, n: int) -> dict[str, Any]:
        rows = [
            {
                "variant_id": v,
                "name": v,
                "status": "active",
                "weight": 1.0,
                "exposures": n,
                "sent": n,
                "delivered": n,
                "read": n,
                "replied": int(rng.binomial(n, p)),
                "qualified": 0,
                "won": 0,
            }
            for v, p in (("a", p_a), ("b", p_b))
        ]
        for row in rows:
            row["replied_contacts"] = row["replied"]
        experiment = {
            "id": "x",
            "name": "sim",
            "status": "running",
            "metric": "replied",
            "strategy": "sticky",
            "control": "a",
            "min_sample": 200,
            "pause_below": 0.05,
            "decisions": [],
        }
        return analyse(experiment, rows)

    runs = 400
    covered = sum(
        low <= 0.3 <= high
        for low, high in (simulate(0.10, 0.13, 2000)["variants"][1]["ci"] for _ in range(runs))
    )
    assert 0.92 <= covered / runs <= 0.98
    chances = [
        simulate(0.10, 0.10, 1000)["variants"][1]["chance_to_beat_control"] for _ in range(runs)
    ]
    assert 0.02 <= np.mean(np.array(chances) > 0.95) <= 0.09
    assert 0.4 <= float(np.mean(chances)) <= 0.6
    worse = [rule(simulate(0.20, 0.10, 500)) for _ in range(50)]
    assert sum(d == [] for d in worse) <= 2
    assert all(d[0]["variant_id"] == "b" for d in worse if d)
    equal = [rule(simulate(0.15, 0.15, 500)) for _ in range(runs)]
    assert sum(bool(d) for d in equal) / runs <= 0.15  # about 10 %: either arm, one-sided 5 %
    report = simulate(0.15, 0.15, 150)  # below min_sample: never judged
    assert rule({**report, "min_sample": 200}) == []


# ------------------------------------------------ an experiment, end to end


def test_two_variants_compete_and_the_worker_pauses_the_loser(
    worker_server: Any, store: Any, tenant: Any
) -> None:
    """300 leads each for variants with reply rates of 10 % and 25 %: the results say the
    second wins, with the interval around its true lift, and the worker's review pauses the
    first, says why, and sends every new lead to the winner."""
    n, replies = 300, {"a": 30, "b": 75}
    with tenant.local() as sdk:
        a, b = (
            sdk.prompt_variants.create(agent="qualifier", name=v, template=f"Hi ({v})")
            for v in ("a", "b")
        )
        experiment = sdk.experiments.create(
            name="opening",
            agent="qualifier",
            variants=[a["id"], b["id"]],
            control=a["id"],
            strategy="round_robin",
            metric="replied",
            min_sample=200,
            pause_below=0.05,
        )
        people = sdk.contacts.bulk_create([{"name": f"lead {i}"} for i in range(2 * n)])
        talks = sdk.conversations.bulk_create(
            [{"contact_id": p, "channel": "whatsapp", "current_agent": "qualifier"} for p in people]
        )
        by_variant: dict[str, list[str]] = {a["id"]: [], b["id"]: []}
        for person, talk in zip(people, talks, strict=True):
            chosen = sdk.experiments.assign(experiment["id"], contact_id=person)["variant_id"]
            by_variant[chosen].append(talk)
        assert [len(v) for v in by_variant.values()] == [n, n]
        sent = sdk.messages.bulk_create(
            [
                {
                    "conversation_id": t,
                    "role": "agent",
                    "agent_type": "qualifier",
                    "content": "How many boxes a week?",
                }
                for t in talks
            ]
        )
        sdk.events.record(
            items=[
                {
                    "type": kind,
                    "at": ago(minutes=m),
                    "external_id": f"{mid}:{kind}",
                    "message_id": mid,
                }
                for mid in sent
                for kind, m in (("sent", 30), ("delivered", 29))
            ]
        )
        repliers = [
            t for v, name in ((a, "a"), (b, "b")) for t in by_variant[v["id"]][: replies[name]]
        ]
        sdk.messages.bulk_create(
            [{"conversation_id": t, "role": "user", "content": "about 400"} for t in repliers]
        )

        report = sdk.experiments.results(experiment["id"])
        control, winner = report["variants"]
        assert (control["variant_id"], winner["variant_id"]) == (a["id"], b["id"])
        assert [v["exposures"] for v in report["variants"]] == [n, n]
        assert [v["sent"] for v in report["variants"]] == [n, n]
        assert [v["delivered"] for v in report["variants"]] == [n, n]
        assert [v["replied"] for v in report["variants"]] == [30, 75]
        assert control["reply_rate"] == pytest.approx(0.10)
        assert winner["reply_rate"] == pytest.approx(0.25)
        expected = stats.compare(stats.Arm(n, 30), stats.Arm(n, 75))
        assert winner["chance_to_beat_control"] == pytest.approx(expected.chance_to_win)
        assert winner["chance_to_beat_control"] > 0.99
        low, high = winner["ci"]
        assert low < 1.5 < high
        assert low > 0
        assert control["chance_to_beat_control"] is None
        assert report["srm_p_value"] == pytest.approx(1.0)  # an exact split

    asyncio.run(_queue(tasks.defer_learning, store.url, tenant.id))
    with tenant.local() as sdk:
        wait_for(lambda: sdk.prompt_variants.get(a["id"])["status"] == "paused")
        paused = sdk.prompt_variants.get(a["id"])
        assert "chance to beat 'b'" in paused["paused_reason"]
        report = sdk.experiments.results(experiment["id"])
        assert report["variants"][0]["status"] == "paused"
        [decision] = report["decisions"]
        assert decision["variant_id"] == a["id"]
        assert decision["action"] == "paused"
        newcomers = sdk.contacts.bulk_create([{"name": f"new {i}"} for i in range(6)])
        assert {
            sdk.experiments.assign(experiment["id"], contact_id=p)["variant_id"] for p in newcomers
        } == {b["id"]}


def funnel_rows(url: str, org_id: str) -> list[tuple[str, str, int]]:
    """The funnel as message_status holds it, and as its counts (migration 0018) sum it."""
    with psycopg.connect(url) as conn:
        held = conn.execute(
            "SELECT variant_id, status, count(*) FROM message_status WHERE org_id = %s"
            " AND variant_id IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2",
            [org_id],
        ).fetchall()
        counted = conn.execute(
            "SELECT variant_id, status, sum(messages)::bigint FROM variant_funnel"
            " WHERE org_id = %s GROUP BY 1, 2 HAVING sum(messages) <> 0 ORDER BY 1, 2",
            [org_id],
        ).fetchall()
    assert counted == held
    return held


def test_the_funnel_counts_follow_every_status_change_and_the_worker_folds_them(
    worker_server: Any, store: Any, tenant: Any
) -> None:
    """Results read counts kept as statuses change (not every message): they stay equal to
    the messages' statuses through new, late and retried events, replies, a deleted
    conversation, and the worker's fold into one row per count."""
    with tenant.local() as sdk:
        a, b = (
            sdk.prompt_variants.create(agent="qualifier", name=v, template=f"Hi ({v})")
            for v in ("a", "b")
        )
        experiment = sdk.experiments.create(
            name="opening", agent="qualifier", variants=[a["id"], b["id"]], control=a["id"],
            strategy="round_robin", metric="replied",
        )  # fmt: skip
        people = sdk.contacts.bulk_create([{"name": f"lead {i}"} for i in range(6)])
        talks = sdk.conversations.bulk_create(
            [{"contact_id": p, "channel": "whatsapp", "current_agent": "qualifier"} for p in people]
        )
        for person in people:
            sdk.experiments.assign(experiment["id"], contact_id=person)
        sent = sdk.messages.bulk_create(
            [
                {"conversation_id": t, "role": "agent", "agent_type": "qualifier", "content": "Hi"}
                for t in talks
            ]
        )

        def events(kinds: str, messages: list[str], minutes: int) -> list[dict[str, Any]]:
            return [
                {"type": k, "at": ago(minutes=minutes), "external_id": f"{m}:{k}", "message_id": m}
                for m in messages
                for k in kinds.split()
            ]

        sdk.events.record(items=events("sent delivered", sent, 30))
        sdk.events.record(items=events("read", sent[:4], 20))
        late = [
            {**e, "external_id": f"{e['external_id']}:late"} for e in events("delivered", sent, 25)
        ]
        sdk.events.record(items=late + events("read", sent[:4], 20))  # late, and a retry
        sdk.messages.bulk_create(
            [{"conversation_id": t, "role": "user", "content": "yes"} for t in talks[:2]]
        )
        held = funnel_rows(store.url, tenant.id)
        assert sum(n for _, _, n in held) == 6
        report = sdk.experiments.results(experiment["id"])
        assert [v["sent"] for v in report["variants"]] == [3, 3]
        assert sum(v["read"] for v in report["variants"]) == 4
        assert sum(v["replied"] for v in report["variants"]) == 2

        sdk.conversations.delete(talks[0])  # its message and status go with it
        assert sum(n for _, _, n in funnel_rows(store.url, tenant.id)) == 5
        before = sdk.experiments.results(experiment["id"])["variants"]
        assert sum(v["sent"] for v in before) == 5
        assert sum(v["replied"] for v in before) == 1

    asyncio.run(_queue(tasks.defer_metrics, store.url, tenant.id))

    def folded() -> bool:
        with psycopg.connect(store.url) as conn:
            rows = conn.execute(
                "SELECT count(*), count(DISTINCT (variant_id, status)) FROM variant_funnel"
                " WHERE org_id = %s",
                [tenant.id],
            ).fetchone()
        return rows is not None and rows[0] == rows[1]

    wait_for(folded)
    funnel_rows(store.url, tenant.id)
    with tenant.local() as sdk:
        assert sdk.experiments.results(experiment["id"])["variants"] == before


# ---------------------------------------------------------------- triggers


def read_at(sdk: Any, talk: dict[str, Any], hours: float, key: str) -> str:
    """An agent message to the conversation, read ``hours`` ago."""
    mid = say(sdk, talk, "agent", "Did you see the price list?", timestamp=ago(hours=hours + 1))[
        "id"
    ]
    sdk.events.record(
        items=[{"type": "read", "at": ago(hours=hours), "external_id": key, "message_id": mid}]
    )
    return str(mid)


def test_read_no_reply_fires_once_per_cause_and_a_reply_ends_it(sdk: Any) -> None:
    due, fresh, answered = conversation(sdk), conversation(sdk), conversation(sdk)
    read_at(sdk, due, 25, "r1")
    read_at(sdk, fresh, 2, "r2")  # read two hours ago: not yet
    read_at(sdk, answered, 30, "r3")
    say(sdk, answered, "user", "yes, thanks", timestamp=ago(hours=10))  # replied in time
    trigger = sdk.triggers.create(name="nudge", when="read_no_reply", after="24h")

    first = sdk.triggers.run()
    assert first["follow_ups"] == 1
    [made] = first["fired"]["nudge"]
    follow_up = sdk.follow_ups.get(made)
    assert follow_up["conversation_id"] == due["id"]
    assert follow_up["reason"] == "trigger 'nudge': read, no reply in 24h"
    assert follow_up["status"] == "scheduled"
    assert follow_up["cancel_on_reply"]
    assert follow_up["agent"] == "qualifier"
    assert sdk.triggers.run()["follow_ups"] == 0  # once per cause
    assert sdk.triggers.get(trigger["id"])["last_run_at"] is not None

    say(sdk, due, "user", "sorry, busy week")  # the lead writes: the nudge is cancelled
    assert sdk.follow_ups.get(made)["status"] == "cancelled"
    read_at(sdk, due, 26, "r4")  # a new message read and unanswered is a new cause
    assert sdk.triggers.run()["follow_ups"] == 0  # the reply came after it was read
    sdk.triggers.update(trigger["id"], status="paused")
    assert sdk.triggers.run() == {"triggers": 0, "follow_ups": 0, "fired": {}, "more": []}


def test_a_backlog_fires_in_capped_runs_and_the_worker_drains_it(
    worker_server: Any, store: Any, tenant: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new trigger over more causes than a run fires (RUN_CAP, here 2 of 5): each run
    fires the earliest due, says there is more and keeps its window; the worker's pass
    queues the next until none are left, and no cause fires twice."""
    monkeypatch.setattr(triggers, "RUN_CAP", 2)
    with tenant.local() as sdk:
        talks = [conversation(sdk) for _ in range(5)]
        for i, talk in enumerate(talks):
            read_at(sdk, talk, 25 + i, f"read-{i}")  # the last read longest ago
        trigger = sdk.triggers.create(name="nudge", when="read_no_reply", after="24h")
        first = sdk.triggers.run()
        assert first["more"] == ["nudge"]
        made = [sdk.follow_ups.get(f)["conversation_id"] for f in first["fired"]["nudge"]]
        assert sorted(made) == sorted([talks[4]["id"], talks[3]["id"]])  # earliest due
        assert sdk.triggers.get(trigger["id"])["last_run_at"] is None  # its window held

    asyncio.run(_queue(tasks.defer_learning, store.url, tenant.id))
    with tenant.local() as sdk:
        wait_for(lambda: sdk.follow_ups.count() == 5)
        wait_for(lambda: sdk.triggers.get(trigger["id"])["last_run_at"] is not None)
        assert sdk.triggers.run() == {
            "triggers": 1, "follow_ups": 0, "fired": {"nudge": []}, "more": []
        }  # fmt: skip
        talked = {f["conversation_id"] for f in sdk.follow_ups.list(limit=10)["items"]}
        assert talked == {t["id"] for t in talks}


def test_two_runs_at_once_fire_each_cause_once(tenant: Any) -> None:
    with tenant.local() as sdk:
        talks = [conversation(sdk) for _ in range(6)]
        for i, talk in enumerate(talks):
            read_at(sdk, talk, 25 + i, f"read-{i}")
        sdk.triggers.create(name="nudge", when="read_no_reply", after="24h")
    made: list[int] = []

    def run() -> None:
        with tenant.local() as mine:
            made.append(mine.triggers.run()["follow_ups"])

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(made) == 6
    with tenant.local() as sdk:
        assert sdk.follow_ups.count() == 6


def test_no_inbound_qualified_no_closing_and_custom_triggers(
    sdk: Any, tenant: Any, database_url: str
) -> None:
    silent, talking = conversation(sdk), conversation(sdk)
    say(sdk, silent, "user", "maybe later", timestamp=ago(days=3.5))
    say(sdk, talking, "user", "tell me more", timestamp=ago(hours=5))
    qualified = conversation(sdk, qualification={"score": 90})
    closing = conversation(sdk, qualification={"score": 90})
    sdk.conversations.move(closing["id"], stage="closing")
    assert sdk.conversations.get(qualified["id"])["qualified_at"] is not None
    with psycopg.connect(database_url, autocommit=True) as conn:  # 50 hours pass
        conn.execute(
            "UPDATE conversations SET qualified_at = now() - interval '50 hours'"
            " WHERE id = ANY(%s)",
            [[qualified["id"], closing["id"]]],
        )
    sms, chat = conversation(sdk, channel="sms"), conversation(sdk, channel="whatsapp")
    for talk, key in ((sms, "d1"), (chat, "d2")):
        mid = say(sdk, talk, "agent", "Your quote", timestamp=ago(hours=4))["id"]
        sdk.events.record(
            items=[{"type": "delivered", "at": ago(hours=3), "external_id": key, "message_id": mid}]
        )
    sdk.triggers.create(name="silent", when="no_inbound", after="3d")
    sdk.triggers.create(
        name="stalled", when="qualified_no_closing", after="48h", reason="book the closing call"
    )
    sdk.triggers.create(
        name="sms-undelivered",
        when="custom",
        after="2h",
        filter={"channel": "sms"},
        event={"type": "delivered"},
    )
    with pytest.raises(errors.BadRequest):  # a filter naming no field of conversations
        sdk.triggers.create(name="bad", when="custom", after="2h", filter={"colour": "red"})
    with pytest.raises(errors.ValidationFailed):
        sdk.triggers.create(name="bad", when="no_inbound", after="soon")

    fired = sdk.triggers.run()["fired"]
    where = {
        name: [sdk.follow_ups.get(f)["conversation_id"] for f in ids] for name, ids in fired.items()
    }
    assert where["silent"] == [silent["id"]]
    assert where["stalled"] == [qualified["id"]]
    assert where["sms-undelivered"] == [sms["id"]]
    assert sdk.follow_ups.get(fired["stalled"][0])["reason"] == "book the closing call"


# ---------------------------------------------------------------- learning metrics


def test_learning_metrics_per_day_and_week_from_the_data(
    worker_server: Any, store: Any, tenant: Any
) -> None:
    today = datetime.datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    day1, day2 = today - datetime.timedelta(days=2), today - datetime.timedelta(days=1)
    with tenant.local() as sdk:
        person = sdk.contacts.create(name="Ana")
        first_day = [
            sdk.conversations.create(
                contact_id=person["id"], channel="sms", start_time=iso(day1), qualification=q
            )
            for q in ({"score": 90}, {"score": 10}, {"score": 20}, {"score": 30})
        ]
        second_day = [
            sdk.conversations.create(
                contact_id=person["id"],
                channel="sms",
                start_time=iso(day2),
                qualification={"score": 95},
            )
            for _ in range(2)
        ]
        sdk.conversations.move(second_day[0]["id"], stage="closing")
        sdk.conversations.move(second_day[0]["id"], stage="won")
        for minute, score, ok in ((0, 8.0, True), (30, 6.0, False)):
            sdk.calls.create(
                contact_id=person["id"],
                engagement_score=score,
                start_time=iso(day2 + datetime.timedelta(minutes=minute)),
                transfer_attempted=True,
                transfer_successful=ok,
            )
        for talk in second_day:
            say(sdk, talk, "agent", "Shall we book it?", timestamp=iso(day2))
        say(sdk, second_day[0], "user", "yes", timestamp=iso(day2 + datetime.timedelta(hours=1)))

        report = sdk.learning.metrics(start=iso(day1), end=iso(today), grain="day")
        one, two = report["periods"]
        assert (one["period"], two["period"]) == (day1.date().isoformat(), day2.date().isoformat())
        assert (one["conversations"], one["calls"], one["leads"]) == (4, 0, 4)
        assert one["qualified_rate"] == pytest.approx(0.25)
        assert one["avg_engagement"] is None
        assert one["reply_rate"] is None
        assert (two["conversations"], two["calls"], two["leads"]) == (2, 2, 4)
        assert two["qualified_rate"] == pytest.approx(0.5)  # 2 of 2 conversations + 2 lone calls
        assert two["won_rate"] == pytest.approx(0.25)
        assert two["avg_engagement"] == pytest.approx(7.0)
        assert two["transfer_success_rate"] == pytest.approx(0.5)
        assert two["reply_rate"] == pytest.approx(0.5)
        assert one["improvement"] == pytest.approx(1.0)
        assert one["beast_mode_score"] == 5.0
        assert two["improvement"] == pytest.approx(2.0)
        assert two["beast_mode_score"] == 10.0
        assert report["baseline"] == {"period": one["period"], "qualified_rate": 0.25}
        assert (two["total_calls"], two["total_conversations"]) == (2, 2)  # seed 002's names
        assert two["avg_engagement_score"] == pytest.approx(7.0)
        weekly = sdk.learning.metrics(start=iso(day1), end=iso(today), grain="week")
        assert sum(p["leads"] for p in weekly["periods"]) == 8
        with pytest.raises(errors.BadRequest):
            sdk.learning.metrics(start=iso(today), end=iso(day1))

        sdk.conversations.update(first_day[1]["id"], qualification={"score": 80})  # qualifies late
        stale = sdk.learning.metrics(start=iso(day1), end=iso(day2))["periods"][0]
        assert stale["qualified_rate"] == pytest.approx(0.25)  # rows wait for the worker

    asyncio.run(_queue(tasks.defer_metrics, store.url, tenant.id))
    with tenant.local() as sdk:
        wait_for(
            lambda: (
                sdk.learning.metrics(start=iso(day1), end=iso(day2))["periods"][0]["qualified_rate"]
                == pytest.approx(0.5)
            )
        )


async def _queue(defer: Any, url: str, org_id: str) -> None:
    app = worker.make_app(url)
    async with app.open_async():
        await defer(app, org_id)


# ------------------------------------------------ retention and the person's rights


def test_retention_expires_old_events_with_their_keys_unless_held(sdk: Any) -> None:
    held, free = conversation(sdk), conversation(sdk)
    sdk.legal_holds.create(contact_id=held["contact_id"], reason="dispute 7")
    old = {"type": "clicked", "at": ago(days=400)}
    for talk in (held, free):
        sdk.events.record(
            items=[
                {**old, "external_id": f"old-{talk['id']}", "conversation_id": talk["id"]},
                {
                    **old,
                    "at": ago(days=2),
                    "external_id": f"new-{talk['id']}",
                    "conversation_id": talk["id"],
                },
            ]
        )
    assert sdk.retention.status()["past_policy"]["events"] == 1
    assert sdk.retention.run()["removed"]["events"] == 1
    assert sdk.events.count({"conversation_id": free["id"]}) == 1
    assert sdk.events.count({"conversation_id": held["id"]}) == 2
    # Its key went with it: the same event sent again is stored again (and past policy).
    again = {**old, "external_id": f"old-{free['id']}", "conversation_id": free["id"]}
    assert sdk.events.record(items=[again])["created"] == 1


def test_a_persons_events_and_feedback_are_exported_and_erased(sdk: Any) -> None:
    talk = conversation(sdk)
    mid = say(sdk, talk, "agent", "Hello")["id"]
    sdk.events.record(
        items=[
            {"type": "delivered", "at": ago(seconds=9), "external_id": "e1", "message_id": mid},
            {
                "type": "clicked",
                "at": ago(seconds=5),
                "external_id": "e2",
                "contact_id": talk["contact_id"],
            },  # naming only the contact
        ]
    )
    sdk.feedback.create(message_id=mid, kind="rating", score=2)
    a, b = variants(sdk)
    experiment = sdk.experiments.create(
        name="e", agent="qualifier", variants=[a["id"], b["id"]], control=a["id"]
    )
    sdk.experiments.assign(experiment["id"], contact_id=talk["contact_id"])
    document = sdk.gdpr.export(talk["contact_id"])
    assert sorted(e["external_id"] for e in document["events"]) == ["e1", "e2"]
    assert [f["score"] for f in document["feedback"]] == [2]
    assert [x["experiment_id"] for x in document["experiment_assignments"]] == [experiment["id"]]
    receipt = sdk.gdpr.erase(talk["contact_id"])
    assert receipt["counts"]["events"] == 2
    assert receipt["counts"]["feedback"] == 1
    assert sdk.events.count() == 0
    assert sdk.feedback.count() == 0
    assert sdk.experiments.results(experiment["id"])["variants"][0]["exposures"] == 0
    # A platform's late retry names a message that is gone: refused, nothing stored again.
    with pytest.raises(errors.NotFound):
        sdk.events.record(
            items=[
                {"type": "delivered", "at": ago(seconds=9), "external_id": "e1", "message_id": mid}
            ]
        )

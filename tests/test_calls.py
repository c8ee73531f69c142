"""Voice calls (seed 002): learn a call atomically and idempotently, find leads by phone,
closers' availability and the transfer decision, both SDK ways against the real database."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from rapport import errors
from tests.conftest import Tenant

START = "2025-01-15T15:00:00Z"  # a Wednesday, 10:00 in New York


def turn(speaker: str, text: str, second: int, phase: int, **extra: Any) -> dict[str, Any]:
    minute, second = divmod(second, 60)
    stamp = f"2025-01-15T15:{minute:02d}:{second:02d}Z"
    return {"speaker": speaker, "text": text, "timestamp": stamp, "phase": phase, **extra}


def call_body(phone: str = "+1 (415) 555-0132", **call: Any) -> dict[str, Any]:
    return {
        "lead": {"phone": phone, "first_name": "Dana", "last_name": "Whitfield",
                 "email": "Dana@Whitfield-Roofing.com", "source": "facebook_ad"},
        "call": {"external_id": "CA-1", "start_time": START, "end_time": "2025-01-15T15:07:40Z",
                 "outcome": "transferred", "transfer_attempted": True,
                 "transfer_successful": True, "engagement_score": 8.5, "phase_reached": 4,
                 "closer_available": True, "closer": "kevin", **call},
        "transcript": [
            turn("agent", "Hi Dana, this is Ava from Magnificent Marketing.", 5, 1),
            turn("prospect", "Honestly it sounds too expensive for us.", 70, 2,
                 sentiment="negative"),
            turn("agent", "Most clients earn it back in the first month.", 120, 3),
            turn("prospect", "Okay, that sounds great. We need more roofing jobs by March.",
                 270, 4, sentiment=0.7, keywords=["roofing jobs"]),
            turn("closer", "Dana, Kevin here. Let's get you set up.", 310, 4),
        ],
        "factors": {"objection_handling": 7.5},
        "learning_patterns": [{"type": "roi_reframe", "effectiveness": 8.0}],
    }  # fmt: skip


def stored_counts(sdk: Any) -> dict[str, int]:
    return {
        name: sdk.__getattribute__(name).count()
        for name in ("contacts", "conversations", "messages", "calls")
    }


def test_learn_stores_lead_call_transcript_analysis_and_factors(sdk: Any) -> None:
    learned = sdk.calls.learn(call_body())

    assert learned["created"] is True
    assert learned["messages"] == 5
    lead, call = learned["lead"], learned["call"]
    assert lead["phone"] == "+14155550132"
    assert lead["name"] == "Dana Whitfield"
    assert lead["email"] == "dana@whitfield-roofing.com"
    assert lead["metadata"] == {"first_name": "Dana", "last_name": "Whitfield"}
    assert call["contact_id"] == lead["id"]
    assert call["conversation_id"] == learned["conversation_id"]
    assert call["duration"] == 460
    assert call["outcome"] == "transferred"
    assert call["learning_patterns"] == [{"type": "roi_reframe", "effectiveness": 8.0}]

    analysis = call["analysis"]
    assert analysis["total_words"] == sum(len(t["text"].split()) for t in call_body()["transcript"])
    assert analysis["objection_types"] == ["price"]
    assert analysis["average_sentiment"] == pytest.approx((-0.5 + 0.7) / 2)
    kinds = [moment["type"] for moment in analysis["key_moments"]]
    assert kinds.count("phase_change") == 4
    assert "objection" in kinds
    assert analysis["key_moments"][-1] == {"type": "transfer", "successful": True, "turn": 4,
                                           "timestamp": "2025-01-15T15:05:10Z"}  # fmt: skip
    assert call["factors"] == {"objection_handling": 7.5, "engagement_level": 8.5,
                               "phase_completed": 4, "time_of_day": "afternoon",
                               "day_of_week": 3}  # fmt: skip

    conversation = sdk.conversations.get(learned["conversation_id"])
    assert conversation["channel"] == "voice"
    assert conversation["contact_id"] == lead["id"]
    assert conversation["message_count"] == 5
    assert conversation["is_qualified"] is True
    turns = sdk.calls.transcript(call["id"])["items"]
    assert [(m["role"], m["agent_type"], m["phase"]) for m in turns] == [
        ("agent", None, "1"), ("user", None, "2"), ("agent", None, "3"), ("user", None, "4"),
        ("agent", "closer", "4"),
    ]  # fmt: skip
    assert turns[1]["sentiment"] == -0.5
    assert "roofing jobs" in turns[3]["keywords"]
    assert sdk.calls.get(call["id"]) == call


def test_a_retry_returns_the_stored_call_and_writes_nothing(sdk: Any) -> None:
    first = sdk.calls.learn(call_body())
    before = stored_counts(sdk)
    again = sdk.calls.learn(call_body())
    assert again["created"] is False
    assert again["call"] == first["call"]
    assert again["messages"] == 5
    assert again["conversation_id"] == first["conversation_id"]
    assert stored_counts(sdk) == before

    # Without an external_id, the same lead (phone in another format) and start time.
    body = call_body(external_id=None, start_time="2025-01-16T15:00:00Z",
                     end_time="2025-01-16T15:10:00Z")  # fmt: skip
    body["transcript"] = []
    second = sdk.calls.learn(body)
    body["lead"]["phone"] = "415.555.0132"
    retried = sdk.calls.learn(body)
    assert (second["created"], retried["created"]) == (True, False)
    assert retried["call"]["id"] == second["call"]["id"]
    assert sdk.calls.count() == 2
    assert sdk.contacts.count() == 1


def test_a_lead_is_found_by_any_formatting_of_its_phone(sdk: Any) -> None:
    lead = sdk.calls.learn(call_body())["lead"]
    for phone in ("+14155550132", "(415) 555-0132", "+1 415 555 0132", "1-415-555-0132"):
        assert sdk.calls.lead_by_phone(phone)["id"] == lead["id"]
    with pytest.raises(errors.NotFound):
        sdk.calls.lead_by_phone("+1 415 555 0199")
    with pytest.raises(errors.BadRequest) as bad:
        sdk.calls.lead_by_phone("call me maybe")
    assert bad.value.field == "phone"

    # National numbers are read in the org's region.
    sdk.update_org({"calls": {"default_region": "GB"}})
    uk = sdk.calls.learn(call_body("07911 123456", external_id="CA-UK"))["lead"]
    assert uk["phone"] == "+447911123456"
    assert sdk.calls.lead_by_phone("07911 123456")["id"] == uk["id"]
    assert sdk.calls.lead_by_phone("+1 (415) 555-0132")["id"] == lead["id"]


BAD_INPUT = [
    ("call.end_time", lambda b: b["call"].update(end_time="2025-01-15T14:59:00Z")),
    ("transcript[3].timestamp",
     lambda b: b["transcript"][3].update(timestamp="2025-01-15T15:01:00Z")),
    ("transcript[0].timestamp",
     lambda b: b["transcript"][0].update(timestamp="2025-01-15T14:58:00Z")),
    ("transcript[4].timestamp",
     lambda b: b["transcript"][4].update(timestamp="2025-01-15T15:09:00Z")),
    ("call.outcome", lambda b: b["call"].update(outcome="maybe")),
    ("call.transfer_successful", lambda b: b["call"].update(transfer_attempted=False)),
    ("call.engagement_score", lambda b: b["call"].update(engagement_score=11)),
    ("transcript[2].text", lambda b: b["transcript"][2].update(text="   ")),
    ("transcript[1].speaker", lambda b: b["transcript"][1].update(speaker="robot")),
    ("lead.phone", lambda b: b["lead"].update(phone="12")),
]  # fmt: skip


def test_bad_input_names_the_field_and_stores_nothing(sdk: Any) -> None:
    for field, spoil in BAD_INPUT:
        body = copy.deepcopy(call_body())
        spoil(body)
        with pytest.raises((errors.ValidationFailed, errors.BadRequest)) as raised:
            sdk.calls.learn(body)
        assert raised.value.field == field, (field, raised.value.detail)
        assert raised.value.status in (400, 422)
    assert stored_counts(sdk) == {"contacts": 0, "conversations": 0, "messages": 0, "calls": 0}


def test_a_failure_after_the_first_writes_rolls_all_of_them_back(sdk: Any) -> None:
    sdk.calls.learn(call_body())
    before = stored_counts(sdk)
    # Another call of the same lead at the same start under a new external_id: the lead is
    # upserted and a conversation and messages written before the call row collides.
    with pytest.raises(errors.Conflict) as conflict:
        sdk.calls.learn(call_body(external_id="CA-other"))
    assert conflict.value.field == "call.start_time"
    assert stored_counts(sdk) == before


def test_the_transcript_is_enriched_like_any_message(sdk: Any) -> None:
    learned = sdk.calls.learn(call_body())
    if not hasattr(sdk, "database"):  # over HTTP the server enriches in the background
        sdk.enrichment.flush()
    turns = sdk.calls.transcript(learned["call"]["id"])["items"]
    lead_turns = [m for m in turns if m["role"] == "user"]
    assert all(m["intent"] is not None and m["language"] == "en" for m in lead_turns)
    assert turns[1]["sentiment"] == -0.5  # what the agent sent is kept
    found = sdk.messages.search("roofing jobs")["items"]
    assert [m["id"] for m in found] == [turns[3]["id"]]
    assert sdk.enrichment.pending()["messages"] == 0


def test_calls_filter_by_outcome_score_and_factors(sdk: Any) -> None:
    for index, (outcome, score) in enumerate([("qualified", 8), ("qualified", 5),
                                              ("callback", 9)]):  # fmt: skip
        body = call_body(f"+1 415 555 01{40 + index}", external_id=f"CA-{index}",
                         outcome=outcome, engagement_score=score, transfer_attempted=False,
                         transfer_successful=False)  # fmt: skip
        sdk.calls.learn(body)
    hot = sdk.calls.list({"outcome": "qualified", "engagement_score": {"$gte": 7}})["items"]
    assert [c["engagement_score"] for c in hot] == [8]
    assert sdk.calls.count({"factors.time_of_day": "afternoon"}) == 3
    assert sdk.calls.count({"analysis.objection_types": {"$contains": ["price"]}}) == 3
    with pytest.raises(errors.BadRequest):
        sdk.calls.list({"outcome": "won"})

    # A call record without a transcript (generic create) gets its factors filled too.
    lead = sdk.calls.lead_by_phone("+1 415 555 0140")
    row = sdk.calls.create(contact_id=lead["id"], start_time="2025-01-18T02:00:00Z",
                           outcome="no_answer")  # fmt: skip
    assert row["factors"] == {"time_of_day": "night", "day_of_week": 6}
    assert sdk.calls.transcript(row["id"]) == {"items": [], "next_cursor": None}


def test_another_org_cannot_see_the_call(tenant: Tenant, other_tenant: Tenant) -> None:
    with tenant.local() as mine, other_tenant.local() as theirs:
        learned = mine.calls.learn(call_body())
        call_id = learned["call"]["id"]
        with pytest.raises(errors.NotFound):
            theirs.calls.get(call_id)
        with pytest.raises(errors.NotFound):
            theirs.calls.transcript(call_id)
        with pytest.raises(errors.NotFound):
            theirs.calls.lead_by_phone("+14155550132")
        assert theirs.calls.count() == 0
        # The same call learned by the other org is its own.
        assert theirs.calls.learn(call_body())["created"] is True


WEEKDAYS = [{"day_of_week": d, "start": "09:00", "end": "17:00"} for d in range(1, 6)]


def test_availability_now_follows_the_closers_time_zone(sdk: Any) -> None:
    stored = sdk.availability.set(
        "America/New_York",
        [*WEEKDAYS, {"day_of_week": "saturday", "start": "10:00", "end": "12:00"}],
        [{"start": "2025-01-20T00:00:00", "end": "2025-01-21T00:00:00", "available": False,
          "reason": "MLK day"},
         {"start": "2025-01-18T18:00:00", "end": "2025-01-18T20:00:00", "available": True}],
        closer="kevin",
    )  # fmt: skip
    assert stored["weekly"][-1]["day_of_week"] == 6
    assert stored["overrides"][0]["start"] == "2025-01-20T05:00:00Z"  # local midnight, EST
    assert sdk.availability.list()["items"] == [stored]

    def now(at: str) -> dict[str, Any]:
        return sdk.availability.now("kevin", at)

    inside = now("2025-01-15T15:00:00Z")  # Wednesday 10:00 EST
    assert inside["available"] is True
    assert "Wednesday 09:00-17:00" in inside["reason"]
    assert inside["until"] == "2025-01-15T22:00:00Z"
    after = now("2025-01-15T22:30:00Z")  # 17:30
    assert after["available"] is False
    assert after["next_available_at"] == "2025-01-16T14:00:00Z"
    holiday = now("2025-01-20T15:00:00Z")  # Monday 10:00, but the override wins
    assert (holiday["available"], holiday["reason"]) == (False, "MLK day")
    assert holiday["next_available_at"] == "2025-01-21T14:00:00Z"
    extra = now("2025-01-18T23:30:00Z")  # Saturday 18:30, an extra evening
    assert extra["available"] is True
    assert extra["until"] == "2025-01-19T01:00:00Z"
    # After the DST change 09:00 New York is 13:00 UTC, not 14:00.
    summer = now("2025-03-10T12:30:00Z")
    assert summer["available"] is False
    assert summer["next_available_at"] == "2025-03-10T13:00:00Z"
    assert now("2025-03-10T13:30:00Z")["available"] is True
    with pytest.raises(errors.NotFound):
        sdk.availability.now("nobody")

    # Replacing is idempotent; a new schedule replaces the old one whole.
    again = sdk.availability.set("America/New_York", WEEKDAYS, [], closer="kevin")
    assert again["overrides"] == []
    assert len(sdk.availability.list("kevin")["items"]) == 1
    assert sdk.availability.set("America/New_York", WEEKDAYS, [], closer="kevin") == again


def test_availability_refuses_schedules_it_cannot_read(sdk: Any) -> None:
    cases = [
        ("timezone", {"timezone": "Mars/Olympus"}),
        ("weekly[0].end", {"weekly": [{"day_of_week": 1, "start": "17:00", "end": "09:00"}]}),
        ("weekly[1]", {"weekly": [{"day_of_week": 1, "start": "09:00", "end": "12:00"},
                                  {"day_of_week": "Monday", "start": "11:00", "end": "13:00"}]}),
        ("overrides[1]", {"overrides": [
            {"start": "2025-01-20T09:00:00Z", "end": "2025-01-20T12:00:00Z", "available": False},
            {"start": "2025-01-20T11:00:00Z", "end": "2025-01-20T13:00:00Z", "available": True},
        ]}),
    ]  # fmt: skip
    for field, change in cases:
        body = {"timezone": "America/New_York", "weekly": [], "overrides": [], **change}
        with pytest.raises(errors.ValidationFailed) as raised:
            sdk.availability.set(**body)
        assert raised.value.field == field, raised.value.detail
    assert sdk.availability.list()["items"] == []


def test_transfer_decision_says_yes_or_why_not(sdk: Any) -> None:
    sdk.availability.set("America/New_York", WEEKDAYS)
    working = "2025-01-15T15:00:00Z"
    go = sdk.calls.transfer_decision(8.2, 4, at=working)
    assert go["transfer"] is True
    assert go["available"] is True
    assert go["closer"] == "default"

    cold = sdk.calls.transfer_decision(5.0, 2, at=working)
    assert cold["transfer"] is False
    assert [r.split()[0] for r in cold["reasons"]] == ["engagement", "phase"]

    evening = sdk.calls.transfer_decision(9.0, 5, at="2025-01-15T23:00:00Z")
    assert evening["transfer"] is False
    assert evening["available"] is False
    assert evening["next_available_at"] == "2025-01-16T14:00:00Z"
    assert "unavailable" in evening["reasons"][0]

    learned = sdk.calls.learn(call_body(outcome="not_qualified", transfer_attempted=False,
                                        transfer_successful=False))  # fmt: skip
    unqualified = sdk.calls.transfer_decision(
        9.0, 5, conversation_id=learned["conversation_id"], at=working
    )
    assert unqualified["reasons"] == ["the lead is not qualified"]

    sdk.update_org({"transfer": {"min_engagement": 5, "min_phase": 2}})
    assert sdk.calls.transfer_decision(5.0, 2, at=working)["transfer"] is True
    nobody = sdk.calls.transfer_decision(9.0, 5, closer="kevin", at=working)
    assert nobody["transfer"] is False
    assert "no availability schedule" in nobody["reasons"][0]


def test_a_turn_may_say_its_sentiment_is_unknown(sdk: Any) -> None:
    """``"sentiment": null`` is "not known" (the server reads it from the text), not a 500."""
    body = call_body(external_id="CA-null")
    body["transcript"][1]["sentiment"] = None
    learned = sdk.calls.learn(body)
    assert learned["created"] is True
    sdk.enrichment.flush()
    turns = sdk.calls.transcript(learned["call"]["id"])["items"]
    assert turns[1]["sentiment"] is not None  # read from "sounds too expensive"
    assert learned["call"]["analysis"]["average_sentiment"] is not None


def test_contacts_read_national_numbers_in_the_orgs_region(sdk: Any) -> None:
    """One normaliser: a contact's national number is read in the org's region, as a
    learned call's lead is, and the two are then the same person."""
    sdk.update_org({"calls": {"default_region": "GB"}})
    contact = sdk.contacts.create(name="Olivia", phone="07911 123456")
    assert contact["phone"] == "+447911123456"
    assert sdk.calls.lead_by_phone("07911 123456")["id"] == contact["id"]
    assert sdk.contacts.update(contact["id"], phone="07911 123457")["phone"] == "+447911123457"
    with pytest.raises(errors.ValidationFailed) as bad:
        sdk.contacts.bulk_create([{"name": "A", "phone": "+447911123458"}, {"phone": "12"}])
    assert bad.value.field == "items[1].phone"
    assert sdk.contacts.count() == 1


def test_closer_availability_compares_transfers_with_and_without_the_closer(
    sdk: Any, other_tenant: Tenant
) -> None:
    """Seed 002's correlation: each group's calls, transfers tried and made, success rate and
    engagement; the lift between available and not; a window and one closer narrow it."""
    lead = sdk.contacts.create(name="Dana")

    def call(day: int, available: bool | None, tried: bool, made: bool, score: float,
             closer: str = "kevin") -> dict[str, Any]:  # fmt: skip
        row = {"contact_id": lead["id"], "start_time": f"2025-03-{day:02d}T15:00:00Z",
               "transfer_attempted": tried, "transfer_successful": made,
               "engagement_score": score, "closer": closer}  # fmt: skip
        return row if available is None else {**row, "closer_available": available}

    sdk.calls.bulk_create(
        [
            call(3, True, True, True, 8), call(4, True, True, True, 6),
            call(5, True, True, False, 4), call(6, True, False, False, 2),
            call(7, False, True, False, 5), call(8, False, True, False, 5),
            call(9, False, False, False, 5), call(10, None, False, False, 3),
            call(11, True, True, False, 1, closer="maria"),
            call(28, False, True, True, 9),  # after the window below
        ]
    )  # fmt: skip
    seen = sdk.calls.closer_availability(start="2025-03-01", end="2025-03-20", closer="kevin")
    available, unavailable, unknown = seen["groups"]
    assert available == {
        "closer_available": True, "calls": 4, "transfers_attempted": 3,
        "transfers_successful": 2, "success_rate": pytest.approx(2 / 3),
        "avg_engagement": pytest.approx(5.0), "avg_engagement_successful": pytest.approx(7.0),
    }  # fmt: skip
    assert (unavailable["calls"], unavailable["transfers_attempted"]) == (3, 2)
    assert unavailable["success_rate"] == 0.0
    assert unavailable["avg_engagement_successful"] is None
    assert (unknown["closer_available"], unknown["calls"], unknown["success_rate"]) == (
        None, 1, None,
    )  # fmt: skip
    assert seen["lift"] == pytest.approx(2 / 3)
    assert seen["closer"] == "kevin"
    assert seen["from"].startswith("2025-03-01")

    everyone = sdk.calls.closer_availability()  # every call, every closer
    assert [g["calls"] for g in everyone["groups"]] == [5, 4, 1]
    assert everyone["groups"][1]["success_rate"] == pytest.approx(1 / 3)
    with pytest.raises(errors.BadRequest, match="to: must be later than from"):
        sdk.calls.closer_availability(start="2025-03-20", end="2025-03-01")
    with other_tenant.local() as theirs:  # another org sees none of it
        assert [g["calls"] for g in theirs.calls.closer_availability()["groups"]] == [0, 0, 0]
        assert theirs.calls.closer_availability()["lift"] is None


def test_closer_availability_counts_whole_days_and_partial_ones_alike(sdk: Any) -> None:
    """Whole days come from the counts kept per day, the ends of a window from the calls:
    every window (open, day-aligned, ending mid-day, within one day) and every change to
    a call (edited, deleted) gives what counting the calls themselves gives."""
    lead = sdk.contacts.create(name="Dana")
    made = sdk.calls.bulk_create([
        {"contact_id": lead["id"], "start_time": f"2025-04-{day:02d}T{hour:02d}:30:00Z",
         "closer_available": (day + hour) % 3 != 0, "transfer_attempted": hour % 2 == 0,
         "transfer_successful": hour % 4 == 0, "engagement_score": (day * hour) % 11,
         "closer": "kevin" if day % 2 else "maria"}
        for day in range(1, 11) for hour in (0, 6, 12, 18)
    ])  # fmt: skip
    sdk.calls.update(made[0], closer="maria", closer_available=None)
    sdk.calls.update(made[5], transfer_attempted=True, transfer_successful=True,
                     engagement_score=None)  # fmt: skip
    sdk.calls.delete(made[9])
    calls = sdk.calls.list(limit=100)["items"]

    def counted(start: str | None, end: str | None, closer: str | None) -> list[Any]:
        chosen = [c for c in calls
                  if (start is None or c["start_time"] >= start.replace("Z", "+00:00"))
                  and (end is None or c["start_time"] < end.replace("Z", "+00:00"))
                  and (closer is None or c["closer"] == closer)]  # fmt: skip
        groups = []
        for value in (True, False, None):
            group = [c for c in chosen if c["closer_available"] is value]
            made_it = [c for c in group if c["transfer_successful"]]
            scores = [c["engagement_score"] for c in group if c["engagement_score"] is not None]
            won = [c["engagement_score"] for c in made_it if c["engagement_score"] is not None]
            tried = sum(c["transfer_attempted"] for c in group)
            groups.append((len(group), tried, len(made_it),
                           len(made_it) / tried if tried else None,
                           sum(scores) / len(scores) if scores else None,
                           sum(won) / len(won) if won else None))  # fmt: skip
        return groups

    for start, end, closer in [
        (None, None, None), ("2025-04-03", "2025-04-08", None),
        ("2025-04-02T10:00:00Z", "2025-04-07T13:00:00Z", None),
        ("2025-04-05T05:00:00Z", "2025-04-05T20:00:00Z", "kevin"),
        ("2025-04-04T12:30:00Z", None, "maria"), (None, "2025-04-06T06:30:00Z", None),
        ("2025-04-09T00:00:00Z", "2025-04-10T00:00:00Z", None),
    ]:  # fmt: skip
        seen = sdk.calls.closer_availability(start=start, end=end, closer=closer)["groups"]
        got = [(g["calls"], g["transfers_attempted"], g["transfers_successful"],
                g["success_rate"], g["avg_engagement"], g["avg_engagement_successful"])
               for g in seen]  # fmt: skip
        flat = [x for group in counted(start, end, closer) for x in group]
        assert [x for group in got for x in group] == pytest.approx(flat), (start, end, closer)

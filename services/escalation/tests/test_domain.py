from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from imas_contracts.escalation import (
    Layer,
    PolicySpec,
    PolicyStep,
    Restriction,
    ScheduleSpec,
    StepTarget,
)
from imas_escalation import domain, ical
from imas_escalation.domain import Directory, Entity, PolicyError, Recipient

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ROTA = ScheduleSpec(
    id="sched-1",
    team_id="team-1",
    name="Primary",
    layers=[Layer(members=["alice", "bob"], shift="daily", start=datetime(2026, 3, 2, 9))],
)
DIRECTORY = Directory(
    teams={"team-1": Entity("team-1", "SRE Core", {"manager_id": "maud"})},
    people={
        "alice": Entity("alice", "Alice", {"email": "alice@example.com"}),
        "bob": Entity("bob", "Bob", {}),
        "maud": Entity("maud", "Maud", {"phone": "+33600000000"}),
        "cyril": Entity("cyril", "Cyril", {"role": "CTO", "email": "cto@example.com"}),
    },
)


def test_default_policy_is_the_briefs_ladder() -> None:
    policy = domain.default_policy("team-1", "sched-1")
    assert [(s.delay_minutes, s.channels) for s in policy.steps] == [
        (0, ["slack"]),
        (5, ["slack"]),
        (15, ["sms"]),
        (30, ["email"]),
        (60, ["email", "sms"]),
    ]
    who = [
        [r.name for r in domain.recipients_for(policy, i, 0, T0, {"sched-1": ROTA}, DIRECTORY)]
        for i in range(5)
    ]
    assert who == [["SRE Core"], ["SRE Core"], ["Alice"], ["Maud"], ["Cyril"]]


def test_steps_are_due_from_the_incident_start_and_rounds_repeat() -> None:
    policy = PolicySpec(
        team_id="t",
        name="p",
        steps=[
            PolicyStep(delay_minutes=0, targets=[StepTarget(kind="team")]),
            PolicyStep(delay_minutes=10, targets=[StepTarget(kind="team")]),
        ],
        repeat=2,
        repeat_delay_minutes=5,
    )
    planned = domain.plan(policy, T0)
    offsets = [(p.step, p.repeat, (p.due_at - T0) / timedelta(minutes=1)) for p in planned]
    assert offsets == [(0, 0, 0), (1, 0, 10), (0, 1, 15), (1, 1, 25), (0, 2, 30), (1, 2, 40)]


def test_round_robin_pages_one_target_per_round_in_turn() -> None:
    step = PolicyStep(
        delay_minutes=0,
        targets=[StepTarget(kind="person", id="alice"), StepTarget(kind="person", id="bob")],
    )
    policy = PolicySpec(team_id="team-1", name="rr", steps=[step], repeat=3, round_robin=True)
    names = [
        [r.name for r in domain.recipients_for(policy, 0, rnd, T0, {}, DIRECTORY)]
        for rnd in range(4)
    ]
    assert names == [["Alice"], ["Bob"], ["Alice"], ["Bob"]]


def test_schedule_target_pages_whoever_is_on_call_at_fire_time() -> None:
    target = StepTarget(kind="schedule", id="sched-1")
    today = domain.resolve(target, "team-1", T0, {"sched-1": ROTA}, DIRECTORY)
    tomorrow = domain.resolve(
        target, "team-1", T0 + timedelta(days=1), {"sched-1": ROTA}, DIRECTORY
    )
    assert [r.id for r in today + tomorrow] == ["alice", "bob"]


def test_idempotency_key_is_stable_per_incident_step_round_target_channel() -> None:
    alice = Recipient("person", "alice", "Alice")
    key = domain.idempotency_key("inc", "step", 2, 1, alice, "sms")
    assert key == domain.idempotency_key("inc", "step", 2, 1, alice, "sms")
    assert key != domain.idempotency_key("inc", "step", 2, 0, alice, "sms")
    assert key != domain.idempotency_key("inc", "step", 2, 1, alice, "email")
    # A reopened incident's run pages again: its keys differ from the first run's.
    assert key == domain.idempotency_key("inc", "step", 2, 1, alice, "sms", run=1)
    second = domain.idempotency_key("inc", "step", 2, 1, alice, "sms", run=2)
    assert second not in (key, domain.idempotency_key("inc", "step", 2, 1, alice, "sms", run=3))


def test_policy_for_the_severity_wins_over_the_catch_all() -> None:
    step = [PolicyStep(delay_minutes=0, targets=[StepTarget(kind="team")])]
    catch_all = PolicySpec(id="all", team_id="t", name="all", steps=step)
    sev1 = PolicySpec(id="sev1", team_id="t", name="sev1", severities=["SEV1_CRITICAL"], steps=step)
    assert domain.choose_policy([catch_all, sev1], "t", "SEV1_CRITICAL") == sev1
    assert domain.choose_policy([catch_all, sev1], "t", "SEV3_MEDIUM") == catch_all
    assert domain.choose_policy([catch_all, sev1], "other", "SEV3_MEDIUM") is None


@pytest.mark.parametrize(
    ("steps", "field"),
    [
        ([], "steps"),
        ([PolicyStep(delay_minutes=0, targets=[])], "steps[0].targets"),
        (
            [PolicyStep(delay_minutes=-1, targets=[StepTarget(kind="team")])],
            "steps[0].delay_minutes",
        ),
        (
            [PolicyStep(delay_minutes=0, targets=[StepTarget(kind="person")])],
            "steps[0].targets[0].id",
        ),
    ],
)
def test_invalid_policy_names_the_field(steps: list[PolicyStep], field: str) -> None:
    with pytest.raises(PolicyError) as refused:
        domain.validate_policy(PolicySpec(team_id="t", name="p", steps=steps))
    assert refused.value.field == field


def test_check_reports_unreachable_steps_gaps_and_people_without_contact() -> None:
    policy = PolicySpec(
        id="p1",
        team_id="team-9",
        name="Lonely",
        steps=[PolicyStep(delay_minutes=0, targets=[StepTarget(kind="manager")])],
    )
    nights_only = ScheduleSpec(
        id="s2",
        team_id="team-1",
        name="Nights",
        layers=[
            Layer(
                members=["bob"],
                start=datetime(2026, 3, 2),
                restrictions=[Restriction(start="20:00", end="08:00")],
            )
        ],
    )
    problems = domain.check([policy], [nights_only], DIRECTORY, T0)
    kinds = {(p.kind, p.subject) for p in problems}
    assert ("policy_reaches_nobody", "p1") in kinds
    assert ("schedule_gap", "s2") in kinds
    assert ("person_without_contact", "bob") in kinds


def test_ical_feed_is_rfc5545_with_crlf_folding_and_escaping() -> None:
    body = ical.calendar(
        "On call: Primary, SRE",
        [
            ical.CalendarEvent(
                start=T0,
                end=T0 + timedelta(hours=8),
                summary="On call: Alice; backup " + "x" * 80,
                uid_seed="s|alice",
            )
        ],
        now=T0,
    )
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR" and lines[-1] == ""
    assert "\n" not in body.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "X-WR-CALNAME:On call: Primary\\, SRE" in lines
    assert "DTSTART:20260302T100000Z" in lines and "DTEND:20260302T180000Z" in lines
    summary = next(i for i, line in enumerate(lines) if line.startswith("SUMMARY:"))
    assert lines[summary + 1].startswith(" ")  # folded continuation
    assert "Alice\\; backup" in lines[summary]
    again = ical.calendar("x", [ical.CalendarEvent(T0, T0, "y", uid_seed="s|alice")], now=T0)
    uid = [line for line in lines if line.startswith("UID:")]
    assert uid and uid[0] not in again  # the UID depends on the shift, not only the person

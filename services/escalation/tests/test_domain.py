from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from imas_contracts.escalation import (
    Layer,
    PolicySpec,
    PolicyStep,
    Restriction,
    ScheduleSpec,
    StepTarget,
)
from imas_escalation import domain
from imas_escalation.config import checks
from imas_escalation.domain import Directory, PolicyError, Recipient
from imas_escalation.schedules import ical
from imas_runtime.catalog import Entity

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ROTA = ScheduleSpec(
    id="sched-1",
    team_id="team-1",
    name="Primary",
    layers=[Layer(members=["alice", "bob"], shift="daily", start=datetime(2026, 3, 2, 9))],
)
DIRECTORY = Directory(
    teams={"team-1": Entity("team-1", "SRE Core", {"manager": {"id": "maud", "name": "Maud"}})},
    people={
        "alice": Entity("alice", "Alice", {"email": "alice@example.com"}),
        "bob": Entity("bob", "Bob", {}),
        "maud": Entity("maud", "Maud", {"phone": "+33600000000"}),
        "cyril": Entity("cyril", "Cyril", {"roles": ["cto"], "email": "cto@example.com"}),
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


def test_steps_reach_a_teams_members_its_manager_and_everyone_holding_a_role() -> None:
    directory = Directory(
        teams={
            "team-1": Entity(
                "team-1",
                "SRE Core",
                {
                    "manager": {"id": "maud", "name": "Maud"},
                    # Bob left the catalog: his team's event may still name him.
                    "members": [{"id": "alice", "name": "Alice"}, {"id": "gone", "name": "?"}],
                },
            ),
            "team-2": Entity("team-2", "Orphans", {"manager": None, "members": []}),
        },
        people={
            "alice": Entity("alice", "Alice", {"roles": ["ciso"]}),
            "maud": Entity("maud", "Maud", {"roles": []}),
            "zoe": Entity("zoe", "Zoé", {"roles": ["CTO", "dpo"]}),
            "cyril": Entity("cyril", "Cyril", {"roles": ["cto"]}),
        },
    )

    def names(kind: str, id_: str = "", team: str = "team-1") -> list[str]:
        target = StepTarget(kind=kind, id=id_)  # type: ignore[arg-type]
        return [r.name for r in domain.resolve(target, team, T0, {}, directory)]

    assert names("members") == ["Alice"]
    assert names("manager") == ["Maud"]
    assert names("members", "team-2") == [] and names("manager", team="team-2") == []
    assert names("role", "cto") == ["Cyril", "Zoé"]
    assert names("role", "CISO") == ["Alice"]
    assert names("role", "ceo") == []


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


def test_check_walks_the_default_ladder_and_says_why_a_step_reaches_nobody() -> None:
    bare = Directory(teams={"team-1": Entity("team-1", "SRE Core", {})}, people={})
    checked = checks.check(["team-1"], [], [], bare, T0)
    nobody = [(p.step, p.channel, p.message) for p in checked.problems]
    assert nobody == [
        (
            "Default policy, step 3 at 15 min",
            "sms",
            "Default policy, step 3 at 15 min (sms) reaches nobody: SRE Core has no on-call "
            "schedule",
        ),
        (
            "Default policy, step 4 at 30 min",
            "email",
            "Default policy, step 4 at 30 min (email) reaches nobody: SRE Core has no manager "
            "in the catalog",
        ),
        (
            "Default policy, step 5 at 60 min",
            "email, sms",
            "Default policy, step 5 at 60 min (email, sms) reaches nobody: nobody in the "
            "catalog holds the role 'cto'",
        ),
    ]
    assert {p.team for p in checked.problems} == {"SRE Core"}
    # Steps 1 and 2 page the team's channel: the notifier checks those.
    assert [(p.step, p.target, p.channel) for p in checked.pages] == [
        ("Default policy, step 1 at 0 min", "team", "slack"),
        ("Default policy, step 2 at 5 min", "team", "slack"),
    ]


def test_check_plans_every_page_of_a_complete_ladder_and_everyone_on_the_rotation() -> None:
    checked = checks.check(["team-1"], [], [ROTA], DIRECTORY, T0, minutes=(0, 1, 2, 3, 4))
    assert checked.problems == []  # Alice and Bob rotate daily, always someone on call
    planned = {(p.step.split(",")[1].strip(), p.id, p.channel) for p in checked.pages}
    assert planned == {
        ("step 1 at 0 min", "team-1", "slack"),
        ("step 2 at 1 min", "team-1", "slack"),
        ("step 3 at 2 min", "alice", "sms"),
        ("step 3 at 2 min", "bob", "sms"),  # off today, on call tomorrow
        ("step 4 at 3 min", "maud", "email"),
        ("step 5 at 4 min", "cyril", "email"),
        ("step 5 at 4 min", "cyril", "sms"),
    }
    assert checked.on_call == {"team-1": ["alice", "bob"]}


def test_check_skips_the_default_where_the_teams_policies_cover_every_severity() -> None:
    lonely = PolicySpec(
        id="p1",
        team_id="team-9",
        name="Lonely",
        steps=[PolicyStep(delay_minutes=0, targets=[StepTarget(kind="manager")])],
    )
    nights_only = ScheduleSpec(
        id="s2",
        team_id="team-9",
        name="Nights",
        layers=[
            Layer(
                members=["bob"],
                start=datetime(2026, 3, 2),
                restrictions=[Restriction(start="20:00", end="08:00")],
            )
        ],
    )
    checked = checks.check(["team-9"], [lonely], [nights_only], DIRECTORY, T0)
    kinds = [(p.kind, p.subject, p.step) for p in checked.problems]
    assert ("policy_reaches_nobody", "p1", "Lonely policy, step 1 at 0 min") in kinds
    assert ("schedule_gap", "s2", "") in kinds
    assert not [k for k in kinds if "Default" in k[2]]
    assert checks.policies_of("team-9", [lonely], []) == [lonely]
    severe = msgspec.structs.replace(lonely, severities=["SEV1_CRITICAL"])
    assert [p.name for p in checks.policies_of("team-9", [severe], [])] == ["Lonely", "Default"]


def test_the_default_ladders_delays_are_five_growing_numbers_of_minutes() -> None:
    assert domain.parse_step_minutes("0,0.05,0.1,0.15,0.2") == (0, 0.05, 0.1, 0.15, 0.2)
    for bad in ("0,5,15,30", "0,5,x,30,60", "0,15,5,30,60", "-1,5,15,30,60"):
        with pytest.raises(ValueError):
            domain.parse_step_minutes(bad)


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


def test_only_a_silence_of_a_whole_service_is_a_window_of_it() -> None:
    from imas_contracts.ingest import Matcher, Silence

    now = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 in Paris, the clocks just went on

    def silence(id_: str, *matchers: Matcher, **extra: object) -> Silence:
        return Silence(
            id=id_,
            matchers=list(matchers),
            starts_at=datetime(2026, 3, 1, 1, tzinfo=UTC),
            ends_at=datetime(2027, 1, 1, tzinfo=UTC),
            comment=f"{id_} window",
            **extra,  # type: ignore[arg-type]  # the recurrence's fields
        )

    weekly = {"rrule": "FREQ=WEEKLY;BYDAY=SU;BYHOUR=2", "duration": 7200.0,
              "timezone": "Europe/Paris"}  # fmt: skip
    found = domain.service_windows(
        [
            silence("db", Matcher(label="service", value="postgres-prod"), **weekly),
            # Narrower than the service: its other alerts still page, its escalations go on.
            silence(
                "disk",
                Matcher(label="service", value="redis-prod"),
                Matcher(label="alertname", value="DiskFull"),
            ),
            silence(
                "later",
                Matcher(label="service", value="kafka-prod"),
                rrule="FREQ=DAILY;BYHOUR=12",
                duration=600.0,
                timezone="Europe/Paris",
            ),
        ],
        now,
    )
    assert found == {
        "postgres-prod": (datetime(2026, 3, 29, 3, tzinfo=UTC), "silence db (db window)")
    }
